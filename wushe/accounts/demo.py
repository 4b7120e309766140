"""Demo users: one per role (and a second community worker, to show scoping). Idempotent;
passwords are reset to the demo password on every run and printed."""

from __future__ import annotations

from typing import Any

from wushe.accounts.models import User
from wushe.accounts.roles import Role

DEMO_PASSWORD = "wushe-demo-2026"  # noqa: S105 - printed demo credential, never for production


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
    users = {}
    context.out.write(f"users (password for all: {DEMO_PASSWORD}):\n")
    for username, name, role, area in people:
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "display_name": name,
                "role": role,
                "scope_area": area,
                "is_active": True,
                "is_staff": role == Role.SYSTEM_ADMIN,
                "is_superuser": role == Role.SYSTEM_ADMIN,
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        users[role] = users.get(role, user)
        where = area.name if area else "all areas"
        context.out.write(f"  {username:<11} {Role(role).label:<24} {where}\n")
    d["users"] = users
