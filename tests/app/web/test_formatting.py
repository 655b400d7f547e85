"""The pages' formatting: amounts exact in integers (2 decimals shown, every digit on
hover), times relative with the absolute UTC time on hover."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.web import views
from app.web.formatting import (
    counted,
    exact_units,
    nmr_cell,
    policy_name,
    relative,
    usd_cell,
    when,
)
from client.core.money.units import NmrAmount, UsdAmount

NOW = datetime(2026, 11, 25, 2, 30, tzinfo=UTC)


@pytest.mark.parametrize(("delta", "words"), [
    (timedelta(seconds=20), "just now"), (timedelta(minutes=1), "1 minute ago"), (timedelta(hours=5, minutes=59), "6 hours ago"),
    (timedelta(days=3, hours=2), "3 days ago"), (timedelta(days=65), "2 months ago"), (timedelta(days=800), "2 years ago"),
    (-timedelta(hours=2, minutes=1), "in 2 hours"), (-timedelta(days=1), "in 1 day"),
    (-timedelta(days=7, seconds=-60), "in 7 days"), (timedelta(minutes=59, seconds=40), "1 hour ago"),
    (timedelta(days=29, hours=20), "1 month ago"),
])  # fmt: skip
def test_relative_times(delta, words):
    assert relative(NOW - delta, NOW) == words


def test_counts_and_policies_read_as_words():
    assert (counted(1, "submission"), counted(7, "submission"), counted(0, "stake")) == (
        "1 submission", "7 submissions", "0 stakes")
    assert counted(1200, "row") == "1,200 rows"
    assert policy_name("auction2017") == "2017 staking auction" and policy_name("corr") == "CORR stakes"


def test_when_is_a_time_element_with_the_utc_time_on_hover():
    moment = NOW - timedelta(days=3)
    assert str(when(moment, NOW)) == '<time datetime="2026-11-22T02:30:00Z" title="2026-11-22 02:30 UTC">3 days ago</time>'
    assert str(when(None)) == "–"


def test_amount_cells_show_cents_and_every_digit_on_hover():
    wei = 170_277_777_777_777_777_777  # the 170.277777777777777777
    assert str(nmr_cell(wei)) == '<span class="amount" title="170.277777777777777777 NMR">170.28</span>'
    assert str(nmr_cell(-5 * 10**18)) == '<span class="amount" title="-5 NMR">-5.00</span>'
    assert str(usd_cell(1_234_567_891)) == '<span class="amount" title="$1,234.567891">$1,234.57</span>'
    assert str(usd_cell(-20_000_000)) == '<span class="amount" title="-$20">-$20.00</span>'
    assert str(nmr_cell(None)) == str(usd_cell(None)) == "–"
    assert exact_units(10**18, 18) == "1" and exact_units(1, 18) == "0.000000000000000001"


def test_views_still_offer_the_formatters():
    assert views.format_usd(999_999_127) == "$1,000.00" and views.format_nmr(4_000 * 10**18) == "4,000.00"


def test_json_writes_an_amount_by_its_type_not_its_key():
    big = 2**53 + 1  # past what a JavaScript number holds exactly
    view = {"stake_wei": NmrAmount(big), "usd_paid": UsdAmount(5), "n_stakers": 3, "stake_count_wei": 7,
            "rows": [{"burned": NmrAmount(0)}], "at": NOW}
    assert views.jsonable(view) == {"stake_wei": str(big), "usd_paid": "5", "n_stakers": 3, "stake_count_wei": 7,
                                    "rows": [{"burned": "0"}], "at": "2026-11-25T02:30:00Z"}
    # An amount shows as its number in a page and adds up as an int.
    assert f"{NmrAmount(12)}" == "12" and NmrAmount(2) + UsdAmount(3) == 5


@pytest.mark.parametrize("status", ["opening", "open", "closed", "resolved", "settled", "finalized", "expired", "voided"])
def test_a_rounds_status_note_is_plain_text_with_people_dates(status):
    from types import SimpleNamespace

    row = SimpleNamespace(number=7, status=status, closes_at=NOW, resolves_by=NOW + timedelta(days=1))
    note = views.rounds.status_note(row)
    assert "`" not in note and "T02:30" not in note  # no markdown, no machine timestamps
    if status in ("open", "closed", "expired"):
        assert "2026-11-2" in note and "UTC" in note
    if status in ("expired", "voided"):
        assert "nmr withdraw 7" in note  # the round's own number, not a placeholder


def test_a_moment_is_written_in_utc_for_the_script_to_show_in_local_time():
    from app.web.formatting import at

    assert str(at(NOW)) == ('<time datetime="2026-11-25T02:30:00Z" title="2026-11-25 02:30 UTC" data-local>'
                            "2026-11-25 02:30 UTC</time>")
    assert str(at(None)) == "–"
