"""The operator's Flask CLI: `flask oracle open` pays the pools it is given, `fund` adds
to them, and bad amounts are refused with a sentence before anything is sent."""

from __future__ import annotations

from app import store
from tests.app.oracle.conftest import NMR, USD, token_and_escrow


def test_open_then_fund_pays_exactly_the_amounts_given(app, w3, deployment):
    _, record = deployment
    _, escrow = token_and_escrow(w3, record)
    runner = app.test_cli_runner()
    opened = runner.invoke(args=["oracle", "open", "--round", "1", "--closes-in", "600", "--resolves-in", "3600",
                                 "--usd-staking", "10", "--usd-prize", "5.05", "--nmr", "1.5"])
    assert opened.exit_code == 0, opened.output
    assert "funded by" in opened.output
    view = escrow.functions.getRound(1).call()
    assert (view[2], view[3], view[5], view[7]) == (record["treasury"], 10 * USD, 5_050_000, 3 * NMR // 2)

    funded = runner.invoke(args=["oracle", "fund", "1", "--usd-prize", "2.25"])
    assert funded.exit_code == 0, funded.output
    view = escrow.functions.getRound(1).call()
    assert (view[3], view[5], view[7]) == (10 * USD, 7_300_000, 3 * NMR // 2)
    with app.app_context():
        row = store.get_round(1)
        assert (row.usd_staking_pool, row.usd_prize_pool, row.nmr_pool) == (10 * USD, 7_300_000, 3 * NMR // 2)


def test_a_bad_amount_is_refused_before_anything_is_sent(app, w3, deployment):
    _, record = deployment
    _, escrow = token_and_escrow(w3, record)
    result = app.test_cli_runner().invoke(args=["oracle", "open", "--round", "1", "--nmr", "lots"])
    assert result.exit_code == 2
    assert "'lots' is not a number" in result.output
    assert escrow.functions.getRound(1).call()[0] == 0
    result = app.test_cli_runner().invoke(args=["oracle", "fund", "1", "--usd-prize", "-3"])
    assert result.exit_code == 2 and "must be a non-negative amount" in result.output
