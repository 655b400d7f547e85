"""Closing and resolving a round: staking over by the chain's clock; once its live
targets are known, every submission scored and the settlement plan stored (once: a stored
plan is never recomputed), then published and committed (:mod:`app.oracle.publishing`).

Rule for a stake whose committed hash matches no accepted file of its model: the stake is
returned in full, no reward, no burn (the payout policy's ``None`` score). A sealed
round's file not revealed by its deadline is no accepted file: it scores as missing
(docs/sealed.md). A stake committed to the zero hash (a rolled stake) is committed to its
model's current file.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd

from app import store
from app.chain import get_chain
from app.data.dataset import RoundDataset
from app.oracle.common import (
    OracleError,
    Reporter,
    participant_key,
    round_or_error,
    timestamp,
    utc,
)
from app.paths import secret_dir
from app.schedule import moment_text
from client.core.files import live_targets_file_name
from client.core.money.build import controlling_capital
from client.core.money.plan import plan_to_json, plan_totals
from client.core.money.settlement import compute_settlement, pools_on_chain
from client.core.predictions import ZERO_HASH, PredictionValidator, unrevealed_reason
from client.core.scoring import STORED_DECISIONS, STORED_METRICS
from client.core.scoring.round import PER_ERA_METRICS


def close_round(number: int, report: Reporter = print) -> store.Round:
    """Marks the round closed once the chain's clock has passed its closesAt."""
    row = round_or_error(number)
    if row.status != "open":
        report(f"round {number}: already {row.status}")
        return row
    on_chain = get_chain().round(number)
    now = get_chain().now()
    if now < on_chain["closes_at"]:
        raise OracleError(f"round {number} is open on chain for {on_chain['closes_at'] - now} more seconds")
    report(f"round {number}: closed")
    return store.set_round_status(number, "closed")


def load_dataset(row: store.Round, targets_file: str | Path | None = None) -> RoundDataset:
    """The round's dataset with its live targets: the held-back ones, or an operator's file
    (``id,target``) checked to cover every live id with 0/1 values."""
    public = pd.read_parquet(row.dataset_parquet_path)
    live_ids = public.loc[public["data_type"] == "live", "id"].astype(str)
    source = Path(targets_file) if targets_file else secret_dir(row.number) / live_targets_file_name(row.number)
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


def scored_files(row: store.Round, stakes: list,
                 _validator: PredictionValidator | None = None) -> dict[str, store.Submission]:
    """Which file each model is scored on, by model key: the file its stake committed to,
    else its current submission. Staked models whose hash matches none of their files are
    left out, and so is every sealed file never revealed (the server holds no file). A
    stake committed to the zero hash keeps its model's current file. (The validator
    argument is unused, kept for callers that pass it.)"""
    chosen = {participant_key(s): s for s in store.list_submissions(row.number) if not s.awaiting_reveal}
    for record in stakes:
        if record.submission_hash.lower() == ZERO_HASH:
            continue  # a rolled stake: committed to whatever file its model has here
        match = store.submission_by_hash(row.number, record.model, record.submission_hash)
        if match is not None and not match.awaiting_reveal:
            chosen[record.model] = match
        else:
            chosen.pop(record.model, None)
    return dict(sorted(chosen.items(), key=lambda item: (item[1].created_at, item[1].id)))


def sealed_reason(row: store.Round, record: Any) -> str | None:
    """The reason a staked model's row gives when its stake's file was sealed and never
    revealed (None otherwise). The plan keeps the payout core's own reason, which the
    verifier recomputes; this one names the deadline on the pages."""
    if not row.sealed or record is None or record.submission_hash.lower() == ZERO_HASH:
        return None
    match = store.submission_by_hash(row.number, record.model, record.submission_hash)
    if match is None or not match.awaiting_reveal:
        return None
    return unrevealed_reason(moment_text(row.reveal_until))


