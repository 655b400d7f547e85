"""The round lifecycle as services: open, close, resolve, settle, finalize, publish.

Each step reads the chain before it writes, so any step can be rerun after a crash:
- ``open_round`` builds and stores the dataset, then creates the round on chain (an
  existing on-chain round with the same id is adopted, not recreated);
- ``resolve_round`` scores every submission and persists the settlement plan once;
  a stored plan is never recomputed, so what the chain receives is what was planned;
- ``settle_round`` reads each planned staker's on-chain status and sends only the
  still-active ones, in block-sized batches: rerunning after a crash at any point ends
  in exactly the planned state, and nothing is paid twice (the escrow also refuses);
- ``publish_round`` writes the live targets, every staked prediction file, the scores and
  the plan with a manifest of SHA-256 digests, for :mod:`app.verify`.

Rule for a stake whose committed hash matches no accepted file of its staker: the stake
is returned in full, no reward, no burn (the payout policy's ``None`` score).
The brownie scripts and the Flask CLI (``flask --app app oracle ...``) are thin calls here.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
import pandas as pd
from flask import Flask, current_app

from app import store
from app.chain import Chain, ChainError, get_chain
from app.data import build_round_dataset
from app.data.dataset import RoundDataset, live_targets_file_name
from app.payout import (
    build_plan,
    plan_from_json,
    plan_to_json,
    plan_totals,
)
from app.predictions import PredictionValidator
from app.settlement import compute_settlement

NMR = 10**18
Report = Callable[[str], None]


class OracleError(Exception):
    """A lifecycle step cannot proceed; the message says why and what to do."""


def _data_dir() -> Path:
    return Path(current_app.config["DATA_DIR"])


def _secret_dir(number: int) -> Path:
    # Held-back live targets: never under a served folder.
    return _data_dir() / "oracle" / f"round-{number}"


def published_dir(number: int) -> Path:
    return _data_dir() / "published" / f"round-{number}"


def _utc(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=UTC)


def _round_or_error(number: int) -> store.Round:
    row = store.get_round(number)
    if row is None:
        raise OracleError(f"round {number} is not known to this server; open it first")
    return row


# ---- open ----------------------------------------------------------------------------------


def open_round(
    number: int | None = None,
    *,
    closes_in: int = 3600,
    resolves_in: int = 7200,
    budget_wei: int = 1_000 * NMR,
    policy: str = "auction2017",
    dataset_options: dict[str, Any] | None = None,
    report: Report = print,
) -> store.Round:
    """Builds round `number`'s dataset (next number by default), stores it and creates the
    round on chain closing `closes_in` s and resolving `resolves_in` s from the chain's now."""
    chain = get_chain()
    if number is None:
        existing = store.list_rounds()
        number = max((r.number for r in existing), default=0) + 1
    if store.get_round(number) is not None:
        raise OracleError(f"round {number} is already open on this server")
    if resolves_in <= closes_in:
        raise OracleError("the oracle deadline (resolves_in) must come after the close (closes_in)")
    build_plan(policy, [], {}, 0)  # rejects an unknown policy before anything is written

    dataset = build_round_dataset(
        seed=_round_seed(number), key=current_app.config["DATASET_KEY"], round_number=number,
        **(dataset_options or {}),
    )
    paths = dataset.write(_data_dir() / "datasets" / f"round-{number}")
    dataset.write_live_targets(_secret_dir(number))
    report(f"round {number}: dataset written ({len(dataset.public):,} rows)")

    on_chain = chain.round(number)
    if on_chain["exists"] and (on_chain["finalized"] or on_chain["closes_at"] <= chain.now()):
        raise OracleError(
            f"round {number} already exists on chain and is closed; open another number "
            "(or point the server at the database that belongs with this chain)"
        )
    if on_chain["exists"]:
        report(f"round {number}: already on chain and still open, adopting its schedule")
        closes_at, resolves_by, budget_wei = on_chain["closes_at"], on_chain["resolves_by"], on_chain["reward_budget"]
    else:
        now = chain.now()
        closes_at, resolves_by = now + closes_in, now + resolves_in
        tx = chain.create_round(number, closes_at, resolves_by, budget_wei)
        report(f"round {number}: created on chain in {tx['tx_hash']}")
    return store.create_round(
        number, closes_at=_utc(closes_at), resolves_by=_utc(resolves_by), dataset_paths=paths,
        reward_budget_wei=budget_wei, policy=policy,
    )


