"""withdrawStake: the escape hatch. After resolvesBy an unsettled staker takes the whole
stake back alone, while paused and after finalize too."""

import brownie
import pytest

from tests.contracts.helpers import NMR, SETTLED, WAD, WITHDRAWN, plain


@pytest.fixture(scope="module", autouse=True)
def round_one(open_round, stake, alice, bob):
    open_round(1)
    stake(alice, 100 * NMR, confidence=2 * WAD)
    stake(bob, 30 * NMR)


def test_withdraw_returns_the_whole_stake(escrow, nmr, usd, alice, close_round):
    close_round(1, past_deadline=True)
    before, pools = nmr.balanceOf(alice), plain(escrow.getRound(1))[3:9]
    tx = escrow.withdrawStake(1, 0, {"from": alice})
    assert nmr.balanceOf(alice) == before + 100 * NMR
    assert plain(tx.events["StakeWithdrawn"].values()) == [1, alice, 0, 100 * NMR]
    assert plain(escrow.getStake(1, alice, 0)) == [100 * NMR, 2 * WAD, WITHDRAWN, False]
    info = escrow.getRound(1)
    assert (info["settledStake"], info["settledCount"], info["totalBurned"]) == (100 * NMR, 1, 0)
    assert plain(info)[3:9] == pools  # the pools are not touched
    assert [e.address for e in tx.events["Transfer"]] == [nmr.address]


def test_withdraw_before_the_deadline_reverts(escrow, alice, close_round):
    close_round(1)
    resolves_by = escrow.getRound(1)["resolvesBy"]
    with brownie.reverts(f"TournamentEscrowDeadlineNotReached: 1, {resolves_by}"):
        escrow.withdrawStake(1, 0, {"from": alice})


def test_withdraw_while_open_reverts(escrow, alice):
    resolves_by = escrow.getRound(1)["resolvesBy"]
    with brownie.reverts(f"TournamentEscrowDeadlineNotReached: 1, {resolves_by}"):
        escrow.withdrawStake(1, 0, {"from": alice})


def test_withdraw_works_while_paused(escrow, nmr, pauser, alice, close_round):
    escrow.pause({"from": pauser})
    close_round(1, past_deadline=True)
    escrow.withdrawStake(1, 0, {"from": alice})
    assert escrow.getStake(1, alice, 0)["status"] == WITHDRAWN


def test_withdraw_works_after_finalize(escrow, nmr, rando, alice, bob, close_round):
    close_round(1, past_deadline=True)
    escrow.finalize(1, {"from": rando})
    for staker in (alice, bob):
        escrow.withdrawStake(1, 0, {"from": staker})
    assert nmr.balanceOf(escrow) == 0


def test_second_withdraw_reverts(escrow, alice, close_round):
    close_round(1, past_deadline=True)
    escrow.withdrawStake(1, 0, {"from": alice})
    with brownie.reverts(f"TournamentEscrowAlreadySettled: 1, {alice.address.lower()}, 0"):
        escrow.withdrawStake(1, 0, {"from": alice})


def test_settled_stake_cannot_be_withdrawn(escrow, oracle, alice, close_round, commit):
    close_round(1)
    commit(1, [[(alice.address, 0, 0, 0, 0, False)]])
    escrow.settle(1, [(alice.address, 0, 0, 0, 0, False)], {"from": oracle})
    assert escrow.getStake(1, alice, 0)["status"] == SETTLED
    close_round(1, past_deadline=True)
    with brownie.reverts(f"TournamentEscrowAlreadySettled: 1, {alice.address.lower()}, 0"):
        escrow.withdrawStake(1, 0, {"from": alice})


def test_address_without_stake_reverts(escrow, rando, close_round):
    close_round(1, past_deadline=True)
    with brownie.reverts(f"TournamentEscrowNoStake: 1, {rando.address.lower()}, 0"):
        escrow.withdrawStake(1, 0, {"from": rando})


def test_unknown_round_reverts(escrow, alice):
    with brownie.reverts("TournamentEscrowUnknownRound: 5"):
        escrow.withdrawStake(5, 0, {"from": alice})
