"""Property tests of the deadlines: each transaction moved near a boundary is judged by the
timestamp of the block that mined it, so "succeeds iff t < closesAt" holds to the second."""

from brownie import chain
from brownie.test import given, strategy

from tests.contracts.helpers import HASH, NMR, USD, WAD, WITHDRAWN, chain_now, examples

# A signed offset of 0..5 units of 1 s .. 100,000 s: dense around a boundary, yet reaching
# days away from it. 5e5 s stays inside the fixtures' 7-day windows.
st_mantissa = strategy("int8", min_value=-5, max_value=5)
st_exponent = strategy("uint8", max_value=5)


def _sleep_until(timestamp):
    chain.sleep(max(0, timestamp - chain_now()))


@examples(15)
@given(st_mantissa=st_mantissa, st_exponent=st_exponent, st_fund=strategy("bool"))
def test_stake_and_fund_succeed_iff_before_close(
    nmr, escrow, create_round, treasury, approved, alice, observe, st_mantissa, st_exponent, st_fund
):
    closes_at, _ = create_round(2)
    _sleep_until(closes_at + st_mantissa * 10**st_exponent)

    if st_fund:
        _tx, error, mined_at = observe(escrow.fundRound, 2, USD, 0, 0, {"from": treasury})
    else:
        _tx, error, mined_at = observe(escrow.stake, 2, 0, NMR, WAD, HASH, {"from": alice})

    if mined_at < closes_at:
        assert error is None
    else:
        assert error == f"TournamentEscrowRoundClosed: 2, {closes_at}"
    assert escrow.getRound(2)["totalStaked" if not st_fund else "usdStakingPool"] == (
        0 if error else (USD if st_fund else NMR)
    )


@examples(20)
@given(st_at_resolves_by=strategy("bool"), st_prizes=strategy("bool"), st_mantissa=st_mantissa, st_exponent=st_exponent)
def test_settle_and_prizes_succeed_iff_inside_window(
    nmr, escrow, oracle, round_one, alice, observe, commit, st_at_resolves_by, st_prizes, st_mantissa, st_exponent
):
    """Committed right after close: the plan posts iff challengeEndsAt <= t < resolvesBy."""
    escrow.stake(round_one, 0, NMR, WAD, HASH, {"from": alice})
    batch, prizes = [(alice.address, 0, NMR // 4, 0, 0, False)], [(alice.address, USD, 0)]
    _sleep_until(escrow.getRound(round_one)["closesAt"] + 1)
    commit(round_one, [batch], prizes, wait=False)
    info = escrow.getRound(round_one)
    boundary = info["resolvesBy"] if st_at_resolves_by else info["challengeEndsAt"]
    _sleep_until(boundary + st_mantissa * 10**st_exponent)
    supply = nmr.totalSupply()

    if st_prizes:
        _tx, error, mined_at = observe(escrow.payPrizes, round_one, prizes, {"from": oracle})
    else:
        _tx, error, mined_at = observe(escrow.settle, round_one, batch, {"from": oracle})

    if info["challengeEndsAt"] <= mined_at < info["resolvesBy"]:
        assert error is None
        assert nmr.totalSupply() == supply - (0 if st_prizes else NMR // 4)
    elif mined_at < info["challengeEndsAt"]:
        assert error == f"TournamentEscrowChallengeWindowOpen: {round_one}, {info['challengeEndsAt']}"
    else:
        assert error == f"TournamentEscrowSettlementWindowOver: {round_one}, {info['resolvesBy']}"
    if error is not None:
        assert nmr.totalSupply() == supply
        assert escrow.getStake(round_one, alice, 0)["status"] == 1
        assert not escrow.getRound(round_one)["prizesPaid"]


@examples(15)
@given(st_mantissa=st_mantissa, st_exponent=st_exponent)
def test_withdraw_succeeds_iff_after_deadline(nmr, escrow, round_one, alice, observe, st_mantissa, st_exponent):
    start = nmr.balanceOf(alice)
    escrow.stake(round_one, 0, 3 * NMR, WAD, HASH, {"from": alice})
    resolves_by = escrow.getRound(round_one)["resolvesBy"]
    _sleep_until(resolves_by + st_mantissa * 10**st_exponent)

    _tx, error, mined_at = observe(escrow.withdrawStake, round_one, 0, {"from": alice})

    if mined_at >= resolves_by:
        assert error is None
        assert nmr.balanceOf(alice) == start
        assert escrow.getStake(round_one, alice, 0)["status"] == WITHDRAWN
    else:
        assert error == f"TournamentEscrowDeadlineNotReached: {round_one}, {resolves_by}"
        assert nmr.balanceOf(alice) == start - 3 * NMR