def _round_seed(number: int) -> int:
    digest = hashlib.sha256(f"{current_app.config['DATASET_KEY']}:{number}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


# ---- close ---------------------------------------------------------------------------------


def close_round(number: int, report: Report = print) -> store.Round:
    """Marks the round closed once the chain's clock has passed its closesAt."""
    row = _round_or_error(number)
    if row.status != "open":
        report(f"round {number}: already {row.status}")
        return row
    on_chain = get_chain().round(number)
    now = get_chain().now()
    if now < on_chain["closes_at"]:
        raise OracleError(f"round {number} is open on chain for {on_chain['closes_at'] - now} more seconds")
    report(f"round {number}: closed")
    return store.set_round_status(number, "closed")


# ---- resolve: score and plan ---------------------------------------------------------------


def load_dataset(row: store.Round, targets_file: str | Path | None = None) -> RoundDataset:
    """The round's dataset with its live targets: the held-back ones, or an operator's file
    (``id,target``) checked to cover every live id with 0/1 values."""
    public = pd.read_parquet(row.dataset_parquet_path)
    live_ids = public.loc[public["data_type"] == "live", "id"].astype(str)
    source = Path(targets_file) if targets_file else _secret_dir(row.number) / live_targets_file_name(row.number)
    if not source.is_file():
        raise OracleError(f"live targets for round {row.number} not found at {source}; pass --targets FILE")
    targets = _read_targets(source, live_ids)
    return RoundDataset(round_number=row.number, public=public, live_targets=targets)


def _read_targets(path: Path, live_ids: pd.Series) -> pd.Series:
    try:
        frame = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path, dtype={"id": str})
    except Exception as exc:
        raise OracleError(f"{path} is not a readable CSV/Parquet table: {exc}") from exc
    problems = []
    if list(frame.columns[:2]) != ["id", "target"]:
        problems.append(f"columns must be id,target (found {', '.join(map(str, frame.columns))})")
    else:
        frame["id"] = frame["id"].astype(str)
        missing = set(live_ids) - set(frame["id"])
        extra = set(frame["id"]) - set(live_ids)
        if missing:
            problems.append(f"{len(missing)} live ids have no target (e.g. {min(missing)})")
        if extra:
            problems.append(f"{len(extra)} ids are not live ids of this round (e.g. {min(extra)})")
        if frame["id"].duplicated().any():
            problems.append("duplicate ids")
        if not frame["target"].isin([0, 1, 0.0, 1.0]).all():
            problems.append("targets must be 0 or 1")
    if problems:
        raise OracleError(f"targets file {path} rejected: " + "; ".join(problems))
    return pd.Series(frame["target"].to_numpy(float), index=pd.Index(frame["id"], name="id"), name="target")


def read_prediction_file(path: str | Path, validator: PredictionValidator) -> pd.Series:
    """Probabilities of a stored (canonical) prediction file, by id in tournament order."""
    result = validator.validate(Path(path).read_bytes(), Path(path).name)
    if not result.ok:
        raise OracleError(f"stored prediction file {path} no longer validates: {'; '.join(result.problems)}")
    return result.frame.set_index("id")["probability"]


def scored_files(row: store.Round, stakes: list, validator: PredictionValidator) -> dict[str, store.Submission]:
    """Which file each participant is scored on: the file a stake committed to, else the
    current submission. Stakers whose hash matches none of their files are left out."""
    chosen = {s.address: s for s in store.list_submissions(row.number)}
    for record in stakes:
        match = store.submission_by_hash(row.number, record.staker, record.submission_hash)
        if match is not None:
            chosen[record.staker] = match
        else:
            chosen.pop(record.staker, None)
    return dict(sorted(chosen.items(), key=lambda item: (item[1].created_at, item[1].id)))


