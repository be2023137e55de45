"""Real spreadsheet files for the tests, written the way Excel and WPS write them."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile


def csv_bytes(rows: list[list[Any]], *, encoding: str = "utf-8-sig",
              delimiter: str = ",") -> bytes:
    """A CSV as Excel saves it: CRLF line ends; "CSV UTF-8" adds a BOM, Chinese Excel's
    plain "CSV" is GBK."""
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return text.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[Any]], *, formats: dict[str, str] | None = None,
               title_row: str | None = None) -> bytes:
    """An XLSX made with openpyxl: numbers stay numbers, datetimes become date cells;
    `formats` sets number formats by column letter (e.g. scientific for a phone column)."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    if title_row:
        sheet.append([title_row])
    for row in rows:
        sheet.append(row)
    for letter, number_format in (formats or {}).items():
        for cell in sheet[letter][1:]:
            cell.number_format = number_format
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def excel_date(*parts: int) -> datetime.datetime:
    """A date cell as openpyxl reads it: Excel has no time zones, so it is naive."""
    return datetime.datetime(*parts)  # noqa: DTZ001
