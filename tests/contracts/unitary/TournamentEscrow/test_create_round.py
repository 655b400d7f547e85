"""createRound: the oracle opens a round with no pools, naming its funder and committing
its dataset's digest; the round number is non-zero, resolvesBy is bounded after closesAt."""

import brownie

from tests.contracts.helpers import (
    CHALLENGE_WINDOW,
    DATASET_DIGEST,
    DAY,
    MAX_RESOLUTION_DELAY,
    RULING_PERIOD,
    b32,
    chain_now,
    hex0x,
    plain,
    role_error,
)


def _schedule(closes_in=3600, window=3 * DAY):
    closes_at = chain_now() + closes_in
    return closes_at, closes_at + window


def test_create_round_records_schedule_and_emits(escrow, oracle, treasury):
    closes_at, resolves_by = _schedule()
    tx = escrow.createRound(7, closes_at, resolves_by, treasury, DATASET_DIGEST, {"from": oracle})
    assert plain(tx.events["RoundCreated"].values()) == [7, closes_at, resolves_by, treasury, hex0x(DATASET_DIGEST)]
    info = escrow.getRound(7)
    assert plain(info)[:16] == [closes_at, resolves_by, treasury] + [0] * 11 + [0, 0]
    assert (hex0x(info["datasetDigest"]), hex0x(info["resultsDigest"])) == (hex0x(DATASET_DIGEST), hex0x(bytes(32)))
    assert (info["challengeEndsAt"], info["batchCount"], info["batchesSettled"], info["voided"]) == (0, 0, 0, False)
    assert info["disputer"] == brownie.ZERO_ADDRESS


def test_resolution_delay_may_reach_the_bound(escrow, oracle, treasury):
    closes_at, resolves_by = _schedule(window=MAX_RESOLUTION_DELAY)
    escrow.createRound(1, closes_at, resolves_by, treasury, DATASET_DIGEST, {"from": oracle})
    assert escrow.getRound(1)["resolvesBy"] - escrow.getRound(1)["closesAt"] == MAX_RESOLUTION_DELAY


def test_resolution_delay_beyond_the_bound_reverts(escrow, oracle, treasury):
    closes_at, resolves_by = _schedule(window=MAX_RESOLUTION_DELAY + 1)
    with brownie.reverts(f"TournamentEscrowInvalidSchedule: {closes_at}, {resolves_by}"):
        escrow.createRound(1, closes_at, resolves_by, treasury, DATASET_DIGEST, {"from": oracle})


def test_a_resolution_window_that_cannot_hold_the_challenge_and_a_ruling_reverts(escrow, oracle, treasury):
    """Results committed at the close still need the window and the ruling period before
    resolvesBy: a shorter round could only end by the escape hatch."""
    needed = CHALLENGE_WINDOW + RULING_PERIOD
    closes_at, resolves_by = _schedule(window=needed)
    with brownie.reverts(f"TournamentEscrowResolutionTooShort: {needed}, {needed}"):
        escrow.createRound(1, closes_at, resolves_by, treasury, DATASET_DIGEST, {"from": oracle})
    closes_at, resolves_by = _schedule(window=needed + 1)
    escrow.createRound(1, closes_at, resolves_by, treasury, DATASET_DIGEST, {"from": oracle})


def test_close_in_the_past_reverts(escrow, oracle, treasury):
    closes_at = chain_now() - 1
    with brownie.reverts(f"TournamentEscrowInvalidSchedule: {closes_at}, {closes_at + 10}"):
        escrow.createRound(1, closes_at, closes_at + 10, treasury, DATASET_DIGEST, {"from": oracle})


def test_deadline_not_after_close_reverts(escrow, oracle, treasury):
    closes_at, _ = _schedule()
    for resolves_by in (closes_at, closes_at - 1):
        with brownie.reverts(f"TournamentEscrowInvalidSchedule: {closes_at}, {resolves_by}"):
            escrow.createRound(1, closes_at, resolves_by, treasury, DATASET_DIGEST, {"from": oracle})


def test_deadline_beyond_uint40_reverts(escrow, oracle, treasury):
    closes_at, resolves_by = 2**40 - 10, 2**40 + 1
    with brownie.reverts(f"TournamentEscrowInvalidSchedule: {closes_at}, {resolves_by}"):
        escrow.createRound(1, closes_at, resolves_by, treasury, DATASET_DIGEST, {"from": oracle})


def test_existing_round_reverts(escrow, oracle, treasury):
    closes_at, resolves_by = _schedule()
    escrow.createRound(1, closes_at, resolves_by, treasury, DATASET_DIGEST, {"from": oracle})
    with brownie.reverts("TournamentEscrowRoundExists: 1"):
        escrow.createRound(1, closes_at + 5, resolves_by + 5, treasury, DATASET_DIGEST, {"from": oracle})


def test_only_the_oracle_creates(escrow, admin, rando, treasury):
    closes_at, resolves_by = _schedule()
    for caller in (admin, rando):
        with brownie.reverts(role_error(caller, escrow.ORACLE_ROLE())):
            escrow.createRound(1, closes_at, resolves_by, treasury, DATASET_DIGEST, {"from": caller})


def test_create_round_works_while_paused(escrow, oracle, pauser, treasury):
    escrow.pause({"from": pauser})
    closes_at, resolves_by = _schedule()
    escrow.createRound(1, closes_at, resolves_by, treasury, DATASET_DIGEST, {"from": oracle})
    assert escrow.getRound(1)["closesAt"] == closes_at


def test_creating_moves_no_tokens(escrow, nmr, usd, oracle, treasury):
    """The oracle opens rounds; it never pulls a pool from anyone (funding is fundRound's)."""
    nmr.approve(escrow, 2**256 - 1, {"from": treasury})
    usd.approve(escrow, 2**256 - 1, {"from": treasury})
    before = nmr.balanceOf(treasury), usd.balanceOf(treasury)
    closes_at, resolves_by = _schedule()
    tx = escrow.createRound(1, closes_at, resolves_by, treasury, DATASET_DIGEST, {"from": oracle})
    assert "Transfer" not in tx.events
    assert (nmr.balanceOf(treasury), usd.balanceOf(treasury)) == before


def test_round_zero_reverts(escrow, oracle, treasury):
    """Round numbers start at 1: 0 is what an unknown round reads as."""
    closes_at, resolves_by = _schedule()
    with brownie.reverts("TournamentEscrowZeroRoundId: "):
        escrow.createRound(0, closes_at, resolves_by, treasury, DATASET_DIGEST, {"from": oracle})


def test_no_funder_reverts(escrow, oracle):
    closes_at, resolves_by = _schedule()
    with brownie.reverts("TournamentEscrowZeroAddress: "):
        escrow.createRound(1, closes_at, resolves_by, brownie.ZERO_ADDRESS, DATASET_DIGEST, {"from": oracle})


def test_no_dataset_digest_reverts(escrow, oracle, treasury):
    closes_at, resolves_by = _schedule()
    with brownie.reverts("TournamentEscrowZeroDigest: "):
        escrow.createRound(1, closes_at, resolves_by, treasury, bytes(32), {"from": oracle})


def test_the_dataset_digest_is_the_one_committed(escrow, oracle, sponsor):
    digest = b"\x42" * 32
    closes_at, resolves_by = _schedule()
    tx = escrow.createRound(3, closes_at, resolves_by, sponsor, digest, {"from": oracle})
    assert b32(escrow.getRound(3)["datasetDigest"]) == b32(digest)
    assert tx.events["RoundCreated"]["funder"] == sponsor
