"""Starting a round from the page: each bad input gets the error of its own field."""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.utils import translation

from tests.conftest import login
from wushe.dispatch import errors
from wushe.dispatch.models import DispatchRound


def _said(client, data) -> str:
    r = client.post("/dispatch/", data)
    assert r.status_code == 302
    (said,) = [str(m) for m in get_messages(r.wsgi_request)]
    client.get("/dispatch/")  # shown, so the next post starts with none
    return said


def _zh(message) -> str:
    with translation.override("zh-hans"):  # the pages' language
        return translation.gettext(message) if isinstance(message, str) else str(message)


def test_bad_time_limit_names_the_time_limit(client, people, street):
    login(client, people.worker_a)
    for bad in ("abc", "0", "301", "1.5"):
        said = _said(client, {"area": street.community_a.code, "time_limit_s": bad})
        assert said.startswith(_zh("Time limit (seconds)")), bad
        assert said.endswith(_zh(errors.TIME_LIMIT)), bad
    assert not DispatchRound.objects.exists()


def test_missing_or_foreign_area_says_choose_an_area(client, people, street):
    login(client, people.worker_a)
    assert _zh("Choose an area.") in _said(client, {"time_limit_s": "5"})
    assert _said(client, {"area": street.community_b.code}) == _zh("Choose an area.")
    assert not DispatchRound.objects.exists()
