"""Demo users: one per role (and a second community worker, to show scoping). Idempotent;
all share the demo password, which is printed.

A demo user is one whose password is the demo password. An existing user with any other
password (a real account that happens to be called ``admin``, or a demo user whose password
was changed) is never touched, and is not used for demo data."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.utils.translation import gettext as _

from wushe.accounts.models import User
from wushe.accounts.roles import Role

DEMO_PASSWORD = "wushe-demo-2026"  # noqa: S105 - printed demo credential, never for production


def demo_user(context: Any, username: str, **fields: Any) -> User | None:
    """Create ``username`` with ``fields`` and the demo password, or refresh it if it is a
    demo user; None (and a line saying so) when an account of that name is not the demo's."""
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, **fields)
        user.set_password(DEMO_PASSWORD)
        user.save()
        return user
    if not user.check_password(DEMO_PASSWORD):
        context.out.write(
            "  "
            + _("{username}: an existing account that is not a demo user; left unchanged").format(
                username=username
            )
            + "\n"
        )
        return None
    for name, value in fields.items():
        setattr(user, name, value)
    user.save(update_fields=list(fields))
    return user


def _pad(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal columns (a Chinese character takes two)."""
    columns = sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
    return text + " " * max(0, width - columns)


def build(context: Any) -> None:
    d = context.data
    community_a, community_b = d["communities"][0], d["communities"][1]
    people = [
        ("command", "街道指挥部 王主任", Role.STREET_COMMAND, d["street"]),
        ("community", f"{community_a.name} 李网格员", Role.COMMUNITY_WORKER, community_a),
        ("community2", f"{community_b.name} 赵网格员", Role.COMMUNITY_WORKER, community_b),
        ("social", "社工站 陈社工", Role.SOCIAL_WORKER, d["street"]),
        ("volunteer", "志愿者 刘师傅", Role.VOLUNTEER, community_a),
        ("org", "润泽社工机构 周主任", Role.ORG_ADMIN, d["street"]),
        ("district", "区民政局 孙科长", Role.DISTRICT_CIVIL_AFFAIRS, d["district"]),
        ("admin", "系统管理员", Role.SYSTEM_ADMIN, None),
    ]
    users: dict[str, User] = {}
    context.out.write(
        _("users (password for all: {password}):").format(password=DEMO_PASSWORD) + "\n"
    )
    for username, name, role, area in people:
        user = demo_user(
            context,
            username,
            display_name=name,
            role=role,
            scope_area=area,
            is_active=True,
            is_staff=role == Role.SYSTEM_ADMIN,
            is_superuser=role == Role.SYSTEM_ADMIN,
        )
        if user is None:
            continue
        users.setdefault(role, user)
        where = area.name if area else _("all areas")
        context.out.write(f"  {username:<11} {_pad(str(Role(role).label), 24)} {where}\n")
    d["users"] = users
