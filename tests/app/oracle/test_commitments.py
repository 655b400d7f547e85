"""The commitment on a real Ganache: the oracle posts only the plan it published and
committed; verify checks a round before any token moves; a dispute upheld by the
guardian voids the round and every stake comes back; a finalize killed while pending is
resumed, not sent twice."""

from __future__ import annotations

import hashlib
import json
import shutil

import pandas as pd
import pytest
from eth_account import Account

from app import oracle, store
from app.chain import get_chain
from client.core.chain.contracts import Chain
from client.core.chain.errors import ContractRevert
from client.core.money.batches import committed_batches
from client.core.money.plan import plan_from_json
from client.core.money.verify import verify_published
from tests.app.oracle.conftest import (
    deploy_guarded,
    send,
    token_and_escrow,
    usd_token,
)
from tests.app.oracle.test_full_round import _open_and_stake, advance_chain_time

QUIET = {"report": lambda _: None}
WINDOW = 120  # long enough to verify and dispute on the wall clock; tests move the chain past it


@pytest.fixture
def deployment(w3, keys, tmp_path):
    """Fresh contracts with a two-minute challenge window and a guardian (the last key)."""
    out = tmp_path / "deployments.json"
    record = deploy_guarded(w3, keys, out, WINDOW)
    return out, record


def _plan_and_commit(app, w3, tamper=None):
    """Closes round 1, plans it, lets `tamper` change the stored plan, publishes and
    commits it; returns the published folder."""
    advance_chain_time(w3, 601)
    with app.app_context():
        oracle.close_round(1, **QUIET)
        document = oracle.plan_round(1, **QUIET)
        if tamper is not None:
            tamper(document)
            store.save_plan(1, document)
        oracle.commit_round(1, **QUIET)
        return oracle.publish_round(1, **QUIET)


def _burn_everyone(document):
    """A wrong plan: every stake burned whole, whatever its score."""
    for entry in document["stakes"]:
        entry["burn"], entry["usd_reward"], entry["nmr_reward"] = entry["stake"], "0", "0"


def _rewrite_manifest(folder, name):
    """The manifest made to match a changed file (what a careful forger would do)."""
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest[name] = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))


def test_verify_before_settlement_passes_the_honest_round(app, w3, keys, deployment):
    _, record = deployment
    _open_and_stake(app, w3, keys, record, n_stakers=3)
    published = _plan_and_commit(app, w3)
    report = verify_published(published, app.config["RPC_URL"])
    assert report.ok, report.mismatches
    assert report.state.startswith("committed")
    assert "the dataset and results digests" in report.checked
    assert "2 committed batch hashes" in report.checked  # one settle batch and the prizes
    assert "no token has moved yet" in report.checked
    # The round's page and the API say the same as verify, from the escrow.
    web = app.test_client()
    state = web.get("/api/v1/rounds/1").get_json()["chain_state"]
    assert state["committed"] and not state["disputed"] and state["state"].startswith("committed, challenge ends in")
    assert "On chain: committed, challenge ends in" in web.get("/rounds/1").get_data(as_text=True)


def test_verify_before_settlement_catches_a_changed_dataset_targets_or_plan(app, w3, keys, deployment, tmp_path):
    _, record = deployment
    _open_and_stake(app, w3, keys, record, n_stakers=3)
    published = _plan_and_commit(app, w3)
    rpc = app.config["RPC_URL"]

    changed = tmp_path / "dataset"
    shutil.copytree(published, changed)
    dataset = next(changed.glob("numerai_dataset_round*.parquet"))
    frame = pd.read_parquet(dataset)
    frame.loc[frame.index[0], frame.columns[-1]] = 0.123
    frame.to_parquet(dataset)
    _rewrite_manifest(changed, dataset.name)
    mismatches = verify_published(changed, rpc).mismatches
    assert any("the dataset changed after the round opened" in m for m in mismatches), mismatches
    assert any("the published files are not the committed ones" in m for m in mismatches), mismatches

    changed = tmp_path / "targets"
    shutil.copytree(published, changed)
    targets = next(changed.glob("numerai_live_targets_round*.csv"))
    frame = pd.read_csv(targets, dtype={"id": str})
    frame["target"] = 1 - frame["target"]
    frame.to_csv(targets, index=False)
    _rewrite_manifest(changed, targets.name)
    mismatches = verify_published(changed, rpc).mismatches
    assert any("the published files are not the committed ones" in m for m in mismatches), mismatches

    changed = tmp_path / "plan"
    shutil.copytree(published, changed)
    document = json.loads((changed / "plan.json").read_text())
    _burn_everyone(document)
    (changed / "plan.json").write_text(json.dumps(document))
    _rewrite_manifest(changed, "plan.json")
    mismatches = verify_published(changed, rpc).mismatches
    assert any("the published files are not the committed ones" in m for m in mismatches), mismatches
    assert any(m.startswith("stake of ") for m in mismatches), mismatches


