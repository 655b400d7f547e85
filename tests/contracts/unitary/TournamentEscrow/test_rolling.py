"""Rolling stakes: setRolling, and settle moving a rolling position's NMR into the same
model's position in the newest round while it is open (issue #23).

Round 1 is settled while round 2 is open: alice rolls, bob does not. What a position keeps
(stake - burn + NMR reward) leaves round 1's books and enters round 2's; USD rewards still
go to the wallet; nothing is created or lost (the escrow's balance equals what it owes).
"""

import brownie
import pytest

from tests.contracts.helpers import ACTIVE, NMR, NONE, SETTLED, USD, WAD, plain


@pytest.fixture(scope="module", autouse=True)
def round_one(open_round, stake, alice, bob):
    open_round(1)
    stake(alice, 100 * NMR, confidence=2 * WAD)
    stake(bob, 30 * NMR)


@pytest.fixture(scope="module")
def settle_with_next_open(escrow, oracle, open_round, close_round, commit):
    """Closes round 1, commits `batch`, opens round 2 (closing in a week) and posts the batch."""

    def _settle(batch, next_round=2, open_next=True):
        close_round(1)
        commit(1, [batch])
        if open_next:
            open_round(next_round, 0, 0, 0)
        return escrow.settle(1, batch, {"from": oracle})

    return _settle


def _owed_equals_held(escrow, nmr):
    assert nmr.balanceOf(escrow) == escrow.accounted(nmr)


def test_set_rolling_marks_the_position_and_emits(escrow, alice):
    tx = escrow.setRolling(1, 0, True, {"from": alice})
    assert plain(tx.events["RollingSet"].values()) == [1, alice, 0, True]
    assert plain(escrow.getStake(1, alice, 0)) == [100 * NMR, 2 * WAD, ACTIVE, True]
    escrow.setRolling(1, 0, False, {"from": alice})
    assert escrow.getStake(1, alice, 0)["rolls"] is False


def test_set_rolling_without_a_stake_reverts(escrow, rando):
    with brownie.reverts(f"TournamentEscrowNoStake: 1, {rando.address.lower()}, 0"):
        escrow.setRolling(1, 0, True, {"from": rando})


def test_set_rolling_on_a_settled_position_reverts(escrow, alice, bob, settle_entry, settle_with_next_open):
    settle_with_next_open([settle_entry(alice), settle_entry(bob)], open_next=False)
    with brownie.reverts(f"TournamentEscrowAlreadySettled: 1, {alice.address.lower()}, 0"):
        escrow.setRolling(1, 0, True, {"from": alice})


def test_set_rolling_works_while_paused_and_after_the_close(escrow, pauser, alice, close_round):
    escrow.pause({"from": pauser})
    close_round(1)
    escrow.setRolling(1, 0, True, {"from": alice})
    assert escrow.getStake(1, alice, 0)["rolls"] is True


def test_settle_rolls_the_kept_nmr_into_the_next_round(escrow, nmr, usd, alice, bob, settle_entry,
                                                      settle_with_next_open):
    escrow.setRolling(1, 0, True, {"from": alice})
    nmr_before, usd_before = nmr.balanceOf(alice), usd.balanceOf(alice)
    batch = [settle_entry(alice, burn=10 * NMR, usd_reward=20 * USD, nmr_reward=5 * NMR), settle_entry(bob)]
    tx = settle_with_next_open(batch)
    settled = [plain(e.values()) for e in tx.events["StakeSettled"]]
    assert settled == [[1, alice, 0, 10 * NMR, 20 * USD, 5 * NMR, 2], [1, bob, 0, 0, 0, 0, 0]]
    # alice's 100 - 10 + 5 NMR moved; only her USD reward reached her wallet.
    assert nmr.balanceOf(alice) == nmr_before and usd.balanceOf(alice) == usd_before + 20 * USD
    assert plain(escrow.getStake(2, alice, 0)) == [95 * NMR, 2 * WAD, ACTIVE, True]
    assert plain(escrow.getStake(1, alice, 0)) == [0, 0, NONE, False]  # moved, not settled twice
    assert escrow.getStake(1, bob, 0)["status"] == SETTLED
    two = escrow.getRound(2)
    assert (two["totalStaked"], two["stakerCount"]) == (95 * NMR, 1)
    one = escrow.getRound(1)
    assert (one["settledStake"], one["settledCount"], one["totalBurned"]) == (130 * NMR, 2, 10 * NMR)
    _owed_equals_held(escrow, nmr)


def test_a_roll_adds_to_a_position_the_staker_opened_and_keeps_its_higher_confidence(
        escrow, alice, bob, stake, settle_entry, close_round, commit, open_round, oracle):
    escrow.setRolling(1, 0, True, {"from": alice})
    close_round(1)
    batch = [settle_entry(alice), settle_entry(bob)]
    commit(1, [batch])
    open_round(2, 0, 0, 0)
    stake(alice, 7 * NMR, confidence=3 * WAD, round_id=2, submission=b"\x22" * 32)
    escrow.settle(1, batch, {"from": oracle})
    assert plain(escrow.getStake(2, alice, 0)) == [107 * NMR, 3 * WAD, ACTIVE, True]
    assert escrow.getRound(2)["stakerCount"] == 1


