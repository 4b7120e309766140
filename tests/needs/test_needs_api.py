"""Needs API: owner, colleague, outsider; idempotency; merge candidates; query counts;
the volunteer's offers with contact details only while the task is theirs and open."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import login
from tests.needs.factories_needs import make_need, make_volunteer
from tests.residents.factories_residents import HouseholdFactory, ResidentFactory
from wushe.core.errors import ApplicationError
from wushe.needs import errors, services
from wushe.needs.models import IdempotencyKey, Need, TaskAssignment

URL = "/api/v1/needs/"


def body(street, **kw):
    data = {
        "area": street.building_a1.code,
        "category": "medicine",
        "caller_name": "王大爷",
        "caller_phone": "13900001111",
        "address": "一村1号楼302",
        "days_medicine_left": 1,
        "critical_condition": True,
    }
    data.update(kw)
    return data


def test_create_owner_colleague_outsider(api, people, street):
    login(api, people.worker_a)
    r = api.post(URL, body(street), format="json")
    assert r.status_code == 201, r.content
    assert r.data["life_critical"] is True
    assert r.data["caller_phone"] == "13900001111"
    assert r.data["explanation"]
    pk = r.data["id"]
    api.logout()
    login(api, people.command)  # colleague above in the tree
    assert api.get(f"{URL}{pk}/").status_code == 200
    api.logout()
    login(api, people.worker_b)  # outsider
    assert api.get(f"{URL}{pk}/").status_code == 404
    assert api.post(URL, body(street), format="json").status_code == 404  # area not theirs
    api.logout()
    login(api, people.volunteer)
    assert api.get(f"{URL}{pk}/").status_code == 403
    api.logout()
    assert api.get(URL).status_code in (401, 403)


def test_bad_input_names_the_field(api, people, street):
    login(api, people.worker_a)
    r = api.post(URL, body(street, category="pizza"), format="json")
    assert r.status_code == 400 and "category" in r.data
    r = api.post(URL, body(street, caller_name="", caller_phone=""), format="json")
    assert r.status_code == 400 and r.data["field"] == "resident"
    r = api.post(URL, body(street, days_medicine_left=None), format="json")
    assert r.status_code == 400 and r.data["field"] == "days_medicine_left"


def test_idempotency_same_key_same_answer_one_row(api, people, street):
    login(api, people.worker_a)
    first = api.post(URL, body(street), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = api.post(URL, body(street), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Need.objects.count() == 1
    other = api.post(URL, body(street, description="另一件事"), format="json",
                     HTTP_IDEMPOTENCY_KEY="k-1")  # fmt: skip
    assert other.status_code == 422
    assert other.json()["field"] == "Idempotency-Key"
    assert other.json()["detail"] == str(errors.IDEMPOTENCY_MISMATCH)
    assert Need.objects.count() == 1


def test_idempotency_keys_are_per_user_and_failures_not_stored(api, people, street):
    login(api, people.worker_a)
    bad = api.post(URL, body(street, category="x"), format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert bad.status_code == 400 and IdempotencyKey.objects.count() == 0
    assert api.post(URL, body(street), format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 201
    api.logout()
    login(api, people.command)
    assert api.post(URL, body(street), format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 201
    assert Need.objects.count() == 2


def test_merge_candidate_offered_then_merged(api, people, street):
    hh = HouseholdFactory(building=street.building_a1)
    resident = ResidentFactory(area=street.building_a1, household=hh)
    login(api, people.worker_a)
    one = api.post(URL, {"area": street.building_a1.code, "category": "groceries",
                         "resident": resident.pk}, format="json")  # fmt: skip
    two = api.post(URL, {"area": street.building_a1.code, "category": "groceries",
                         "resident": resident.pk}, format="json")  # fmt: skip
    assert one.data["merge_candidates"] == []
    assert [c["id"] for c in two.data["merge_candidates"]] == [one.data["id"]]
    r = api.post(f"{URL}{two.data['id']}/merge/", {"into": one.data["id"]}, format="json")
    assert r.status_code == 200 and r.data["status"] == "cancelled"
    assert r.data["outcome"] == "duplicate" and r.data["merged_into"] == one.data["id"]


def test_list_query_count_constant(api, people, street):
    login(api, people.worker_a)
    for _ in range(3):
        make_need(people.worker_a, street.building_a1)
    with CaptureQueriesContext(connection) as small:
        assert api.get(URL).status_code == 200
    for _ in range(6):
        need = make_need(people.worker_a, street.building_a1)
        services.task_create(actor=people.worker_a, need=need)
    with CaptureQueriesContext(connection) as big:
        r = api.get(URL)
    assert r.data["count"] == 9
    assert len(big.captured_queries) == len(small.captured_queries)
    assert len(big.captured_queries) <= 8


def test_dispatch_offer_accept_complete_through_api(api, people, street):
    vol = make_volunteer("v1", street.community_a)
    login(api, people.worker_a)
    need = api.post(URL, body(street), format="json").data
    task = api.post(f"{URL}{need['id']}/tasks/", {"role": "driver"}, format="json")
    assert task.status_code == 201
    r = api.post(f"{URL}bulk-assign/", {"needs": [need["id"]], "volunteer": vol.pk}, format="json")
    assert r.status_code == 200 and r.data[0]["status"] == "offered"
    api.logout()
    login(api, vol)
    offers = api.get("/api/v1/assignments/").data["results"]
    assert offers[0]["phone"] is not None and "*" in offers[0]["phone"]  # masked until accepted
    assert offers[0]["address"] is None
    a = api.post(f"/api/v1/assignments/{offers[0]['id']}/accept/").data
    assert a["phone"] == "13900001111" and a["address"] == "一村1号楼302"
    tid = a["task"]
    assert api.post(f"/api/v1/tasks/{tid}/start/").status_code == 200
    assert api.post(f"/api/v1/tasks/{tid}/complete/", {"note": "ok"}).status_code == 200
    after = api.get("/api/v1/assignments/").data["results"][0]
    assert after["address"] is None  # no longer active: hidden again
    api.logout()
    login(api, people.worker_a)
    assert api.get(f"{URL}{need['id']}/").data["status"] == "done"
    hist = api.get(f"{URL}{need['id']}/history/").data
    assert [h["to_status"] for h in hist if h["to_status"]][-1] == "done"


def test_claim_from_pool_and_outsider_volunteer(api, people, street):
    need = make_need(people.worker_a, street.building_a1)
    task = services.task_create(actor=people.worker_a, need=need)
    vol_b = make_volunteer("vb", street.community_b)
    login(api, vol_b)
    assert api.post(f"/api/v1/tasks/{task.pk}/claim/").status_code == 404
    api.logout()
    vol = make_volunteer("va", street.community_a)
    login(api, vol)
    assert [t["id"] for t in api.get("/api/v1/tasks/?pool=1").data["results"]] == [task.pk]
    assert api.post(f"/api/v1/tasks/{task.pk}/claim/").status_code == 200
    api.logout()
    other = make_volunteer("va2", street.community_a)
    login(api, other)
    assert api.post(f"/api/v1/tasks/{task.pk}/claim/").status_code == 404  # gone from the pool


def test_decline_with_reason(api, people, street):
    vol = make_volunteer("v1", street.community_a)
    need = make_need(people.worker_a, street.building_a1)
    task = services.task_create(actor=people.worker_a, need=need)
    a = services.task_offer(actor=people.worker_a, task=task, volunteer=vol)
    login(api, vol)
    r = api.post(f"/api/v1/assignments/{a.pk}/decline/", {"reason": "生病"}, format="json")
    assert r.status_code == 200 and r.data["state"] == "declined"
    api.logout()
    login(api, people.worker_a)
    r = api.post(f"/api/v1/tasks/{task.pk}/offer/", {"volunteer": vol.pk}, format="json")
    assert r.status_code == 400 and r.data["field"] == "volunteer"


@pytest.mark.parametrize("path", ["/api/schema/"])
def test_schema_documents_needs(api, people, path):
    login(api, people.command)
    text = api.get(path).content.decode()
    assert "/api/v1/needs/" in text and "Idempotency-Key" in text
    assert "/api/v1/assignments/{id}/accept/" in text


def test_caller_linked_to_resident_later_retriages(api, people, street):
    from wushe.residents.models import ResidentTag, Tag

    hh = HouseholdFactory(building=street.building_a1)
    resident = ResidentFactory(area=street.building_a1, household=hh)
    ResidentTag.objects.create(resident=resident, tag=Tag.objects.get(code="living_alone"))
    need = make_need(people.worker_a, street.building_a1)
    login(api, people.worker_a)
    r = api.post(f"{URL}{need.pk}/link-resident/", {"resident": resident.pk}, format="json")
    assert r.status_code == 200 and r.data["resident"] == resident.pk
    assert r.data["priority"] > need.priority
    api.logout()
    login(api, people.worker_b)
    assert api.post(f"{URL}{need.pk}/link-resident/", {"resident": resident.pk}).status_code == 404


def test_public_api_files_and_tracks_without_account(api, street):
    from wushe.needs.public_status import PUBLIC_LIMIT

    data = {
        "name": "赵先生",
        "phone": "13600000000",
        "community": street.community_a.code,
        "address": "一村2号楼101",
        "category": "groceries",
    }
    r = api.post("/api/v1/public/needs/", data, format="json")
    assert r.status_code == 201 and r.data["status"] == "triaged"
    code = r.data["tracking_code"]
    t = api.get(f"/api/v1/public/needs/{code.lower()}/")
    assert t.status_code == 200 and "phone" not in t.data and t.data["status_text"]
    assert api.get("/api/v1/public/needs/NOPE1234/").status_code == 404
    assert api.post("/api/v1/public/needs/", {**data, "community": "x"}).status_code == 404
    for _ in range(PUBLIC_LIMIT - 1):
        api.post("/api/v1/public/needs/", data, format="json")
    assert api.post("/api/v1/public/needs/", data, format="json").status_code == 429
    assert Need.objects.count() == PUBLIC_LIMIT


def test_task_and_assignment_lists_query_count_constant(api, people, street):
    vol = make_volunteer("v1", street.community_a)

    def offer_one():
        need = make_need(people.worker_a, street.building_a1)
        task = services.task_create(actor=people.worker_a, need=need)
        services.task_offer(actor=people.worker_a, task=task, volunteer=vol)

    offer_one()
    login(api, vol)
    counts = []
    for more in (0, 5):
        for _ in range(more):
            offer_one()
        with CaptureQueriesContext(connection) as mine:
            assert api.get("/api/v1/assignments/").status_code == 200
        with CaptureQueriesContext(connection) as tasks:
            assert api.get("/api/v1/tasks/").status_code == 200
        counts.append((len(mine.captured_queries), len(tasks.captured_queries)))
    assert counts[0] == counts[1]
    assert api.get("/api/v1/assignments/").data["count"] == 6


def test_intake_checks_the_request_itself_before_its_area(api, people, street):
    # The area is read with the request's other reads, after the checks of the body: an
    # unknown or unseen area is 404 (the same answer for both: existence is not told), but a
    # request with no one to help is refused first, whatever its area.
    login(api, people.worker_a)
    for code in ("NO-SUCH-AREA", street.building_b1.code):
        r = api.post(URL, body(street, area=code), format="json", HTTP_IDEMPOTENCY_KEY=code)
        assert r.status_code == 404, (code, r.content)
        assert "field" not in r.json() or r.json()["field"] != "resident"
        nobody = body(street, area=code, caller_name="", caller_phone="")
        r = api.post(URL, nobody, format="json")
        assert r.status_code == 400 and r.json()["field"] == "resident", r.content
    assert (
        api.post(URL, body(street, area="NO-SUCH-AREA"), format="json").json()
        == api.post(URL, body(street, area=street.building_b1.code), format="json").json()
    )
    assert Need.objects.count() == 0 and not IdempotencyKey.objects.exists()


def test_token_create_reads_user_and_scope_at_once_and_caches_nothing(api, people, street):
    from rest_framework.authtoken.models import Token

    worker = people.worker_a
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=worker).key}")
    with CaptureQueriesContext(connection) as ctx:
        r = api.post(URL, body(street), format="json", HTTP_IDEMPOTENCY_KEY="t-1")
    assert r.status_code == 201 and r.data["tasks"] == []
    sql = [q["sql"] for q in ctx.captured_queries]
    # The token query brings the scope area; the only area query is the request's building.
    assert sum(s.lstrip().startswith("SELECT") and 'FROM "areas_area"' in s for s in sql) == 1
    if connection.vendor == "postgresql":  # read with the request's key and merge candidates
        [reads] = [s for s in sql if "nextval" in s]
        assert 'FROM "areas_area"' in reads and 'FROM "needs_need"' in reads
    assert not any('FROM "needs_task"' in s for s in sql)
    # Neither the scope area's outline nor the building's is read (a polygon on every request).
    assert not any('"areas_area"."geometry"' in s for s in sql)
    # A scope change applies to the very next request: the building is now out of scope.
    worker.scope_area = street.community_b
    worker.save(update_fields=["scope_area"])
    assert api.post(URL, body(street), format="json").status_code in (403, 404)
    worker.is_active = False
    worker.save(update_fields=["is_active"])
    assert api.post(URL, body(street), format="json").status_code == 401
    api.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert api.post(URL, body(street), format="json").status_code == 401
    assert Need.objects.count() == 1


def test_retry_gets_first_answer_even_when_its_work_would_now_fail(api, people, street):
    login(api, people.worker_a)
    first = api.post(URL, body(street), format="json", HTTP_IDEMPOTENCY_KEY="k-late")
    people.worker_a.scope_area = street.community_b
    people.worker_a.save(update_fields=["scope_area"])
    again = api.post(URL, body(street), format="json", HTTP_IDEMPOTENCY_KEY="k-late")
    assert again.status_code == 201 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    fresh = api.post(URL, body(street), format="json", HTTP_IDEMPOTENCY_KEY="k-new")
    assert fresh.status_code in (403, 404) and Need.objects.count() == 1


def test_merge_candidates_are_only_requests_the_caller_may_see(api, client, people, street):
    # The same phone called community B earlier: its tracking code opens the public status
    # page, so a worker of community A must not learn it from the intake answer or the page.
    theirs = make_need(
        people.worker_b, street.building_b1, category="medicine", caller_phone="13900001111"
    )
    ours = make_need(
        people.worker_a, street.building_a1, category="medicine", caller_phone="13900001111"
    )
    login(api, people.worker_a)
    body = {"area": street.building_a1.code, "category": "medicine", "caller_phone": "13900001111"}
    r = api.post("/api/v1/needs/", body, format="json")
    assert r.status_code == 201
    assert [c["id"] for c in r.data["merge_candidates"]] == [ours.pk]
    login(client, people.worker_a)
    page = client.get(f"/needs/{r.data['id']}/").content.decode()
    assert ours.tracking_code in page and theirs.tracking_code not in page

    first = r.data["id"]
    login(api, people.command)  # the street sees both communities
    r = api.post("/api/v1/needs/", body, format="json")
    assert [c["id"] for c in r.data["merge_candidates"]] == [first, ours.pk, theirs.pk]


def test_api_offers_only_to_volunteers_in_scope(api, people, street):
    """Offering through the API (one task or bulk) takes only an active volunteer the
    worker's area covers, as the pages do: another community's volunteer would be given the
    resident's address and phone."""
    need = make_need(people.worker_a, street.building_a1)
    task = services.task_create(actor=people.worker_a, need=need)
    theirs = make_volunteer("vb", street.community_b)
    gone = make_volunteer("va_gone", street.community_a)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    login(api, people.worker_a)
    for who in (theirs, gone):
        r = api.post(f"/api/v1/tasks/{task.pk}/offer/", {"volunteer": who.pk}, format="json")
        assert r.status_code in (400, 404) and r.data["field"] == "volunteer", who
        r = api.post(f"{URL}bulk-assign/", {"needs": [need.pk], "volunteer": who.pk}, format="json")
        assert r.status_code in (400, 404) and r.data["field"] == "volunteer", who
    assert not TaskAssignment.objects.exists()
    with pytest.raises(ApplicationError) as refused:
        services.task_offer(actor=people.worker_a, task=task, volunteer=theirs)
    assert refused.value.field == "volunteer"
    mine = make_volunteer("va", street.community_a)
    r = api.post(f"/api/v1/tasks/{task.pk}/offer/", {"volunteer": mine.pk}, format="json")
    assert r.status_code == 200
    # The street's commander covers both communities.
    api.logout()
    login(api, people.command)
    other = services.task_create(actor=people.worker_a, need=need)
    r = api.post(f"/api/v1/tasks/{other.pk}/offer/", {"volunteer": theirs.pk}, format="json")
    assert r.status_code == 200


