"""Opening the spreadsheets people actually have: CSV from Excel or WPS in UTF-8 (with or
without a BOM), GBK/GB18030 from Chinese Excel, UTF-16 "Unicode text", and XLSX.

    table = open_table(lambda: open(path, "rb"), "客户.csv")
    table.headers            # the header row's texts
    for row_number, cells in table.rows():
        ...                  # row numbers are the ones Excel shows (header is usually 1)

`opener` returns a fresh binary file each time it is called: a CSV is read more than once
(encoding check, counting, the rows) without holding it in memory.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils.translation import gettext as _

from kehu.core.common.errors import DomainError

Opener = Callable[[], IO[bytes]]

CSV_EXTENSIONS = {".csv", ".txt", ".tsv"}
XLSX_EXTENSIONS = {".xlsx", ".xlsm"}
EXTENSIONS = CSV_EXTENSIONS | XLSX_EXTENSIONS
DELIMITERS = (",", "\t", ";", "|")
HEADER_SEARCH_ROWS = 10
CHUNK = 1 << 20
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls (and .et, .doc) container
MAX_COLUMNS = 1000  # far more than any real import; a header of millions is an attack
# A workbook's parts compress 5-50 times; a zip bomb over 1000 times. openpyxl reads shared
# strings into memory whole, so a part is judged by its declared size before anything inflates.
MAX_PART_RATIO = 200
MAX_PART_BYTES = 2 << 30


class UnreadableFile(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__("unreadable_file", message, status=422)


def check_extension(name: str) -> str:
    """The file's extension when Kehu reads it; otherwise a message that says what to do."""
    extension = os.path.splitext(name)[1].lower()
    if extension in (".xls", ".et", ".ett"):
        raise UnreadableFile(_("Old Excel (.xls) and WPS (.et) files cannot be read. Open the "
                               "file in Excel or WPS and save it as .xlsx (or CSV), then upload "
                               "that."))
    if extension not in EXTENSIONS:
        raise UnreadableFile(_("Upload a .csv or .xlsx file (Excel or WPS can save either)."))
    return extension


@dataclass
class Table:
    kind: str  # "csv" or "xlsx"
    opener: Opener
    encoding: str = ""
    delimiter: str = ""
    header_row: int = 1
    headers: list[str] = field(default_factory=list)
    epoch: Any = None  # the workbook's date system, for serial numbers in XLSX cells

    def raw_rows(self) -> Iterator[tuple[int, list[Any]]]:
        """Every row of the file from the top, numbered from 1; blank rows included."""
        if self.kind == "csv":
            yield from _csv_rows(self.opener, self.encoding, self.delimiter)
        else:
            yield from _xlsx_rows(self.opener)

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        """The data rows below the header, as many cells as there are headers; blank rows
        are left out (their numbers too, so numbers stay the ones the spreadsheet shows)."""
        width = len(self.headers)
        for number, cells in self.raw_rows():
            if number <= self.header_row or not _has_value(cells):
                continue
            if len(cells) < width:
                cells = [*cells, *([None] * (width - len(cells)))]
            elif len(cells) > width:
                cells = cells[:width]
            yield number, cells

    def count_rows(self) -> int | None:
        """How many data rows there are: counted for CSV (a fast pass), from the sheet's
        stated size for XLSX (an estimate; None when the sheet does not say)."""
        if self.kind == "csv":
            return sum(1 for number, cells in _csv_rows(self.opener, self.encoding,
                                                         self.delimiter)
                       if number > self.header_row and _has_value(cells))
        with self.opener() as handle:
            workbook = _load_workbook(handle)
            try:
                max_row = _sheet(workbook).max_row
            finally:
                workbook.close()
        return max(0, max_row - self.header_row) if max_row else None


def open_table(opener: Opener, name: str,
               header_score: Callable[[list[str]], int] | None = None) -> Table:
    """Detect how to read the file and find its header row. `header_score` tells how many
    cells of a row look like known column names; the first of the top rows with the best
    score is the header (a title row above the header is skipped)."""
    extension = check_extension(name)
    with opener() as handle:
        magic = handle.read(4)
    if magic == OLE_MAGIC:
        raise UnreadableFile(_("This is an old Excel (.xls) file. Open it in Excel or WPS and "
                               "save it as .xlsx (or CSV), then upload that."))
    if extension in XLSX_EXTENSIONS or magic == ZIP_MAGIC:
        table = Table(kind="xlsx", opener=opener)
        with opener() as handle:
            workbook = _load_workbook(handle)
            table.epoch = workbook.epoch
            workbook.close()
    else:
        encoding = detect_encoding(opener)
        table = Table(kind="csv", opener=opener, encoding=encoding,
                      delimiter=sniff_delimiter(_first_line(opener, encoding)))
    table.header_row, table.headers = _find_header(table, header_score)
    return table


# --- CSV -------------------------------------------------------------------------------------

