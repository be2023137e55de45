"""Tolerant cells: phone numbers Excel mangled, dates in every format, widths and spaces."""

import random
from datetime import date

import phonenumbers
import pytest

from kehu.core.accounts.phones import normalize_login_phone
from kehu.customers.imports import cells
from kehu.customers.imports.rows import PhoneNormalizer
from kehu.customers.imports.tests.files import excel_date


@pytest.mark.parametrize(("value", "expected"), [
    ("  苏州鑫泰机械　　有限公司 ", "苏州鑫泰机械 有限公司"),
    ("ＡＢＣ贸易（上海）有限公司", "ABC贸易(上海)有限公司"),
    ("星河\u200b科技", "星河科技"),
    ("Acme  Co.,\tLtd.", "Acme Co., Ltd."),
    (13812345678.0, "13812345678"),
    (12.5, "12.5"),
    (excel_date(2026, 3, 5), "2026-03-05"),
    (None, ""),
    ("'=1+1", "=1+1"),       # what our report wrote reads back as the original
    ("'引号", "'引号"),
])
def test_text(value, expected):
    assert cells.text(value) == expected


def test_multiline_text_keeps_line_breaks():
    assert cells.text(" 第一行 \r\n  第二行  ", multiline=True) == "第一行\n第二行"


@pytest.mark.parametrize(("value", "expected"), [
    (13812345678, "13812345678"),
    (13812345678.0, "13812345678"),
    ("13812345678.0", "13812345678"),
    ("1.3812345678E+10", "13812345678"),   # scientific, but every digit is there
    ("138 1234 5678", "138 1234 5678"),
    ("１３８１２３４５６７８", "13812345678"),
    ("", ""),
])
def test_phone(value, expected):
    assert cells.phone(value) == expected


@pytest.mark.parametrize("value", ["1.38123E+10", "1.38E+10", "1,38123E+10".replace(",", ".")])
def test_a_phone_excel_turned_into_scientific_notation_is_refused(value):
    with pytest.raises(cells.CellError) as error:
        cells.phone(value)
    assert "scientific notation" in str(error.value) and value in str(error.value)


@pytest.mark.parametrize(("value", "expected"), [
    (excel_date(2026, 3, 5, 10, 30), date(2026, 3, 5)),
    (date(2026, 3, 5), date(2026, 3, 5)),
    (46086, date(2026, 3, 5)),
    (46086.0, date(2026, 3, 5)),
    ("46086", date(2026, 3, 5)),
    ("2026-03-05", date(2026, 3, 5)),
    ("2026/3/5", date(2026, 3, 5)),
    ("2026.3.5", date(2026, 3, 5)),
    ("2026年3月5日", date(2026, 3, 5)),
    ("２０２６年３月５日", date(2026, 3, 5)),
    ("20260305", date(2026, 3, 5)),
    ("2026-03-05 00:00:00", date(2026, 3, 5)),
    ("", None),
    (None, None),
])
def test_dates(value, expected):
    assert cells.date(value) == expected


@pytest.mark.parametrize("value", ["明天", "2026-02-30", "3/5", "2026-03-05 下午"])
def test_what_is_not_a_date(value):
    with pytest.raises(cells.CellError):
        cells.date(value)


def test_list_cells():
    assert cells.items("重点, 华南；VIP、老客户|展会\n待跟进") == [
        "重点", "华南", "VIP", "老客户", "展会", "待跟进"]


def test_mobile_validity_depends_only_on_the_first_five_digits():
    """What PhoneNormalizer relies on: for 11-digit numbers starting 13–19, phonenumbers'
    verdict is the same for every number sharing the first five digits. If this fails after
    a phonenumbers upgrade, lengthen PhoneNormalizer.PREFIX."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region("CN")
    assert metadata.mobile.possible_length == (11,)
    rng = random.Random(5)
    for prefix in range(13000, 20000):
        verdicts = {normalize_login_phone(f"{prefix}{tail}") == f"+86{prefix}{tail}"
                    for tail in ("000000", "999999", f"{rng.randrange(10 ** 6):06d}")}
        assert len(verdicts) == 1, prefix


def test_the_phone_cache_answers_like_normalize_phone():
    from django.core.exceptions import ValidationError

    from kehu.customers.services import normalize_phone

    normalizer = PhoneNormalizer()
    for raw in ["13812345678", "13812345679", "17400012345", "17400712345", "14500000000",
                "14412345678", "010-88886666", "+86 138 1234 5678", "19212345678"]:
        for _attempt in range(2):
            try:
                expected = normalize_phone(raw)
            except ValidationError:
                with pytest.raises(ValidationError):
                    normalizer(raw)
            else:
                assert normalizer(raw) == expected


def _text_without_shortcuts(value: str, multiline: bool = False) -> str:
    """What `cells.text` does to a string, step by step, without its fast paths."""
    import unicodedata

    from kehu.core.common.exports import FORMULA_START

    result = unicodedata.normalize("NFKC", value).translate(cells._INVISIBLE)
    if multiline:
        result = "\n".join(cells._SPACES.sub(" ", line).strip()
                           for line in result.replace("\r\n", "\n").split("\n")).strip()
    else:
        result = cells._SPACES.sub(" ", result).strip()
    if len(result) > 1 and result[0] == "'" and result[1] in FORMULA_START:
        result = result[1:]
    return result


def test_the_fast_paths_of_text_clean_like_the_slow_one():
    """Clean cells (most of a real file) are returned as they are without normalizing: for
    every string, the result is what the full cleaning gives."""
    rng = random.Random(11)
    alphabet = ["苏", "州", "a", "Z", "1", " ", "  ", "　", "\t", "\n", "\r\n", "\u200b",
                "\ufeff", "Ａ", "１", "（", "(", "'", "=", "+", "-", "@", ".", "ﬁ", "\xa0",
                "é", "e\u0301", "㈱", "、"]
    samples = ["苏州鑫泰机械有限公司", "星河 科技", "'引号", "'=1", "ＡＢＣ", "a b", ""]
    samples += ["".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 8)))
                for _ in range(5000)]
    for value in samples:
        for multiline in (False, True):
            assert cells.text(value, multiline=multiline) == \
                _text_without_shortcuts(value, multiline), repr(value)