def test_api_pool_leaves_out_tasks_the_volunteer_declined(api, people, street):
    """The API's open pool is the page's: a task the volunteer declined is not listed to
    them (taking it is refused), but still to the others; another volunteer's removed
    offer on the same task does not hide it."""
    vol = make_volunteer("v1", street.community_a)
    peer = make_volunteer("v2", street.community_a)
    need = make_need(people.worker_a, street.building_a1)
    declined = services.task_create(actor=people.worker_a, need=need)
    a = services.task_offer(actor=people.worker_a, task=declined, volunteer=vol)
    services.assignment_decline(actor=vol, assignment=a, reason="不在家")
    kept = services.task_create(actor=people.worker_a, need=need)
    b = services.task_offer(actor=people.worker_a, task=kept, volunteer=peer)
    services.assignment_remove(actor=people.worker_a, assignment=b, reason="换人")
    c = services.task_offer(actor=people.worker_a, task=kept, volunteer=vol)
    services.assignment_remove(actor=people.worker_a, assignment=c, reason="换人")
    login(api, vol)
    listed = {t["id"] for t in api.get("/api/v1/tasks/?pool=1").data["results"]}
    assert listed == {kept.pk}
    api.logout()
    login(api, peer)
    listed = {t["id"] for t in api.get("/api/v1/tasks/?pool=1").data["results"]}
    assert listed == {declined.pk, kept.pk}


def test_the_scope_areas_outline_is_still_there_when_asked_for(people, street):
    from rest_framework.authtoken.models import Token

    from wushe.accounts.authentication import TokenAuthentication

    outline = {"type": "Polygon", "coordinates": [[[121.5, 31.2], [121.6, 31.2], [121.5, 31.3],
                                                   [121.5, 31.2]]]}  # fmt: skip
    area = people.worker_a.scope_area
    area.geometry = outline
    area.save(update_fields=["geometry"])
    key = Token.objects.create(user=people.worker_a).key
    user, _token = TokenAuthentication().authenticate_credentials(key)
    assert "geometry" in user.scope_area.get_deferred_fields()
    assert user.scope_area.geometry == outline  # read when asked for
