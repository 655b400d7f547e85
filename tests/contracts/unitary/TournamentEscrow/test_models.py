"""Several models per wallet: the escrow keys a stake by (round, staker, model). Each model
of a wallet is its own position (amount, confidence, status, the confidence rule), counted
once in stakerCount, settled or withdrawn alone, and named in every event and error about
it; a model number is a uint32. Prizes stay one entry per wallet."""

import brownie
import pytest
from brownie import web3
from eth_abi import encode

from client.core.models import model_key
from client.core.money.batches import wallet_prizes
from tests.contracts.helpers import (
    ACTIVE,
    NMR,
    NONE,
    SETTLED,
    USD,
    WAD,
    WITHDRAWN,
    plain,
)

HASH_0 = b"\x10" * 32
HASH_1 = b"\x11" * 32
MAX_MODEL = 2**32 - 1


@pytest.fixture(scope="module", autouse=True)
def round_one(open_round):
    return open_round(1)


@pytest.fixture
def two_models(stake, alice):
    """alice: 100 NMR on model 0 at confidence 2, 40 NMR on model 1 at confidence 1."""
    stake(alice, 100 * NMR, confidence=2 * WAD, submission=HASH_0, model=0)
    stake(alice, 40 * NMR, confidence=WAD, submission=HASH_1, model=1)


@pytest.fixture
def post(escrow, oracle, commit):
    """Commits `batches` for round 1, waits out the challenge window and posts them."""

    def _post(*batches):
        commit(1, batches)
        return [escrow.settle(1, batch, {"from": oracle}) for batch in batches][-1]

    return _post


def test_two_models_are_two_independent_positions(escrow, nmr, alice, two_models):
    assert plain(escrow.getStake(1, alice, 0)) == [100 * NMR, 2 * WAD, ACTIVE, False]
    assert plain(escrow.getStake(1, alice, 1)) == [40 * NMR, WAD, ACTIVE, False]
    assert plain(escrow.getStake(1, alice, 2)) == [0, 0, NONE, False]
    info = escrow.getRound(1)
    assert (info["stakerCount"], info["totalStaked"]) == (2, 140 * NMR)
    assert nmr.balanceOf(escrow) == 1_000 * NMR + 140 * NMR  # the NMR pool and both stakes


def test_top_up_on_one_model_leaves_the_other(escrow, stake, alice, two_models):
    stake(alice, 5 * NMR, confidence=3 * WAD, model=1)
    assert plain(escrow.getStake(1, alice, 1)) == [45 * NMR, 3 * WAD, ACTIVE, False]
    assert plain(escrow.getStake(1, alice, 0)) == [100 * NMR, 2 * WAD, ACTIVE, False]
    assert escrow.getRound(1)["stakerCount"] == 2  # a top-up is no new position


