"""docs/bi.md is the contract with BI users: its reference lists exactly the views' columns."""

from __future__ import annotations

import re
from pathlib import Path

from kehu.bi.schema import views

DOC = Path(__file__).resolve().parents[3] / "docs" / "bi.md"


def documented() -> dict[str, list[tuple[str, str]]]:
    reference = DOC.read_text(encoding="utf-8").split("\n## Reference\n", 1)[1]
    result = {}
    for section in re.split(r"^### ", reference, flags=re.MULTILINE)[1:]:
        name, body = section.split("\n", 1)
        result[name.strip()] = re.findall(r"^\| `(\w+)` \| ([^|]+?) \|", body, re.MULTILINE)
    return result


def test_the_reference_lists_every_view_and_column_in_order_with_its_type():
    assert documented() == {view.name: [(c.name, c.type) for c in view.columns]
                            for view in views()}