def test_a_roll_raises_a_lower_confidence_to_the_rolled_one(escrow, alice, bob, stake, settle_entry, close_round,
                                                           commit, open_round, oracle):
    escrow.setRolling(1, 0, True, {"from": alice})
    close_round(1)
    batch = [settle_entry(alice), settle_entry(bob)]
    commit(1, [batch])
    open_round(2, 0, 0, 0)
    stake(alice, 7 * NMR, confidence=WAD // 2, round_id=2)
    escrow.settle(1, batch, {"from": oracle})
    assert escrow.getStake(2, alice, 0)["confidence"] == 2 * WAD


def test_released_entry_goes_to_the_wallet_and_stops_rolling(escrow, nmr, alice, bob, settle_entry,
                                                            settle_with_next_open):
    """No file was scored (no submission by the close, a sealed file never revealed)."""
    escrow.setRolling(1, 0, True, {"from": alice})
    before = nmr.balanceOf(alice)
    tx = settle_with_next_open([settle_entry(alice, release=True), settle_entry(bob)])
    assert tx.events["StakeSettled"][0]["rolledInto"] == 0
    assert nmr.balanceOf(alice) == before + 100 * NMR
    assert escrow.getStake(2, alice, 0)["status"] == NONE
    assert escrow.getStake(1, alice, 0)["status"] == SETTLED


def test_with_no_open_round_a_rolling_position_goes_to_the_wallet(escrow, nmr, alice, bob, settle_entry,
                                                                  settle_with_next_open):
    escrow.setRolling(1, 0, True, {"from": alice})
    before = nmr.balanceOf(alice)
    tx = settle_with_next_open([settle_entry(alice), settle_entry(bob)], open_next=False)
    assert tx.events["StakeSettled"][0]["rolledInto"] == 0
    assert nmr.balanceOf(alice) == before + 100 * NMR


def test_while_paused_a_rolling_position_goes_to_the_wallet(escrow, nmr, pauser, alice, bob, settle_entry,
                                                           close_round, commit, open_round, oracle):
    """Pausing stops new stakes, rolled ones too; settlement goes on."""
    escrow.setRolling(1, 0, True, {"from": alice})
    close_round(1)
    batch = [settle_entry(alice), settle_entry(bob)]
    commit(1, [batch])
    open_round(2, 0, 0, 0)
    escrow.pause({"from": pauser})
    before = nmr.balanceOf(alice)
    escrow.settle(1, batch, {"from": oracle})
    assert nmr.balanceOf(alice) == before + 100 * NMR
    assert escrow.getRound(2)["totalStaked"] == 0


def test_a_wholly_burned_rolling_position_leaves_nothing_to_roll(escrow, alice, bob, settle_entry,
                                                                settle_with_next_open):
    escrow.setRolling(1, 0, True, {"from": alice})
    tx = settle_with_next_open([settle_entry(alice, burn=100 * NMR), settle_entry(bob)])
    assert tx.events["StakeSettled"][0]["rolledInto"] == 0
    assert escrow.getStake(1, alice, 0)["status"] == SETTLED
    assert escrow.getRound(2)["stakerCount"] == 0


def test_taken_off_rolling_before_settlement_goes_to_the_wallet(escrow, nmr, alice, bob, settle_entry,
                                                               settle_with_next_open):
    escrow.setRolling(1, 0, True, {"from": alice})
    escrow.setRolling(1, 0, False, {"from": alice})
    before = nmr.balanceOf(alice)
    settle_with_next_open([settle_entry(alice), settle_entry(bob)])
    assert nmr.balanceOf(alice) == before + 100 * NMR


def test_a_rolled_stake_keeps_rolling_and_is_withdrawn_by_the_escape_hatch(escrow, nmr, alice, bob, settle_entry,
                                                                          settle_with_next_open, close_round):
    """Round 2's oracle never comes: after its resolvesBy the rolled stake comes back whole."""
    escrow.setRolling(1, 0, True, {"from": alice})
    settle_with_next_open([settle_entry(alice), settle_entry(bob)])
    close_round(2, past_deadline=True)
    before = nmr.balanceOf(alice)
    tx = escrow.withdrawStake(2, 0, {"from": alice})
    assert plain(tx.events["StakeWithdrawn"].values()) == [2, alice, 0, 100 * NMR]
    assert nmr.balanceOf(alice) == before + 100 * NMR
    _owed_equals_held(escrow, nmr)


def test_the_moved_position_cannot_be_withdrawn_from_its_old_round(escrow, alice, bob, settle_entry,
                                                                   settle_with_next_open, close_round):
    escrow.setRolling(1, 0, True, {"from": alice})
    settle_with_next_open([settle_entry(alice), settle_entry(bob)])
    close_round(1, past_deadline=True)
    with brownie.reverts(f"TournamentEscrowNoStake: 1, {alice.address.lower()}, 0"):
        escrow.withdrawStake(1, 0, {"from": alice})


def test_newest_round_is_the_highest_created(escrow, create_round):
    assert escrow.newestRound() == 1
    create_round(5)
    create_round(3)
    assert escrow.newestRound() == 5
