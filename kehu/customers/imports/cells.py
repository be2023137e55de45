"""Making sense of real-world spreadsheet cells before the usual validation sees them.

Excel and WPS hand us phone numbers as numbers (13812345678.0) or, in a CSV, in scientific
notation that has already lost digits (1.38123E+10); dates as date cells, as serial numbers
(45356) or as text in several formats (2026/3/5, 2026年3月5日, 2026-03-05); text with stray and
full-width spaces, full-width letters and digits (ＡＢＣ１２３). Each function returns plain
text or a value, or raises CellError with a message that says what to fix.
"""

from __future__ import annotations

import datetime
import decimal
import re
import unicodedata
from typing import Any

from django.utils.translation import gettext as _

from kehu.core.common.exports import FORMULA_START


class CellError(ValueError):
    pass


_SPACES = re.compile(r"\s+")
# printable ASCII without leading, trailing or doubled spaces and not starting with '
_PLAIN = re.compile(r"(?:[!-&(-~](?:[!-~]| (?! ))*[!-~]|[!-&(-~])?\Z")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
# any text without whitespace other than single inner spaces, without invisible characters
# and not starting with ': what `text` leaves as it is once it is in NFKC (the common case of
# Chinese cells, checked before the costlier normalization; tests/test_cells.py compares)
_NOT_SPACE = r"[^\s\u200b\u200c\u200d\u2060\ufeff]"
_CLEAN = re.compile(rf"(?:[^\s'\u200b\u200c\u200d\u2060\ufeff](?:{_NOT_SPACE}| (?! ))*"
                    rf"{_NOT_SPACE}|[^\s'\u200b\u200c\u200d\u2060\ufeff])?\Z")
_SCIENTIFIC = re.compile(r"^[+-]?(\d+)(?:\.(\d+))?[eE]\+?(\d+)$")
_FLOAT_INTEGER = re.compile(r"^(\d+)\.0+$")
_LIST_SEPARATORS = re.compile(r"[,;|、\n]+")
_DATE_PATTERNS = [
    re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})"),   # 2026-03-05, 2026/3/5
    re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?"),  # 2026年3月5日
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),                              # 20260305
]
_TIME_TAIL = re.compile(r"^(?:[T\s]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?\s*$")
EXCEL_SERIAL_RANGE = (1, 2958466)  # 1900-01-01 … 9999-12-31


def text(value: Any, *, multiline: bool = False) -> str:
    """The cell as clean text: full-width forms made half-width (NFKC), invisible characters
    removed, runs of spaces made one and the ends trimmed (line breaks kept when
    `multiline`). Numbers lose Excel's ".0"; dates become ISO."""
    if type(value) is str:
        if value.isascii():
            if _PLAIN.match(value):
                return value  # nothing to clean: the common case, made cheap
        elif _CLEAN.match(value) and unicodedata.is_normalized("NFKC", value):
            return value
        result = value
    elif value is None:
        return ""
    elif isinstance(value, bool):
        return "1" if value else "0"
    elif isinstance(value, float):
        return _number_text(value)
    elif isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else \
            value.isoformat(sep=" ")
    elif isinstance(value, datetime.date):
        return value.isoformat()
    else:
        result = str(value)
    if not result.isascii():
        if not unicodedata.is_normalized("NFKC", result):
            result = unicodedata.normalize("NFKC", result)
        result = result.translate(_INVISIBLE)
    if multiline:
        result = "\n".join(_SPACES.sub(" ", line).strip()
                           for line in result.replace("\r\n", "\n").split("\n")).strip()
    else:
        result = _SPACES.sub(" ", result).strip()
    # a cell our own reports neutralized ('=…) reads back as what it was
    if len(result) > 1 and result[0] == "'" and result[1] in FORMULA_START:
        result = result[1:]
    return result


def _number_text(value: float) -> str:
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def phone(value: Any) -> str:
    """A phone number cell as text. Numbers are exact in an XLSX cell; in a CSV, scientific
    notation means Excel dropped digits unless every digit is still there."""
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float | decimal.Decimal):
        number = decimal.Decimal(repr(value) if isinstance(value, float) else value)
        if number == number.to_integral_value():
            return str(int(number))
        return str(number)
    raw = text(value)
    if match := _FLOAT_INTEGER.match(raw):
        return match.group(1)
    if match := _SCIENTIFIC.match(raw.replace(" ", "")):
        whole, fraction, exponent = match.group(1), match.group(2) or "", int(match.group(3))
        if len(fraction) > exponent or (whole + fraction).startswith("0"):
            return raw  # not a whole number; the phone check rejects it
        if len(fraction) < exponent:
            raise CellError(_(
                "Excel turned this phone number into scientific notation (%(value)s) and lost "
                "its last digits. In Excel or WPS, format the column as Text, type the full "
                "numbers again (or export them from where they came from) and save.")
                % {"value": raw})
        return whole + fraction
    return raw


def date(value: Any, *, epoch: Any = None) -> datetime.date | None:
    """A date from a date cell, an Excel serial number or text in the usual formats."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float | decimal.Decimal) and not isinstance(value, bool):
        return _serial(float(value), epoch)
    raw = text(value)
    if not raw:
        return None
    if raw.isdigit() and len(raw) <= 5:
        return _serial(float(raw), epoch)
    for pattern in _DATE_PATTERNS:
        match = pattern.match(raw)
        if match and _TIME_TAIL.match(raw[match.end():]):
            try:
                return datetime.date(*(int(part) for part in match.groups()))
            except ValueError:
                break
    raise CellError(_("“%(value)s” is not a date. Write dates like 2026-03-05, 2026/3/5 or "
                      "2026年3月5日.") % {"value": raw})


def _serial(number: float, epoch: Any) -> datetime.date:
    from openpyxl.utils.datetime import CALENDAR_WINDOWS_1900, from_excel

    if not EXCEL_SERIAL_RANGE[0] <= number < EXCEL_SERIAL_RANGE[1]:
        raise CellError(_("“%(value)s” is not a date. Write dates like 2026-03-05, 2026/3/5 "
                          "or 2026年3月5日.") % {"value": _number_text(number)})
    return from_excel(number, epoch or CALENDAR_WINDOWS_1900).date()


def items(value: Any) -> list[str]:
    """A list cell (tags): items separated by commas, semicolons, 、 or line breaks."""
    return [item for item in (text(part) for part in _LIST_SEPARATORS.split(text(
        value, multiline=True))) if item]


def plain(value: Any) -> Any:
    """The cell as the report shows it again: what the spreadsheet held, as text or number."""
    if value is None:
        return ""
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) < 1e16 else value
    return value
