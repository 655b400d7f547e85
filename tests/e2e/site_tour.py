"""A lived-in site for the whole-site browser checks (accessibility, screenshots, layout):
a real Ganache, round 1 played by four named data scientists (three stakes), resolved,
settled and finalized by the oracle, and round 2 open with the staker running two models
(a file and a stake each, so the stake page lists two positions); then every page, as a
visitor and as the signed-in staker, in a tab of any width and colour scheme.

Modules use it by importing ``deployment`` (four funded stakers) and ``toured_site``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from eth_account import Account

from app import oracle, store
from app.web import services
from client.core.money.stakes import Pools
from client.core.money.units import USD_UNIT as USD
from tests.app.oracle.conftest import NMR, ROOT, advance_chain_time, send
from tests.e2e.conftest import CLOSES_IN, RESOLVES_IN
from tests.e2e.support import (
    WALLET_JS,
    deploy_with_players,
    leaning_predictions,
    rpc_forwarder,
    wallet_config,
)

POOLS = Pools(usd_staking=300 * USD, usd_prize=360_300_000, nmr=1_441 * NMR)
# name, the file (how it leans), stake (NMR, confidence as wei of 1) or None.
PLAYERS = (
    ("STUDYAI", {"seed": 1, "lean": 0.08}, (100, NMR // 2)),
    ("JB_AI3 with a very long display name", {"seed": 2, "shift": 0.03}, (60, NMR)),
    ("INOPHO", {"seed": 3, "shift": -0.03, "live_toward": False}, (40, 2 * NMR)),
    ("PADPDA", {"seed": 4, "shift": 0.06}, None),
)  # fmt: skip
# Eras big enough for the prediction distributions to be concordant, so the round pays out.
DATASET = {"n_features": 8, "rows_per_era": 800, "n_train_eras": 3, "n_validation_eras": 3}
FILE = {"lean": 0.06, "noise": 0.012}
# The staker's second model in round 2, and the round-2 stakes (NMR, confidence) of models 0 and 1.
SECOND_MODEL = "STUDYAI_LIVE"
ROUND_2_STAKES = ((30, NMR // 2), (20, 7 * NMR // 10))
SCREENSHOTS = ROOT / "reports" / "screenshots"
# Every page: (name, path, signed in). The staker is the first player.
PAGES = (
    ("current-round", "/", True),
    ("stake", "/stake", True),
    ("leaderboard", "/leaderboard", False),
    ("leaderboard-all-time", "/leaderboard?round=all", False),
    ("past-tournaments", "/rounds", False),
    ("round-results", "/rounds/1", False),
    ("open-round-results", "/rounds/2", False),
    ("rules", "/rules", False),
    ("account-signed-out", "/account", False),
    ("account", "/account", True),
    ("settings", "/settings", True),
)  # fmt: skip
VIEWPORTS = {"wide": {"width": 1400, "height": 900}, "phone": {"width": 360, "height": 780}}
SCHEMES = ("light", "dark")


@pytest.fixture(scope="module")
def deployment(w3, keys, tmp_path_factory):
    """Fresh contracts whose players (keys 3..6) hold 1,000 NMR and $1,000 each."""
    out = tmp_path_factory.mktemp("chain") / "deployments.json"
    record = deploy_with_players(w3, keys, out, len(PLAYERS))
    return out, record


@pytest.fixture
def toured_site(app, w3, keys, contracts) -> dict[str, str]:
    """Round 1 played and finalized, round 2 open with a file and a stake for each of the
    staker's two models. Returns {name: address}."""
    token, escrow = contracts
    addresses = {}
    with app.app_context():
        row = oracle.open_round(1, closes_in=CLOSES_IN, resolves_in=RESOLVES_IN, pools=POOLS,
                                dataset_options=DATASET, report=lambda _: None)
        for index, (name, file, stake) in enumerate(PLAYERS):
            key = keys[3 + index]
            address = addresses[name] = Account.from_key(key).address
            store.set_display_name(address, name)
            outcome = services.upload_predictions(1, address, leaning_predictions(row, **{**FILE, **file}), f"model{index}.csv")
            assert outcome.result.ok, outcome.result.problems
            if stake:
                amount, confidence = stake[0] * NMR, stake[1]
                send(w3, key, token.functions.approve(escrow.address, amount))
                send(w3, key, escrow.functions.stake(1, 0, amount, confidence, bytes.fromhex(outcome.result.hash[2:])))
    advance_chain_time(w3, CLOSES_IN + 1)
    with app.app_context():
        oracle.run_round(1, report=lambda _: None)
        assert store.get_round(1).status == "finalized"
        assert sum(score.usd_reward + score.prize_usd for score in store.round_scores(1)) > 0, "the round pays out"
        second = oracle.open_round(2, closes_in=CLOSES_IN, resolves_in=RESOLVES_IN, pools=POOLS,
                                   dataset_options=DATASET, report=lambda _: None)
        staker = addresses[PLAYERS[0][0]]
        second_model = store.add_model(staker, SECOND_MODEL)
        hashes = []
        for model, seed in ((None, 1), (second_model["key"], 6)):
            body = leaning_predictions(second, seed=seed, **FILE)
            outcome = services.upload_predictions(2, staker, body, f"model-{seed}.csv", model=model)
            assert outcome.result.ok, outcome.result.problems
            hashes.append(outcome.result.hash)
    for number, ((amount, confidence), file_hash) in enumerate(zip(ROUND_2_STAKES, hashes, strict=True)):
        send(w3, keys[3], token.functions.approve(escrow.address, amount * NMR))
        send(w3, keys[3], escrow.functions.stake(2, number, amount * NMR, confidence, bytes.fromhex(file_hash[2:])))
    return addresses


@contextmanager
def tab(browser, ganache_url: str, account: str, viewport: str, scheme: str) -> Iterator:
    """A page at ``viewport`` ("wide" 1400 px or "phone" 360 px) in the ``scheme`` colour
    scheme, with the stand-in wallet holding ``account``. The page's CSP is bypassed only so
    that a test can inject axe-core; the site itself loads nothing else."""
    context = browser.new_context(viewport=VIEWPORTS[viewport], color_scheme=scheme, bypass_csp=True)
    try:
        context.expose_function("__walletRpc", rpc_forwarder(ganache_url))
        context.add_init_script(f"({WALLET_JS})({json.dumps(wallet_config([account]))})")
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
    finally:
        context.close()


def sign_in(page, server: str) -> None:
    """The header's Connect wallet: one signature, then the page reloads signed in."""
    page.goto(server + "/rules")
    page.click("#sign-in")
    page.wait_for_selector("#signed-in-as")


def screenshot_path(name: str, viewport: str, scheme: str) -> Path:
    """reports/screenshots/<page>-<1400|360>-<scheme>.png (gitignored: a by-product)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}-{VIEWPORTS[viewport]['width']}-{scheme}.png"
