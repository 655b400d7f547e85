"""Per-era CORR, MMC and FNC of a round played on a real Ganache: three models upload (two
stake on chain, one does not), the oracle runs the round (close, resolve, settle,
finalize), and every scored model's stored ``era_scores`` are what ``client.core.scoring``
computes for its file, served by the JSON API, the model page's view model and, through an
unmodified numerapi 3.1.1, by ``intra_round_scores``."""

from __future__ import annotations

import math

import numerapi
import numerapi.base_api
import numpy as np
import pandas as pd
import pytest
from eth_account import Account

from app import oracle, store
from app.oracle.resolving import load_dataset
from app.web import services, views
from client.core.scoring import score_round_full
from tests.app.oracle.conftest import NMR, advance_chain_time, send, token_and_escrow
from tests.app.oracle.test_full_round import POOLS, _predictions
from tests.support import chain_app, deploy, serve

# Three live eras, so a round's CORR is a mean over eras and not one era's value.
DATASET = {"rows_per_era": 300, "n_validation_eras": 3, "n_live_eras": 3}
METRICS = ("logloss", "corr", "mmc", "fnc")
QUIET = {"report": lambda _: None}
# (key index, file index of tests.app.oracle.test_full_round._predictions, stake in NMR):
# files 0 and 4 are models trained on their own features, file 1 guesses.
PLAYERS = ((3, 0, 12), (4, 4, 7), (5, 1, 0))


@pytest.fixture(scope="module")
def played(ganache_url, w3, keys, tmp_path_factory):
    """The round run to its end: ``{"app", "round", "keys" (model keys in upload order),
    "stakes" ({key: wei}), "scores" ({key: Score})}``."""
    folder = tmp_path_factory.mktemp("era-scores")
    wallets = [Account.from_key(keys[i]).address for i, _, _ in PLAYERS]
    deployments, record = deploy(w3, keys, folder / "deployments.json", wallets)
    app = chain_app(folder, ganache_url, deployments, keys[1], treasury_key=keys[0])
    token, escrow = token_and_escrow(w3, record)
    stakes = {}
    with app.app_context():
        row = oracle.open_round(closes_in=600, resolves_in=7200, pools=POOLS, dataset_options=DATASET, **QUIET)
        public = pd.read_parquet(row.dataset_parquet_path)
        for (index, file_index, nmr), wallet in zip(PLAYERS, wallets, strict=True):
            body = _predictions(public, file_index).to_csv(index=False).encode()
            outcome = services.upload_predictions(row.number, wallet, body, f"file-{file_index}.csv")
            assert outcome.result.ok, outcome.result.problems
            if nmr:
                send(w3, keys[index], token.functions.approve(escrow.address, nmr * NMR))
                send(w3, keys[index], escrow.functions.stake(row.number, 0, nmr * NMR, 10**16,
                                                             bytes.fromhex(outcome.result.hash[2:])))  # fmt: skip
                stakes[wallet] = nmr * NMR
        advance_chain_time(w3, 601)
        oracle.run_round(row.number, **QUIET)
        scores = {s.model_key: s for s in store.round_scores(row.number)}
    return {"app": app, "round": row.number, "keys": wallets, "stakes": stakes, "scores": scores}


def recomputed_per_era(played: dict) -> pd.DataFrame:
    """``client.core.scoring``'s per-era table for the round, from the stored files, the
    round's live targets and the stakes as weights, in upload order (as the oracle scores)."""
    with played["app"].app_context():
        dataset = load_dataset(store.get_round(played["round"]))
        files = {key: store.current_submission(played["round"], key).stored_path for key in played["keys"]}
    predictions = {key: pd.read_csv(path, dtype={"id": str}).set_index("id")["probability"]
                   for key, path in files.items()}  # fmt: skip
    return score_round_full(dataset.tournament, dataset.live_targets, predictions, stakes=played["stakes"]).per_era


def same(stored: float | None, computed: float) -> bool:
    """A stored per-era value is the computed one, None where it is not finite."""
    return stored is None if not math.isfinite(computed) else stored == computed


def test_stored_era_scores_are_what_scoring_computes(played):
    per_era = recomputed_per_era(played)
    for key in played["keys"]:
        stored = played["scores"][key].era_scores
        rows = per_era[per_era["submission"] == key].to_dict("records")
        assert [(e["era"], e["data_type"]) for e in stored] == [(r["era"], r["data_type"]) for r in rows]
        for entry, row in zip(stored, rows, strict=True):
            assert all(same(entry[metric], row[metric]) for metric in METRICS), (key, entry, row)
    kinds = [e["data_type"] for e in played["scores"][played["keys"][0]].era_scores]
    assert kinds == ["validation"] * 3 + ["live"] * 3


