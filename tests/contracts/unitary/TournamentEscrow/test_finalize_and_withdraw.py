"""finalize returns the unspent budget; withdrawStake is the escape hatch after the deadline."""

import brownie
import pytest

NMR = 10**18
BUDGET = 1_000 * NMR


@pytest.fixture(autouse=True)
def staked_round(open_round, stake, alice, bob):
    open_round(1, budget=BUDGET)
    stake(alice, 100 * NMR)
    stake(bob, 200 * NMR)


def test_finalize_after_full_settlement_returns_unspent_budget(escrow, nmr, oracle, treasury, close_round, alice, bob, rando):
    close_round(1)
    escrow.settle(1, [alice, bob], [0, 0], [100 * NMR, 0], {"from": oracle})
    before = nmr.balanceOf(treasury)
    tx = escrow.finalize(1, {"from": rando})
    assert nmr.balanceOf(treasury) == before + 900 * NMR
    assert escrow.getRound(1)["finalized"]
    assert nmr.balanceOf(escrow) == 0
    assert list(tx.events["RoundFinalized"].values()) == [1, 900 * NMR]


def test_finalize_with_unsettled_stakes_before_deadline_reverts(escrow, oracle, close_round, alice):
    close_round(1)
    escrow.settle(1, [alice], [0], [0], {"from": oracle})
    with brownie.reverts("TournamentEscrowUnsettledStakes: 1, 1"):
        escrow.finalize(1, {"from": oracle})


def test_finalize_before_close_reverts(escrow, oracle):
    closes_at = escrow.getRound(1)["closesAt"]
    with brownie.reverts(f"TournamentEscrowRoundOpen: 1, {closes_at}"):
        escrow.finalize(1, {"from": oracle})


def test_finalize_twice_reverts(escrow, close_round, rando):
    close_round(1, past_deadline=True)
    escrow.finalize(1, {"from": rando})
    with brownie.reverts("TournamentEscrowAlreadyFinalized: 1"):
        escrow.finalize(1, {"from": rando})


def test_finalize_unknown_round_reverts(escrow, rando):
    with brownie.reverts("TournamentEscrowUnknownRound: 4"):
        escrow.finalize(4, {"from": rando})


def test_after_deadline_finalize_leaves_stakes_withdrawable(escrow, nmr, close_round, treasury, alice, bob, rando):
    close_round(1, past_deadline=True)
    before_treasury = nmr.balanceOf(treasury)
    escrow.finalize(1, {"from": rando})
    assert nmr.balanceOf(treasury) == before_treasury + BUDGET
    before = nmr.balanceOf(alice)
    escrow.withdrawStake(1, {"from": alice})
    escrow.withdrawStake(1, {"from": bob})
    assert nmr.balanceOf(alice) == before + 100 * NMR
    assert nmr.balanceOf(escrow) == 0


def test_withdraw_after_deadline_returns_full_stake(escrow, nmr, close_round, alice):
    close_round(1, past_deadline=True)
    before = nmr.balanceOf(alice)
    tx = escrow.withdrawStake(1, {"from": alice})
    assert nmr.balanceOf(alice) == before + 100 * NMR
    assert escrow.getStake(1, alice)["status"] == 3
    info = escrow.getRound(1)
    assert (info["settledStake"], info["settledCount"]) == (100 * NMR, 1)
    assert list(tx.events["StakeWithdrawn"].values()) == [1, alice, 100 * NMR]


def test_withdraw_before_deadline_reverts(escrow, close_round, alice):
    close_round(1)
    resolves_by = escrow.getRound(1)["resolvesBy"]
    with brownie.reverts(f"TournamentEscrowDeadlineNotReached: 1, {resolves_by}"):
        escrow.withdrawStake(1, {"from": alice})


def test_withdraw_twice_reverts(escrow, close_round, alice):
    close_round(1, past_deadline=True)
    escrow.withdrawStake(1, {"from": alice})
    with brownie.reverts(f"TournamentEscrowAlreadySettled: 1, {alice.address.lower()}"):
        escrow.withdrawStake(1, {"from": alice})


def test_withdraw_settled_stake_reverts(escrow, oracle, close_round, alice):
    close_round(1)
    escrow.settle(1, [alice], [NMR], [0], {"from": oracle})
    close_round(1, past_deadline=True)
    with brownie.reverts(f"TournamentEscrowAlreadySettled: 1, {alice.address.lower()}"):
        escrow.withdrawStake(1, {"from": alice})


def test_withdraw_without_stake_reverts(escrow, close_round, rando):
    close_round(1, past_deadline=True)
    with brownie.reverts(f"TournamentEscrowNoStake: 1, {rando.address.lower()}"):
        escrow.withdrawStake(1, {"from": rando})


def test_withdraw_unknown_round_reverts(escrow, alice):
    with brownie.reverts("TournamentEscrowUnknownRound: 8"):
        escrow.withdrawStake(8, {"from": alice})


def test_withdraw_works_while_paused(escrow, nmr, pauser, close_round, alice):
    escrow.pause({"from": pauser})
    close_round(1, past_deadline=True)
    escrow.withdrawStake(1, {"from": alice})
    assert escrow.getStake(1, alice)["status"] == 3