def test_a_plan_other_than_the_committed_one_cannot_be_settled(app, w3, keys, deployment):
    _, record = deployment
    _, escrow, stakers = _open_and_stake(app, w3, keys, record, n_stakers=3)
    _plan_and_commit(app, w3)
    advance_chain_time(w3, WINDOW + 1)
    with app.app_context():
        document = store.latest_plan(1)
        other = json.loads(json.dumps(document))
        _burn_everyone(other)
        store.save_plan(1, other)
        with pytest.raises(oracle.OracleError, match="not this stored plan's"):
            oracle.settle_round(1, **QUIET)
        # Sent straight to the escrow, the other plan is refused by the chain itself.
        batches, _ = committed_batches(plan_from_json(other), int(other["batch_size"]))
        with pytest.raises(ContractRevert, match="TournamentEscrowBatchMismatch"):
            get_chain().settle(1, batches[0])
    assert all(escrow.functions.getStake(1, a, 0).call()[2] == 1 for a, _ in stakers)  # all still active


def test_a_wrong_plan_is_disputed_and_the_guardian_voids_the_round(app, w3, keys, deployment):
    record = deployment[1]
    token, escrow, stakers = _open_and_stake(app, w3, keys, record, n_stakers=3)
    usd = usd_token(w3, record)
    treasury = record["treasury"]
    app.config["GUARDIAN_PRIVATE_KEY"] = keys[-1]
    treasury_before = (token.functions.balanceOf(treasury).call(), usd.functions.balanceOf(treasury).call())
    published = _plan_and_commit(app, w3, tamper=_burn_everyone)

    # The honest participant recomputes the plan from the published files and disputes.
    report = verify_published(published, app.config["RPC_URL"])
    assert any("committed hash" in m and "another plan" in m for m in report.mismatches), report.mismatches
    disputer_key = keys[3]
    disputer = Chain.read_only(app.config["RPC_URL"], json.loads((published / "chain.json").read_text()))
    disputer = Chain(disputer.w3, disputer.deployments, Account.from_key(disputer_key), owner="staker")
    disputer_before = token.functions.balanceOf(disputer.signer.address).call()
    disputer.dispute(1)
    bond = disputer.dispute_bond()
    with app.app_context():
        advance_chain_time(w3, WINDOW + 1)
        with pytest.raises(oracle.OracleError, match="disputed by"):
            oracle.settle_round(1, **QUIET)
        view = oracle.rule_round(1, upheld=True, **QUIET)
        assert view["voided"] and view["finalized"]
        assert store.get_round(1).status == "voided"
        assert all(r.reason.startswith("round voided") for r in store.round_scores(1))
    results = app.test_client().get("/api/v1/rounds/1").get_json()
    state = results["chain_state"]
    # The ruling closed the dispute; the round still names who disputed it, as the chain does.
    assert state["voided"] and state["disputed"] and not state["dispute_open"]
    assert state["disputer"] == disputer.signer.address
    assert state["state"].startswith("voided: a dispute was upheld")
    dispute = results["dispute"]
    assert (dispute["disputer"], dispute["upheld"], int(dispute["reward"])) == (
        disputer.signer.address, True, min(bond, view["nmr_pool"]))
    assert dispute["disputed_tx"].startswith("0x") and dispute["ruling_tx"].startswith("0x")
    # The only NMR paid out of a voided round is the disputer's reward, and the page says so.
    assert results["nmr_paid"] == dispute["reward"] and results["usd_paid"] == "0"
    page = app.test_client().get("/rounds/1").get_data(as_text=True)
    assert "The disputer's reward" in page and disputer.signer.address in page

    # Every stake comes back in full, at once; the pools go back to the funder less the reward.
    for address, amount in stakers:
        key = next(k for k in keys if Account.from_key(k).address == address)
        before = token.functions.balanceOf(address).call()
        send(w3, key, escrow.functions.withdrawStake(1, 0))
        assert token.functions.balanceOf(address).call() == before + amount
    reward = min(bond, view["nmr_pool"])
    assert token.functions.balanceOf(disputer.signer.address).call() == disputer_before + reward + stakers[0][1]
    pools = view["nmr_pool"], view["usd_staking_pool"] + view["usd_prize_pool"]
    assert (token.functions.balanceOf(treasury).call(), usd.functions.balanceOf(treasury).call()) == (
        treasury_before[0] + pools[0] - reward, treasury_before[1] + pools[1])
    assert token.functions.balanceOf(escrow.address).call() == 0
    assert usd.functions.balanceOf(escrow.address).call() == 0


