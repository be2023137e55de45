"""A sales rep drags an opportunity to the next stage on the kanban board, in a real browser
against `kehu serve`: the column totals change at once and the move is kept on reload."""

import pytest

from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e


def _count(page, stage_id: str) -> int:
    return int(page.locator(f'[data-column="{stage_id}"] [data-count]').inner_text())


def test_rep_drags_a_deal_to_the_next_stage_and_the_totals_follow(page):
    login(page, "east.rep@demo.kehu.local")
    page.goto("/sales/board/")
    columns = page.locator("ul.board-cards[data-kind=open]")
    source, target = columns.nth(0), columns.nth(1)
    source_id, target_id = source.get_attribute("data-stage"), target.get_attribute("data-stage")
    card = source.locator(".board-card").first
    name = card.locator("a").first.inner_text()
    before = (_count(page, source_id), _count(page, target_id))

    # drag with real mouse moves, as a person does
    box, drop = card.bounding_box(), target.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 10, box["y"] + box["height"] / 2 + 10,
                    steps=5)
    page.mouse.move(drop["x"] + drop["width"] / 2, drop["y"] + 30, steps=20)
    page.mouse.up()

    page.wait_for_function(
        "([id, n]) => document.querySelector(`[data-column='${id}'] [data-count]`)"
        ".textContent.trim() === String(n)", arg=[target_id, before[1] + 1])
    assert _count(page, source_id) == before[0] - 1

    page.reload()
    assert page.locator(f'ul.board-cards[data-stage="{target_id}"] .board-card',
                        has_text=name).count() >= 1