def test_confidence_rule_is_per_model(escrow, stake, alice, two_models):
    """Model 1 stakes below model 0's confidence (its own rule), but not below its own."""
    stake(alice, NMR, confidence=WAD, model=1)
    with brownie.reverts(f"TournamentEscrowConfidenceLowered: 1, {WAD}, {WAD // 2}"):
        stake(alice, NMR, confidence=WAD // 2, model=1)
    with brownie.reverts(f"TournamentEscrowConfidenceLowered: 1, {2 * WAD}, {WAD}"):
        stake(alice, NMR, confidence=WAD, model=0)


def test_staker_count_counts_positions_not_wallets(escrow, stake, alice, bob):
    stake(alice, NMR, model=0)
    stake(alice, NMR, model=1)
    stake(alice, NMR, model=MAX_MODEL)
    stake(bob, NMR, model=1)
    info = escrow.getRound(1)
    assert (info["stakerCount"], info["totalStaked"]) == (4, 4 * NMR)


def test_staked_event_carries_the_model(stake, alice):
    tx = stake(alice, 7 * NMR, confidence=WAD, submission=HASH_1, model=MAX_MODEL)
    assert plain(tx.events["Staked"].values()) == [1, alice, MAX_MODEL, 7 * NMR, WAD, "0x" + HASH_1.hex()]
    assert tx.events["Staked"]["model"] == MAX_MODEL


def test_settling_one_model_leaves_the_other_active(
    escrow, nmr, usd, alice, two_models, close_round, settle_entry, post
):
    close_round(1)
    before = nmr.balanceOf(alice), usd.balanceOf(alice)
    tx = post([settle_entry(alice, burn=10 * NMR, model=1)])
    assert plain(tx.events["StakeSettled"].values()) == [1, alice, 1, 10 * NMR, 0, 0, 0]
    assert plain(escrow.getStake(1, alice, 1)) == [40 * NMR, WAD, SETTLED, False]
    assert plain(escrow.getStake(1, alice, 0)) == [100 * NMR, 2 * WAD, ACTIVE, False]
    assert (nmr.balanceOf(alice), usd.balanceOf(alice)) == (before[0] + 30 * NMR, before[1])
    info = escrow.getRound(1)
    assert (info["settledCount"], info["settledStake"], info["totalBurned"]) == (1, 40 * NMR, 10 * NMR)


def test_one_batch_settles_both_models_of_a_wallet(
    escrow, nmr, usd, alice, bob, stake, two_models, close_round, settle_entry, post
):
    """Each model is bounded by its own stake and bid: model 0 bids $50 (100 NMR at 2),
    model 1 bids $40; the wallet receives the sum of both settlements."""
    stake(bob, 10 * NMR)
    close_round(1)
    before = nmr.balanceOf(alice), usd.balanceOf(alice)
    batch = [
        settle_entry(alice, usd_reward=50 * USD, model=0),
        settle_entry(bob),
        settle_entry(alice, burn=40 * NMR, nmr_reward=0, model=1),
    ]
    tx = post(batch)
    assert [plain(e.values()) for e in tx.events["StakeSettled"]] == [
        [1, alice, 0, 0, 50 * USD, 0, 0],
        [1, bob, 0, 0, 0, 0, 0],
        [1, alice, 1, 40 * NMR, 0, 0, 0],
    ]
    assert (nmr.balanceOf(alice), usd.balanceOf(alice)) == (before[0] + 100 * NMR, before[1] + 50 * USD)
    assert [escrow.getStake(1, alice, m)["status"] for m in (0, 1)] == [SETTLED, SETTLED]
    info = escrow.getRound(1)
    assert (info["settledCount"], info["stakerCount"], info["usdStakingPaid"]) == (3, 3, 50 * USD)


def test_each_models_bid_bounds_its_own_reward(alice, two_models, close_round, settle_entry, post):
    """Model 1's bid is $40: $41 is refused although model 0 bids $50."""
    close_round(1)
    with brownie.reverts(f"TournamentEscrowRewardExceedsBid: {alice.address.lower()}, {41 * USD}, {40 * USD}"):
        post([settle_entry(alice, usd_reward=41 * USD, model=1)])


def test_a_batch_naming_one_position_twice_reverts(alice, two_models, close_round, settle_entry, post):
    close_round(1)
    batch = [settle_entry(alice, model=1), settle_entry(alice, model=0), settle_entry(alice, model=1)]
    with brownie.reverts(f"TournamentEscrowAlreadySettled: 1, {alice.address.lower()}, 1"):
        post(batch)


def test_settling_a_model_never_staked_names_the_model(alice, two_models, close_round, settle_entry, post):
    close_round(1)
    with brownie.reverts(f"TournamentEscrowNoStake: 1, {alice.address.lower()}, 2"):
        post([settle_entry(alice, model=0), settle_entry(alice, model=2)])


def test_withdraw_returns_only_that_models_stake(escrow, nmr, alice, two_models, close_round):
    close_round(1, past_deadline=True)
    before = nmr.balanceOf(alice)
    tx = escrow.withdrawStake(1, 1, {"from": alice})
    assert plain(tx.events["StakeWithdrawn"].values()) == [1, alice, 1, 40 * NMR]
    assert nmr.balanceOf(alice) == before + 40 * NMR
    assert plain(escrow.getStake(1, alice, 1)) == [40 * NMR, WAD, WITHDRAWN, False]
    assert plain(escrow.getStake(1, alice, 0)) == [100 * NMR, 2 * WAD, ACTIVE, False]
    with brownie.reverts(f"TournamentEscrowAlreadySettled: 1, {alice.address.lower()}, 1"):
        escrow.withdrawStake(1, 1, {"from": alice})
    escrow.withdrawStake(1, 0, {"from": alice})
    assert nmr.balanceOf(alice) == before + 140 * NMR


def test_withdraw_of_a_model_never_staked_names_the_model(escrow, alice, two_models, close_round):
    close_round(1, past_deadline=True)
    with brownie.reverts(f"TournamentEscrowNoStake: 1, {alice.address.lower()}, {MAX_MODEL}"):
        escrow.withdrawStake(1, MAX_MODEL, {"from": alice})


def test_withdraw_after_settling_the_other_model(escrow, nmr, alice, two_models, close_round, settle_entry, post):
    close_round(1)
    post([settle_entry(alice, model=0)])
    close_round(1, past_deadline=True)
    before = nmr.balanceOf(alice)
    escrow.withdrawStake(1, 1, {"from": alice})
    assert nmr.balanceOf(alice) == before + 40 * NMR
    assert escrow.getRound(1)["settledCount"] == 2


def test_permit_stake_on_model_1(escrow, nmr, stake, permit_staker, sign_permit):
    key, staker = permit_staker(0)
    stake(staker, 5 * NMR, model=0)
    deadline, v, r, s = sign_permit(key, 30 * NMR)
    tx = escrow.stakeWithPermit(1, 1, 30 * NMR, 2 * WAD, HASH_1, deadline, v, r, s, {"from": staker})
    assert plain(tx.events["Staked"].values()) == [1, staker, 1, 30 * NMR, 2 * WAD, "0x" + HASH_1.hex()]
    assert plain(escrow.getStake(1, staker, 1)) == [30 * NMR, 2 * WAD, ACTIVE, False]
    assert plain(escrow.getStake(1, staker, 0)) == [5 * NMR, WAD, ACTIVE, False]
    assert nmr.allowance(staker, escrow) == 0


def _raw_stake(escrow, sender, model):
    """stake() sent as raw calldata, so the model word can hold more than a uint32."""
    selector = web3.keccak(text="stake(uint256,uint32,uint256,uint256,bytes32)")[:4]
    args = encode(["uint256", "uint256", "uint256", "uint256", "bytes32"], [1, model, NMR, WAD, HASH_0])
    return sender.transfer(escrow, 0, data="0x" + (selector + args).hex(), gas_limit=200_000)


def test_model_number_above_uint32_is_refused(escrow, nmr, alice):
    """The ABI decoder refuses a model word of 2^32 (no custom error: the calldata is not a
    uint32); the same call with 2^32 - 1 stakes, so the encoding is right."""
    nmr.approve(escrow, 2 * NMR, {"from": alice})
    with brownie.reverts():
        _raw_stake(escrow, alice, 2**32)
    assert escrow.getRound(1)["stakerCount"] == 0
    _raw_stake(escrow, alice, MAX_MODEL)
    assert plain(escrow.getStake(1, alice, MAX_MODEL)) == [NMR, WAD, ACTIVE, False]


def test_brownie_refuses_to_encode_a_model_above_uint32(escrow, alice):
    with pytest.raises(OverflowError):
        escrow.stake(1, 2**32, NMR, WAD, HASH_0, {"from": alice})


def test_prizes_stay_one_entry_per_wallet(escrow, oracle, nmr, usd, alice, bob, open_round, close_round, commit):
    """Two models of alice won: the posted list sums them into one entry for her wallet and
    pays it (round 2); a list naming her wallet twice is refused (round 1)."""
    per_model = [(model_key(alice.address, 0), 10 * USD, 0), (model_key(alice.address, 1), 5 * USD, NMR),
                 (model_key(bob.address), USD, 0)]
    prizes = wallet_prizes(per_model)
    assert sorted(prizes) == sorted([(alice.address, 15 * USD, NMR), (bob.address, USD, 0)])
    twice = sorted([(alice.address, 10 * USD, 0), (alice.address, 5 * USD, NMR), (bob.address, USD, 0)],
                   key=lambda p: int(p[0], 16))
    spot = [p[0] for p in twice].index(alice.address) + 1
    open_round(2)
    close_round(2)
    commit(1, [], twice)
    commit(2, [], prizes)
    with brownie.reverts(f"TournamentEscrowWinnersNotAscending: {spot}, {alice.address.lower()}"):
        escrow.payPrizes(1, twice, {"from": oracle})
    before = nmr.balanceOf(alice), usd.balanceOf(alice)
    tx = escrow.payPrizes(2, prizes, {"from": oracle})
    assert len(tx.events["PrizePaid"]) == 2
    assert (nmr.balanceOf(alice), usd.balanceOf(alice)) == (before[0] + NMR, before[1] + 15 * USD)
