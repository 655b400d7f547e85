"""Store functions the oracle calls, config from env, and the OpenAPI file covering the API."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from app import config, store

NOON = datetime(2026, 1, 1, 12, tzinfo=UTC)


def test_oracle_round_lifecycle(app, alice):
    with app.app_context():
        assert store.set_round_status(7, "closed").status == "closed"
        assert store.save_scores(7, [{"address": alice.address, "live_logloss": 0.69, "stake_wei": 3 * 10**30}]) == 1
        assert store.save_scores(7, [{"address": alice.address, "live_logloss": 0.68}]) == 1  # replaces
        assert [s.live_logloss for s in store.round_scores(7)] == [0.68]
        plan_id = store.save_plan(7, {"stakers": [alice.address], "burns": ["0"], "rewards": ["5"]})
        assert store.latest_plan(7)["rewards"] == ["5"] and plan_id > 0
        store.record_batch(7, 0, None, "pending")
        store.record_batch(7, 0, "0x" + "01" * 32, "confirmed")  # resumed: same row updated
        assert [(b.batch_index, b.status) for b in store.list_batches(7)] == [(0, "confirmed")]
        done = store.set_round_status(7, "finalized", resolved_at=store.utcnow(), unspent_wei="12")
        assert done.settle_info == {"unspent_wei": "12"} and done.resolved_at is not None


def test_wei_beyond_64_bits_round_trips(app, alice):
    with app.app_context():
        store.save_scores(7, [{"address": alice.address, "stake_wei": 2**200, "reward_wei": 1}])
        assert store.round_scores(7)[0].stake_wei == 2**200


@pytest.mark.parametrize(
    "call",
    [
        lambda: store.set_round_status(7, "exploded"),
        lambda: store.set_round_status(99, "closed"),
        lambda: store.save_scores(99, []),
        lambda: store.save_scores(7, [{"address": "0x" + "1" * 40, "bogus": 1}]),
        lambda: store.record_batch(7, 0, None, "maybe"),
        lambda: store.create_round(7, closes_at=store.utcnow(), resolves_by=store.utcnow() + timedelta(days=1)),
        lambda: store.create_round(8, closes_at=NOON, resolves_by=NOON),
    ],
)
def test_store_refuses_bad_calls(app, call, snapshot):
    before = snapshot()
    with app.app_context(), pytest.raises(store.StoreError):
        call()
    assert snapshot() == before


def test_config_from_env_prefixed_wins():
    env = {"CHAIN_ID": "5", "NMR_CHAIN_ID": "1337", "RPC_URL": "http://node:8545", "SESSION_COOKIE_SECURE": "true"}
    assert config.from_env(env) == {"CHAIN_ID": 1337, "RPC_URL": "http://node:8545", "SESSION_COOKIE_SECURE": True}


def test_openapi_documents_every_api_route(app):
    spec = yaml.safe_load((Path(__file__).resolve().parents[3] / "docs" / "openapi.yaml").read_text())
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "{" + ("format" if m[1] == "file_format" else m[1]) + "}",
                      rule.rule.removeprefix("/api/v1"))  # fmt: skip
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method.lower()) in documented, (path, method)
