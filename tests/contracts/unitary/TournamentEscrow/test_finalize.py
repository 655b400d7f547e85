"""finalize: anyone closes a round's books once every stake is settled and its prizes are
paid, or once resolvesBy has passed; the unspent pools go back to the round's funder."""

import brownie
import pytest

from tests.contracts.helpers import NMR, USD, plain


@pytest.fixture(scope="module", autouse=True)
def round_one(open_round, stake, close_round, alice, bob):
    """Round 1 with the default pools; alice and bob staked 100 NMR each; closed."""
    open_round(1)
    stake(alice, 100 * NMR)
    stake(bob, 100 * NMR)
    close_round(1)


def _settle_all(escrow, oracle, alice, bob):
    escrow.settle(1, [(alice.address, 0, 100 * USD, 10 * NMR), (bob.address, 100 * NMR, 0, 0)], {"from": oracle})


def test_finalize_returns_unspent_pools_to_the_funder(escrow, nmr, usd, oracle, treasury, rando, alice, bob, carol):
    _settle_all(escrow, oracle, alice, bob)
    escrow.payPrizes(1, [(carol.address, 250 * USD, 90 * NMR)], {"from": oracle})
    before = nmr.balanceOf(treasury), usd.balanceOf(treasury)

    tx = escrow.finalize(1, {"from": rando})

    usd_back = (3_000 - 100) * USD + (1_000 - 250) * USD
    nmr_back = (1_000 - 10 - 90) * NMR
    assert (nmr.balanceOf(treasury), usd.balanceOf(treasury)) == (before[0] + nmr_back, before[1] + usd_back)
    assert plain(tx.events["RoundFinalized"].values()) == [1, treasury, usd_back, nmr_back]
    assert (nmr.balanceOf(escrow), usd.balanceOf(escrow)) == (0, 0)
    assert escrow.getRound(1)["finalized"]


def test_a_sponsor_gets_its_own_pools_back(escrow, usd, open_round, stake, close_round, oracle, sponsor, treasury):
    open_round(2, usd_staking=0, usd_prize=500 * USD, nmr_pool=0, funder=sponsor)
    close_round(2)
    escrow.payPrizes(2, [], {"from": oracle})
    sponsor_before, treasury_before = usd.balanceOf(sponsor), usd.balanceOf(treasury)
    tx = escrow.finalize(2, {"from": sponsor})
    assert usd.balanceOf(sponsor) == sponsor_before + 500 * USD
    assert usd.balanceOf(treasury) == treasury_before
    assert plain(tx.events["RoundFinalized"].values()) == [2, sponsor, 500 * USD, 0]


def test_fully_spent_pools_return_nothing(escrow, nmr, usd, oracle, stake, open_round, close_round, alice):
    open_round(2, usd_staking=100 * USD, usd_prize=0, nmr_pool=100 * NMR)
    stake(alice, 100 * NMR, round_id=2)
    close_round(2)
    escrow.settle(2, [(alice.address, 0, 100 * USD, 100 * NMR)], {"from": oracle})
    escrow.payPrizes(2, [], {"from": oracle})
    tx = escrow.finalize(2, {"from": alice})
    assert plain(tx.events["RoundFinalized"].values())[2:] == [0, 0]
    assert "Transfer" not in tx.events


def test_an_unfunded_round_finalizes_with_nothing_to_return(escrow, create_round, close_round, oracle, rando):
    create_round(2)
    close_round(2)
    escrow.payPrizes(2, [], {"from": oracle})
    tx = escrow.finalize(2, {"from": rando})
    assert plain(tx.events["RoundFinalized"].values()) == [2, brownie.ZERO_ADDRESS, 0, 0]
    assert "Transfer" not in tx.events


def test_after_the_deadline_anyone_finalizes_and_stakes_stay_withdrawable(
    escrow, nmr, usd, treasury, rando, alice, close_round
):
    close_round(1, past_deadline=True)
    before = usd.balanceOf(treasury), nmr.balanceOf(treasury)
    tx = escrow.finalize(1, {"from": rando})
    assert plain(tx.events["RoundFinalized"].values()) == [1, treasury, 4_000 * USD, 1_000 * NMR]
    assert (usd.balanceOf(treasury), nmr.balanceOf(treasury)) == (before[0] + 4_000 * USD, before[1] + 1_000 * NMR)
    assert nmr.balanceOf(escrow) == 200 * NMR  # the two unsettled stakes
    escrow.withdrawStake(1, {"from": alice})
    assert nmr.balanceOf(escrow) == 100 * NMR


def test_finalize_works_while_paused(escrow, oracle, pauser, alice, bob):
    _settle_all(escrow, oracle, alice, bob)
    escrow.payPrizes(1, [], {"from": oracle})
    escrow.pause({"from": pauser})
    escrow.finalize(1, {"from": alice})
    assert escrow.getRound(1)["finalized"]


def test_unknown_round_reverts(escrow, rando):
    with brownie.reverts("TournamentEscrowUnknownRound: 4"):
        escrow.finalize(4, {"from": rando})


def test_finalize_before_close_reverts(escrow, open_round, rando):
    open_round(2)
    closes_at = escrow.getRound(2)["closesAt"]
    with brownie.reverts(f"TournamentEscrowRoundOpen: 2, {closes_at}"):
        escrow.finalize(2, {"from": rando})


def test_finalize_with_unsettled_stakes_reverts(escrow, oracle, rando, alice):
    escrow.payPrizes(1, [], {"from": oracle})
    with brownie.reverts("TournamentEscrowUnsettledStakes: 1, 2"):
        escrow.finalize(1, {"from": rando})
    escrow.settle(1, [(alice.address, 0, 0, 0)], {"from": oracle})
    with brownie.reverts("TournamentEscrowUnsettledStakes: 1, 1"):
        escrow.finalize(1, {"from": rando})


def test_finalize_before_prizes_reverts(escrow, oracle, rando, alice, bob):
    _settle_all(escrow, oracle, alice, bob)
    with brownie.reverts("TournamentEscrowPrizesNotPaid: 1"):
        escrow.finalize(1, {"from": rando})


def test_second_finalize_reverts(escrow, oracle, rando, alice, bob):
    _settle_all(escrow, oracle, alice, bob)
    escrow.payPrizes(1, [], {"from": oracle})
    escrow.finalize(1, {"from": rando})
    with brownie.reverts("TournamentEscrowAlreadyFinalized: 1"):
        escrow.finalize(1, {"from": rando})


def test_second_finalize_after_the_deadline_reverts(escrow, rando, close_round):
    close_round(1, past_deadline=True)
    escrow.finalize(1, {"from": rando})
    with brownie.reverts("TournamentEscrowAlreadyFinalized: 1"):
        escrow.finalize(1, {"from": rando})
