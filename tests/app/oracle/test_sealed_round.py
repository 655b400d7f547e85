"""A sealed round on a real Ganache, end to end, through the client a data scientist uses:
three stakers seal their files; before the close no database row, no stored or published
file and no log line holds a probability of theirs; after it, a file that is not the one
committed is refused, two files are revealed, one never is; the round resolves, settles
and finalizes. The revealed files are scored and paid as the plan says, the unrevealed
stake comes back whole without reward (the rules page's words), and only revealed files
are published. verify agrees with the chain."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import pytest
from eth_account import Account

from app import oracle, store
from app.oracle.keeper import sealed_by_schedule
from client import NumeraireClient
from client.core.money.plan import plan_from_json
from client.core.money.verify import verify_published
from tests.app.oracle.conftest import NMR, advance_chain_time, token_and_escrow
from tests.app.oracle.test_full_round import (
    POOLS,
    _assert_chain_matches_plan,
    _balances,
    _predictions,
)
from tests.support import (
    database_texts,
    folder_texts,
    predictions_found,
    probability_texts,
    serve,
)

CLOSES_IN, REVEAL_IN, LIVE_IN, RESOLVES_IN = 600, 600, 1500, 7200
DATASET = {"rows_per_era": 400}
NAMES = ("alice", "bob", "carol")  # bob never reveals; carol first tries another file
STAKES = {"alice": 20, "bob": 15, "carol": 10}


def everything_the_server_holds(app, logs: list[str]) -> list[str]:
    """Every row of every table, the database file and its WAL byte for byte, every file
    under the data folder but the round's dataset, and every log line and report so far."""
    database = Path(app.config["DATABASE_URL"].removeprefix("sqlite:///"))
    files = [path.read_bytes().decode("latin-1") for path in database.parent.glob(f"{database.name}*")]
    return database_texts(app) + files + folder_texts(Path(app.config["DATA_DIR"]), skip=["datasets"]) + logs


@pytest.fixture
def logs(caplog):
    """Every log record of every logger (the app's, werkzeug's requests), as text."""
    caplog.set_level(logging.DEBUG)
    return caplog


