"""Read the spreadsheets people actually keep: CSV (UTF-8 or GB18030) and .xlsx, streamed.

``read_table`` yields ``TableRow``s with their 1-based row number in the file, keyed by the
canonical column names the caller asks for. The header is found by looking for the first row
that names at least one required column (title rows and merged cells above it are skipped);
column names are matched after normalisation (spaces, full-width forms, case) against each
canonical name's synonyms.

``text_row`` is the way back out: the cells of an .xlsx row that a program writes, each string
kept as text, so that a value such as ``=HYPERLINK(...)`` from a sheet or a form is never
turned into a formula (formula injection).
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import operator
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext_lazy as _

from wushe.core.errors import ApplicationError

HEADER_SEARCH_ROWS = 20

UNSUPPORTED_FORMAT = _("Unsupported file “{name}”: upload a .xlsx or .csv file.")
NO_HEADER = _(
    "No header row found in the first {rows} rows: the file needs a column named {columns}."
)
# Said to the person who uploaded the file; the library's own words go to the log.
UNREADABLE = _(
    "The file could not be read as {kind}: it may be damaged, protected by a password or "
    "another kind of file renamed. Open it in Excel or WPS, save it as .xlsx or .csv and "
    "upload it again."
)
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TableRow:
    number: int  # 1-based row number as the spreadsheet shows it
    values: dict[str, Any]  # canonical column name -> raw cell value (None when empty)

    def is_blank(self) -> bool:
        return all(_is_empty(v) for v in self.values.values())


@dataclass(frozen=True)
class Table:
    header_row: int
    columns: dict[str, str]  # canonical name -> the column title found in the file
    unknown_columns: list[str]
    rows: Iterator[TableRow]


def normalise_header(text: Any) -> str:
    value = unicodedata.normalize("NFKC", str(text or ""))
    return "".join(value.split()).strip("*:：").lower()


def read_table(
    source: str | Path | IO[bytes],
    *,
    filename: str,
    synonyms: Mapping[str, Iterable[str]],
    required: Iterable[str],
) -> Table:
    """Open ``source`` (a path or a binary file) and locate the header by ``synonyms``."""
    lookup = {normalise_header(s): canon for canon, names in synonyms.items() for s in names}
    lookup.update({normalise_header(c): c for c in synonyms})
    required = list(required)
    raw_rows = _raw_rows(source, filename)
    for number, cells in raw_rows:
        found = {
            i: lookup[normalise_header(c)]
            for i, c in enumerate(cells)
            if normalise_header(c) in lookup
        }
        if any(canon in found.values() for canon in required):
            columns: dict[str, str] = {}
            positions: dict[str, int] = {}
            for i, canon in found.items():
                if canon not in positions:
                    positions[canon] = i
                    columns[canon] = str(cells[i]).strip()
            unknown = [
                str(c).strip() for i, c in enumerate(cells) if i not in found and not _is_empty(c)
            ]
            return Table(
                header_row=number,
                columns=columns,
                unknown_columns=unknown,
                rows=_data_rows(raw_rows, positions),
            )
        if number >= HEADER_SEARCH_ROWS:
            break
    names = " / ".join(str(list(synonyms[c])[0]) if synonyms[c] else c for c in required)
    raise ApplicationError(NO_HEADER.format(rows=HEADER_SEARCH_ROWS, columns=names), field="file")


def raw_rows(source: str | Path | IO[bytes], *, filename: str) -> Iterator[tuple[int, list[Any]]]:
    """Every row of the file as (row number, all cells), for writing an error workbook that
    keeps the original columns."""
    return _raw_rows(source, filename)


def tuple_getter(keys: list[Any]) -> Callable[[Any], tuple[Any, ...]]:
    """``operator.itemgetter(*keys)`` that gives a tuple for one key too (itemgetter gives
    the bare item): the values of ``keys`` in a row, in one call per row."""
    if len(keys) > 1:
        return operator.itemgetter(*keys)
    return lambda row: tuple(row[k] for k in keys)


def _data_rows(
    raw_rows: Iterator[tuple[int, list[Any]]], positions: dict[str, int]
) -> Iterator[TableRow]:
    names = list(positions)
    indexes = list(positions.values())
    width = max(indexes, default=-1) + 1
    pick = tuple_getter(indexes)
    for number, cells in raw_rows:
        if len(cells) < width:  # a short row (CSV): the missing cells are empty
            cells = [*cells, *([None] * (width - len(cells)))]
        # Text stripped, blank text None (inline: this runs for every cell of every row).
        values = {
            name: (value.strip() or None) if isinstance(value, str) else value
            for name, value in zip(names, pick(cells), strict=True)
        }
        yield TableRow(number=number, values=values)


def _raw_rows(source: str | Path | IO[bytes], filename: str) -> Iterator[tuple[int, list[Any]]]:
    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        return _csv_rows(source)
    if suffix in {".xlsx", ".xlsm", ".xls", ".ods"}:
        return _sheet_rows(source)
    raise ApplicationError(UNSUPPORTED_FORMAT.format(name=filename), field="file")


def _csv_rows(source: str | Path | IO[bytes]) -> Iterator[tuple[int, list[Any]]]:
    if isinstance(source, (str, Path)):
        with open(source, "rb") as binary:
            yield from _csv_stream(binary)
    else:
        source.seek(0)
        yield from _csv_stream(source)


def _csv_stream(binary: IO[bytes]) -> Iterator[tuple[int, list[Any]]]:
    head = binary.read(64 * 1024)
    binary.seek(0)
    encoding = _guess_encoding(head)
    text = io.TextIOWrapper(binary, encoding=encoding, newline="")
    dialect: Any = csv.excel
    try:
        dialect = csv.Sniffer().sniff(head.decode(encoding, errors="ignore")[:8192], ",\t;")
    except csv.Error:
        pass
    try:
        yield from _numbered(csv.reader(text, dialect))
    except (csv.Error, UnicodeDecodeError) as exc:
        logger.warning("unreadable CSV upload: %s", exc)
        raise ApplicationError(UNREADABLE.format(kind="CSV"), field="file") from exc
    finally:
        text.detach()


def _guess_encoding(head: bytes) -> str:
    # Excel on Chinese Windows saves CSV as GBK/GB18030; everything else is UTF-8 (maybe BOM).
    # ``head`` is a sample that may end inside a multi-byte character: an incremental decoder
    # that is not told the input is final keeps those last bytes back instead of failing.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        return encoding
    return "utf-8-sig"


def _sheet_rows(source: str | Path | IO[bytes]) -> Iterator[tuple[int, list[Any]]]:
    from python_calamine import CalamineWorkbook

    try:
        if isinstance(source, (str, Path)):
            workbook = CalamineWorkbook.from_path(str(source))
        else:
            source.seek(0)
            workbook = CalamineWorkbook.from_filelike(source)
        sheet = workbook.get_sheet_by_index(0)
    except Exception as exc:  # calamine raises several types for a broken workbook
        logger.warning("unreadable xlsx upload: %s", exc)
        raise ApplicationError(UNREADABLE.format(kind="xlsx"), field="file") from exc
    return _numbered(sheet.iter_rows())


def text_row(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """``values`` ready for ``sheet.append`` (a write-only openpyxl sheet): every string becomes
    a cell of type text, which a spreadsheet shows as it is and never evaluates."""
    from openpyxl.cell import WriteOnlyCell

    row: list[Any] = []
    for value in values:
        if isinstance(value, str) and value:
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # openpyxl makes a string starting with "=" a formula
            row.append(cell)
        else:
            row.append(value)
    return row


def _numbered(rows: Iterable[list[Any]]) -> Iterator[tuple[int, list[Any]]]:
    for number, cells in enumerate(rows, start=1):
        yield number, cells if type(cells) is list else list(cells)  # csv and calamine: lists


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")