def test_the_round_scores_are_the_means_of_the_live_eras(played):
    for key in played["keys"]:
        score = played["scores"][key]
        live = [e for e in score.era_scores if e["data_type"] == "live"]
        for metric in ("corr", "mmc", "fnc"):
            values = [e[metric] for e in live]
            assert all(isinstance(v, float) for v in values), (key, metric, values)  # real numbers, every era
            assert getattr(score, metric) == pytest.approx(np.mean(values), rel=0, abs=1e-12)
        # Every live era has the same number of rows, so the row-weighted logloss is the plain mean.
        assert score.live_logloss == pytest.approx(np.mean([e["logloss"] for e in live]), rel=0, abs=1e-12)
        assert len({e["corr"] for e in live}) == 3  # three eras, three different values
        # The older per-era mapping is kept, the same logloss values.
        assert score.per_era == {e["era"]: e["logloss"] for e in score.era_scores}


def test_the_model_api_and_the_model_page_serve_the_era_scores(played):
    app = played["app"]
    for key in played["keys"]:
        body = app.test_client().get(f"/api/v1/models/{key}").get_json()
        [entry] = body["scores"]
        assert entry["round"] == played["round"] and entry["era_scores"] == played["scores"][key].era_scores
        with app.app_context():
            [page_score] = views.model_page(key)["scores"]
        assert page_score["era_scores"] == played["scores"][key].era_scores


def test_my_account_api_serves_the_era_scores(played):
    key = played["keys"][0]
    with played["app"].app_context():
        _row, token = store.create_api_token(key, "era-scores")
    body = played["app"].test_client().get("/api/v1/account", headers={"Authorization": f"Token {token}"}).get_json()
    [entry] = body["scores"]
    assert entry["era_scores"] == played["scores"][key].era_scores and entry["model"] == key


@pytest.fixture(scope="module")
def napi(played):
    """An anonymous numerapi 3.1.1 client pointed at the served app."""
    with serve(played["app"]) as server, pytest.MonkeyPatch.context() as patch:
        patch.setattr(numerapi.base_api, "API_TOURNAMENT_URL", f"{server}/graphql")
        yield numerapi.NumerAPI(show_progress_bars=False)


def percentile(value: float, values: list[float], higher_is_better: bool) -> float:
    """Share of the round's values this one equals or beats."""
    return sum((v <= value) if higher_is_better else (v >= value) for v in values) / len(values)


def test_numerapi_intra_round_scores_carry_each_live_eras_corr_mmc_fnc(played, napi):
    scores = played["scores"]
    for key in played["keys"]:
        [entry] = napi.intra_round_scores(key)
        live = [e for e in scores[key].era_scores if e["data_type"] == "live"]
        got = entry["intraRoundSubmissionScores"]
        assert entry["roundNumber"] == played["round"]
        assert [(e["day"], e["displayName"], e["value"]) for e in got] == [
            (day, metric, era[metric]) for day, era in enumerate(live, start=1) for metric in METRICS
        ]
        for e in got:
            era = live[e["day"] - 1]["era"]
            others = [next(x for x in s.era_scores if x["era"] == era)[e["displayName"]] for s in scores.values()]
            assert e["percentile"] == percentile(e["value"], others, e["displayName"] != "logloss")
            assert e["date"] is not None and e["payoutPending"] is None and e["payoutSettled"] is None


def test_per_era_names_are_the_round_metrics_names(played, napi):
    key = played["keys"][0]
    round_names = {s["displayName"] for s in napi.submission_scores(key)}
    query = """query($modelId: String!) { v2RoundModelPerformances(modelId: $modelId, tournament: 8) {
                 intraRoundSubmissionScores { day era displayName value } } }"""
    [performance] = napi.raw_query(query, {"modelId": key})["data"]["v2RoundModelPerformances"]
    eras = performance["intraRoundSubmissionScores"]
    assert {e["displayName"] for e in eras} == set(METRICS) <= round_names
    live = [e["era"] for e in played["scores"][key].era_scores if e["data_type"] == "live"]
    assert [e["era"] for e in eras if e["displayName"] == "corr"] == live
