"""createRound: the oracle opens a round with no pools; resolvesBy is bounded after closesAt."""

import brownie
from brownie import chain

from tests.contracts.helpers import MAX_RESOLUTION_DELAY, plain, role_error


def _schedule(closes_in=3600, window=3600):
    closes_at = chain.time() + closes_in
    return closes_at, closes_at + window


def test_create_round_records_schedule_and_emits(escrow, oracle):
    closes_at, resolves_by = _schedule()
    tx = escrow.createRound(7, closes_at, resolves_by, {"from": oracle})
    assert plain(tx.events["RoundCreated"].values()) == [7, closes_at, resolves_by]
    assert plain(escrow.getRound(7)) == [closes_at, resolves_by, brownie.ZERO_ADDRESS] + [0] * 11 + [0, 0]


def test_resolution_delay_may_reach_the_bound(escrow, oracle):
    closes_at, resolves_by = _schedule(window=MAX_RESOLUTION_DELAY)
    escrow.createRound(1, closes_at, resolves_by, {"from": oracle})
    assert escrow.getRound(1)["resolvesBy"] - escrow.getRound(1)["closesAt"] == MAX_RESOLUTION_DELAY


def test_resolution_delay_beyond_the_bound_reverts(escrow, oracle):
    closes_at, resolves_by = _schedule(window=MAX_RESOLUTION_DELAY + 1)
    with brownie.reverts(f"TournamentEscrowInvalidSchedule: {closes_at}, {resolves_by}"):
        escrow.createRound(1, closes_at, resolves_by, {"from": oracle})


def test_close_in_the_past_reverts(escrow, oracle):
    closes_at = chain.time() - 1
    with brownie.reverts(f"TournamentEscrowInvalidSchedule: {closes_at}, {closes_at + 10}"):
        escrow.createRound(1, closes_at, closes_at + 10, {"from": oracle})


def test_deadline_not_after_close_reverts(escrow, oracle):
    closes_at, _ = _schedule()
    for resolves_by in (closes_at, closes_at - 1):
        with brownie.reverts(f"TournamentEscrowInvalidSchedule: {closes_at}, {resolves_by}"):
            escrow.createRound(1, closes_at, resolves_by, {"from": oracle})


def test_deadline_beyond_uint40_reverts(escrow, oracle):
    closes_at, resolves_by = 2**40 - 10, 2**40 + 1
    with brownie.reverts(f"TournamentEscrowInvalidSchedule: {closes_at}, {resolves_by}"):
        escrow.createRound(1, closes_at, resolves_by, {"from": oracle})


def test_existing_round_reverts(escrow, oracle):
    closes_at, resolves_by = _schedule()
    escrow.createRound(1, closes_at, resolves_by, {"from": oracle})
    with brownie.reverts("TournamentEscrowRoundExists: 1"):
        escrow.createRound(1, closes_at + 5, resolves_by + 5, {"from": oracle})


def test_only_the_oracle_creates(escrow, admin, rando):
    closes_at, resolves_by = _schedule()
    for caller in (admin, rando):
        with brownie.reverts(role_error(caller, escrow.ORACLE_ROLE())):
            escrow.createRound(1, closes_at, resolves_by, {"from": caller})


def test_create_round_works_while_paused(escrow, oracle, pauser):
    escrow.pause({"from": pauser})
    closes_at, resolves_by = _schedule()
    escrow.createRound(1, closes_at, resolves_by, {"from": oracle})
    assert escrow.getRound(1)["closesAt"] == closes_at


def test_creating_moves_no_tokens(escrow, nmr, usd, oracle, treasury):
    """The oracle opens rounds; it never pulls a pool from anyone (funding is fundRound's)."""
    nmr.approve(escrow, 2**256 - 1, {"from": treasury})
    usd.approve(escrow, 2**256 - 1, {"from": treasury})
    before = nmr.balanceOf(treasury), usd.balanceOf(treasury)
    closes_at, resolves_by = _schedule()
    tx = escrow.createRound(1, closes_at, resolves_by, {"from": oracle})
    assert "Transfer" not in tx.events
    assert (nmr.balanceOf(treasury), usd.balanceOf(treasury)) == before
