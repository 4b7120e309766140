"""The encoding of a CSV is guessed from its first 64 KiB: a character cut by the end of that
sample must not make a GBK file look like broken UTF-8 (nor the other way round)."""

import io

import pytest

from wushe.core.tables import read_table

SAMPLE = 64 * 1024
SYNONYMS = {"name": ["姓名"], "address": ["地址"]}


def _csv_cut_at_sample(encoding: str, prefix: bytes = b"") -> bytes:
    """A CSV in ``encoding`` whose byte SAMPLE falls inside a two- or three-byte character."""
    lines = ["姓名,地址"]
    for i in range(4000):
        lines.append(f"居民{i},浦东新区花木街道{i}号")
        data = prefix + ("\r\n".join(lines) + "\r\n").encode(encoding)
        if len(data) > SAMPLE + 100:
            break
    # Pad the header so that the sample ends one byte into a character.
    for pad in range(8):
        header = "姓名,地址" + " " * pad
        data = prefix + ("\r\n".join([header, *lines[1:]]) + "\r\n").encode(encoding)
        try:
            data[:SAMPLE].decode(encoding.replace("utf-8", "utf-8-sig"))
        except UnicodeDecodeError:  # the whole file decodes, so only its end is cut
            return data
    raise AssertionError("no padding cuts a character at the sample's end")


@pytest.mark.parametrize(
    ("encoding", "prefix"), [("gbk", b""), ("gb18030", b""), ("utf-8", b"\xef\xbb\xbf")]
)
def test_csv_whose_sample_ends_inside_a_character_reads_whole(encoding, prefix):
    data = _csv_cut_at_sample(encoding, prefix)
    table = read_table(io.BytesIO(data), filename="名单.csv", synonyms=SYNONYMS, required=["name"])
    rows = list(table.rows)
    assert table.columns["name"] == "姓名"
    assert rows[0].values == {"name": "居民0", "address": "浦东新区花木街道0号"}
    assert rows[-1].values["name"] == f"居民{len(rows) - 1}"
    assert len(data) > SAMPLE
