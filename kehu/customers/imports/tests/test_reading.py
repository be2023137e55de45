"""Reading files as Excel and WPS save them: encodings, separators, header rows, XLSX."""

import io

import pytest

from kehu.customers.imports import reading
from kehu.customers.imports.tests.files import csv_bytes, excel_date, xlsx_bytes

ROWS = [["客户名称", "手机"], ["星河科技有限公司", "13812345678"], ["", ""],
        ["鑫泰机械有限公司", "13812345679"]]


def table(data: bytes, name: str = "客户.csv", **kwargs) -> reading.Table:
    return reading.open_table(lambda: io.BytesIO(data), name, **kwargs)


@pytest.mark.parametrize(("encoding", "detected"), [
    ("utf-8-sig", "utf-8-sig"),  # Excel "CSV UTF-8"
    ("utf-8", "utf-8"),          # WPS, exports from other systems
    ("gbk", "gb18030"),          # Excel "CSV" on Chinese Windows
    ("gb18030", "gb18030"),
    ("utf-16", "utf-16"),        # Excel "Unicode text"
])
def test_encodings(encoding, detected):
    result = table(csv_bytes(ROWS, encoding=encoding, delimiter="\t" if "16" in encoding
                             else ","))
    assert result.encoding == detected
    assert result.headers == ["客户名称", "手机"]
    assert list(result.rows()) == [(2, ["星河科技有限公司", "13812345678"]),
                                   (4, ["鑫泰机械有限公司", "13812345679"])]
    assert result.count_rows() == 2


def test_an_encoding_neither_utf8_nor_gbk_is_guessed():
    # neither UTF-8 nor GB18030 can decode 0xFF
    data = csv_bytes([["Name", "City"]] + [["Müller GmbH", "Köln ÿ"]] * 20, encoding="cp1252")
    result = table(data)
    assert result.encoding not in ("utf-8", "gb18030")
    assert result.headers == ["Name", "City"]
    assert next(result.rows())[1][0] == "Müller GmbH"  # ÿ may come out as ˙ (cp1250)


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_separators(delimiter):
    result = table(csv_bytes(ROWS, delimiter=delimiter))
    assert result.delimiter == delimiter and len(result.headers) == 2


def test_a_title_row_above_the_header_is_skipped():
    data = csv_bytes([["2026年客户名单"], ["客户名称", "手机"], ["星河科技", "13812345678"]])
    result = table(data, header_score=lambda cells: sum(c in ("客户名称", "手机") for c in cells))
    assert (result.header_row, result.headers) == (2, ["客户名称", "手机"])
    assert list(result.rows()) == [(3, ["星河科技", "13812345678"])]


def test_xlsx_keeps_numbers_and_dates_and_row_numbers():
    data = xlsx_bytes([["客户名称", "手机", "日期"], ["星河", 13812345678, excel_date(2026, 3, 5)],
                       [None, None, None], ["鑫泰", 13812345679.0, "2026/3/5"]],
                      title_row="客户名单")
    result = table(data, name="客户.xlsx",
                   header_score=lambda cells: sum(c in ("客户名称", "手机") for c in cells))
    assert (result.kind, result.header_row) == ("xlsx", 2)
    assert list(result.rows()) == [(3, ["星河", 13812345678, excel_date(2026, 3, 5)]),
                                   (5, ["鑫泰", 13812345679, "2026/3/5"])]


def test_a_workbook_with_a_csv_name_is_read_as_a_workbook():
    result = table(xlsx_bytes(ROWS), name="客户.csv")
    assert result.kind == "xlsx" and result.headers == ["客户名称", "手机"]


@pytest.mark.parametrize(("name", "data", "message"), [
    ("客户.xls", b"\xd0\xcf\x11\xe0rest", ".xlsx"),
    ("客户.et", b"anything", ".xlsx"),
    ("客户.xlsx", b"\xd0\xcf\x11\xe0rest", ".xlsx"),
    ("客户.pdf", b"%PDF", ".csv"),
    ("客户.xlsx", b"PK\x03\x04broken", "not a workbook"),
    ("客户.csv", b"", "empty"),
])
def test_files_that_cannot_be_read_say_what_to_do(name, data, message):
    with pytest.raises(reading.UnreadableFile) as error:
        table(data, name=name)
    assert message in error.value.message


def test_columns_without_a_header_get_the_excel_letter():
    result = table(csv_bytes([["客户名称", "", "手机"], ["星河", "x", "138"]]))
    assert result.headers == ["客户名称", "Column B", "手机"]
    assert reading.column_letter(27) == "AB"