def test_the_oracle_cannot_rule_without_the_guardians_key(app, w3, keys, deployment):
    _, record = deployment
    _open_and_stake(app, w3, keys, record, n_stakers=1)
    _plan_and_commit(app, w3)
    with app.app_context(), pytest.raises(oracle.OracleError, match="needs the guardian's key"):
        oracle.rule_round(1, upheld=False, **QUIET)


def test_a_finalize_killed_while_pending_is_resumed_not_sent_again(app, w3, keys, deployment, monkeypatch):
    """The issue's measured failure: a finalize killed while its transaction was pending
    made every rerun send a second one with the same nonce."""
    _, record = deployment
    _, escrow = token_and_escrow(w3, record)
    _open_and_stake(app, w3, keys, record, n_stakers=2)
    _plan_and_commit(app, w3)
    real_wait = Chain.wait_for
    lines = []
    advance_chain_time(w3, WINDOW + 1)
    with app.app_context():
        oracle.settle_round(1, **QUIET)

        def killed_while_pending(self, tx_hash, description, on_sent=None):
            if description.startswith("finalize"):
                raise KeyboardInterrupt("oracle killed while finalize was pending")
            return real_wait(self, tx_hash, description, on_sent)

        monkeypatch.setattr(Chain, "wait_for", killed_while_pending)
        with pytest.raises(KeyboardInterrupt):
            oracle.finalize_round(1, **QUIET)
        left = store.get_transaction(1, "finalize")
        assert left.status == "sent" and left.tx_hash.startswith("0x")
        monkeypatch.setattr(Chain, "wait_for", real_wait)
        row = oracle.finalize_round(1, report=lines.append)
        assert row.status == "finalized"
        assert store.get_transaction(1, "finalize").status == "confirmed"
    assert any("left by a previous run, was mined" in line for line in lines), lines
    logs = escrow.events.RoundFinalized.get_logs(from_block=0)
    assert len(logs) == 1 and "0x" + bytes(logs[0]["transactionHash"]).hex().removeprefix("0x") == left.tx_hash


def test_a_usd_shortfall_is_worded_in_dollars_not_nmr():
    """The token errors carry no token address: the decoder the funder's USD path uses
    says USD (it used to say NMR for every token)."""
    from eth_abi import encode
    from eth_utils import function_signature_to_4byte_selector

    from client.core.chain.errors import ErrorDecoder

    abi = [{"type": "error", "name": "ERC20InsufficientBalance", "inputs": [
        {"name": "sender", "type": "address"}, {"name": "balance", "type": "uint256"},
        {"name": "needed", "type": "uint256"}]}]
    selector = function_signature_to_4byte_selector("ERC20InsufficientBalance(address,uint256,uint256)")
    data = "0x" + (selector + encode(["address", "uint256", "uint256"], ["0x" + "11" * 20, 5 * 10**6, 7 * 10**6])).hex()

    class Reverted(Exception):
        pass

    exc = Reverted()
    exc.data = data
    decoder = ErrorDecoder([abi])
    assert "not enough NMR" in str(decoder.revert(exc, "stake"))
    assert "not enough USD: balance $5.00, needed $7.00" in str(decoder.for_token("USD").revert(exc, "fundRound(1)"))
