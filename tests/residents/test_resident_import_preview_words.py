"""The canvass preview names key populations as the sheet and the registry do (独居), never by
their codes (living_alone) on a Chinese page."""

from __future__ import annotations

import datetime

from tests.conftest import login
from tests.residents.factories_residents import id_for, post_canvass
from tests.spreadsheets import write_xlsx
from wushe.residents.models import Tag


def test_preview_names_tags_in_words(client, street, people, tmp_path):
    rows = [
        ["姓名", "身份证号", "楼号", "人员类别"],
        ["张三", id_for(datetime.date(1950, 3, 4)), "1", "独居、残疾人"],
    ]
    path = write_xlsx(tmp_path / "page.xlsx", rows, title="摸排表")
    login(client, people.worker_a)
    response = post_canvass(client, path, street.community_a)
    page = client.get(response["Location"]).content.decode()
    table = page[page.index("<tbody>") : page.index("</tbody>")]
    names = dict(Tag.objects.values_list("code", "name"))
    assert f"{names['disabled']}、{names['living_alone']}" in table
    assert "living_alone" not in table and "disabled" not in table
