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


@pytest.fixture
def resolve(escrow, oracle, commit):
    """Commits and posts round `round_id`'s settle batches; with `prizes` given, the prize
    list too (a list left unpaid is still committed as empty)."""

    def _resolve(batches, prizes=None, round_id=1):
        commit(round_id, batches, prizes or [])
        for batch in batches:
            escrow.settle(round_id, batch, {"from": oracle})
        if prizes is not None:
            escrow.payPrizes(round_id, prizes, {"from": oracle})

    return _resolve


@pytest.fixture
def both(alice, bob):
    """Round 1's one batch: alice released with $100 and 10 NMR, bob burned whole."""
    return [(alice.address, 0, 0, 100 * USD, 10 * NMR, False), (bob.address, 0, 100 * NMR, 0, 0, False)]


def test_finalize_returns_unspent_pools_to_the_funder(escrow, nmr, usd, treasury, rando, carol, resolve, both):
    resolve([both], [(carol.address, 250 * USD, 90 * NMR)])
    before = nmr.balanceOf(treasury), usd.balanceOf(treasury)

    tx = escrow.finalize(1, {"from": rando})

    usd_back = (3_000 - 100) * USD + (1_000 - 250) * USD
    nmr_back = (1_000 - 10 - 90) * NMR
    assert (nmr.balanceOf(treasury), usd.balanceOf(treasury)) == (before[0] + nmr_back, before[1] + usd_back)
    assert plain(tx.events["RoundFinalized"].values()) == [1, treasury, usd_back, nmr_back]
    assert (nmr.balanceOf(escrow), usd.balanceOf(escrow)) == (0, 0)
    assert escrow.getRound(1)["finalized"]


def test_a_sponsor_gets_its_own_pools_back(escrow, usd, open_round, close_round, sponsor, treasury, resolve):
    open_round(2, usd_staking=0, usd_prize=500 * USD, nmr_pool=0, funder=sponsor)
    close_round(2)
    resolve([], [], round_id=2)
    sponsor_before, treasury_before = usd.balanceOf(sponsor), usd.balanceOf(treasury)
    tx = escrow.finalize(2, {"from": sponsor})
    assert usd.balanceOf(sponsor) == sponsor_before + 500 * USD
    assert usd.balanceOf(treasury) == treasury_before
    assert plain(tx.events["RoundFinalized"].values()) == [2, sponsor, 500 * USD, 0]


def test_fully_spent_pools_return_nothing(escrow, stake, open_round, close_round, alice, resolve):
    open_round(2, usd_staking=100 * USD, usd_prize=0, nmr_pool=100 * NMR)
    stake(alice, 100 * NMR, round_id=2)
    close_round(2)
    resolve([[(alice.address, 0, 0, 100 * USD, 100 * NMR, False)]], [], round_id=2)
    tx = escrow.finalize(2, {"from": alice})
    assert plain(tx.events["RoundFinalized"].values())[2:] == [0, 0]
    assert "Transfer" not in tx.events


def test_an_unfunded_round_finalizes_with_nothing_to_return(escrow, create_round, close_round, treasury, rando, resolve):
    create_round(2)
    close_round(2)
    resolve([], [], round_id=2)
    tx = escrow.finalize(2, {"from": rando})
    assert plain(tx.events["RoundFinalized"].values()) == [2, treasury, 0, 0]
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
    escrow.withdrawStake(1, 0, {"from": alice})
    assert nmr.balanceOf(escrow) == 100 * NMR


def test_finalize_works_while_paused(escrow, pauser, alice, resolve, both):
    resolve([both], [])
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


def test_finalize_with_unsettled_stakes_reverts(escrow, oracle, rando, alice, commit):
    batch = [(alice.address, 0, 0, 0, 0, False)]
    commit(1, [batch], [])
    escrow.payPrizes(1, [], {"from": oracle})
    with brownie.reverts("TournamentEscrowUnsettledStakes: 1, 2"):
        escrow.finalize(1, {"from": rando})
    escrow.settle(1, batch, {"from": oracle})
    with brownie.reverts("TournamentEscrowUnsettledStakes: 1, 1"):
        escrow.finalize(1, {"from": rando})


def test_finalize_before_prizes_reverts(escrow, rando, resolve, both):
    resolve([both])
    with brownie.reverts("TournamentEscrowPrizesNotPaid: 1"):
        escrow.finalize(1, {"from": rando})


def test_second_finalize_reverts(escrow, rando, resolve, both):
    resolve([both], [])
    escrow.finalize(1, {"from": rando})
    with brownie.reverts("TournamentEscrowAlreadyFinalized: 1"):
        escrow.finalize(1, {"from": rando})


def test_second_finalize_after_the_deadline_reverts(escrow, rando, close_round):
    close_round(1, past_deadline=True)
    escrow.finalize(1, {"from": rando})
    with brownie.reverts("TournamentEscrowAlreadyFinalized: 1"):
        escrow.finalize(1, {"from": rando})


def test_an_unruled_dispute_gets_its_bond_back_after_the_deadline(
    escrow, nmr, usd, treasury, rando, commit, close_round
):
    """The guardian never ruled: at resolvesBy the escape hatch takes over, and finalize
    returns the disputer's bond beside the pools."""
    commit(1, [], [], wait=False)
    bond = escrow.disputeBond()
    nmr.approve(escrow, bond, {"from": rando})
    escrow.dispute(1, {"from": rando})
    close_round(1, past_deadline=True)
    before = nmr.balanceOf(rando)
    tx = escrow.finalize(1, {"from": rando})
    assert nmr.balanceOf(rando) == before + bond
    assert plain(tx.events["DisputeLapsed"].values()) == [1, rando, bond]
    assert plain(tx.events["RoundFinalized"].values()) == [1, treasury, 4_000 * USD, 1_000 * NMR]
    assert escrow.getRound(1)["disputer"] == brownie.ZERO_ADDRESS
    assert nmr.balanceOf(escrow) == 200 * NMR  # only the two stakes, withdrawable
