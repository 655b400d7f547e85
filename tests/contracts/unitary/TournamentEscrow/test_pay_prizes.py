"""payPrizes: once per round, winners strictly ascending (so each once, never the zero
address, never the escrow), at most 100; USD from the prize pool, NMR from the NMR pool
shared with settle; only the list the oracle committed (the last committed hash), after the
challenge window."""

import brownie
import pytest

from client.core.money.batches import prize_list_hash
from tests.contracts.helpers import (
    NMR,
    NMR_POOL_INDEX,
    PRIZE_POOL,
    USD,
    b32,
    plain,
    role_error,
)


def _address(i):
    """A wallet that never signs anything: prize winners need not."""
    return brownie.convert.to_address(f"0x{0x1000 + i:040x}")


@pytest.fixture(scope="module", autouse=True)
def round_one(open_round, close_round):
    """Round 1 with the default pools ($1,000 of prizes, 1,000 NMR), closed."""
    open_round(1)
    close_round(1)
    return 1


@pytest.fixture
def pay(escrow, oracle, commit):
    """Commits `prizes` as round `round_id`'s prize list (no settle batches), waits out the
    challenge window and pays them."""

    def _pay(prizes, round_id=1):
        commit(round_id, [], prizes)
        return escrow.payPrizes(round_id, prizes, {"from": oracle})

    return _pay


def test_prizes_pay_both_tokens_to_each_winner(escrow, nmr, usd, alice, bob, carol, prize_list, pay):
    prizes = prize_list([(alice, 500 * USD, 400 * NMR), (bob, 300 * USD, 250 * NMR), (carol, 200 * USD, 0)])
    before = {p[0]: (nmr.balanceOf(p[0]), usd.balanceOf(p[0])) for p in prizes}
    held = nmr.balanceOf(escrow), usd.balanceOf(escrow)

    tx = pay(prizes)
    assert plain(tx.events["BatchPosted"].values()) == [1, 0]

    for winner, usd_prize, nmr_prize in prizes:
        assert (nmr.balanceOf(winner), usd.balanceOf(winner)) == (
            before[winner][0] + nmr_prize, before[winner][1] + usd_prize,
        )
    assert (nmr.balanceOf(escrow), usd.balanceOf(escrow)) == (held[0] - 650 * NMR, held[1] - 1_000 * USD)
    assert [plain(e.values()) for e in tx.events["PrizePaid"]] == [[1, *p] for p in prizes]
    assert plain(tx.events["PrizesAwarded"].values()) == [1, 3, 1_000 * USD, 650 * NMR]
    info = escrow.getRound(1)
    assert (info["prizesPaid"], info["usdPrizePaid"], info["nmrPaid"], info["usdStakingPaid"]) == (
        True, 1_000 * USD, 650 * NMR, 0,
    )


def test_a_winner_with_a_zero_prize_moves_no_token(alice, pay):
    tx = pay([(alice.address, 0, 0)])
    assert "Transfer" not in tx.events
    assert plain(tx.events["PrizePaid"].values()) == [1, alice, 0, 0]


def test_a_winner_need_not_be_a_staker(usd, pay):
    pay([(_address(1), 7 * USD, 0)])
    assert usd.balanceOf(_address(1)) == 7 * USD


def test_empty_list_records_that_the_round_pays_no_prizes(escrow, pay):
    tx = pay([])
    assert "PrizePaid" not in tx.events
    assert plain(tx.events["PrizesAwarded"].values()) == [1, 0, 0, 0]
    assert escrow.getRound(1)["prizesPaid"]


def test_a_hundred_winners_are_paid(nmr, usd, prize_list, pay):
    prizes = prize_list([(_address(i), 10 * USD, 10 * NMR) for i in range(100)])
    tx = pay(prizes)
    assert len(tx.events["PrizePaid"]) == 100
    assert plain(tx.events["PrizesAwarded"].values()) == [1, 100, 1_000 * USD, 1_000 * NMR]
    assert usd.balanceOf(_address(99)) == 10 * USD and nmr.balanceOf(_address(0)) == 10 * NMR


