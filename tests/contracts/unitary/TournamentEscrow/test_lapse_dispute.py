"""lapseDispute: a dispute the guardian did not rule on within the ruling period lapses.
Anyone may end it once the period is over: the bond goes back, the committed batches
settle as committed, and the guardian can no longer rule. Before that it reverts, and so
does a round with no open dispute."""

import brownie
import pytest
from brownie import chain

from tests.contracts.helpers import (
    CHALLENGE_WINDOW,
    DISPUTE_BOND,
    NMR,
    RULING_PERIOD,
    chain_now,
    plain,
)


@pytest.fixture(scope="module", autouse=True)
def round_one(open_round, stake, close_round, alice):
    open_round(1)
    stake(alice, 100 * NMR)
    close_round(1)


@pytest.fixture
def batch(alice):
    return [(alice.address, 0, 0, 0, 0, False)]


@pytest.fixture
def disputed(escrow, nmr, rando, commit, batch):
    """Round 1's plan committed and disputed by rando; returns when the ruling period ends."""
    tx = commit(1, [batch], [], wait=False)
    nmr.approve(escrow, DISPUTE_BOND, {"from": rando})
    escrow.dispute(1, {"from": rando})
    return tx.events["ResultsCommitted"]["challengeEndsAt"] + RULING_PERIOD


def _sleep_until(timestamp):
    chain.sleep(max(0, timestamp - chain_now()))
    chain.mine()


def test_after_the_ruling_period_the_bond_goes_back_and_the_batches_settle(
    escrow, nmr, oracle, rando, alice, batch, disputed
):
    _sleep_until(disputed)
    before = nmr.balanceOf(rando)
    tx = escrow.lapseDispute(1, {"from": alice})  # anyone: here the staker waiting on it
    assert plain(tx.events["DisputeLapsed"].values()) == [1, rando, DISPUTE_BOND]
    assert nmr.balanceOf(rando) == before + DISPUTE_BOND
    assert escrow.getRound(1)["disputer"] == brownie.ZERO_ADDRESS
    escrow.settle(1, batch, {"from": oracle})
    assert escrow.getStake(1, alice, 0)["status"] == 2  # settled, as committed


def test_before_the_ruling_period_ends_it_reverts(escrow, rando, disputed):
    _sleep_until(disputed - 10)
    with brownie.reverts(f"TournamentEscrowRulingPeriodOpen: 1, {disputed}"):
        escrow.lapseDispute(1, {"from": rando})


def test_the_guardian_rules_until_the_period_ends_and_not_after(escrow, guardian, disputed):
    _sleep_until(disputed)
    with brownie.reverts(f"TournamentEscrowRulingPeriodOver: 1, {disputed}"):
        escrow.rule(1, True, {"from": guardian})


def test_without_an_open_dispute_it_reverts(escrow, rando, commit, batch):
    commit(1, [batch], [])
    chain.sleep(RULING_PERIOD + 1)
    with brownie.reverts("TournamentEscrowNoDispute: 1"):
        escrow.lapseDispute(1, {"from": rando})


def test_a_lapsed_dispute_cannot_lapse_twice(escrow, rando, disputed):
    _sleep_until(disputed)
    escrow.lapseDispute(1, {"from": rando})
    with brownie.reverts("TournamentEscrowNoDispute: 1"):
        escrow.lapseDispute(1, {"from": rando})


def test_an_unknown_round_reverts(escrow, rando):
    with brownie.reverts("TournamentEscrowUnknownRound: 9"):
        escrow.lapseDispute(9, {"from": rando})


def test_the_window_and_the_ruling_fit_before_the_deadline(escrow, disputed):
    """commitResults refused any commit whose ruling period would not end before
    resolvesBy, so a lapsed dispute always leaves time to settle."""
    assert disputed < escrow.getRound(1)["resolvesBy"]
    assert CHALLENGE_WINDOW + RULING_PERIOD == escrow.challengeWindow() + escrow.rulingPeriod()
