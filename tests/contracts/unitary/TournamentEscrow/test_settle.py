"""settle: the oracle's batch, bounded per staker and by the budget, once per stake."""

import brownie
import pytest
from brownie import chain

NMR = 10**18
BUDGET = 1_000 * NMR


@pytest.fixture(autouse=True)
def staked_round(open_round, stake, close_round, alice, bob, carol):
    open_round(1, budget=BUDGET)
    stake(alice, 100 * NMR)
    stake(bob, 200 * NMR)
    stake(carol, 50 * NMR)
    close_round(1)


def test_settle_burns_returns_and_rewards(escrow, nmr, oracle, alice, bob, carol):
    balances = {s: nmr.balanceOf(s) for s in (alice, bob, carol)}
    supply = nmr.totalSupply()
    tx = escrow.settle(
        1, [alice, bob, carol], [0, 200 * NMR, 10 * NMR], [300 * NMR, 0, 0], {"from": oracle}
    )
    assert nmr.balanceOf(alice) == balances[alice] + 400 * NMR
    assert nmr.balanceOf(bob) == balances[bob]
    assert nmr.balanceOf(carol) == balances[carol] + 40 * NMR
    assert nmr.totalSupply() == supply - 210 * NMR
    info = escrow.getRound(1)
    assert (info["rewardsPaid"], info["totalBurned"], info["settledStake"], info["settledCount"]) == (
        300 * NMR, 210 * NMR, 350 * NMR, 3,
    )
    assert nmr.balanceOf(escrow) == BUDGET - 300 * NMR
    assert [e["staker"] for e in tx.events["StakeSettled"]] == [alice, bob, carol]
    assert list(tx.events["StakeSettled"][1].values()) == [1, bob, 200 * NMR, 0]
    assert escrow.getStake(1, alice)["status"] == 2


def test_settle_in_several_batches(escrow, oracle, alice, bob, carol):
    escrow.settle(1, [alice], [0], [10 * NMR], {"from": oracle})
    escrow.settle(1, [bob, carol], [0, 0], [20 * NMR, 0], {"from": oracle})
    info = escrow.getRound(1)
    assert (info["rewardsPaid"], info["settledCount"]) == (30 * NMR, 3)


def test_reward_may_use_the_whole_budget(escrow, nmr, oracle, alice):
    escrow.settle(1, [alice], [0], [BUDGET], {"from": oracle})
    assert escrow.getRound(1)["rewardsPaid"] == BUDGET


def test_settling_twice_reverts(escrow, oracle, alice):
    escrow.settle(1, [alice], [0], [0], {"from": oracle})
    with brownie.reverts(f"TournamentEscrowAlreadySettled: 1, {alice.address.lower()}"):
        escrow.settle(1, [alice], [0], [0], {"from": oracle})


def test_duplicate_staker_in_one_batch_reverts(escrow, oracle, alice):
    with brownie.reverts(f"TournamentEscrowAlreadySettled: 1, {alice.address.lower()}"):
        escrow.settle(1, [alice, alice], [0, 0], [0, 0], {"from": oracle})


def test_staker_without_stake_reverts(escrow, oracle, rando):
    with brownie.reverts(f"TournamentEscrowNoStake: 1, {rando.address.lower()}"):
        escrow.settle(1, [rando], [0], [0], {"from": oracle})


def test_burn_above_stake_reverts(escrow, oracle, alice):
    with brownie.reverts(f"TournamentEscrowBurnExceedsStake: {alice.address.lower()}, {100 * NMR + 1}, {100 * NMR}"):
        escrow.settle(1, [alice], [100 * NMR + 1], [0], {"from": oracle})


def test_rewards_above_budget_revert_and_change_nothing(escrow, nmr, oracle, alice, bob):
    with brownie.reverts(f"TournamentEscrowBudgetExceeded: 1, {600 * NMR}, {500 * NMR}"):
        escrow.settle(1, [alice, bob], [0, 0], [500 * NMR, 600 * NMR], {"from": oracle})
    assert escrow.getRound(1)["settledCount"] == 0
    assert escrow.getStake(1, alice)["status"] == 1


def test_length_mismatch_reverts(escrow, oracle, alice, bob):
    with brownie.reverts("TournamentEscrowLengthMismatch: 2, 1, 2"):
        escrow.settle(1, [alice, bob], [0], [0, 0], {"from": oracle})
    with brownie.reverts("TournamentEscrowLengthMismatch: 1, 1, 0"):
        escrow.settle(1, [alice], [0], [], {"from": oracle})


def test_settle_unknown_round_reverts(escrow, oracle, alice):
    with brownie.reverts("TournamentEscrowUnknownRound: 2"):
        escrow.settle(2, [alice], [0], [0], {"from": oracle})


def test_settle_before_close_reverts(escrow, oracle, open_round, alice):
    open_round(2)
    closes_at = escrow.getRound(2)["closesAt"]
    with brownie.reverts(f"TournamentEscrowRoundOpen: 2, {closes_at}"):
        escrow.settle(2, [alice], [0], [0], {"from": oracle})


def test_settle_after_deadline_reverts(escrow, oracle, close_round, alice):
    close_round(1, past_deadline=True)
    resolves_by = escrow.getRound(1)["resolvesBy"]
    with brownie.reverts(f"TournamentEscrowSettlementWindowOver: 1, {resolves_by}"):
        escrow.settle(1, [alice], [0], [0], {"from": oracle})


def test_settle_after_finalize_reverts(escrow, oracle, alice, bob, carol):
    escrow.settle(1, [alice, bob, carol], [0, 0, 0], [0, 0, 0], {"from": oracle})
    escrow.finalize(1, {"from": oracle})
    with brownie.reverts("TournamentEscrowAlreadyFinalized: 1"):
        escrow.settle(1, [], [], [], {"from": oracle})


def test_settle_works_while_paused(escrow, oracle, pauser, alice):
    escrow.pause({"from": pauser})
    escrow.settle(1, [alice], [0], [0], {"from": oracle})
    assert escrow.getStake(1, alice)["status"] == 2


def test_empty_batch_changes_nothing(escrow, oracle):
    before = dict(escrow.getRound(1).dict())
    escrow.settle(1, [], [], [], {"from": oracle})
    assert dict(escrow.getRound(1).dict()) == before
    chain.mine()
