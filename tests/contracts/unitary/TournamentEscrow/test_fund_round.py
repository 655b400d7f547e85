"""fundRound: whoever funds a round pays its three pools from its own balance, before close;
only the funder the oracle named at createRound, as often as it likes."""

import brownie
import pytest
from brownie import FeeOnTransferUSD, TournamentEscrow

from tests.contracts.helpers import (
    CHALLENGE_WINDOW,
    DATASET_DIGEST,
    DISPUTE_BOND,
    MAX_RESOLUTION_DELAY,
    NMR,
    RULING_PERIOD,
    USD,
    WEEK,
    chain_now,
    plain,
)


@pytest.fixture(scope="module", autouse=True)
def round_one(create_round):
    return create_round(1)


def _pools(escrow, round_id=1):
    info = escrow.getRound(round_id)
    return info["funder"], info["usdStakingPool"], info["usdPrizePool"], info["nmrPool"]


def test_the_named_funder_pays_in(escrow, nmr, usd, treasury, fund_round):
    before = nmr.balanceOf(treasury), usd.balanceOf(treasury)
    tx = fund_round(1, 3_000 * USD, 1_000 * USD, 500 * NMR)
    assert _pools(escrow) == (treasury, 3_000 * USD, 1_000 * USD, 500 * NMR)
    assert (nmr.balanceOf(treasury), usd.balanceOf(treasury)) == (before[0] - 500 * NMR, before[1] - 4_000 * USD)
    assert (nmr.balanceOf(escrow), usd.balanceOf(escrow)) == (500 * NMR, 4_000 * USD)
    assert plain(tx.events["RoundFunded"].values()) == [1, treasury, 3_000 * USD, 1_000 * USD, 500 * NMR]
    # Both pools of dollars arrive in one transfer; exact approvals are used up.
    assert [plain(e.values()) for e in tx.events["Transfer"]] == [
        [treasury, escrow, 4_000 * USD],
        [treasury, escrow, 500 * NMR],
    ]
    assert (usd.allowance(treasury, escrow), nmr.allowance(treasury, escrow)) == (0, 0)


def test_the_funder_adds_to_its_pools(escrow, treasury, fund_round):
    fund_round(1, 100 * USD, 0, 0)
    tx = fund_round(1, 50 * USD, 20 * USD, 5 * NMR)
    assert _pools(escrow) == (treasury, 150 * USD, 20 * USD, 5 * NMR)
    # The event carries this call's amounts; the totals are in getRound.
    assert plain(tx.events["RoundFunded"].values()) == [1, treasury, 50 * USD, 20 * USD, 5 * NMR]


def test_a_sponsor_may_fund_a_round_it_was_named_for(escrow, usd, sponsor, create_round, fund_round):
    create_round(2, funder=sponsor)
    before = usd.balanceOf(sponsor)
    fund_round(2, 0, 700 * USD, 0, funder=sponsor)
    assert _pools(escrow, 2) == (sponsor, 0, 700 * USD, 0)
    assert usd.balanceOf(sponsor) == before - 700 * USD




def test_one_pool_alone_moves_one_token(escrow, nmr, usd, treasury):
    nmr.approve(escrow, 9 * NMR, {"from": treasury})
    tx = escrow.fundRound(1, 0, 0, 9 * NMR, {"from": treasury})
    assert [e.address for e in tx.events["Transfer"]] == [nmr.address]
    assert _pools(escrow) == (treasury, 0, 0, 9 * NMR)


def test_someone_else_cannot_add_to_a_funded_round(escrow, treasury, sponsor, fund_round):
    fund_round(1, 10 * USD, 0, 0)
    with brownie.reverts(f"TournamentEscrowNotFunder: 1, {treasury.address.lower()}"):
        fund_round(1, 10 * USD, 0, 0, funder=sponsor)


def test_zero_amounts_revert(escrow, treasury):
    with brownie.reverts("TournamentEscrowZeroAmount: "):
        escrow.fundRound(1, 0, 0, 0, {"from": treasury})


def test_unknown_round_reverts(escrow, treasury):
    with brownie.reverts("TournamentEscrowUnknownRound: 2"):
        escrow.fundRound(2, 1, 0, 0, {"from": treasury})


def test_funding_after_close_reverts(escrow, treasury, close_round):
    close_round(1)
    closes_at = escrow.getRound(1)["closesAt"]
    with brownie.reverts(f"TournamentEscrowRoundClosed: 1, {closes_at}"):
        escrow.fundRound(1, 1, 0, 0, {"from": treasury})