def detect_encoding(opener: Opener) -> str:
    """UTF-8 (with or without BOM) first, then GB18030 (a superset of GBK, what Chinese Excel
    writes), and only when neither decodes the whole file, charset-normalizer's guess."""
    with opener() as handle:
        head = handle.read(CHUNK)
    if not head:
        raise UnreadableFile(_("The file is empty."))
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"  # before UTF-16: the UTF-32 LE mark starts with the UTF-16 one
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UnreadableFile(_("This file is not a CSV text file (it holds binary data). Save "
                               "it from Excel or WPS as “CSV UTF-8” or .xlsx and upload it "
                               "again."))
    if head.startswith(codecs.BOM_UTF8):
        if _decodes(opener, "utf-8-sig"):
            return "utf-8-sig"
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    else:
        for encoding in ("utf-8", "gb18030"):
            if _decodes(opener, encoding):
                return encoding
    from charset_normalizer import from_bytes

    with opener() as handle:
        sample = handle.read(CHUNK)
    best = from_bytes(sample).best()
    if best is not None and _decodes(opener, best.encoding, errors="replace"):
        return best.encoding
    raise UnreadableFile(_("Could not tell how this file's text is encoded. Save it from Excel "
                           "or WPS as “CSV UTF-8” and upload it again."))


def _decodes(opener: Opener, encoding: str, errors: str = "strict") -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors=errors)
    try:
        with opener() as handle:
            while chunk := handle.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def _first_line(opener: Opener, encoding: str) -> str:
    with opener() as handle, io.TextIOWrapper(handle, encoding=encoding, errors="replace",
                                              newline="") as text:
        for line in text:
            if line.strip():
                return line
    return ""


def sniff_delimiter(line: str) -> str:
    """The separator the header line uses most (a comma when in doubt)."""
    counts = {d: line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_rows(opener: Opener, encoding: str, delimiter: str) -> Iterator[tuple[int, list]]:
    with opener() as handle, io.TextIOWrapper(handle, encoding=encoding, newline="") as text:
        reader = csv.reader(text, delimiter=delimiter or ",")
        number = 0
        try:
            for number, cells in enumerate(reader, start=1):
                yield number, cells
        except csv.Error as exc:
            raise UnreadableFile(_("Row %(row)d of the file cannot be read: %(error)s")
                                 % {"row": number + 1, "error": exc}) from exc
        except UnicodeDecodeError as exc:
            raise UnreadableFile(_("Row %(row)d of the file is not valid %(encoding)s text.")
                                 % {"row": number + 1, "encoding": encoding}) from exc


# --- XLSX ------------------------------------------------------------------------------------

def _load_workbook(handle: IO[bytes]):
    from openpyxl import load_workbook

    try:
        _check_inflation(handle)
        handle.seek(0)
        return load_workbook(handle, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise UnreadableFile(_("This file is not a workbook Kehu can read. If it is protected "
                               "with a password, remove the password; otherwise open it in "
                               "Excel or WPS, save it as .xlsx and upload it again.")) from exc


def _check_inflation(handle: IO[bytes]) -> None:
    """Refuse a zip bomb from the sizes its directory declares (zipfile never inflates a part
    past its declared size, so they cannot lie upward)."""
    with zipfile.ZipFile(handle) as archive:
        for part in archive.infolist():
            ratio = part.file_size / max(part.compress_size, 1)
            if part.file_size > MAX_PART_BYTES or (part.file_size > CHUNK
                                                   and ratio > MAX_PART_RATIO):
                raise UnreadableFile(_(
                    "This workbook unpacks to far more than its size (%(part)s: %(size)d MB "
                    "from %(packed)d KB), as no spreadsheet program writes it. Open it in "
                    "Excel or WPS, save it again and upload that.") % {
                    "part": part.filename, "size": part.file_size >> 20,
                    "packed": part.compress_size >> 10})


def _sheet(workbook):
    sheet = workbook.active
    if sheet is None or not hasattr(sheet, "iter_rows"):
        sheet = workbook.worksheets[0]
    return sheet


def _xlsx_rows(opener: Opener) -> Iterator[tuple[int, list]]:
    with opener() as handle:
        workbook = _load_workbook(handle)
        try:
            sheet = _sheet(workbook)
            # Some programs write a wrong sheet size; reading without it is always right.
            sheet.reset_dimensions()
            for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, list(cells)
        finally:
            workbook.close()


# --- both ------------------------------------------------------------------------------------

def _has_value(cells: list[Any]) -> bool:
    return any(cell is not None and str(cell).strip() for cell in cells)


def _header_text(cell: Any) -> str:
    return " ".join(str(cell).split()) if cell is not None else ""


def _find_header(table: Table,
                 header_score: Callable[[list[str]], int] | None) -> tuple[int, list[str]]:
    candidates: list[tuple[int, list[str]]] = []
    for number, cells in table.raw_rows():
        if len(cells) > MAX_COLUMNS and _has_value(cells[MAX_COLUMNS:]):
            raise UnreadableFile(_("Row %(row)d of the file has %(count)d columns; Kehu reads "
                                   "at most %(max)d. Remove the extra columns and upload it "
                                   "again.") % {"row": number, "count": len(cells),
                                                "max": MAX_COLUMNS})
        if _has_value(cells):
            candidates.append((number, [_header_text(c) for c in cells]))
            if len(candidates) >= HEADER_SEARCH_ROWS:
                break
    if not candidates:
        raise UnreadableFile(_("The file is empty."))
    number, headers = candidates[0]
    if header_score is not None:
        scores = [header_score(cells) for _n, cells in candidates]
        if max(scores) > 0:
            number, headers = candidates[scores.index(max(scores))]
    while headers and not headers[-1]:
        headers.pop()
    return number, [text or _("Column %(letter)s") % {"letter": column_letter(i)}
                    for i, text in enumerate(headers)]


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: the letters Excel shows above a column."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