def test_more_than_a_hundred_winners_revert(escrow, oracle, prize_list):
    prizes = prize_list([(_address(i), 1, 1) for i in range(101)])
    with brownie.reverts("TournamentEscrowTooManyWinners: 101, 100"):
        escrow.payPrizes(1, prizes, {"from": oracle})


def test_second_call_reverts(escrow, oracle, alice, bob, pay):
    pay([(alice.address, USD, 0)])
    with brownie.reverts("TournamentEscrowPrizesAlreadyPaid: 1"):
        escrow.payPrizes(1, [(bob.address, USD, 0)], {"from": oracle})


def test_second_call_after_an_empty_list_reverts(escrow, oracle, alice, pay):
    pay([])
    with brownie.reverts("TournamentEscrowPrizesAlreadyPaid: 1"):
        escrow.payPrizes(1, [(alice.address, USD, 0)], {"from": oracle})


def test_unsorted_winners_revert(pay, prize_list, alice, bob, carol):
    prizes = prize_list([(alice, USD, 0), (bob, USD, 0), (carol, USD, 0)])
    prizes[1], prizes[2] = prizes[2], prizes[1]
    with brownie.reverts(f"TournamentEscrowWinnersNotAscending: 2, {prizes[2][0].lower()}"):
        pay(prizes)


def test_duplicate_winner_reverts(pay, alice):
    prizes = [(alice.address, USD, 0), (alice.address, USD, 0)]
    with brownie.reverts(f"TournamentEscrowWinnersNotAscending: 1, {alice.address.lower()}"):
        pay(prizes)


def test_zero_address_winner_reverts(pay, alice):
    with brownie.reverts(f"TournamentEscrowWinnersNotAscending: 0, {brownie.ZERO_ADDRESS}"):
        pay([(brownie.ZERO_ADDRESS, USD, 0), (alice.address, USD, 0)])


@pytest.mark.parametrize("excess", [1, 0], ids=["past the pool reverts", "the whole pool pays"])
def test_usd_prizes_may_reach_the_prize_pool_not_pass_it(escrow, prize_list, alice, bob, pay, excess):
    prizes = prize_list([(alice, 600 * USD, 0), (bob, 400 * USD + excess, 0)])
    if excess:
        with brownie.reverts(f"TournamentEscrowPoolExceeded: 1, {PRIZE_POOL}, {1_000 * USD + 1}, {1_000 * USD}"):
            pay(prizes)
    else:
        pay(prizes)
        assert escrow.getRound(1)["usdPrizePaid"] == 1_000 * USD


def test_prizes_cannot_spend_the_staking_pool(escrow, usd, alice, pay):
    """The escrow holds $4,000 for round 1; $3,000 of it is the auction's, not the prizes'."""
    assert usd.balanceOf(escrow) == 4_000 * USD
    with brownie.reverts(f"TournamentEscrowPoolExceeded: 1, {PRIZE_POOL}, {4_000 * USD}, {1_000 * USD}"):
        pay([(alice.address, 4_000 * USD, 0)])


@pytest.mark.parametrize("excess", [1, 0], ids=["past the pool reverts", "the whole pool pays"])
def test_nmr_prizes_may_reach_the_nmr_pool_not_pass_it(escrow, prize_list, alice, bob, pay, excess):
    prizes = prize_list([(alice, 0, 999 * NMR), (bob, 0, NMR + excess)])
    if excess:
        with brownie.reverts(f"TournamentEscrowPoolExceeded: 1, {NMR_POOL_INDEX}, {1_000 * NMR + 1}, {1_000 * NMR}"):
            pay(prizes)
    else:
        pay(prizes)
        assert escrow.getRound(1)["nmrPaid"] == 1_000 * NMR


@pytest.mark.parametrize("excess", [1, 0], ids=["past the pool reverts", "the rest pays"])
def test_nmr_prizes_share_the_pool_with_stake_rewards(
    escrow, stake, open_round, close_round, oracle, alice, bob, settle_entry, commit, excess
):
    """Stake rewards took 400 of round 2's 1,000 NMR: prizes may take the other 600."""
    open_round(2)
    stake(alice, 400 * NMR, round_id=2)
    close_round(2)
    batch, prizes = [settle_entry(alice, nmr_reward=400 * NMR)], [(bob.address, 0, 600 * NMR + excess)]
    commit(2, [batch], prizes)
    escrow.settle(2, batch, {"from": oracle})
    if excess:
        with brownie.reverts(f"TournamentEscrowPoolExceeded: 2, {NMR_POOL_INDEX}, {600 * NMR + 1}, {600 * NMR}"):
            escrow.payPrizes(2, prizes, {"from": oracle})
    else:
        escrow.payPrizes(2, prizes, {"from": oracle})
        assert escrow.getRound(2)["nmrPaid"] == 1_000 * NMR


