"""Property tests of payPrizes: random prize lists (sizes up to 101, unsorted, duplicated,
the zero address, sums around the pools, an NMR pool partly spent by stake rewards first)
against a model of the contract's checks."""

import random

import brownie
import pytest
from brownie import chain
from brownie.test import given, strategy

from tests.contracts.helpers import (
    HASH,
    NMR,
    NMR_POOL_INDEX,
    PRIZE_POOL,
    USD,
    WAD,
    chain_now,
    examples,
    plain,
)

ROUND = 1
CANDIDATES = sorted(
    (brownie.convert.to_address(f"0x{0xABC000 + i * 7919:040x}") for i in range(101)), key=lambda a: int(a, 16)
)
FAULTS = ["none", "swap", "duplicate", "zero address", "too many"]


def first_error(prizes, usd_left, nmr_left):
    """The error the escrow must raise for `prizes` (its checks, in its order), or None."""
    if len(prizes) > 100:
        return f"TournamentEscrowTooManyWinners: {len(prizes)}, 100"
    previous = 0
    for index, (winner, _usd, _nmr) in enumerate(prizes):
        if int(winner, 16) <= previous:
            return f"TournamentEscrowWinnersNotAscending: {index}, {winner.lower()}"
        previous = int(winner, 16)
    usd_total, nmr_total = sum(p[1] for p in prizes), sum(p[2] for p in prizes)
    if usd_total > usd_left:
        return f"TournamentEscrowPoolExceeded: {ROUND}, {PRIZE_POOL}, {usd_total}, {usd_left}"
    if nmr_total > nmr_left:
        return f"TournamentEscrowPoolExceeded: {ROUND}, {NMR_POOL_INDEX}, {nmr_total}, {nmr_left}"
    return None


def _prizes(count, seed, fault, usd_pool, nmr_pool):
    rng = random.Random(seed)
    winners = sorted(rng.sample(CANDIDATES, count), key=lambda a: int(a, 16))
    # Each prize up to twice an even share: the sums land on both sides of the pools.
    prizes = [
        [w, rng.randint(0, 2 * usd_pool // max(count, 1)), rng.randint(0, 2 * nmr_pool // max(count, 1))]
        for w in winners
    ]
    if prizes and rng.random() < 0.25:  # now and then a list that spends a pool exactly
        prizes[-1][1] = max(0, usd_pool - sum(p[1] for p in prizes[:-1]))
    if len(prizes) >= 2 and fault == "swap":
        i = rng.randrange(len(prizes) - 1)
        prizes[i], prizes[i + 1] = prizes[i + 1], prizes[i]
    elif prizes and fault == "duplicate":
        i = rng.randrange(len(prizes))
        prizes.insert(i, [prizes[i][0], 1, 1])
    elif fault == "zero address":
        prizes.insert(0, [brownie.ZERO_ADDRESS, 0, 0])
    return [tuple(p) for p in prizes]


@pytest.mark.parametrize("fault", FAULTS)
@examples(5)
@given(
    st_count=strategy("uint8", max_value=10),
    st_seed=strategy("uint32"),
    st_nmr_spent=strategy("uint256", max_value=1_000 * NMR),
)
def test_random_prize_lists(
    nmr, usd, escrow, oracle, round_one, alice, commit, st_count, st_seed, st_nmr_spent, fault
):
    # 0..9 winners or the most allowed, 100; one more than that for "too many".
    count = 101 if fault == "too many" else st_count if st_count < 10 else 100
    if st_nmr_spent:  # stake rewards spend part of the shared NMR pool first
        escrow.stake(ROUND, 0, 1_000 * NMR, WAD, HASH, {"from": alice})
    chain.sleep(escrow.getRound(ROUND)["closesAt"] - chain_now() + 1)
    usd_left, nmr_left = 1_000 * USD, 1_000 * NMR - st_nmr_spent
    prizes = _prizes(count, st_seed, fault, usd_left, nmr_left)
    batches = [[(alice.address, 0, 0, 0, st_nmr_spent, False)]] if st_nmr_spent else []
    commit(ROUND, batches, prizes)
    for batch in batches:
        escrow.settle(ROUND, batch, {"from": oracle})
    held = nmr.balanceOf(escrow), usd.balanceOf(escrow)

    expected = first_error(prizes, usd_left, nmr_left)
    if expected is not None:
        with brownie.reverts(expected):
            escrow.payPrizes(ROUND, prizes, {"from": oracle})
        assert (nmr.balanceOf(escrow), usd.balanceOf(escrow)) == held
        assert not escrow.getRound(ROUND)["prizesPaid"]
        return

    tx = escrow.payPrizes(ROUND, prizes, {"from": oracle})
    usd_total, nmr_total = sum(p[1] for p in prizes), sum(p[2] for p in prizes)
    # The chain's record of every token that left the escrow: exactly the list, in order.
    moved = [(e["to"], e.address, e["value"]) for e in tx.events["Transfer"]] if "Transfer" in tx.events else []
    planned = []
    for winner, usd_prize, nmr_prize in prizes:
        planned += [(winner, usd.address, usd_prize)] * bool(usd_prize)
        planned += [(winner, nmr.address, nmr_prize)] * bool(nmr_prize)
    assert moved == planned
    for winner, usd_prize, nmr_prize in prizes[:3] + prizes[-3:]:
        assert (usd.balanceOf(winner), nmr.balanceOf(winner)) == (usd_prize, nmr_prize)
    assert (nmr.balanceOf(escrow), usd.balanceOf(escrow)) == (held[0] - nmr_total, held[1] - usd_total)
    assert plain(tx.events["PrizesAwarded"].values()) == [ROUND, len(prizes), usd_total, nmr_total]
    info = escrow.getRound(ROUND)
    assert (info["usdPrizePaid"], info["nmrPaid"]) == (usd_total, st_nmr_spent + nmr_total)
    assert info["usdPrizePaid"] <= info["usdPrizePool"] and info["nmrPaid"] <= info["nmrPool"]
    with brownie.reverts(f"TournamentEscrowPrizesAlreadyPaid: {ROUND}"):
        escrow.payPrizes(ROUND, [], {"from": oracle})
