"""A file that is no spreadsheet gets a message a community worker can act on, in Chinese,
not the spreadsheet library's own English ("Cannot detect file format")."""

import io

import pytest
from django.utils import translation

from wushe.core.errors import ApplicationError
from wushe.core.tables import raw_rows


@pytest.mark.parametrize(
    ("name", "content"),
    [("名单.xlsx", b"hello, this is no workbook"), ("名单.csv", b"\xff\xfe\x00\x81" * 20000)],
)
def test_unreadable_file_is_explained_in_words(name, content):
    with translation.override("zh-hans"), pytest.raises(ApplicationError) as caught:
        list(raw_rows(io.BytesIO(content), filename=name))
    with translation.override("zh-hans"):
        message = str(caught.value.message)
    assert caught.value.field == "file"
    assert message.isascii() is False
    assert "Cannot" not in message and "codec" not in message and "Error" not in message
    assert ".xlsx" in message and ".csv" in message  # what to save it as
