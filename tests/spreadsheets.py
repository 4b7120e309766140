"""Make real spreadsheet files for import tests: CSV in a chosen encoding, .xlsx via openpyxl."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from openpyxl import Workbook


def write_csv(path: Path, rows: list[list[Any]], encoding: str = "utf-8-sig") -> Path:
    with open(path, "w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def write_xlsx(
    path: Path,
    rows: list[list[Any]],
    *,
    title: str | None = None,
    text_columns: tuple[int, ...] = (),
) -> Path:
    """An .xlsx as communities keep it: an optional merged title row above the header."""
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(len(rows[0]), 2))
    for row in rows:
        sheet.append(row)
    for column in text_columns:
        for cell in sheet.iter_cols(min_col=column + 1, max_col=column + 1):
            for c in cell:
                c.number_format = "@"
    workbook.save(path)
    return path