def test_a_refused_list_changes_nothing(escrow, nmr, usd, prize_list, alice, bob, pay):
    before = [nmr.balanceOf(a) for a in (alice, bob, escrow)] + [usd.balanceOf(a) for a in (alice, bob, escrow)]
    with brownie.reverts(revert_pattern="TournamentEscrowPoolExceeded: .*"):
        pay(prize_list([(alice, USD, 0), (bob, 0, 1_001 * NMR)]))
    after = [nmr.balanceOf(a) for a in (alice, bob, escrow)] + [usd.balanceOf(a) for a in (alice, bob, escrow)]
    assert after == before
    assert not escrow.getRound(1)["prizesPaid"]


def test_prizes_are_paid_while_paused(escrow, pauser, alice, pay):
    escrow.pause({"from": pauser})
    pay([(alice.address, USD, 0)])
    assert escrow.getRound(1)["usdPrizePaid"] == USD


def test_unknown_round_reverts(escrow, oracle):
    with brownie.reverts("TournamentEscrowUnknownRound: 3"):
        escrow.payPrizes(3, [], {"from": oracle})


def test_prizes_before_close_revert(escrow, open_round, oracle):
    open_round(2)
    closes_at = escrow.getRound(2)["closesAt"]
    with brownie.reverts(f"TournamentEscrowRoundOpen: 2, {closes_at}"):
        escrow.payPrizes(2, [], {"from": oracle})


def test_prizes_after_the_deadline_revert(escrow, oracle, close_round, alice):
    close_round(1, past_deadline=True)
    resolves_by = escrow.getRound(1)["resolvesBy"]
    with brownie.reverts(f"TournamentEscrowSettlementWindowOver: 1, {resolves_by}"):
        escrow.payPrizes(1, [(alice.address, USD, 0)], {"from": oracle})


def test_prizes_after_finalize_revert(escrow, oracle, pay):
    pay([])
    escrow.finalize(1, {"from": oracle})
    with brownie.reverts("TournamentEscrowAlreadyFinalized: 1"):
        escrow.payPrizes(1, [], {"from": oracle})


def test_escrow_as_winner_reverts(escrow, pay):
    """Tokens paid to the escrow itself would sit in no pool and no stake."""
    with brownie.reverts(f"TournamentEscrowInvalidWinner: 0, {escrow.address.lower()}"):
        pay([(escrow.address, USD, 0)])


def test_a_list_not_committed_reverts(escrow, oracle, alice, bob, commit):
    committed, other = [(alice.address, USD, 0)], [(bob.address, USD, 0)]
    commit(1, [], committed)
    with brownie.reverts(
        f"TournamentEscrowBatchMismatch: 1, 0, {b32(prize_list_hash(committed))}, {b32(prize_list_hash(other))}"
    ):
        escrow.payPrizes(1, other, {"from": oracle})


def test_prizes_before_commit_revert(escrow, oracle):
    with brownie.reverts("TournamentEscrowNotCommitted: 1"):
        escrow.payPrizes(1, [], {"from": oracle})


def test_prizes_during_the_challenge_window_revert(escrow, oracle, commit):
    commit(1, [], [], wait=False)
    ends = escrow.getRound(1)["challengeEndsAt"]
    with brownie.reverts(f"TournamentEscrowChallengeWindowOpen: 1, {ends}"):
        escrow.payPrizes(1, [], {"from": oracle})


def test_only_the_oracle_pays_prizes(escrow, admin, rando):
    for caller in (admin, rando):
        with brownie.reverts(role_error(caller, escrow.ORACLE_ROLE())):
            escrow.payPrizes(1, [(rando.address, USD, 0)], {"from": caller})
