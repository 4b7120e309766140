"""Demo volunteers: the demo "volunteer" user and a dozen more, with skills and shifts."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from wushe.accounts.demo import demo_user
from wushe.accounts.roles import Role
from wushe.volunteers.models import Skill
from wushe.volunteers.services import volunteer_profile_upsert

NAMES = ["张师傅", "小李", "王医生", "陈老师", "赵阿姨", "孙同学", "周大哥", "吴护士", "郑师傅",
         "冯同学", "褚阿姨", "卫老师"]  # fmt: skip


def build(context: Any) -> None:
    rng = context.rng
    communities = context.data["communities"]
    first = context.data["users"].get(Role.VOLUNTEER)
    users = [first] if first is not None else []
    for i, name in enumerate(NAMES, start=2):
        user = demo_user(
            context,
            f"volunteer{i}",
            display_name=f"志愿者 {name}",
            role=Role.VOLUNTEER,
            scope_area=communities[i % len(communities)],
            is_active=True,
        )
        if user is not None:
            users.append(user)
    skills = list(Skill.values)
    for user in users:
        volunteer_profile_upsert(
            actor=None,
            user=user,
            home_area=user.scope_area,
            skills=sorted(rng.sample(skills, rng.choice((1, 2, 2, 3)))),
            on_shift=rng.random() < 0.6,
        )
    context.data["volunteers"] = users
    context.out.write(
        _("volunteers: {count} with profiles (volunteer, volunteer2…)").format(count=len(users))
        + "\n"
    )
