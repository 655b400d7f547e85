"""Property tests of settle: random batches against a model of the contract's checks.

Each example stakes three random positions, two of them one wallet's two models (model 0
and a random model number), funds the round with random pools, and posts one or two batches
built from random seeds: mostly within every bound, sometimes breaking one on purpose (burn
above stake, USD above the bid, NMR above the stake, a position twice, an outsider, a model
the wallet did not stake), while random pools make the pool bounds bite on their own. A batch the
model refuses must revert with the exact error and change nothing; an accepted one must
move exactly the computed amounts. Always: each pool's paid <= pool, burned <= settled
stake <= total staked, the escrow holds exactly the unsettled stakes and unspent pools.
"""

import brownie
import pytest
from brownie import chain
from brownie.test import given, strategy

from client.core.money.batches import settle_batch_hash
from tests.contracts.helpers import (
    ACTIVE,
    HASH,
    NMR,
    NMR_POOL_INDEX,
    SETTLED,
    STAKER_NMR,
    STAKING_POOL,
    USD,
    WAD,
    b32,
    bid,
    chain_now,
    examples,
    plain,
)

ROUND = 7
# What each example breaks on purpose (the pools, random, break batches on their own too).
BREAKS = ["none", "burn", "usd above bid", "nmr above stake", "twice", "outsider", "unstaked model"]


def first_error(entries, positions, usd_left, nmr_left):
    """The error the escrow must raise for `entries` (its checks, in its order), or None."""
    seen = set()
    for staker, model, burn, usd_reward, nmr_reward, _release in entries:
        who = staker.lower()
        if (staker, model) not in positions:
            return f"TournamentEscrowNoStake: {ROUND}, {who}, {model}"
        amount, confidence, status = positions[staker, model]
        if status != ACTIVE or (staker, model) in seen:
            return f"TournamentEscrowAlreadySettled: {ROUND}, {who}, {model}"
        if burn > amount:
            return f"TournamentEscrowBurnExceedsStake: {who}, {burn}, {amount}"
        if usd_reward:
            if usd_reward > bid(amount, confidence):
                return f"TournamentEscrowRewardExceedsBid: {who}, {usd_reward}, {bid(amount, confidence)}"
            if usd_reward > usd_left:
                return f"TournamentEscrowPoolExceeded: {ROUND}, {STAKING_POOL}, {usd_reward}, {usd_left}"
        if nmr_reward > amount:
            return f"TournamentEscrowRewardExceedsStake: {who}, {nmr_reward}, {amount}"
        if nmr_reward > nmr_left:
            return f"TournamentEscrowPoolExceeded: {ROUND}, {NMR_POOL_INDEX}, {nmr_reward}, {nmr_left}"
        usd_left -= usd_reward
        nmr_left -= nmr_reward
        seen.add((staker, model))
    return None


def _entries(owners, stakes, confidences, burns, usds, nmrs, broken, culprit, outsider):
    entries = []
    for i, (staker, model) in enumerate(owners):
        amount, limit = stakes[i], bid(stakes[i], confidences[i])
        burn, usd_reward, nmr_reward = burns[i] % (amount + 1), usds[i] % (limit + 1), nmrs[i] % (amount + 1)
        if i == culprit and broken == "burn":
            burn = amount + 1 + burns[i] % amount
        elif i == culprit and broken == "usd above bid":
            usd_reward = limit + 1 + usds[i] % (limit + 1)
        elif i == culprit and broken == "nmr above stake":
            nmr_reward = amount + 1 + nmrs[i] % amount
        entries.append((staker.address, model, burn, usd_reward, nmr_reward, False))
    if broken == "twice":
        entries.insert(culprit + 1, (owners[culprit][0].address, owners[culprit][1], 0, 0, 0, False))
    elif broken == "outsider":
        entries[culprit] = (outsider.address, 0, 0, 0, 0, False)
    elif broken == "unstaked model":
        # The first wallet staked models 0 and `model`; model + 1 (mod 2^32, never 0) it did not.
        unstaked = owners[1][1] % (2**32 - 1) + 1
        entries[culprit] = (owners[0][0].address, unstaked, 0, 0, 0, False)
    return entries


def _snapshot(nmr, usd, escrow, holders, owners):
    return (
        [(nmr.balanceOf(h), usd.balanceOf(h)) for h in holders],
        nmr.totalSupply(),
        plain(escrow.getRound(ROUND)),
        [plain(escrow.getStake(ROUND, s, m)) for s, m in owners],
    )


