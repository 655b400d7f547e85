"""settle: per stake a burn (at most the stake), a USD reward (at most the bid and what is left
of the USD staking pool) and an NMR reward (at most the stake and what is left of the NMR
pool); each stake once, only the oracle, only the batches the oracle committed, in order,
after the challenge window and before resolvesBy.

A batch that breaks a bound is committed first here, to show the bounds still hold for a
committed plan (the hash check comes first; test_commit_results.py covers it)."""

import brownie
import pytest
from brownie import chain

from client.core.money.batches import settle_batch_hash
from tests.contracts.helpers import (
    ACTIVE,
    CHALLENGE_WINDOW,
    NMR,
    NMR_POOL_INDEX,
    SETTLED,
    STAKING_POOL,
    USD,
    WAD,
    b32,
    plain,
    role_error,
)


@pytest.fixture(scope="module", autouse=True)
def round_one(open_round):
    """Round 1 with the default pools: $3,000 staking, $1,000 prizes, 1,000 NMR."""
    return open_round(1)


@pytest.fixture
def staked(stake, close_round, alice, bob, carol):
    """alice 100 NMR at confidence 1 (bid $100), bob 200 at 4 ($50), carol 50 at 0.5 ($100); closed."""
    stake(alice, 100 * NMR, confidence=WAD)
    stake(bob, 200 * NMR, confidence=4 * WAD)
    stake(carol, 50 * NMR, confidence=WAD // 2)
    close_round(1)


@pytest.fixture
def post(escrow, oracle, commit):
    """Commits `batches` (and an empty prize list) for round `round_id`, waits out the
    challenge window, then posts them; returns the last transaction."""

    def _post(*batches, round_id=1):
        commit(round_id, batches)
        tx = None
        for batch in batches:
            tx = escrow.settle(round_id, batch, {"from": oracle})
        return tx

    return _post


def _wallets(nmr, usd, *holders):
    return [(nmr.balanceOf(h), usd.balanceOf(h)) for h in holders]


def test_release_with_usd_reward(escrow, nmr, usd, alice, staked, settle_entry, post):
    (nmr_before, usd_before), = _wallets(nmr, usd, alice)
    held = nmr.balanceOf(escrow), usd.balanceOf(escrow)
    tx = post([settle_entry(alice, usd_reward=60 * USD)])
    assert _wallets(nmr, usd, alice) == [(nmr_before + 100 * NMR, usd_before + 60 * USD)]
    assert (nmr.balanceOf(escrow), usd.balanceOf(escrow)) == (held[0] - 100 * NMR, held[1] - 60 * USD)
    assert plain(tx.events["StakeSettled"].values()) == [1, alice, 0, 0, 60 * USD, 0, 0]
    assert plain(escrow.getStake(1, alice, 0)) == [100 * NMR, WAD, SETTLED, False]
    info = escrow.getRound(1)
    assert (info["usdStakingPaid"], info["settledStake"], info["settledCount"], info["totalBurned"]) == (
        60 * USD, 100 * NMR, 1, 0,
    )


def test_whole_burn_destroys_the_stake(escrow, nmr, usd, bob, staked, settle_entry, post):
    before, supply = _wallets(nmr, usd, bob), nmr.totalSupply()
    tx = post([settle_entry(bob, burn=200 * NMR)])
    assert _wallets(nmr, usd, bob) == before
    assert nmr.totalSupply() == supply - 200 * NMR
    assert plain(tx.events["Transfer"].values()) == [escrow, brownie.ZERO_ADDRESS, 200 * NMR]
    assert plain(tx.events["StakeSettled"].values()) == [1, bob, 0, 200 * NMR, 0, 0, 0]
    assert escrow.getRound(1)["totalBurned"] == 200 * NMR


def test_partial_burn_and_nmr_reward(escrow, nmr, alice, bob, staked, settle_entry, post):
    """The corr policy: a negative score burns part of the stake, a positive one earns NMR."""
    alice_before, bob_before, supply = nmr.balanceOf(alice), nmr.balanceOf(bob), nmr.totalSupply()
    post([settle_entry(alice, nmr_reward=20 * NMR), settle_entry(bob, burn=30 * NMR)])
    assert nmr.balanceOf(alice) == alice_before + 120 * NMR
    assert nmr.balanceOf(bob) == bob_before + 170 * NMR
    assert nmr.totalSupply() == supply - 30 * NMR
    info = escrow.getRound(1)
    assert (info["nmrPaid"], info["totalBurned"], info["usdStakingPaid"]) == (20 * NMR, 30 * NMR, 0)


def test_burn_and_both_rewards_on_one_stake(escrow, nmr, usd, alice, staked, settle_entry, post):
    before = _wallets(nmr, usd, alice)[0]
    post([settle_entry(alice, 40 * NMR, 100 * USD, 100 * NMR)])
    assert _wallets(nmr, usd, alice) == [(before[0] + 160 * NMR, before[1] + 100 * USD)]


def test_batches_settle_in_order_and_add_up(escrow, oracle, alice, bob, carol, staked, settle_entry, commit):
    first = [settle_entry(bob, 0, 50 * USD), settle_entry(alice, burn=NMR)]
    second = [settle_entry(carol, 0, 100 * USD, 5 * NMR)]
    commit(1, [first, second])
    tx = escrow.settle(1, first, {"from": oracle})
    assert [plain(e.values()) for e in tx.events["StakeSettled"]] == [
        [1, bob, 0, 0, 50 * USD, 0, 0],
        [1, alice, 0, NMR, 0, 0, 0],
    ]
    assert plain(tx.events["BatchPosted"].values()) == [1, 0]
    tx = escrow.settle(1, second, {"from": oracle})
    assert plain(tx.events["BatchPosted"].values()) == [1, 1]
    info = escrow.getRound(1)
    assert (info["settledCount"], info["settledStake"], info["totalBurned"]) == (3, 350 * NMR, NMR)
    assert (info["usdStakingPaid"], info["nmrPaid"]) == (150 * USD, 5 * NMR)
    assert [escrow.getStake(1, s, 0)["status"] for s in (alice, bob, carol)] == [SETTLED] * 3
    assert escrow.getRound(1)["batchesSettled"] == 2


def test_empty_batch_changes_nothing_but_the_batch_index(escrow, staked, post):
    tx = post([])
    assert "StakeSettled" not in tx.events
    assert (escrow.getRound(1)["settledCount"], escrow.getRound(1)["batchesSettled"]) == (0, 1)


def test_settle_works_while_paused(escrow, pauser, alice, staked, settle_entry, post):
    escrow.pause({"from": pauser})
    post([settle_entry(alice)])
    assert escrow.getStake(1, alice, 0)["status"] == SETTLED


@pytest.mark.parametrize("excess", [1, 0], ids=["bid + 1 reverts", "the bid settles"])
def test_reward_may_equal_the_bid_rounded_down(escrow, stake, close_round, oracle, alice, settle_entry, post, excess):
    """1 NMR at confidence 3 bids $0.333333 (rounded down to the unit): exactly that is fine."""
    stake(alice, NMR, confidence=3 * WAD, round_id=1)
    close_round(1)
    bid = NMR * USD // (3 * WAD)
    assert bid == 333_333
    batch = [settle_entry(alice, usd_reward=bid + excess)]
    if excess:
        with brownie.reverts(f"TournamentEscrowRewardExceedsBid: {alice.address.lower()}, {bid + 1}, {bid}"):
            post(batch)
    else:
        post(batch)
        assert escrow.getRound(1)["usdStakingPaid"] == bid


@pytest.mark.parametrize("usd_reward", [1, 0], ids=["$0.000001 reverts", "no USD settles"])
def test_the_bid_is_checked_only_for_a_usd_reward(escrow, stake, close_round, alice, settle_entry, post, usd_reward):
    """A stake of 1e-5 NMR at the widest confidence bids $0 (rounded down): it still settles,
    with no USD reward."""
    amount = 10**13
    stake(alice, amount, confidence=2**64 - 1, round_id=1)
    close_round(1)
    assert amount * USD // (2**64 - 1) == 0
    if usd_reward:
        with brownie.reverts(f"TournamentEscrowRewardExceedsBid: {alice.address.lower()}, 1, 0"):
            post([settle_entry(alice, usd_reward=1)])
    else:
        post([settle_entry(alice, nmr_reward=amount)])
        assert escrow.getStake(1, alice, 0)["status"] == SETTLED


# ---- the whitepaper's auction (section 3.3), posted as the oracle computes it ---------

AUCTION = [
    # name, stake (NMR), confidence (WAD), logloss < ln 2, USD won
    ("WSW", 10_000, 5 * WAD, False, 0),
    ("XIRAX", 2_000, 4 * WAD, True, 500),
    ("PHIL", 3_000, 15 * WAD // 10, True, 2_000),
    ("DAENRIS", 5_000, 1 * WAD, False, 0),
    ("ABRIOSI", 300, WAD // 2, True, 500),
    ("BELOW", 100, WAD // 4, True, 0),  # below the pool cut: stake back, $0
]


def test_whitepaper_auction_settles_on_chain(
    escrow, nmr, usd, oracle, local_account, close_round, settle_entry, commit
):
    """Pool $3,000: WSW and DAENRIS burned whole (nothing taken from the pool), XIRAX $500,
    PHIL $2,000, ABRIOSI $500 ($100 short of his $600 bid: the pool is exhausted), the
    stake below the cut comes back with $0."""
    people = {}
    for name, amount, confidence, _good, _won in AUCTION:
        people[name] = local_account(f"whitepaper-{name}", amount * NMR)
        nmr.approve(escrow, amount * NMR, {"from": people[name]})
        escrow.stake(1, 0, amount * NMR, confidence, b"\x01" * 32, {"from": people[name]})
    close_round(1)
    plan = [
        settle_entry(people[name], 0 if good else amount * NMR, won * USD)
        for name, amount, _c, good, won in AUCTION
    ]

    commit(1, [plan])
    # Only the committed plan settles: ABRIOSI's full $600 bid is another plan.
    abriosi = plan[:4] + [(*plan[4][:3], 600 * USD, 0, False)] + plan[5:]
    committed = settle_batch_hash(plan)
    with brownie.reverts(f"TournamentEscrowBatchMismatch: 1, 0, {b32(committed)}, {b32(settle_batch_hash(abriosi))}"):
        escrow.settle(1, abriosi, {"from": oracle})

    supply = nmr.totalSupply()
    escrow.settle(1, plan, {"from": oracle})

    for name, amount, _c, good, won in AUCTION:
        assert nmr.balanceOf(people[name]) == (amount * NMR if good else 0), name
        assert usd.balanceOf(people[name]) == won * USD, name
    assert nmr.totalSupply() == supply - 15_000 * NMR
    info = escrow.getRound(1)
    assert (info["usdStakingPaid"], info["usdStakingPool"]) == (3_000 * USD, 3_000 * USD)
    assert (info["totalBurned"], info["settledCount"]) == (15_000 * NMR, 6)


# ---- errors ------------------------------------------------------------------------


def test_unknown_round_reverts(escrow, oracle):
    with brownie.reverts("TournamentEscrowUnknownRound: 2"):
        escrow.settle(2, [], {"from": oracle})


def test_settle_before_close_reverts(escrow, stake, oracle, alice, settle_entry):
    stake(alice, NMR)
    closes_at = escrow.getRound(1)["closesAt"]
    with brownie.reverts(f"TournamentEscrowRoundOpen: 1, {closes_at}"):
        escrow.settle(1, [settle_entry(alice)], {"from": oracle})


def test_settle_before_commit_reverts(escrow, oracle, alice, staked, settle_entry):
    with brownie.reverts("TournamentEscrowNotCommitted: 1"):
        escrow.settle(1, [settle_entry(alice)], {"from": oracle})


def test_settle_during_the_challenge_window_reverts(escrow, oracle, alice, staked, settle_entry, commit):
    batch = [settle_entry(alice)]
    commit(1, [batch], wait=False)
    ends = escrow.getRound(1)["challengeEndsAt"]
    with brownie.reverts(f"TournamentEscrowChallengeWindowOpen: 1, {ends}"):
        escrow.settle(1, batch, {"from": oracle})


def test_settle_while_disputed_reverts(escrow, nmr, oracle, rando, alice, staked, settle_entry, commit):
    batch = [settle_entry(alice)]
    commit(1, [batch], wait=False)
    nmr.approve(escrow, escrow.disputeBond(), {"from": rando})
    escrow.dispute(1, {"from": rando})
    chain.sleep(CHALLENGE_WINDOW + 1)
    with brownie.reverts(f"TournamentEscrowRoundDisputed: 1, {rando.address.lower()}"):
        escrow.settle(1, batch, {"from": oracle})


def test_a_batch_not_committed_reverts(escrow, oracle, alice, staked, settle_entry, commit):
    """The oracle can post nothing it did not commit: one unit more for alice is another plan."""
    committed = [settle_entry(alice, usd_reward=10 * USD)]
    commit(1, [committed])
    other = [settle_entry(alice, usd_reward=10 * USD + 1)]
    expected, posted = b32(settle_batch_hash(committed)), b32(settle_batch_hash(other))
    with brownie.reverts(f"TournamentEscrowBatchMismatch: 1, 0, {expected}, {posted}"):
        escrow.settle(1, other, {"from": oracle})


def test_committed_batches_post_only_in_order(escrow, oracle, alice, bob, staked, settle_entry, commit):
    first, second = [settle_entry(alice)], [settle_entry(bob)]
    commit(1, [first, second])
    with brownie.reverts(
        f"TournamentEscrowBatchMismatch: 1, 0, {b32(settle_batch_hash(first))}, {b32(settle_batch_hash(second))}"
    ):
        escrow.settle(1, second, {"from": oracle})


def test_the_prize_list_hash_is_not_a_settle_batch(escrow, oracle, alice, staked, settle_entry, commit):
    """The last committed hash is the prize list's: once the settle batches are posted,
    another settle has nothing left to match."""
    batch = [settle_entry(alice)]
    commit(1, [batch])
    escrow.settle(1, batch, {"from": oracle})
    with brownie.reverts("TournamentEscrowBatchesExhausted: 1"):
        escrow.settle(1, [], {"from": oracle})


def test_settle_after_the_deadline_reverts(escrow, oracle, alice, staked, close_round, settle_entry):
    close_round(1, past_deadline=True)
    resolves_by = escrow.getRound(1)["resolvesBy"]
    with brownie.reverts(f"TournamentEscrowSettlementWindowOver: 1, {resolves_by}"):
        escrow.settle(1, [settle_entry(alice)], {"from": oracle})


def test_settle_after_finalize_reverts(escrow, oracle, alice, bob, carol, staked, settle_entry, post):
    post([settle_entry(s) for s in (alice, bob, carol)])
    escrow.payPrizes(1, [], {"from": oracle})
    escrow.finalize(1, {"from": oracle})
    with brownie.reverts("TournamentEscrowAlreadyFinalized: 1"):
        escrow.settle(1, [], {"from": oracle})


def test_address_without_stake_reverts(rando, staked, settle_entry, post):
    with brownie.reverts(f"TournamentEscrowNoStake: 1, {rando.address.lower()}, 0"):
        post([settle_entry(rando)])


def test_second_settlement_of_a_stake_reverts(alice, staked, settle_entry, post):
    with brownie.reverts(f"TournamentEscrowAlreadySettled: 1, {alice.address.lower()}, 0"):
        post([settle_entry(alice, usd_reward=USD)], [settle_entry(alice, usd_reward=USD)])


def test_same_staker_twice_in_a_batch_reverts(alice, bob, staked, settle_entry, post):
    with brownie.reverts(f"TournamentEscrowAlreadySettled: 1, {alice.address.lower()}, 0"):
        post([settle_entry(alice), settle_entry(bob), settle_entry(alice)])


def test_burn_above_stake_reverts(alice, staked, settle_entry, post):
    burn = 100 * NMR + 1
    with brownie.reverts(f"TournamentEscrowBurnExceedsStake: {alice.address.lower()}, {burn}, {100 * NMR}"):
        post([settle_entry(alice, burn=burn)])


def test_usd_reward_above_bid_reverts(bob, staked, settle_entry, post):
    """bob staked 200 NMR at confidence 4: he bid for $50."""
    with brownie.reverts(f"TournamentEscrowRewardExceedsBid: {bob.address.lower()}, {50 * USD + 1}, {50 * USD}"):
        post([settle_entry(bob, usd_reward=50 * USD + 1)])


@pytest.mark.parametrize("excess", [1, 0], ids=["past the pool reverts", "the whole pool settles"])
def test_usd_rewards_beyond_the_staking_pool_revert(escrow, stake, close_round, alice, bob, settle_entry, post, excess):
    """Each bid fits alone ($2,000 each at confidence 1); together they pass the $3,000 pool."""
    stake(alice, 2_000 * NMR)
    stake(bob, 2_000 * NMR)
    close_round(1)
    batch = [settle_entry(alice, usd_reward=2_000 * USD), settle_entry(bob, usd_reward=1_000 * USD + excess)]
    if excess:
        with brownie.reverts(f"TournamentEscrowPoolExceeded: 1, {STAKING_POOL}, {1_000 * USD + 1}, {1_000 * USD}"):
            post(batch)
    else:
        post(batch)
        assert escrow.getRound(1)["usdStakingPaid"] == 3_000 * USD


def test_the_staking_pool_is_bounded_across_batches(stake, close_round, alice, bob, settle_entry, post):
    stake(alice, 2_000 * NMR)
    stake(bob, 2_000 * NMR)
    close_round(1)
    with brownie.reverts(f"TournamentEscrowPoolExceeded: 1, {STAKING_POOL}, {1_001 * USD}, {1_000 * USD}"):
        post([settle_entry(alice, usd_reward=2_000 * USD)], [settle_entry(bob, usd_reward=1_001 * USD)])


def test_the_prize_pool_does_not_back_auction_rewards(escrow, usd, stake, close_round, alice, settle_entry, post):
    """The escrow holds $4,000 for round 1, but only $3,000 of it is the staking pool."""
    stake(alice, 4_000 * NMR)
    close_round(1)
    assert usd.balanceOf(escrow) == 4_000 * USD
    with brownie.reverts(f"TournamentEscrowPoolExceeded: 1, {STAKING_POOL}, {3_000 * USD + 1}, {3_000 * USD}"):
        post([settle_entry(alice, usd_reward=3_000 * USD + 1)])


@pytest.mark.parametrize("reward", ["usd", "nmr", "none"])
def test_unfunded_round_pays_no_rewards(escrow, stake, create_round, alice, close_round, settle_entry, post, reward):
    create_round(2)
    stake(alice, NMR, round_id=2)
    close_round(2)
    if reward == "none":
        post([settle_entry(alice, burn=NMR // 2)], round_id=2)
        assert escrow.getRound(2)["totalBurned"] == NMR // 2
        return
    pool = STAKING_POOL if reward == "usd" else NMR_POOL_INDEX
    entry = settle_entry(alice, usd_reward=1) if reward == "usd" else settle_entry(alice, nmr_reward=1)
    with brownie.reverts(f"TournamentEscrowPoolExceeded: 2, {pool}, 1, 0"):
        post([entry], round_id=2)


def test_nmr_reward_above_stake_reverts(carol, staked, settle_entry, post):
    with brownie.reverts(f"TournamentEscrowRewardExceedsStake: {carol.address.lower()}, {50 * NMR + 1}, {50 * NMR}"):
        post([settle_entry(carol, nmr_reward=50 * NMR + 1)])


def test_nmr_rewards_beyond_the_nmr_pool_revert(stake, close_round, alice, bob, settle_entry, post):
    stake(alice, 800 * NMR)
    stake(bob, 800 * NMR)
    close_round(1)
    batch = [settle_entry(alice, nmr_reward=800 * NMR), settle_entry(bob, nmr_reward=200 * NMR + 1)]
    with brownie.reverts(f"TournamentEscrowPoolExceeded: 1, {NMR_POOL_INDEX}, {200 * NMR + 1}, {200 * NMR}"):
        post(batch)


@pytest.mark.parametrize("excess", [1, 0], ids=["past the pool reverts", "the rest settles"])
def test_the_nmr_pool_is_shared_with_prizes(
    escrow, stake, close_round, oracle, alice, bob, settle_entry, commit, excess
):
    """Prizes took 900 of the 1,000 NMR: stake rewards may take only the last 100."""
    stake(alice, 500 * NMR)
    close_round(1)
    prizes = [(bob.address, 0, 900 * NMR)]
    batch = [settle_entry(alice, nmr_reward=100 * NMR + excess)]
    commit(1, [batch], prizes)
    escrow.payPrizes(1, prizes, {"from": oracle})
    if excess:
        with brownie.reverts(f"TournamentEscrowPoolExceeded: 1, {NMR_POOL_INDEX}, {100 * NMR + 1}, {100 * NMR}"):
            escrow.settle(1, batch, {"from": oracle})
    else:
        escrow.settle(1, batch, {"from": oracle})
        assert escrow.getRound(1)["nmrPaid"] == 1_000 * NMR


def test_a_refused_batch_changes_nothing(escrow, nmr, usd, oracle, alice, bob, carol, staked, settle_entry, commit):
    holders = (alice, bob, carol, escrow)
    batch = [settle_entry(alice, burn=NMR), settle_entry(bob, usd_reward=10 * USD), settle_entry(carol, burn=51 * NMR)]
    commit(1, [batch])
    before, supply, info = _wallets(nmr, usd, *holders), nmr.totalSupply(), plain(escrow.getRound(1))
    with brownie.reverts(f"TournamentEscrowBurnExceedsStake: {carol.address.lower()}, {51 * NMR}, {50 * NMR}"):
        escrow.settle(1, batch, {"from": oracle})
    assert _wallets(nmr, usd, *holders) == before
    assert nmr.totalSupply() == supply
    assert plain(escrow.getRound(1)) == info
    assert [escrow.getStake(1, s, 0)["status"] for s in (alice, bob, carol)] == [ACTIVE] * 3


def test_only_the_oracle_settles(escrow, admin, rando, guardian, alice, staked, settle_entry, commit):
    batch = [settle_entry(alice)]
    commit(1, [batch])
    for caller in (admin, rando, alice, guardian):
        with brownie.reverts(role_error(caller, escrow.ORACLE_ROLE())):
            escrow.settle(1, batch, {"from": caller})