def test_funding_while_paused_reverts(escrow, treasury, pauser, fund_round):
    escrow.pause({"from": pauser})
    with brownie.reverts("EnforcedPause: "):
        fund_round(1, 1, 0, 0)
    escrow.unpause({"from": pauser})
    fund_round(1, 1, 0, 0)


def test_funding_without_allowance_reverts(escrow, treasury):
    with brownie.reverts(f"ERC20InsufficientAllowance: {escrow.address.lower()}, 0, {USD}"):
        escrow.fundRound(1, USD, 0, 0, {"from": treasury})


def test_funding_beyond_balance_reverts(escrow, usd, treasury):
    balance = usd.balanceOf(treasury)
    usd.approve(escrow, balance + 1, {"from": treasury})
    with brownie.reverts(f"ERC20InsufficientBalance: {treasury.address.lower()}, {balance}, {balance + 1}"):
        escrow.fundRound(1, balance, 1, 0, {"from": treasury})


@pytest.mark.parametrize(
    "amounts, too_large",
    [((2**128, 0, 0), 2**128), ((0, 2**128, 0), 2**128), ((0, 0, 2**96), 2**96)],
    ids=["usd staking pool", "usd prize pool", "nmr pool"],
)
def test_pool_beyond_its_width_reverts(escrow, treasury, amounts, too_large):
    with brownie.reverts(f"TournamentEscrowAmountTooLarge: {too_large}"):
        escrow.fundRound(1, *amounts, {"from": treasury})


# The NMR pool's total bound (uint96) cannot be reached: the token's 21M cap is below 2^96 wei.
@pytest.mark.parametrize("half", [(2**127, 0, 0), (0, 2**127, 0)], ids=["usd staking pool", "usd prize pool"])
def test_pool_totals_are_bounded_not_only_each_call(escrow, usd, admin, treasury, fund_round, half):
    usd.mint(treasury, 2**127, {"from": admin})
    fund_round(1, *half)
    with brownie.reverts(f"TournamentEscrowAmountTooLarge: {2**128}"):
        escrow.fundRound(1, *half, {"from": treasury})


def test_huge_amounts_get_the_error_not_an_overflow(escrow, treasury):
    """Amounts near 2^256 are refused by the width check, never by an arithmetic panic."""
    with brownie.reverts(f"TournamentEscrowAmountTooLarge: {2**256 - 1}"):
        escrow.fundRound(1, 2**256 - 1, 0, 0, {"from": treasury})
    with brownie.reverts(f"TournamentEscrowAmountTooLarge: {2**255}"):
        escrow.fundRound(1, 2**255, 2**255, 0, {"from": treasury})


def test_a_stranger_funding_first_cannot_take_the_round(escrow, treasury, rando, fund_round):
    """The griefing that naming the funder closes: a stranger who funds a fresh round with
    one unit is refused, and the treasury funds it as planned."""
    with brownie.reverts(f"TournamentEscrowNotFunder: 1, {treasury.address.lower()}"):
        fund_round(1, 1, 0, 0, funder=rando)
    fund_round(1, 3_000 * USD, 0, 0, funder=treasury)
    assert _pools(escrow) == (treasury, 3_000 * USD, 0, 0)


def test_a_token_that_takes_a_fee_on_transfer_is_refused(nmr, admin, oracle, treasury):
    """The escrow counts only what arrives: a 1% fee would leave pools it does not hold."""
    fee_usd = FeeOnTransferUSD.deploy({"from": admin})
    escrow = TournamentEscrow.deploy(
        nmr, fee_usd, admin, 0, MAX_RESOLUTION_DELAY, CHALLENGE_WINDOW, DISPUTE_BOND, RULING_PERIOD, {"from": admin}
    )
    escrow.grantRole(escrow.ORACLE_ROLE(), oracle, {"from": admin})
    closes_at = chain_now() + WEEK
    escrow.createRound(1, closes_at, closes_at + WEEK, treasury, DATASET_DIGEST, {"from": oracle})
    fee_usd.mint(treasury, 1_000 * USD, {"from": treasury})
    fee_usd.approve(escrow, 1_000 * USD, {"from": treasury})
    with brownie.reverts(f"TournamentEscrowShortTransfer: {fee_usd.address.lower()}, {1_000 * USD}, {990 * USD}"):
        escrow.fundRound(1, 1_000 * USD, 0, 0, {"from": treasury})
    assert escrow.getRound(1)["usdStakingPool"] == 0 and fee_usd.balanceOf(escrow) == 0
