"""rule: the guardian rules on an open dispute before resolvesBy. Upheld: the round is void
and finalized at once (every stake withdrawable in full, pools back to the funder, the bond
back with a reward of up to one bond from the round's NMR pool). Rejected: the bond is
burned, and settlement may start once the window is over."""

import brownie
import pytest
from brownie import chain

from tests.contracts.helpers import (
    CHALLENGE_WINDOW,
    DISPUTE_BOND,
    NMR,
    USD,
    chain_now,
    plain,
    role_error,
)


@pytest.fixture(scope="module", autouse=True)
def round_one(open_round, stake, close_round, alice, bob):
    """Round 1 with the default pools ($3,000, $1,000, 1,000 NMR); alice and bob staked 100
    NMR each; closed."""
    open_round(1)
    stake(alice, 100 * NMR)
    stake(bob, 100 * NMR)
    close_round(1)


@pytest.fixture
def batch(alice, bob):
    """A wrong plan: alice's good stake burned."""
    return [(alice.address, 0, 100 * NMR, 0, 0, False), (bob.address, 0, 0, 0, 0, False)]


@pytest.fixture
def disputed(escrow, nmr, rando, commit, batch):
    """Round 1's plan committed and disputed by rando during the window."""
    commit(1, [batch], [], wait=False)
    nmr.approve(escrow, DISPUTE_BOND, {"from": rando})
    escrow.dispute(1, {"from": rando})


def test_upheld_voids_the_round_and_returns_everything(
    escrow, nmr, usd, guardian, treasury, rando, alice, bob, disputed
):
    treasury_before = nmr.balanceOf(treasury), usd.balanceOf(treasury)
    rando_before = nmr.balanceOf(rando)
    tx = escrow.rule(1, True, {"from": guardian})

    # The disputer: bond back plus one bond from the round's NMR pool.
    assert nmr.balanceOf(rando) == rando_before + 2 * DISPUTE_BOND
    # The funder: every pool back, less the reward.
    assert (nmr.balanceOf(treasury), usd.balanceOf(treasury)) == (
        treasury_before[0] + 1_000 * NMR - DISPUTE_BOND, treasury_before[1] + 4_000 * USD,
    )
    assert plain(tx.events["DisputeRuled"].values()) == [1, rando, True, DISPUTE_BOND]
    assert plain(tx.events["RoundVoided"].values()) == [1]
    assert plain(tx.events["RoundFinalized"].values()) == [1, treasury, 4_000 * USD, 1_000 * NMR - DISPUTE_BOND]
    info = escrow.getRound(1)
    assert (info["voided"], info["finalized"], info["settledCount"], info["totalBurned"]) == (True, True, 0, 0)

    # Every stake comes back in full, at once (long before resolvesBy), and nothing else is held.
    assert chain_now() < info["resolvesBy"]
    for staker in (alice, bob):
        before = nmr.balanceOf(staker)
        escrow.withdrawStake(1, 0, {"from": staker})
        assert nmr.balanceOf(staker) == before + 100 * NMR
    assert (nmr.balanceOf(escrow), usd.balanceOf(escrow)) == (0, 0)


def test_a_voided_round_pays_nothing(escrow, oracle, guardian, batch, disputed):
    escrow.rule(1, True, {"from": guardian})
    chain.sleep(CHALLENGE_WINDOW + 1)
    with brownie.reverts("TournamentEscrowAlreadyFinalized: 1"):
        escrow.settle(1, batch, {"from": oracle})
    with brownie.reverts("TournamentEscrowAlreadyFinalized: 1"):
        escrow.payPrizes(1, [], {"from": oracle})


