"""A wallet running two models, end to end in headless Chromium with the stand-in MetaMask,
a real Ganache and the real app: it names a second model (POST /api/v1/account/models),
uploads one file per model through the upload form's model selector, stakes on each from the
stake page (a different amount, confidence and method per model) and the positions table
shows both; the chain's getStake per model and the Staked events agree, each model's stake
committing that model's own file. Then, per model: the oracle settles both and the page
shows each model's own outcome; past the oracle's deadline one model is withdrawn alone.
Screenshots go to artifacts/screenshots/models-*.png."""

from __future__ import annotations

import pytest
from web3.logs import DISCARD

from app import oracle, store
from app.web import services
from tests.app.oracle.conftest import NMR, advance_chain_time
from tests.app.web.test_browser import SCREENSHOTS
from tests.e2e.conftest import CLOSES_IN, RESOLVES_IN, ROUND
from tests.e2e.support import leaning_predictions
from tests.e2e.test_stake_page import (
    ACTIVE,
    SETTLED,
    WITHDRAWN,
    confirmed_hash,
    open_stake_page,
    shown_units,
    shown_wei,
    stake_from_page,
    step,
)

SECOND = "second_model"
ADD_MODEL = """async (name) => {
  const response = await fetch("/api/v1/account/models", {
    method: "POST", credentials: "same-origin",
    headers: {"Content-Type": "application/json",
              "X-CSRF-Token": document.querySelector('meta[name="csrf-token"]').content},
    body: JSON.stringify({name}),
  });
  return {status: response.status, body: await response.json()};
}"""
POSITIONS = """() => [...document.querySelectorAll("#positions tbody tr")].map((row) => ({
  model: row.dataset.model, current: row.getAttribute("aria-current") === "true",
  cells: [...row.children].map((cell) => cell.textContent), wei: row.children[1].dataset.wei,
}))"""


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"models-{name}.png"), full_page=True)


def upload_for(page, server: str, path, model_key: str) -> str:
    """Uploads `path` from the current round page's form for the model `model_key`; returns
    the accepted file's hash (the result page names the model)."""
    page.goto(server + "/")
    page.select_option("#upload-model", model_key)
    page.set_input_files("#upload-file", str(path))
    page.click("#upload-button")
    page.wait_for_selector("#stake-on-this")
    assert page.get_attribute("#upload-model-name", "data-key") == model_key
    return page.inner_text("#submission-hash")


@pytest.fixture
def two_staked_models(app, round_open, staker, stake_from_python) -> list[tuple[str, int]]:
    """The staker's model 0 (a file leaning towards the targets, 10 NMR) and a second model
    SECOND (leaning away: its live CORR is negative, 30 NMR), both staked at 0.5 from Python.
    Returns [(file hash, NMR wei staked)] by model number."""
    with app.app_context():
        second = store.add_model(staker.address, SECOND)
        hashes = []
        for model, toward, seed in ((None, True, 1), (second["key"], False, 2)):
            body = leaning_predictions(round_open, toward=toward, seed=seed, shift=0.02 * seed)
            outcome = services.upload_predictions(ROUND, staker.address, body, f"model{seed}.csv", model=model)
            assert outcome.result.ok, outcome.result.problems
            hashes.append(outcome.result.hash)
    return [(file_hash, stake_from_python(file_hash, amount, model=number))
            for number, (file_hash, amount) in enumerate(zip(hashes, (10 * NMR, 30 * NMR), strict=True))]


def choose(page, number: int) -> None:
    """Picks model `number` in the stake page's selector and waits for the page to read it."""
    page.select_option("#stake-model", str(number))
    page.wait_for_function("(n) => document.getElementById('stake-app').dataset.model === n", arg=str(number))
    page.wait_for_function("() => document.querySelector('#positions tbody tr[aria-current=\"true\"]')"
                           "?.dataset.model === document.getElementById('stake-app').dataset.model")


def staked_events(w3, escrow, receipt_hash: str) -> list[dict]:
    return [e["args"] for e in escrow.events.Staked().process_receipt(w3.eth.get_transaction_receipt(receipt_hash),
                                                                        errors=DISCARD)]


