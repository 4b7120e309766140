"""The system administrator reads a request's free text (description, close note) masked in
the admin, as everywhere else, and no form field holds it."""

from __future__ import annotations

from tests.conftest import login
from tests.needs.factories_needs import make_need
from wushe.core.privacy.maskers import mask_text
from wushe.needs import services
from wushe.needs.models import Outcome

DESCRIPTION = "送到3号楼201，电话13900002222"
CLOSE = "家属已送到3号楼201"


def test_the_admin_change_page_shows_the_free_text_masked(client, people, street):
    need = make_need(people.worker_a, street.building_a1, description=DESCRIPTION)
    services.need_close(actor=people.worker_a, need=need, outcome=Outcome.FULFILLED, note=CLOSE)
    login(client, people.admin)
    url = f"/admin/needs/need/{need.pk}/change/"
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert need.tracking_code in body
    for text in (DESCRIPTION, CLOSE, "3号楼201", "13900002222"):
        assert text not in body
    assert 'name="description"' not in body and 'name="outcome_note"' not in body
    assert mask_text(DESCRIPTION) in body  # shown, as stars
