"""commitResults: once a round has closed, the oracle commits the digest of the published
targets and scores and the hash of every batch it will post (the prize list last); the
challenge window then starts, and must end before resolvesBy."""

import brownie
import pytest
from brownie import chain

from client.core.money.batches import (
    batch_hashes,
    prize_list_hash,
    settle_batch_hash,
)
from tests.contracts.helpers import (
    CHALLENGE_WINDOW,
    NMR,
    RESULTS_DIGEST,
    RULING_PERIOD,
    USD,
    b32,
    chain_now,
    hex0x,
    plain,
    role_error,
)


@pytest.fixture(scope="module", autouse=True)
def round_one(open_round, stake, close_round, alice, bob):
    """Round 1 with the default pools; alice and bob staked 100 NMR each; closed."""
    open_round(1)
    stake(alice, 100 * NMR)
    stake(bob, 100 * NMR)
    close_round(1)


@pytest.fixture
def plan(alice, bob, carol):
    """Two settle batches and a prize list, as the oracle would post them."""
    return [[(alice.address, 0, 0, 50 * USD, 0, False)], [(bob.address, 0, 100 * NMR, 0, 0, False)]], [(carol.address, USD, NMR)]


def test_commit_records_the_hashes_and_starts_the_window(escrow, oracle, plan):
    batches, prizes = plan
    hashes = batch_hashes(batches, prizes)
    tx = escrow.commitResults(1, RESULTS_DIGEST, hashes, {"from": oracle})
    ends = tx.timestamp + CHALLENGE_WINDOW
    event = tx.events["ResultsCommitted"]
    assert (event["roundId"], hex0x(event["resultsDigest"]), event["challengeEndsAt"]) == (
        1, hex0x(RESULTS_DIGEST), ends,
    )
    assert [hex0x(h) for h in event["batchHashes"]] == hashes
    assert [hex0x(h) for h in escrow.committedBatches(1)] == hashes
    info = escrow.getRound(1)
    assert (info["challengeEndsAt"], info["batchCount"], info["batchesSettled"]) == (ends, 3, 0)
    assert hex0x(info["resultsDigest"]) == hex0x(RESULTS_DIGEST)


def test_the_hashes_are_the_abi_encoding_the_escrow_recomputes(escrow, oracle, commit, plan):
    """The off-chain hash of each batch is exactly what settle and payPrizes check: the
    whole committed plan posts, batch after batch."""
    batches, prizes = plan
    commit(1, batches, prizes)
    assert hex0x(escrow.committedBatches(1)[0]) == settle_batch_hash(batches[0])
    assert hex0x(escrow.committedBatches(1)[2]) == prize_list_hash(prizes)
    for batch in batches:
        escrow.settle(1, batch, {"from": oracle})
    escrow.payPrizes(1, prizes, {"from": oracle})
    info = escrow.getRound(1)
    assert (info["settledCount"], info["batchesSettled"], info["prizesPaid"]) == (2, 2, True)


def test_commit_moves_no_tokens(escrow, oracle, plan):
    tx = escrow.commitResults(1, RESULTS_DIGEST, batch_hashes(*plan), {"from": oracle})
    assert "Transfer" not in tx.events


def test_commit_works_while_paused(escrow, oracle, pauser, plan):
    escrow.pause({"from": pauser})
    escrow.commitResults(1, RESULTS_DIGEST, batch_hashes(*plan), {"from": oracle})
    assert escrow.getRound(1)["batchCount"] == 3


def test_a_round_with_no_stakes_commits_its_prize_list_alone(escrow, oracle, open_round, close_round):
    open_round(2)
    close_round(2)
    escrow.commitResults(2, RESULTS_DIGEST, batch_hashes([], []), {"from": oracle})
    assert escrow.getRound(2)["batchCount"] == 1


def test_second_commit_reverts(escrow, oracle, plan):
    escrow.commitResults(1, RESULTS_DIGEST, batch_hashes(*plan), {"from": oracle})
    with brownie.reverts("TournamentEscrowAlreadyCommitted: 1"):
        escrow.commitResults(1, RESULTS_DIGEST, batch_hashes([], []), {"from": oracle})


def test_unknown_round_reverts(escrow, oracle):
    with brownie.reverts("TournamentEscrowUnknownRound: 9"):
        escrow.commitResults(9, RESULTS_DIGEST, batch_hashes([], []), {"from": oracle})


def test_commit_before_close_reverts(escrow, oracle, open_round):
    open_round(2)
    closes_at = escrow.getRound(2)["closesAt"]
    with brownie.reverts(f"TournamentEscrowRoundOpen: 2, {closes_at}"):
        escrow.commitResults(2, RESULTS_DIGEST, batch_hashes([], []), {"from": oracle})


def test_commit_after_finalize_reverts(escrow, oracle, rando, close_round):
    close_round(1, past_deadline=True)
    escrow.finalize(1, {"from": rando})
    with brownie.reverts("TournamentEscrowAlreadyFinalized: 1"):
        escrow.commitResults(1, RESULTS_DIGEST, batch_hashes([], []), {"from": oracle})


def test_zero_results_digest_reverts(escrow, oracle):
    with brownie.reverts("TournamentEscrowZeroDigest: "):
        escrow.commitResults(1, bytes(32), batch_hashes([], []), {"from": oracle})


@pytest.mark.parametrize("count", [0, 257])
def test_batch_count_out_of_range_reverts(escrow, oracle, count):
    with brownie.reverts(f"TournamentEscrowBatchCount: {count}, 256"):
        escrow.commitResults(1, RESULTS_DIGEST, [b"\x01" * 32] * count, {"from": oracle})


def test_commit_too_late_for_the_window_reverts(escrow, oracle):
    """A window and ruling period that would end at or after resolvesBy leave no time to
    settle a disputed round."""
    resolves_by = escrow.getRound(1)["resolvesBy"]
    chain.sleep(resolves_by - CHALLENGE_WINDOW - RULING_PERIOD - chain_now())
    chain.mine()
    with brownie.reverts(revert_pattern=f"TournamentEscrowCommitTooLate: 1, [0-9]+, {resolves_by}"):
        escrow.commitResults(1, RESULTS_DIGEST, batch_hashes([], []), {"from": oracle})


def test_commit_with_time_left_for_the_window_succeeds(escrow, oracle):
    resolves_by = escrow.getRound(1)["resolvesBy"]
    chain.sleep(resolves_by - CHALLENGE_WINDOW - RULING_PERIOD - chain_now() - 60)
    chain.mine()
    tx = escrow.commitResults(1, RESULTS_DIGEST, batch_hashes([], []), {"from": oracle})
    assert tx.events["ResultsCommitted"]["challengeEndsAt"] + RULING_PERIOD < resolves_by


def test_only_the_oracle_commits(escrow, admin, guardian, rando):
    for caller in (admin, guardian, rando):
        with brownie.reverts(role_error(caller, escrow.ORACLE_ROLE())):
            escrow.commitResults(1, RESULTS_DIGEST, batch_hashes([], []), {"from": caller})


def test_the_event_lists_every_hash(escrow, oracle, plan):
    tx = escrow.commitResults(1, RESULTS_DIGEST, batch_hashes(*plan), {"from": oracle})
    assert [b32(h) for h in tx.events["ResultsCommitted"]["batchHashes"]] == [b32(h) for h in batch_hashes(*plan)]
    assert plain([tx.events["ResultsCommitted"]["roundId"]]) == [1]
