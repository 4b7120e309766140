"""A request is scoped by its area alone: a worker moved to another community no longer sees
the requests they took in where they served before."""

from tests.conftest import login
from tests.needs.factories_needs import make_need


def test_a_worker_moved_away_loses_their_old_requests(client, api, people, street):
    old = make_need(people.worker_a, street.building_a1)
    there = make_need(people.worker_b, street.building_b1)
    people.worker_a.scope_area = street.community_b
    people.worker_a.save()
    login(client, people.worker_a)
    assert client.get(f"/needs/{old.pk}/").status_code == 404
    queue = client.get("/needs/").content.decode()
    assert old.tracking_code not in queue and there.tracking_code in queue
    api.force_authenticate(people.worker_a)
    assert api.get(f"/api/v1/needs/{old.pk}/").status_code == 404
    assert [n["id"] for n in api.get("/api/v1/needs/").data["results"]] == [there.pk]
    # Their successor in community A sees it.
    login(client, people.scoped_admin)
    assert client.get(f"/needs/{old.pk}/").status_code == 200