def plan_round(number: int, targets_file: str | Path | None = None, report: Reporter = print,
               batch_size: int | None = None) -> dict:
    """Scores every submission and persists the settlement plan (once), with `batch_size`
    stakes per settle batch (default: as many as fill 3/4 of a block)."""
    row = round_or_error(number)
    existing = store.latest_plan(number)
    if existing is not None:
        report(f"round {number}: plan already stored, keeping it")
        return existing
    if row.status == "open":
        close_round(number, report)
        row = round_or_error(number)
    chain = get_chain()
    if row.live_until is not None and chain.now() < timestamp(row.live_until) and not targets_file:
        raise OracleError(f"round {number}'s live targets are known at {row.live_until:%Y-%m-%d %H:%M:%S} UTC, in "
                          f"{timestamp(row.live_until) - chain.now()} s; resolve it after that")
    if row.reveal_until is not None and chain.now() < timestamp(row.reveal_until):
        raise OracleError(f"round {number} is sealed and takes reveals until {moment_text(row.reveal_until)}, in "
                          f"{timestamp(row.reveal_until) - chain.now()} s; resolve it after that")
    dataset = load_dataset(row, targets_file)
    if targets_file:
        # The operator's targets are now the round's truth: publish and verify use them.
        dataset.write_live_targets(secret_dir(number))
    validator = PredictionValidator(dataset.tournament_ids.astype(str), 10**9)
    stakes = chain.stake_records(number)
    files = scored_files(row, stakes, validator)
    predictions = {address: read_prediction_file(sub.stored_path, validator) for address, sub in files.items()}
    stake_by_model = {s.model: s for s in stakes}
    # The pools the escrow holds are the ones that bind (and the ones verify replays).
    pools = pools_on_chain(chain.round(number))
    names = store.display_names(set(files) | set(stake_by_model))
    result = compute_settlement(dataset.tournament, dataset.live_targets, predictions, stakes, row.policy, pools,
                                names=names)
    plan = result.plan
    outcome_by_model = {e.model: e for e in plan.stakes}
    prize_by_participant = {p.participant: p for p in plan.prizes}
    summary = result.scores.summary if result.scores is not None else pd.DataFrame()

    rows = []
    for address in list(files) + [a for a in stake_by_model if a not in files]:
        submission = files.get(address)
        outcome = outcome_by_model.get(address)
        record = stake_by_model.get(address)
        prize = prize_by_participant.get(address)
        scored = submission is not None and address in summary.index
        rows.append({
            "address": address,
            "submission_id": submission.id if submission else None,
            **(_score_fields(summary.loc[address], result.scores.per_era, address) if scored else {}),
            "stake_wei": outcome.stake if outcome else 0,
            "confidence": str(record.confidence) if record else None,
            "burn_wei": outcome.burn if outcome else 0,
            "usd_reward": outcome.usd_reward if outcome else 0,
            "nmr_reward": outcome.nmr_reward if outcome else 0,
            "prize_rank": prize.rank if prize else None,
            "prize_usd": prize.usd if prize else 0,
            "prize_nmr": prize.nmr if prize else 0,
            "reason": sealed_reason(row, record) or plan.reasons.get(address, ""),
        })
    store.save_scores(number, rows)
    document = {
        "round": number,
        "policy": row.policy,
        "pools": {"usd_staking": str(pools.usd_staking), "usd_prize": str(pools.usd_prize), "nmr": str(pools.nmr)},
        **plan_to_json(plan),
        "hashes": {s.model: s.submission_hash for s in stakes},
        # Scoring order matters (originality looks at earlier files): the verifier replays it.
        "scored": list(files),
        # Reasons name look-alike submissions by display name: the verifier replays these.
        "names": names,
        "totals": {k: str(v) for k, v in plan_totals(plan).items()},
        "controlling_capital": controlling_capital(result.participant_scores),
        # Stakes per settle batch: with the plan's order, it fixes every committed batch hash.
        "batch_size": batch_size or chain.settle_batch_size(),
    }
    store.save_plan(number, document)
    store.set_round_status(number, "resolved", resolved_at=utc(chain.now()))
    report(f"round {number}: {len(files)} submissions scored, plan for {len(plan.stakes)} stakes and "
           f"{len(plan.prizes)} prizes stored")
    return document


def _score_fields(row: pd.Series, per_era: pd.DataFrame, address: str) -> dict[str, Any]:
    eras = per_era[per_era["submission"] == address]
    return {
        **{field: float(row[column]) for field, column in STORED_METRICS.items()},
        **{field: bool(row[column]) for field, column in STORED_DECISIONS.items()},
        "per_era": {str(e): float(v) for e, v in zip(eras["era"], eras["logloss"])},
        "era_scores": era_scores(eras),
    }


def era_scores(eras: pd.DataFrame) -> list[dict[str, Any]]:
    """One submission's rows of :attr:`RoundScores.per_era`, in era order, as the Score
    row stores them: ``{era, data_type, logloss, corr, mmc, fnc}``. A value that is not
    finite (a constant submission's FNC, MMC without a meta-model) is None: JSON has no NaN."""
    return [
        {"era": str(era["era"]), "data_type": str(era["data_type"]),
         **{metric: _finite(era[metric]) for metric in PER_ERA_METRICS}}
        for era in eras.to_dict("records")
    ]  # fmt: skip


def _finite(value: Any) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