def test_two_models_upload_and_stake_each_and_the_page_shows_both_positions(
    server, app, open_page, round_open, staker, w3, contracts, tmp_path,
):
    token, escrow = contracts
    page = open_page()
    page.goto(server + "/")
    page.click("#sign-in")
    page.wait_for_selector("#signed-in-as")

    added = page.evaluate(ADD_MODEL, SECOND)
    assert added["status"] == 201, added
    second_key = f"{staker.address}-1"
    assert (added["body"]["key"], added["body"]["name"], added["body"]["number"]) == (second_key, SECOND, 1)
    again = page.evaluate(ADD_MODEL, SECOND.upper())  # names are unique case-blind: told, not added
    assert again["status"] == 409 and SECOND in again["body"]["error"]["message"].lower(), again

    page.goto(server + "/")
    options = page.eval_on_selector_all("#upload-model option", "(os) => os.map((o) => [o.value, o.textContent])")
    assert [value for value, _ in options] == [staker.address, second_key]
    assert options[1][1] == SECOND and page.input_value("#upload-model") == staker.address  # model 0 preselected
    first_file, second_file = tmp_path / "first.csv", tmp_path / "second.csv"
    with app.app_context():
        first_file.write_bytes(leaning_predictions(round_open, toward=True, seed=1))
        second_file.write_bytes(leaning_predictions(round_open, toward=False, seed=2, shift=0.02))
    first_hash = upload_for(page, server, first_file, staker.address)
    # A rejected file says which model it was for; "Back" returns to the form with that model chosen.
    bad_file = tmp_path / "bad.csv"
    bad_file.write_bytes(b"id,probability\nnobody,2\n")
    page.goto(server + "/")
    page.select_option("#upload-model", second_key)
    page.set_input_files("#upload-file", str(bad_file))
    page.click("#upload-button")
    page.wait_for_selector("#problems li")
    assert page.get_attribute("#upload-model-name", "data-key") == second_key
    page.click(f"text=Back to tournament {ROUND}")
    assert page.input_value("#upload-model") == second_key
    second_hash = upload_for(page, server, second_file, second_key)
    assert first_hash != second_hash
    assert page.get_attribute("#stake-on-this", "href") == f"/stake?hash={second_hash}&model=1"
    shot(page, "01-uploaded-second")
    page.goto(server + "/?model=" + SECOND)  # ?model= preselects the upload form's model
    assert page.input_value("#upload-model") == second_key
    # The round page lists each model's current file with its own stake link.
    files = page.eval_on_selector_all("#model-files tbody tr", """(rows) => rows.map((row) => [row.dataset.model,
      row.querySelector("code").textContent, row.querySelector("a").getAttribute("href")])""")
    assert files == [["0", first_hash, f"/stake?hash={first_hash}"], ["1", second_hash, f"/stake?hash={second_hash}&model=1"]]

    # Stake on the second model's file: the stake page opens on that model.
    page.click("#model-files tr[data-model='1'] a")
    page.wait_for_selector("#stake-app[data-ready='1']")
    assert page.input_value("#stake-model") == "1"
    assert page.inner_text("#stake-hash") == second_hash
    page.wait_for_selector("#stake-button:not([disabled])")
    stake_from_page(page, "10", "0.5", "approve")
    second_tx = confirmed_hash(page, w3, "stake")
    assert f"stake ({SECOND}):" in step(page, "stake", "confirmed").inner_text()

    # Model 0: its own file, its own confidence (0.4 < the other model's 0.5 is no top-up).
    page.select_option("#stake-model", "0")
    page.wait_for_function("(h) => document.getElementById('stake-hash').textContent === h", arg=first_hash)
    page.wait_for_function("() => document.getElementById('my-stake').dataset.wei === '0'")
    assert page.inner_text("#stake-status") == "none"
    page.wait_for_selector("#stake-button:not([disabled])")
    stake_from_page(page, "20", "0.4", "permit")
    first_tx = confirmed_hash(page, w3, "stakeWithPermit")
    page.wait_for_function("() => document.getElementById('stake-status').textContent === 'active'")
    assert shown_wei(page, "#my-stake") == 20 * NMR and page.inner_text("#my-confidence") == "0.4"

    page.wait_for_function("() => document.querySelectorAll('#positions tbody tr').length === 2")
    label = staker.address[:6] + "…" + staker.address[-4:]  # model 0 is named by the wallet's address
    assert page.evaluate(POSITIONS) == [
        {"model": "0", "current": True, "cells": [label, "20.00", "0.4", "active"], "wei": str(20 * NMR)},
        {"model": "1", "current": False, "cells": [SECOND, "10.00", "0.5", "active"], "wei": str(10 * NMR)},
    ]
    assert page.locator("#positions-box").is_visible()
    shot(page, "02-two-positions")

    # The chain agrees, position by position, and each stake committed its own model's file.
    assert escrow.functions.getStake(ROUND, staker.address, 0).call() == (20 * NMR, 4 * NMR // 10, ACTIVE, False)
    assert escrow.functions.getStake(ROUND, staker.address, 1).call() == (10 * NMR, NMR // 2, ACTIVE, False)
    assert escrow.functions.getStake(ROUND, staker.address, 2).call() == (0, 0, 0, False)
    [first_event], [second_event] = staked_events(w3, escrow, first_tx), staked_events(w3, escrow, second_tx)
    assert (first_event["model"], "0x" + first_event["submissionHash"].hex().removeprefix("0x")) == (0, first_hash)
    assert (second_event["model"], "0x" + second_event["submissionHash"].hex().removeprefix("0x")) == (1, second_hash)
    assert token.functions.balanceOf(staker.address).call() == 970 * NMR

    # A fresh look reads both positions from the chain again; choosing a model shows its stake.
    page.goto(server + "/stake")
    page.wait_for_selector("#stake-app[data-ready='1']")
    page.wait_for_function("() => document.querySelectorAll('#positions tbody tr').length === 2")
    assert [row["wei"] for row in page.evaluate(POSITIONS)] == [str(20 * NMR), str(10 * NMR)]
    assert page.input_value("#stake-model") == "0"
    page.select_option("#stake-model", "1")
    page.wait_for_function("() => document.getElementById('my-confidence').textContent === '0.5'")
    assert shown_wei(page, "#my-stake") == 10 * NMR
    assert page.inner_text("#stake-hash") == second_hash
    assert [row["current"] for row in page.evaluate(POSITIONS)] == [False, True]


def test_each_model_shows_its_own_settlement(server, app, open_page, two_staked_models, staker, w3, contracts):
    _, escrow = contracts
    advance_chain_time(w3, CLOSES_IN + 1)
    with app.app_context():
        oracle.close_round(ROUND, report=lambda _: None)
        oracle.resolve_round(ROUND, report=lambda _: None)
        oracle.settle_round(ROUND, report=lambda _: None)
        reasons = {score.model_key: score.reason for score in store.round_scores(ROUND)}
    settled = {e["args"]["model"]: e["args"] for e in
               escrow.events.StakeSettled().get_logs(from_block=0, argument_filters={"staker": staker.address})}
    assert sorted(settled) == [0, 1]
    assert settled[1]["burned"] == two_staked_models[1][1] // 4  # corr: CORR < 0, capped at 25 %
    assert settled[0]["burned"] == 0

    page = open_page()
    open_stake_page(page, server, sign_in=True)
    for number, (_hash, staked) in enumerate(two_staked_models):
        choose(page, number)
        page.wait_for_selector("#outcome-section:visible")
        page.wait_for_function("(b) => document.getElementById('outcome-burned').dataset.wei === b",
                               arg=str(settled[number]["burned"]))
        assert page.inner_text("#stake-status") == "settled"
        assert shown_wei(page, "#outcome-released") == staked - settled[number]["burned"]
        assert shown_wei(page, "#outcome-nmr-reward") == settled[number]["nmrReward"]
        assert shown_units(page, "#outcome-usd-reward") == settled[number]["usdReward"]
        assert escrow.functions.getStake(ROUND, staker.address, number).call()[2] == SETTLED
        shot(page, f"03-settled-model-{number}")
    assert page.inner_text("#outcome-prize-label") == "Prize (to the wallet, all models)"
    assert reasons[f"{staker.address}-1"].startswith("corr -")
    assert [row["cells"][3] for row in page.evaluate(POSITIONS)] == ["settled", "settled"]


def test_withdrawing_one_model_leaves_the_other_staked(server, open_page, two_staked_models, staker, w3, contracts):
    token, escrow = contracts
    advance_chain_time(w3, RESOLVES_IN + 1)  # the oracle missed its deadline
    page = open_page()
    page.goto(server + f"/stake?hash={two_staked_models[1][0]}")  # a file of model 1: the page opens on it
    page.click("#sign-in")
    page.wait_for_selector("#signed-in-as")
    page.wait_for_selector("#stake-app[data-ready='1']")
    assert page.input_value("#stake-model") == "1" and page.inner_text("#stake-hash") == two_staked_models[1][0]
    page.wait_for_selector("#withdraw-button:visible")
    assert page.inner_text("#withdraw-button") == f"Withdraw my stake on {SECOND}"
    balance_before = token.functions.balanceOf(staker.address).call()
    page.click("#withdraw-button")

    withdrawn_tx = confirmed_hash(page, w3, "withdrawStake")
    assert f"withdrawStake ({SECOND}):" in step(page, "withdrawStake", "confirmed").inner_text()
    page.wait_for_function("() => document.getElementById('stake-status').textContent === 'withdrawn'")
    [event] = escrow.events.StakeWithdrawn().process_receipt(w3.eth.get_transaction_receipt(withdrawn_tx),
                                                             errors=DISCARD)
    assert (event["args"]["model"], event["args"]["amount"]) == (1, two_staked_models[1][1])
    assert escrow.functions.getStake(ROUND, staker.address, 1).call()[2] == WITHDRAWN
    assert escrow.functions.getStake(ROUND, staker.address, 0).call() == (two_staked_models[0][1], NMR // 2, ACTIVE, False)
    assert token.functions.balanceOf(staker.address).call() == balance_before + two_staked_models[1][1]
    assert [row["cells"][3] for row in page.evaluate(POSITIONS)] == ["active", "withdrawn"]
    shot(page, "04-one-withdrawn")

    choose(page, 0)  # model 0 is still in the escrow: its own escape hatch is offered
    page.wait_for_selector("#withdraw-button:visible")
    assert page.inner_text("#stake-status") == "active"
    assert shown_wei(page, "#my-stake") == two_staked_models[0][1]

    page.goto(server + "/stake?model=NoSuchModel")  # a model the wallet does not have: said, model 0 shown
    page.wait_for_selector("#stake-app[data-ready='1']")
    help_text = page.inner_text("#model-help.error")
    assert help_text.startswith('You have no model "NoSuchModel"') and SECOND in help_text
    assert page.input_value("#stake-model") == "0"
