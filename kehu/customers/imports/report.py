"""The report of rejected rows: the file's own columns with the row's original values, then
"Row" (its number in the file) and "Reason". People fix the rows in it and import the report
itself (the two extra columns are left out by the mapping).

Cells are neutralized against formula injection (`exports.safe_cell`): a rejected name such as
"=HYPERLINK(…)" is written as text, and reads back as the original when imported again.
The report has the upload's format: CSV (UTF-8 with BOM, which Excel opens correctly) for a
CSV, XLSX for a workbook.
"""

from __future__ import annotations

import csv
import datetime
import os
import tempfile
from typing import Any

from django.core.files import File
from django.utils.translation import gettext as _

from kehu.core.common.exports import safe_cell
from kehu.customers.imports import cells as cell_values


class RejectedRows:
    def __init__(self, *, headers: list[str], fmt: str) -> None:
        self.fmt = "xlsx" if fmt == "xlsx" else "csv"
        self.count = 0
        # the uploaded file's own header row: user text like any cell
        self.header = [safe_cell(h) for h in [*headers, _("Row"), _("Reason")]]
        self.width = len(headers)
        self._file = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed in save()/close()
            suffix=f".{self.fmt}", delete=False)
        self.path = self._file.name
        if self.fmt == "csv":
            self._text = open(self.path, "w", encoding="utf-8-sig", newline="")  # noqa: SIM115
            self._writer = csv.writer(self._text)
            self._writer.writerow(self.header)
        else:
            from openpyxl import Workbook

            self._workbook = Workbook(write_only=True)
            self._sheet = self._workbook.create_sheet(_("Rejected rows"))
            self._sheet.append(self.header)

    def add(self, number: int, cells: list[Any], reason: str) -> None:
        values = [safe_cell(self._value(c)) for c in list(cells)[:self.width]]
        values += [""] * (self.width - len(values))
        self.count += 1
        if self.fmt == "csv":
            self._writer.writerow([*values, number, safe_cell(reason)])
        else:
            self._sheet.append([*values, number, safe_cell(reason)])

    def _value(self, value: Any) -> Any:
        value = cell_values.plain(value)
        if isinstance(value, datetime.datetime):
            if self.fmt == "csv":
                return value.strftime("%Y-%m-%d %H:%M:%S").removesuffix(" 00:00:00")
            return value.replace(tzinfo=None)
        if isinstance(value, float):
            return repr(value) if self.fmt == "csv" else value
        return value

    def finish(self) -> str:
        """Write the file out; returns its path (the caller stores or copies it)."""
        if self.fmt == "csv":
            self._text.close()
        else:
            self._workbook.save(self.path)
        self._file.close()
        return self.path

    def save_to(self, job, filename: str) -> None:
        """Store the report on the job (only when rows were rejected) and remove the file."""
        path = self.finish()
        try:
            if self.count:
                with open(path, "rb") as handle:
                    job.report.save(filename, File(handle), save=False)
        finally:
            self.discard()

    def discard(self) -> None:
        if not self._file.closed:
            self.finish()
        if os.path.exists(self.path):
            os.unlink(self.path)


def report_name(original_name: str, fmt: str) -> str:
    stem = os.path.splitext(os.path.basename(original_name))[0] or "import"
    return f"{stem}-{_('rejected')}.{'xlsx' if fmt == 'xlsx' else 'csv'}"