def test_a_sealed_round_from_commitment_to_payout(app, w3, keys, deployment, tmp_path, logs):
    _, record = deployment
    token, _escrow = token_and_escrow(w3, record)
    reports: list[str] = []
    with app.app_context():
        row = oracle.open_round(1, closes_in=CLOSES_IN, live_in=LIVE_IN, resolves_in=RESOLVES_IN, pools=POOLS,
                                dataset_options=DATASET, sealed=True, reveal_in=REVEAL_IN, report=reports.append)
        assert row.sealed and row.reveal_until == row.closes_at + pd.Timedelta(seconds=REVEAL_IN)
        public = pd.read_parquet(row.dataset_parquet_path)
    frames = {name: _predictions(public, 2 * i) for i, name in enumerate(NAMES)}  # three trained models
    addresses = {name: Account.from_key(keys[3 + i]).address for i, name in enumerate(NAMES)}

    home = tmp_path / "scientists"  # their machines: apart from the server's folders
    with serve(app) as url:
        clients = {name: NumeraireClient(url, private_key=keys[3 + i], progress=False, sealed_dir=home / name)
                   for i, name in enumerate(NAMES)}  # fmt: skip
        balances_before = _balances(w3, record, list(addresses.values()))
        hashes = {}
        for name, client in clients.items():
            path = home / f"{name}.csv"
            path.parent.mkdir(exist_ok=True)
            frames[name].to_csv(path, index=False)
            sealed = client.upload_predictions(path, 1)
            assert sealed["awaiting_reveal"] and sealed["sealed"]["reveal_until"]
            hashes[name] = sealed["hash"]
            client.stake(STAKES[name], "0.5", 1, sealed["hash"])

        # Before the close: a sealed file's predictions are nowhere on the server.
        assert "/api/v1/rounds/1/commitments" in logs.text  # the request log was captured
        corpus = everything_the_server_holds(app, [logs.text, *reports])
        for name in NAMES:
            assert predictions_found(probability_texts(frames[name]), corpus) == set(), name
        page = clients["bob"].round_results(1)
        assert page["sealed"]["awaiting"] == [{"key": addresses["bob"], "model_number": 0, "hash": hashes["bob"],
                                               "rows": len(frames["bob"])}]

        advance_chain_time(w3, CLOSES_IN + 1)
        with app.app_context():
            oracle.close_round(1, report=reports.append)
        [alice] = clients["alice"].reveal_predictions()
        assert alice["status"] == "revealed"
        # The positive control: a revealed file's probabilities are found by the same search.
        assert predictions_found(probability_texts(frames["alice"]),
                                 everything_the_server_holds(app, []))

        other = home / "carol-other.csv"
        frames["carol"].assign(probability=(frames["carol"]["probability"] * 0.9).round(6)).to_csv(other, index=False)
        [refused] = clients["carol"].reveal_predictions(1, path=other)
        assert refused["status"] == "refused" and "never committed to" in refused["message"]
        assert hashes["carol"] in refused["message"] and "Nothing was stored" in refused["message"]
        with app.app_context():
            assert store.current_submission(1, addresses["carol"]).awaiting_reveal  # the refusal changed nothing
        [carol] = clients["carol"].reveal_predictions()
        assert carol["status"] == "revealed" and carol["hash"] == hashes["carol"]

    advance_chain_time(w3, LIVE_IN - CLOSES_IN)  # past the reveal deadline and the live targets
    supply_before = token.functions.totalSupply().call()
    with app.app_context():
        document = oracle.resolve_round(1, report=reports.append)
        oracle.settle_round(1, report=reports.append)
        oracle.finalize_round(1, report=reports.append)
        scores = {s.address: s for s in store.round_scores(1)}
        reveal_until = store.get_round(1).reveal_until

    plan = plan_from_json(document)
    outcome = {e.model: e for e in plan.stakes}
    # Bob's stake: back whole, no reward, no burn, no prize; the rules page's words.
    bob = outcome[addresses["bob"]]
    assert (bob.stake, bob.burn, bob.usd_reward, bob.nmr_reward) == (STAKES["bob"] * NMR, 0, 0, 0)
    assert addresses["bob"] not in {p.participant for p in plan.prizes}
    reason = f"released without reward: sealed file not revealed by {reveal_until:%Y-%m-%d %H:%M:%S} UTC"
    assert scores[addresses["bob"]].reason == reason and scores[addresses["bob"]].live_logloss is None
    with app.test_client() as browser:
        rules = browser.get("/rules").get_data(as_text=True).split('id="sealed-rounds"', 1)[1]
        assert "released without reward" in rules.split("</section>", 1)[0]
        assert reason in browser.get("/rounds/1").get_data(as_text=True)
    # Alice and carol: scored on their revealed files and paid as the plan says, like any upload.
    assert document["scored"] == [addresses["alice"], addresses["carol"]]
    assert all(scores[addresses[n]].live_logloss is not None for n in ("alice", "carol"))
    assert not any("no scored file" in plan.reasons[addresses[n]] for n in ("alice", "carol"))
    stakers = [(addresses[n], STAKES[n] * NMR) for n in NAMES]
    _assert_chain_matches_plan(w3, record, stakers, document, supply_before, balances_before)  # read before staking
    assert _balances(w3, record, [addresses["bob"]])[addresses["bob"]] == balances_before[addresses["bob"]]

    with app.app_context():
        published = oracle.publish_round(1, report=reports.append)
    assert sorted(p.stem for p in (published / "predictions").iterdir()) == sorted([addresses["alice"],
                                                                                    addresses["carol"]])
    verdict = verify_published(published, app.config["RPC_URL"])
    assert verdict.ok, verdict.mismatches


def test_the_keeper_seals_the_rounds_its_schedule_names(app):
    app.config.update(SEALED_EVERY=3, SEALED_OFFSET=2)
    with app.app_context():
        assert [n for n in range(1, 10) if sealed_by_schedule(n)] == [2, 5, 8]
        app.config["SEALED_EVERY"] = 0
        assert not any(sealed_by_schedule(n) for n in range(1, 10))


def test_a_sealed_round_needs_time_to_reveal_before_the_live_targets(app):
    with app.app_context(), pytest.raises(oracle.OracleError, match="give it a live period"):
        oracle.open_round(1, closes_in=CLOSES_IN, resolves_in=RESOLVES_IN, sealed=True, report=lambda _: None)
    with app.app_context():
        assert store.get_round(1) is None
