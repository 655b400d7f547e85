"""A wallet running two models, end to end in headless Chromium with the stand-in MetaMask,
a real Ganache and the real app: it names a second model (POST /api/v1/account/models),
uploads one file per model through the upload form's model selector, stakes on each from the
stake page (a different amount, confidence and method per model) and the positions table
shows both; the chain's getStake per model and the Staked events agree, each model's stake
committing that model's own file. Screenshots go to artifacts/screenshots/models-*.png."""

from __future__ import annotations

from web3.logs import DISCARD

from tests.app.oracle.conftest import NMR
from tests.app.web.test_browser import SCREENSHOTS
from tests.e2e.conftest import ROUND
from tests.e2e.support import leaning_predictions
from tests.e2e.test_stake_page import ACTIVE, confirmed_hash, shown_wei, stake_from_page, step

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
    second_hash = upload_for(page, server, second_file, second_key)
    assert first_hash != second_hash
    shot(page, "01-uploaded-second")

    # "Stake on this file" of the second model's file: the stake page opens on that model.
    page.click("#stake-on-this")
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
    assert escrow.functions.getStake(ROUND, staker.address, 0).call() == (20 * NMR, 4 * NMR // 10, ACTIVE)
    assert escrow.functions.getStake(ROUND, staker.address, 1).call() == (10 * NMR, NMR // 2, ACTIVE)
    assert escrow.functions.getStake(ROUND, staker.address, 2).call() == (0, 0, 0)
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
