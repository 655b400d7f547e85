"""The leaderboard in headless Chromium with JavaScript switched off: the round picker, the
sortable headers and the page links are plain links and a GET form, so a visitor sorts,
pages and switches to the all-time view by clicking alone. On a phone each row is a card,
and a long name wraps whole inside it: nothing scrolls, with or without JavaScript."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app import store
from client.core.money.units import NMR
from client.core.money.units import USD_UNIT as USD
from tests.app.web.conftest import ROUND
from tests.e2e.conftest import browser  # noqa: F401  (the headless Chromium fixture)
from tests.support import serve

LONG_NAME = "A data scientist whose name is much too long for a column"


@pytest.fixture
def site(app):
    """Round 7 scored for 60 participants (two pages), served on a free port."""
    with app.app_context():
        store.set_round_status(ROUND, "closed")
        store.save_scores(ROUND, [
            {"address": "0x" + f"{i + 1:040x}", "live_logloss": 0.68 + i * 1e-4, "usd_reward": (i % 7) * USD,
             "prize_nmr": i * NMR}
            for i in range(60)
        ])  # fmt: skip
        store.set_round_status(ROUND, "resolved", resolved_at=datetime(2017, 6, 15, tzinfo=UTC))
        store.set_display_name("0x" + f"{1:040x}", LONG_NAME)
    with serve(app) as url:
        yield url


def column(page, css: str) -> list[str]:
    return [text.strip() for text in page.locator(f"#leaderboard tbody td.{css}").all_inner_texts()]


def test_sort_page_and_pick_a_view_without_javascript(browser, site):  # noqa: F811
    page = browser.new_page(java_script_enabled=False, viewport={"width": 1200, "height": 900})
    page.goto(site + "/leaderboard")
    assert column(page, "rank")[:3] == ["1", "2", "3"] and len(column(page, "rank")) == 50

    page.click("#leaderboard th >> text=Career NMR")  # best first: the most NMR
    assert page.get_attribute("th[aria-sort]", "aria-sort") == "descending"
    assert column(page, "career-nmr")[:2] == ["59.00", "58.00"] and column(page, "rank")[0] == "60"
    page.click("#leaderboard th >> text=Career NMR")  # again: the other way round
    assert column(page, "career-nmr")[:2] == ["0.00", "1.00"]

    page.click("#leaderboard-pages >> text=Next ›")
    assert page.url.endswith("sort=career_nmr&order=asc&page=2")
    assert column(page, "career-nmr") == [f"{i}.00" for i in range(50, 60)]

    page.select_option("#round-choice", "all")
    page.click("#round-picker button")
    assert page.inner_text("h1") == "Leaderboard · all time"
    assert [h.strip() for h in page.locator("#leaderboard thead th").all_inner_texts()] == [
        "#", "Name", "Career USD", "Career NMR", "Rounds", "Mean logloss"]
    page.close()


@pytest.mark.parametrize("javascript", [True, False])
def test_on_a_phone_rows_are_cards_and_long_names_wrap_whole(browser, site, javascript):  # noqa: F811
    page = browser.new_page(java_script_enabled=javascript, viewport={"width": 360, "height": 780})
    page.goto(site + f"/leaderboard?round={ROUND}")
    name = page.locator("#leaderboard tbody td.name .name-text").first
    assert name.inner_text() == LONG_NAME  # the whole name, wrapped over lines
    assert name.evaluate("(el) => el.scrollWidth <= el.clientWidth && el.getClientRects().length > 1")
    row = page.locator("#leaderboard tbody tr").first
    assert row.evaluate("(el) => getComputedStyle(el).display") == "grid"
    # With JavaScript each cell is labelled by its column (cards.js); without, the card still fits.
    labels = [cell.get_attribute("data-label") for cell in row.locator("td").all()]
    assert labels[:4] == (["#", "Name", "Logloss", "Career USD"] if javascript else [None] * 4)
    widths = page.evaluate("""() => [document.documentElement.scrollWidth, window.innerWidth,
        document.querySelector('.table-scroll').scrollWidth, document.querySelector('.table-scroll').clientWidth]""")
    page_width, window_width, table_width, box_width = widths
    assert page_width <= window_width and table_width <= box_width
    page.close()
