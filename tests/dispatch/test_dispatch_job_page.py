"""The job page of a dispatch round's background solve is the round's page."""

from __future__ import annotations

from tests.conftest import login
from wushe.core.jobs import job_create
from wushe.dispatch.models import DispatchRound


def test_the_job_page_of_a_round_is_the_round(client, people, street):
    rnd = DispatchRound.objects.create(area=street.community_a, created_by=people.worker_a)
    job = job_create(
        actor=people.worker_a,
        kind="dispatch.round",
        params={"round": rnd.pk},
        area_path=street.community_a.path,
    )
    other = job_create(
        actor=people.worker_a, kind="areas.import", area_path=street.community_a.path
    )
    login(client, people.worker_a)
    r = client.get(f"/jobs/{job.pk}/", follow=True)
    assert r.redirect_chain == [(f"/dispatch/{rnd.pk}/", 302)]
    assert 'data-testid="round-status"' in r.content.decode()
    r = client.get(f"/jobs/{other.pk}/")
    assert r.status_code == 200 and 'data-testid="round-status"' not in r.content.decode()
    client.logout()
    login(client, people.worker_b)  # another community: neither the job nor the round
    assert client.get(f"/jobs/{job.pk}/").status_code == 404
