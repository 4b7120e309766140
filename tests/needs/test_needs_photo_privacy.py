"""A request's photos (a prescription at intake, a task's photo at the door) show health
information and the door: only those who see the request's address in full open them; the
others (district civil affairs, the system administrator) get 404 and no link on the page."""

from __future__ import annotations

import pytest

from tests.conftest import login
from tests.needs.factories_needs import (
    make_need,
    make_volunteer,
    png_upload,
    task_done_with_photo,
)


@pytest.fixture
def photos(client, people, street):
    """A request with a prescription photo and a finished task with its door photo: the
    request's page and the two photos' addresses."""
    need = make_need(people.worker_a, street.building_a1, files=[png_upload("rx.png")])
    vol = make_volunteer("v_photo", street.community_a)
    task = task_done_with_photo(client, people.worker_a, need, vol)
    attachment = need.attachments.get()
    return (
        f"/needs/{need.pk}/",
        f"/needs/{need.pk}/files/{attachment.pk}/",
        f"/needs/{need.pk}/tasks/{task.pk}/photo/",
    )


@pytest.mark.parametrize("role", ["worker_a", "command", "social"])
def test_workers_see_the_links_and_open_the_photos(client, people, photos, role):
    page, *urls = photos
    login(client, getattr(people, role))
    html = client.get(page).content.decode()
    for url in urls:
        assert url in html
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("role", ["district", "admin"])
def test_roles_without_the_address_get_no_link_and_404(client, people, photos, role):
    page, *urls = photos
    login(client, getattr(people, role))
    response = client.get(page)
    assert response.status_code == 200  # the request page itself is shown
    html = response.content.decode()
    for url in urls:
        assert url not in html
        assert client.get(url).status_code == 404