def resolve_round(number: int, targets_file: str | Path | None = None, report: Report = print) -> dict:
    """Scores every submission and persists the settlement plan (once)."""
    row = _round_or_error(number)
    existing = store.latest_plan(number)
    if existing is not None:
        report(f"round {number}: plan already stored, keeping it")
        return existing
    if row.status == "open":
        close_round(number, report)
        row = _round_or_error(number)
    chain = get_chain()
    dataset = load_dataset(row, targets_file)
    if targets_file:
        # The operator's targets are now the round's truth: publish and verify use them.
        dataset.write_live_targets(_secret_dir(number))
    validator = PredictionValidator(dataset.tournament_ids.astype(str), 10**9)
    stakes = chain.stake_records(number)
    files = scored_files(row, stakes, validator)
    predictions = {address: read_prediction_file(sub.stored_path, validator) for address, sub in files.items()}
    stake_by_address = {s.staker: s for s in stakes}
    # The budget the escrow holds is the one that binds (and the one verify replays).
    budget = chain.round(number)["reward_budget"]
    result = compute_settlement(dataset.tournament, dataset.live_targets, predictions, stakes, row.policy, budget)
    plan = result.plan
    plan_by_staker = {e.staker: e for e in plan}
    summary = result.scores.summary if result.scores is not None else pd.DataFrame()

    rows = []
    for address, submission in files.items():
        entry = plan_by_staker.get(address)
        record = stake_by_address.get(address)
        rows.append({
            "address": address,
            "submission_id": submission.id,
            **_score_fields(summary.loc[address], result.scores.per_era, address),
            "stake_wei": entry.stake if entry else 0,
            "confidence": str(record.confidence) if record else None,
            "burn_wei": entry.burn if entry else 0,
            "reward_wei": entry.reward if entry else 0,
        })
    store.save_scores(number, rows)
    document = {
        "round": number,
        "policy": row.policy,
        "budget": str(budget),
        "entries": plan_to_json(plan),
        "hashes": {s.staker: s.submission_hash for s in stakes},
        # Scoring order matters (originality looks at earlier files): the verifier replays it.
        "scored": list(files),
        "totals": {k: str(v) for k, v in plan_totals(plan).items()},
    }
    store.save_plan(number, document)
    store.set_round_status(number, "resolved", resolved_at=_utc(chain.now()))
    report(f"round {number}: {len(files)} submissions scored, plan for {len(plan)} stakes stored")
    return document


def _score_fields(row: pd.Series, per_era: pd.DataFrame, address: str) -> dict[str, Any]:
    eras = per_era[per_era["submission"] == address]
    return {
        "live_logloss": float(row["live_logloss"]),
        "validation_logloss": float(row["validation_logloss"]),
        "consistency": float(row["consistency"]),
        "originality": bool(row["original"]),
        "concordance": bool(row["concordant"]),
        "corr": float(row["corr"]),
        "mmc": float(row["mmc"]),
        "fnc": float(row["fnc"]),
        "per_era": {str(e): float(v) for e, v in zip(eras["era"], eras["logloss"])},
    }


# ---- settle and finalize -------------------------------------------------------------------