@pytest.mark.parametrize("broken", BREAKS)
@examples(5)
@given(
    st_usd_pool=strategy("uint256", max_value=5_000 * USD),
    st_nmr_pool=strategy("uint256", max_value=3_000 * NMR),
    st_stakes=strategy("uint256[3]", min_value=1, max_value=STAKER_NMR // 2),  # alice stakes two
    st_confidences=strategy("uint64[3]", min_value=WAD // 100, max_value=18 * WAD),
    st_burns=strategy("uint256[3]", max_value=2**96),
    st_usds=strategy("uint256[3]", max_value=2**96),
    st_nmrs=strategy("uint256[3]", max_value=2**96),
    st_culprit=strategy("uint8", max_value=2),
    st_split=strategy("uint8", max_value=3),
    st_model=strategy("uint32", min_value=1),
)
def test_random_settlements_keep_every_bound(
    nmr, usd, escrow, oracle, treasury, create_round, approved, rando, commit,
    st_usd_pool, st_nmr_pool, st_stakes, st_confidences, st_burns, st_usds, st_nmrs, st_culprit, st_split,
    st_model, broken,
):
    alice, bob = approved[:2]
    # Three positions, (staker, model): alice's models 0 and st_model, bob's model 0.
    owners = [(alice, 0), (alice, st_model), (bob, 0)]
    create_round(ROUND)
    if st_usd_pool or st_nmr_pool:
        escrow.fundRound(ROUND, st_usd_pool, 0, st_nmr_pool, {"from": treasury})
    for (staker, model), amount, confidence in zip(owners, st_stakes, st_confidences):
        escrow.stake(ROUND, model, amount, confidence, HASH, {"from": staker})
    chain.sleep(escrow.getRound(ROUND)["closesAt"] - chain_now() + 1)
    assert escrow.getRound(ROUND)["stakerCount"] == 3  # positions, not wallets

    positions = {(s.address, m): [a, c, ACTIVE] for (s, m), a, c in zip(owners, st_stakes, st_confidences)}
    entries = _entries(
        owners, st_stakes, st_confidences, st_burns, st_usds, st_nmrs, broken, st_culprit, rando
    )
    holders = [alice, bob, rando, escrow]
    keys = [(s.address, m) for s, m in owners]
    usd_left, nmr_left = st_usd_pool, st_nmr_pool
    batches = [entries[:st_split], entries[st_split:]]
    commit(ROUND, batches)
    posted = 0  # a refused batch is not posted: the next one then is not the committed next
    for batch in batches:
        before = _snapshot(nmr, usd, escrow, holders, keys)
        expected = first_error(batch, positions, usd_left, nmr_left)
        if batch is not batches[posted]:
            committed, sent = b32(settle_batch_hash(batches[posted])), b32(settle_batch_hash(batch))
            expected = f"TournamentEscrowBatchMismatch: {ROUND}, {posted}, {committed}, {sent}"
        if expected is not None:
            with brownie.reverts(expected):
                escrow.settle(ROUND, batch, {"from": oracle})
            assert _snapshot(nmr, usd, escrow, holders, keys) == before
            continue
        tx = escrow.settle(ROUND, batch, {"from": oracle})
        posted += 1
        # A wallet receives what each of its settled models earned, summed.
        wallets = {str(h): list(b) for h, b in zip(holders, before[0])}
        for staker, model, burn, usd_reward, nmr_reward, _release in batch:
            amount = positions[staker, model][0]
            positions[staker, model][2] = SETTLED
            usd_left, nmr_left = usd_left - usd_reward, nmr_left - nmr_reward
            wallets[staker][0] += amount - burn + nmr_reward
            wallets[staker][1] += usd_reward
        for holder in (alice, bob):
            assert [nmr.balanceOf(holder), usd.balanceOf(holder)] == wallets[holder.address]
        assert nmr.totalSupply() == before[1] - sum(e[2] for e in batch)
        settled = [plain(e.values())[1:] for e in tx.events["StakeSettled"]] if batch else []
        # No round is open to roll into: every kept amount went to its wallet (rolledInto 0).
        assert settled == [[*e[:5], 0] for e in batch]
        for staker, model in positions:
            assert escrow.getStake(ROUND, staker, model)["status"] == positions[staker, model][2]

    info = escrow.getRound(ROUND)
    assert (info["usdStakingPaid"], info["nmrPaid"]) == (st_usd_pool - usd_left, st_nmr_pool - nmr_left)
    assert info["usdStakingPaid"] <= info["usdStakingPool"] and info["nmrPaid"] <= info["nmrPool"]
    assert info["totalBurned"] <= info["settledStake"] <= info["totalStaked"] == sum(st_stakes)
    unsettled = sum(p[0] for p in positions.values() if p[2] == ACTIVE)
    assert info["totalStaked"] - info["settledStake"] == unsettled
    assert nmr.balanceOf(escrow) == unsettled + nmr_left
    assert usd.balanceOf(escrow) == usd_left
