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


def png_upload(name: str = "photo.png") -> Any:
    """A real (tiny) PNG picture as an uploaded file."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def task_done_with_photo(client: Any, actor: Any, need: Need, volunteer: Any) -> Any:
    """A task of ``need`` offered by ``actor`` to ``volunteer``, accepted, and finished on
    My tasks with a door photo (``client`` is left signed in as the volunteer)."""
    from tests.conftest import login

    task = services.task_create(actor=actor, need=need)
    offer = services.task_offer(actor=actor, task=task, volunteer=volunteer)
    services.assignment_accept(actor=volunteer, assignment=offer)
    login(client, volunteer)
    client.post(
        "/needs/my-tasks/",
        {"assignment": offer.pk, "do": "done", "note": "已送达", "photo": png_upload("door.png")},
    )
    task.refresh_from_db()
    assert task.photo
    return task
