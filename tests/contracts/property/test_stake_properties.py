"""Property tests of stake: exact amounts, top-ups, confidence only stays or rises, bounds;
several models per wallet keep separate positions whose sums are the round's totals."""

import brownie
from brownie.test import given, strategy
from hypothesis.strategies import lists, tuples

from tests.contracts.helpers import (
    ACTIVE,
    HASH,
    MAX_CONFIDENCE,
    NMR,
    STAKER_NMR,
    WAD,
    examples,
    plain,
)

MAX_AMOUNT = 2**96 - 1


@examples(15)
@given(st_amount=strategy("uint256", min_value=1, max_value=STAKER_NMR))
def test_stake_moves_exactly_the_amount(nmr, usd, escrow, round_one, alice, st_amount):
    before = nmr.balanceOf(alice), nmr.balanceOf(escrow), nmr.totalSupply(), usd.balanceOf(escrow)

    tx = escrow.stake(round_one, 0, st_amount, WAD, HASH, {"from": alice})

    assert nmr.balanceOf(alice) == before[0] - st_amount
    assert nmr.balanceOf(escrow) == before[1] + st_amount
    assert (nmr.totalSupply(), usd.balanceOf(escrow)) == (before[2], before[3])
    assert plain(escrow.getStake(round_one, alice, 0)) == [st_amount, WAD, ACTIVE, False]
    assert escrow.getRound(round_one)["totalStaked"] == st_amount
    assert plain(tx.events["Staked"].values()) == [round_one, alice, 0, st_amount, WAD, "0x" + HASH.hex()]


@examples(10)
@given(st_amount=strategy("uint256", min_value=STAKER_NMR + 1, max_value=MAX_AMOUNT))
def test_stake_above_balance_reverts_in_token(escrow, round_one, alice, st_amount):
    with brownie.reverts(f"ERC20InsufficientBalance: {alice.address.lower()}, {STAKER_NMR}, {st_amount}"):
        escrow.stake(round_one, 0, st_amount, WAD, HASH, {"from": alice})
    assert plain(escrow.getStake(round_one, alice, 0)) == [0, 0, 0, False]


@examples(10)
@given(st_amount=strategy("uint256", min_value=MAX_AMOUNT + 1))
def test_stake_above_uint96_reverts(escrow, round_one, alice, st_amount):
    """No NMR amount exceeds uint96 (the cap is below 2^96): the escrow refuses first."""
    with brownie.reverts(f"TournamentEscrowAmountTooLarge: {st_amount}"):
        escrow.stake(round_one, 0, st_amount, WAD, HASH, {"from": alice})


@examples(10)
@given(st_amounts=strategy("uint256[]", min_length=1, max_length=4, min_value=1, max_value=STAKER_NMR // 4))
def test_top_ups_sum(nmr, escrow, round_one, alice, bob, st_amounts):
    escrow.stake(round_one, 0, 1, WAD, HASH, {"from": bob})
    start = nmr.balanceOf(alice)

    for amount in st_amounts:
        escrow.stake(round_one, 0, amount, WAD, HASH, {"from": alice})

    assert escrow.getStake(round_one, alice, 0)["amount"] == sum(st_amounts)
    assert nmr.balanceOf(alice) == start - sum(st_amounts)
    info = escrow.getRound(round_one)
    assert (info["totalStaked"], info["stakerCount"]) == (sum(st_amounts) + 1, 2)


@examples(10)
@given(st_amount=strategy("uint256", min_value=1, max_value=STAKER_NMR))
def test_permit_stake_moves_exactly_the_amount(nmr, escrow, round_one, permit_account, sign_permit, st_amount):
    key, account = permit_account
    start = nmr.balanceOf(account)
    deadline, v, r, s = sign_permit(key, st_amount)

    escrow.stakeWithPermit(round_one, 0, st_amount, WAD, HASH, deadline, v, r, s, {"from": account})

    assert nmr.balanceOf(account) == start - st_amount
    assert plain(escrow.getStake(round_one, account, 0)) == [st_amount, WAD, ACTIVE, False]
    assert nmr.allowance(account, escrow) == 0


@examples(20)
@given(
    st_first=strategy("uint64", min_value=1),
    st_second=strategy("uint64", min_value=1),
    st_same=strategy("bool"),
)
def test_confidence_may_only_stay_or_rise(escrow, round_one, alice, st_first, st_second, st_same):
    second = st_first if st_same else st_second
    escrow.stake(round_one, 0, NMR, st_first, HASH, {"from": alice})

    if second >= st_first:
        escrow.stake(round_one, 0, NMR, second, HASH, {"from": alice})
        assert plain(escrow.getStake(round_one, alice, 0)) == [2 * NMR, second, ACTIVE, False]
    else:
        with brownie.reverts(f"TournamentEscrowConfidenceLowered: {round_one}, {st_first}, {second}"):
            escrow.stake(round_one, 0, NMR, second, HASH, {"from": alice})
        assert plain(escrow.getStake(round_one, alice, 0)) == [NMR, st_first, ACTIVE, False]


@examples(10)
@given(st_confidence=strategy("uint256", min_value=MAX_CONFIDENCE + 1))
def test_confidence_above_uint64_reverts(escrow, round_one, alice, st_confidence):
    with brownie.reverts(f"TournamentEscrowInvalidConfidence: {st_confidence}"):
        escrow.stake(round_one, 0, NMR, st_confidence, HASH, {"from": alice})


@examples(10)
@given(
    st_stakes=lists(
        tuples(
            strategy("uint8", max_value=1),
            strategy("uint8", max_value=2),
            strategy("uint256", min_value=1, max_value=STAKER_NMR // 6),
            strategy("uint64", min_value=1),
        ),
        min_size=1,
        max_size=6,
    ),
)
def test_positions_per_model_add_up(nmr, escrow, round_one, alice, bob, st_stakes):
    """Random stakes by two wallets on models 0-2 (as (wallet, model, amount, confidence)):
    each (staker, model) keeps its own amount and confidence, the confidence rule holds per
    model (a lower confidence on another model is fine), and the round's totals are the sums
    over positions: totalStaked the amounts, stakerCount the positions (not the wallets)."""
    wallets = [alice, bob]
    expected = {}  # (wallet index, model) -> [amount, confidence]
    start = [nmr.balanceOf(w) for w in wallets]
    for who, model, amount, confidence in st_stakes:
        current = expected.get((who, model), [0, 0])
        if confidence < current[1]:
            with brownie.reverts(f"TournamentEscrowConfidenceLowered: {round_one}, {current[1]}, {confidence}"):
                escrow.stake(round_one, model, amount, confidence, HASH, {"from": wallets[who]})
            continue
        escrow.stake(round_one, model, amount, confidence, HASH, {"from": wallets[who]})
        expected[who, model] = [current[0] + amount, confidence]

    for who in range(2):
        for model in range(3):
            amount, confidence = expected.get((who, model), [0, 0])
            assert plain(escrow.getStake(round_one, wallets[who], model)) == [
                amount, confidence, ACTIVE if amount else 0, False,
            ]
        staked = sum(a for (w, _m), (a, _c) in expected.items() if w == who)
        assert nmr.balanceOf(wallets[who]) == start[who] - staked
    info = escrow.getRound(round_one)
    assert info["totalStaked"] == sum(a for a, _c in expected.values())
    assert info["stakerCount"] == len(expected)