def settle_round(number: int, report: Report = print, batch_size: int | None = None,
                 after_batch: Callable[[int], None] | None = None) -> dict:
    """Posts the stored plan: only stakes still active on chain, in block-sized batches.

    Each batch's transaction hash is recorded as soon as it is sent; a rerun first waits
    for any batch left "sent" by a crash, then reads every planned stake's status, so
    nothing is sent twice."""
    row = _round_or_error(number)
    document = store.latest_plan(number)
    if document is None:
        raise OracleError(f"round {number} has no settlement plan yet; resolve it first")
    chain = get_chain()
    for batch in store.list_batches(number):
        if batch.status == "sent" and batch.tx_hash:
            try:
                chain.wait_for(batch.tx_hash, f"batch {batch.batch_index}")
                store.record_batch(number, batch.batch_index, batch.tx_hash, "confirmed")
            except ChainError as exc:
                store.record_batch(number, batch.batch_index, batch.tx_hash, "failed")
                report(f"round {number}: batch {batch.batch_index} left by a previous run failed: {exc}")
    plan = plan_from_json(document["entries"])
    positions = {e.staker: chain.stake_of(number, e.staker) for e in plan}
    for entry in plan:
        position = positions[entry.staker]
        if position["status"] == "none" or position["amount"] != entry.stake:
            raise OracleError(
                f"round {number}: the plan says {entry.staker} staked {entry.stake} wei but the chain has "
                f"{position['amount']} ({position['status']}); is this the database of this chain?"
            )
    pending = [e for e in plan if positions[e.staker]["status"] == "active"]
    withdrawn = [e.staker for e in plan if positions[e.staker]["status"] == "withdrawn"]
    for staker in withdrawn:
        report(f"round {number}: {staker} withdrew through the escape hatch; not settled by the plan")
    size = batch_size or chain.settle_batch_size()
    done_before = len(store.list_batches(number))
    for offset in range(0, len(pending), size):
        batch = pending[offset : offset + size]
        index = done_before + offset // size
        store.record_batch(number, index, None, "pending")
        try:
            tx = chain.settle(number, [e.staker for e in batch], [e.burn for e in batch], [e.reward for e in batch],
                              on_sent=lambda tx_hash, i=index: store.record_batch(number, i, tx_hash, "sent"))
        except ChainError as exc:
            store.record_batch(number, index, None, "failed")
            raise OracleError(f"round {number}: settlement batch {index} failed: {exc}") from exc
        store.record_batch(number, index, tx["tx_hash"], "confirmed")
        report(f"round {number}: batch {index} settled {len(batch)} stakes in {tx['tx_hash']} ({tx['gas_used']:,} gas)")
        if after_batch:
            after_batch(index)
    if row.status != "settled":
        store.set_round_status(number, "settled", settled_stakes=len(plan) - len(withdrawn))
    return {"settled": len(pending), "already_settled": len(plan) - len(pending) - len(withdrawn),
            "withdrawn": withdrawn}


def finalize_round(number: int, report: Report = print) -> store.Round:
    """Returns the unspent budget to the treasury (once)."""
    _round_or_error(number)
    chain = get_chain()
    if not chain.round(number)["finalized"]:
        tx = chain.finalize(number)
        report(f"round {number}: finalized in {tx['tx_hash']}")
    view = chain.round(number)
    return store.set_round_status(
        number, "finalized", rewards_paid=str(view["rewards_paid"]), burned=str(view["total_burned"]),
    )


# ---- publish -------------------------------------------------------------------------------


def publish_round(number: int, report: Report = print) -> Path:
    """Writes the round's public record: live targets, staked files, scores, plan, manifest."""
    row = _round_or_error(number)
    document = store.latest_plan(number)
    if document is None:
        raise OracleError(f"round {number} has no plan to publish; resolve it first")
    out = published_dir(number)
    staging = out.with_name(out.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "predictions").mkdir(parents=True)
    load_dataset(row).write_live_targets(staging)
    shutil.copy(row.dataset_parquet_path, staging / Path(row.dataset_parquet_path).name)
    for score in store.round_scores(number):
        submission = store.get_submission(score.submission_id) if score.submission_id else None
        if submission is not None:
            shutil.copy(submission.stored_path, staging / "predictions" / f"{score.address}.csv")
    chain_record = {key: get_chain().deployments[key] for key in ("chain_id", "deployed_at_block")}
    for name in ("NumeraireToken", "TournamentEscrow"):
        chain_record[name] = get_chain().deployments[name]
    (staging / "chain.json").write_text(json.dumps(chain_record))
    scores = [{"address": s.address, **store.score_view(s)} for s in store.round_scores(number)]
    (staging / "scores.json").write_text(json.dumps(scores, indent=2, default=str))
    (staging / "plan.json").write_text(json.dumps(document, indent=2))
    manifest = {
        str(path.relative_to(staging)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(staging.rglob("*")) if path.is_file()
    }
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2))
    shutil.rmtree(out, ignore_errors=True)
    staging.rename(out)
    store.set_round_status(number, row.status, published=sorted(manifest))
    report(f"round {number}: published {len(manifest)} files to {out}")
    return out


