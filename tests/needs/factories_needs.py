"""Helpers for needs tests: requests through the service, volunteers with profiles."""

from __future__ import annotations

from typing import Any

from tests.factories import UserFactory
from wushe.accounts.roles import Role
from wushe.needs import services
from wushe.needs.models import Channel, Need
from wushe.volunteers.services import volunteer_profile_upsert


def make_need(actor: Any, area: Any, **kwargs: Any) -> Need:
    data: dict[str, Any] = {
        "category": "groceries",
        "channel": Channel.PHONE,
        "caller_name": "张阿姨",
        "caller_phone": "13812345678",
        "address": "一村1号楼101",
        "description": "买菜",
    }
    data.update(kwargs)
    return services.need_create(actor=actor, area=area, **data)


def make_volunteer(username: str, area: Any, skills: list[str] | None = None) -> Any:
    user = UserFactory(username=username, role=Role.VOLUNTEER, scope_area=area)
    volunteer_profile_upsert(actor=None, user=user, home_area=area, skills=skills or [])
    return user