def test_the_reward_is_capped_by_the_nmr_pool(
    escrow, nmr, rando, guardian, open_round, stake, close_round, alice, commit
):
    """A round with 30 NMR of issuance rewards the disputer 30 NMR, not a whole bond."""
    open_round(2, nmr_pool=30 * NMR)
    stake(alice, NMR, round_id=2)
    close_round(2)
    commit(2, [[(alice.address, 0, NMR, 0, 0, False)]], [], wait=False)
    nmr.approve(escrow, DISPUTE_BOND, {"from": rando})
    escrow.dispute(2, {"from": rando})
    before = nmr.balanceOf(rando)
    tx = escrow.rule(2, True, {"from": guardian})
    assert nmr.balanceOf(rando) == before + DISPUTE_BOND + 30 * NMR
    assert tx.events["DisputeRuled"]["reward"] == 30 * NMR
    assert tx.events["RoundFinalized"]["nmrReturned"] == 0


def test_rejected_burns_the_bond(escrow, nmr, guardian, rando, disputed):
    supply, held = nmr.totalSupply(), nmr.balanceOf(escrow)
    tx = escrow.rule(1, False, {"from": guardian})
    assert nmr.totalSupply() == supply - DISPUTE_BOND
    assert nmr.balanceOf(escrow) == held - DISPUTE_BOND
    assert plain(tx.events["DisputeRuled"].values()) == [1, rando, False, 0]
    info = escrow.getRound(1)
    assert (info["disputer"], info["voided"], info["finalized"]) == (brownie.ZERO_ADDRESS, False, False)


def test_after_a_rejection_settlement_starts_when_the_window_ends(escrow, oracle, guardian, batch, disputed):
    escrow.rule(1, False, {"from": guardian})
    ends = escrow.getRound(1)["challengeEndsAt"]
    if chain_now() < ends:
        with brownie.reverts(f"TournamentEscrowChallengeWindowOpen: 1, {ends}"):
            escrow.settle(1, batch, {"from": oracle})
    chain.sleep(CHALLENGE_WINDOW + 1)
    escrow.settle(1, batch, {"from": oracle})
    assert escrow.getRound(1)["settledCount"] == 2


def test_after_a_rejection_another_may_dispute_in_the_window(escrow, nmr, guardian, sponsor, disputed):
    escrow.rule(1, False, {"from": guardian})
    nmr.approve(escrow, DISPUTE_BOND, {"from": sponsor})
    escrow.dispute(1, {"from": sponsor})
    assert escrow.getRound(1)["disputer"] == sponsor


def test_the_guardian_may_rule_after_the_window(escrow, guardian, disputed):
    """The window bounds disputes, not rulings: settlement waits for the guardian."""
    chain.sleep(CHALLENGE_WINDOW + 1)
    escrow.rule(1, True, {"from": guardian})
    assert escrow.getRound(1)["voided"]


def test_ruling_after_the_ruling_period_reverts(escrow, guardian, close_round, disputed):
    """No ruling within the ruling period: the dispute lapses (test_lapse_dispute.py), and
    past resolvesBy the escape hatch has taken over anyway."""
    ruling_ends = escrow.getRound(1)["challengeEndsAt"] + escrow.rulingPeriod()
    close_round(1, past_deadline=True)
    with brownie.reverts(f"TournamentEscrowRulingPeriodOver: 1, {ruling_ends}"):
        escrow.rule(1, True, {"from": guardian})


def test_rule_without_dispute_reverts(escrow, guardian, commit):
    commit(1, [], [], wait=False)
    with brownie.reverts("TournamentEscrowNoDispute: 1"):
        escrow.rule(1, False, {"from": guardian})


def test_second_ruling_reverts(escrow, guardian, disputed):
    escrow.rule(1, True, {"from": guardian})
    with brownie.reverts("TournamentEscrowNoDispute: 1"):
        escrow.rule(1, False, {"from": guardian})


def test_unknown_round_reverts(escrow, guardian):
    with brownie.reverts("TournamentEscrowUnknownRound: 8"):
        escrow.rule(8, True, {"from": guardian})


def test_only_the_guardian_rules(escrow, admin, oracle, rando, disputed):
    for caller in (admin, oracle, rando):
        with brownie.reverts(role_error(caller, escrow.GUARDIAN_ROLE())):
            escrow.rule(1, True, {"from": caller})
