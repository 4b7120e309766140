"""The OpenAPI schema documents the status codes the needs API answers with."""

from tests.conftest import login
from tests.needs.factories_needs import make_need, make_volunteer
from wushe.needs import services


def _responses(api, people, path):
    login(api, people.command)
    schema = api.get("/api/schema/", {"format": "json"}).json()
    return schema["paths"][path]["post"]["responses"]


def test_remove_answers_and_documents_204(api, people, street):
    vol = make_volunteer("v1", street.community_a)
    task = services.task_create(
        actor=people.worker_a, need=make_need(people.worker_a, street.building_a1)
    )
    a = services.task_offer(actor=people.worker_a, task=task, volunteer=vol)
    assert set(_responses(api, people, "/api/v1/assignments/{id}/remove/")) == {"204"}
    api.force_authenticate(people.worker_a)
    assert api.post(f"/api/v1/assignments/{a.pk}/remove/", {}, format="json").status_code == 204


def test_refusals_document_their_body(api, people):
    claim = _responses(api, people, "/api/v1/tasks/{id}/claim/")
    assert "content" in claim["409"]
    public = _responses(api, people, "/api/v1/public/needs/")
    assert "content" in public["429"]
