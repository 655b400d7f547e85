"""Which file each model is scored on (app.oracle.resolving.scored_files): the stake's
committed file, a sealed file only once revealed, and a rolled stake's zero hash kept on
the model's current file. No chain: the stake records are written out here."""

from __future__ import annotations

from datetime import timedelta

import pytest
from web3 import Web3

from app import store
from app.data import build_round_dataset
from app.oracle.resolving import scored_files, sealed_reason
from client.core.money.stakes import Stake
from client.core.money.units import NMR
from client.core.predictions import ZERO_HASH
from tests.support import app_with_open_round

ROUND = 4
ALICE, BOB, CAROL = (Web3.to_checksum_address("0x" + c * 40) for c in "abc")  # keys as the chain names them


def file_hash(n: int) -> str:
    return "0x" + f"{n:064x}"


@pytest.fixture
def app(tmp_path):
    dataset = build_round_dataset(seed=3, key="scored-files", round_number=ROUND, n_features=4, rows_per_era=20,
                                  n_train_eras=2, n_validation_eras=2)
    application = app_with_open_round(tmp_path, dataset)
    with application.app_context():
        row = store.get_round(ROUND)
        row.sealed, row.live_until = True, row.closes_at + timedelta(hours=2)
        row.reveal_until = row.closes_at + timedelta(hours=1)
        store.get_session().commit()
    return application


def upload(key: str, n: int) -> store.Submission:
    return store.save_submission(ROUND, key, stored_path=f"/uploads/{n}.csv", original_filename="p.csv",
                                 file_hash=file_hash(n), file_format="csv", rows=10, metrics={})


def seal(key: str, n: int) -> store.Submission:
    return store.commit_submission(ROUND, key, original_filename="p.csv", file_hash=file_hash(n), rows=10,
                                   columns=["id", "probability"])


def stake(key: str, committed: str) -> Stake:
    return Stake(key, 10 * NMR, 10**17, 0, "active", committed)


def test_a_sealed_file_never_revealed_is_left_out_and_its_stake_says_why(app):
    with app.app_context():
        seal(ALICE, 1)
        revealed = seal(BOB, 2)
        store.reveal_submission(revealed.id, stored_path="/uploads/2.csv", file_format="csv", metrics={})
        seal(CAROL, 3)  # never revealed, never staked: simply not scored
        stakes = [stake(ALICE, file_hash(1)), stake(BOB, file_hash(2))]
        files = scored_files(store.get_round(ROUND), stakes)
        assert list(files) == [BOB] and files[BOB].id == revealed.id
        row = store.get_round(ROUND)
        assert sealed_reason(row, stakes[0]) == ("released without reward: sealed file not revealed by "
                                                 f"{row.reveal_until:%Y-%m-%d %H:%M:%S} UTC")
        assert sealed_reason(row, stakes[1]) is None


def test_a_stake_on_the_zero_hash_is_committed_to_the_models_current_file(app):
    with app.app_context():
        upload(ALICE, 1)
        current = upload(ALICE, 2)  # the model's newest file: what a rolled stake means
        upload(BOB, 3)
        stakes = [stake(ALICE, ZERO_HASH), stake(BOB, file_hash(99))]  # bob's hash matches nothing of his
        files = scored_files(store.get_round(ROUND), stakes)
        assert files == {ALICE: current}
        assert sealed_reason(store.get_round(ROUND), stakes[0]) is None


def test_a_zero_hash_stake_on_an_unrevealed_sealed_file_scores_nothing(app):
    with app.app_context():
        seal(ALICE, 1)
        assert scored_files(store.get_round(ROUND), [stake(ALICE, ZERO_HASH.upper().replace("X", "x"))]) == {}


def test_a_stake_on_an_older_revealed_file_is_scored_on_it(app):
    with app.app_context():
        older = seal(ALICE, 1)
        seal(ALICE, 2)  # the current commitment, never revealed
        store.reveal_submission(older.id, stored_path="/uploads/1.csv", file_format="csv", metrics={})
        files = scored_files(store.get_round(ROUND), [stake(ALICE, file_hash(1))])
        assert files[ALICE].id == older.id
