"""createRound: schedule checks, budget pulled from the treasury, one round per id."""

import brownie
from brownie import chain

NMR = 10**18


def test_create_round_pulls_budget_and_records_schedule(escrow, nmr, oracle, treasury):
    before = nmr.balanceOf(treasury)
    closes_at = chain.time() + 100
    tx = escrow.createRound(7, closes_at, closes_at + 200, 50 * NMR, {"from": oracle})
    info = escrow.getRound(7)
    assert (info["closesAt"], info["resolvesBy"], info["rewardBudget"]) == (closes_at, closes_at + 200, 50 * NMR)
    assert (info["rewardsPaid"], info["totalStaked"], info["stakerCount"], info["finalized"]) == (0, 0, 0, False)
    assert nmr.balanceOf(escrow) == 50 * NMR
    assert nmr.balanceOf(treasury) == before - 50 * NMR
    assert list(tx.events["RoundCreated"].values()) == [7, closes_at, closes_at + 200, 50 * NMR]


def test_create_round_with_zero_budget_moves_nothing(escrow, nmr, oracle):
    escrow.createRound(1, chain.time() + 100, chain.time() + 200, 0, {"from": oracle})
    assert nmr.balanceOf(escrow) == 0
    assert escrow.getRound(1)["closesAt"] > 0


def test_existing_round_id_reverts(escrow, oracle, open_round):
    open_round(3)
    with brownie.reverts("TournamentEscrowRoundExists: 3"):
        escrow.createRound(3, chain.time() + 100, chain.time() + 200, 0, {"from": oracle})


def test_closes_at_in_the_past_reverts(escrow, oracle):
    closes_at = chain.time() - 1
    with brownie.reverts(f"TournamentEscrowInvalidSchedule: {closes_at}, {closes_at + 100}"):
        escrow.createRound(1, closes_at, closes_at + 100, 0, {"from": oracle})


def test_resolves_by_not_after_closes_at_reverts(escrow, oracle):
    closes_at = chain.time() + 100
    with brownie.reverts(f"TournamentEscrowInvalidSchedule: {closes_at}, {closes_at}"):
        escrow.createRound(1, closes_at, closes_at, 0, {"from": oracle})


def test_resolves_by_beyond_uint40_reverts(escrow, oracle):
    closes_at = chain.time() + 100
    with brownie.reverts(f"TournamentEscrowInvalidSchedule: {closes_at}, {2**40}"):
        escrow.createRound(1, closes_at, 2**40, 0, {"from": oracle})


def test_budget_beyond_uint96_reverts(escrow, oracle):
    with brownie.reverts(f"TournamentEscrowAmountTooLarge: {2**96}"):
        escrow.createRound(1, chain.time() + 100, chain.time() + 200, 2**96, {"from": oracle})


def test_unfunded_treasury_reverts(escrow, nmr, oracle, treasury):
    nmr.approve(escrow, 0, {"from": treasury})
    with brownie.reverts(revert_pattern=r"ERC20InsufficientAllowance: .*"):
        escrow.createRound(1, chain.time() + 100, chain.time() + 200, NMR, {"from": oracle})