def run_round(number: int, report: Report = print) -> None:
    """Close, resolve, settle, finalize and publish a round (each step resumable)."""
    close_round(number, report)
    resolve_round(number, report=report)
    settle_round(number, report)
    finalize_round(number, report)
    publish_round(number, report)


# ---- Flask CLI -----------------------------------------------------------------------------


# What an operator may cause (and read about in one sentence) rather than a bug.
OPERATOR_ERRORS = (OracleError, ChainError, store.StoreError, ValueError, OSError)


def _cli_step(step: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    try:
        return step(*args, report=click.echo, **kwargs)
    except OPERATOR_ERRORS as exc:
        raise click.ClickException(str(exc)) from exc


def init_app(app: Flask) -> None:
    """Registers ``flask oracle open|close|resolve|settle|finalize|publish|run``."""
    if not app.config.get("DATASET_KEY"):
        app.config["DATASET_KEY"] = hashlib.sha256(f"dataset:{app.config['SECRET_KEY']}".encode()).hexdigest()

    @app.cli.group("oracle")
    def oracle_group() -> None:
        """Operate rounds: the oracle's lifecycle steps."""

    @oracle_group.command("open")
    @click.option("--round", "number", type=int, default=None, help="Round number (default: next).")
    @click.option("--closes-in", type=int, default=3600, show_default=True, help="Seconds until staking closes.")
    @click.option("--resolves-in", type=int, default=7200, show_default=True, help="Seconds until the oracle deadline.")
    @click.option("--budget", type=float, default=1000.0, show_default=True, help="Reward budget in NMR.")
    @click.option("--policy", default="auction2017", show_default=True)
    def open_command(number, closes_in, resolves_in, budget, policy):
        """Build the dataset and open a round on chain."""
        _cli_step(open_round, number, closes_in=closes_in, resolves_in=resolves_in,
                  budget_wei=round(budget * 1e6) * 10**12, policy=policy)

    @oracle_group.command("close")
    @click.argument("number", type=int)
    def close_command(number):
        """Mark a round closed (after its on-chain close)."""
        _cli_step(close_round, number)

    @oracle_group.command("resolve")
    @click.argument("number", type=int)
    @click.option("--targets", type=click.Path(exists=True, dir_okay=False), default=None,
                  help="Live targets file (id,target) for operator-supplied data.")
    def resolve_command(number, targets):
        """Score all submissions and store the settlement plan."""
        _cli_step(resolve_round, number, targets_file=targets)

    @oracle_group.command("settle")
    @click.argument("number", type=int)
    def settle_command(number):
        """Post the stored plan on chain (resumable)."""
        _cli_step(settle_round, number)

    @oracle_group.command("finalize")
    @click.argument("number", type=int)
    def finalize_command(number):
        """Return the round's unspent budget to the treasury."""
        _cli_step(finalize_round, number)

    @oracle_group.command("publish")
    @click.argument("number", type=int)
    def publish_command(number):
        """Publish targets, staked files, scores and the plan."""
        _cli_step(publish_round, number)

    @oracle_group.command("verify")
    @click.argument("number", type=int)
    def verify_command(number):
        """Recompute a published round and check it against the chain."""
        from app.verify import main as verify_main

        raise SystemExit(verify_main([str(published_dir(number)), "--rpc-url", current_app.config["RPC_URL"]]))

    @oracle_group.command("run")
    @click.argument("number", type=int)
    def run_command(number):
        """Close, resolve, settle, finalize and publish."""
        _cli_step(run_round, number)


__all__ = [
    "Chain",
    "OracleError",
    "close_round",
    "finalize_round",
    "init_app",
    "open_round",
    "publish_round",
    "resolve_round",
    "run_round",
    "settle_round",
]
