"""Publishing and committing a resolved round: every file verify needs (live targets,
staked prediction files, scores, the plan) written with a manifest of SHA-256 digests,
then the manifest's digest and the plan's batch hashes committed on chain. The challenge
window starts: anyone may run ``verify`` and dispute before any token moves."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from app import reports, store
from app.chain import get_chain
from app.oracle.common import (
    OracleError,
    Reporter,
    participant_key,
    round_or_error,
    utc,
)
from app.oracle.journal import send_recorded
from app.oracle.resolving import load_dataset, plan_round
from app.paths import published_dir
from client.core.money.batches import plan_hashes
from client.core.money.plan import plan_from_json


def resolve_round(number: int, targets_file: str | Path | None = None, report: Reporter = print,
                  batch_size: int | None = None) -> dict:
    """Scores every submission, persists the settlement plan (once), publishes the round's
    files and commits the results on chain (:func:`commit_round`)."""
    from app.oracle.publishing import (
        commit_round,  # publishing reads this module's datasets
    )

    document = plan_round(number, targets_file, report, batch_size=batch_size)
    commit_round(number, report)
    return document


def stored_plan(number: int) -> dict:
    """The round's latest stored settlement plan; an OracleError if it was never resolved."""
    document = store.latest_plan(number)
    if document is None:
        raise OracleError(f"round {number} has no settlement plan yet; resolve it first")
    return document


def commit_round(number: int, report: Reporter = print) -> dict:
    """Publishes every file verify needs, then commits on chain the SHA-256 of the
    published manifest and the hash of each batch of the stored plan (the prize list's
    last). The challenge window starts: settlement may begin when it ends undisputed."""
    round_or_error(number)
    document = stored_plan(number)
    chain = get_chain()
    view = chain.round(number)
    if not view["committed"]:
        lead = chain.commit_lead()
        if chain.now() + lead >= view["resolves_by"]:
            raise OracleError(
                f"round {number}: too late to commit: the {lead} s challenge window and ruling period would end after the oracle's "
                f"deadline ({utc(view['resolves_by']):%Y-%m-%d %H:%M:%S} UTC). After the deadline, expire the round "
                "(flask oracle expire): every staker withdraws the whole stake"
            )
    out = publish_round(number, report)
    digest = results_digest(out)
    hashes = plan_hashes(plan_from_json(document), int(document["batch_size"]))
    tx = send_recorded(chain, number, "commit", "commitResults", lambda: chain.round(number)["committed"],
                       lambda on_sent: chain.commit_results(number, digest, hashes, on_sent=on_sent), report)
    view = chain.round(number)
    if tx is not None:
        report(f"round {number}: results committed in {tx['tx_hash']}: {len(hashes)} batch hashes, manifest "
               f"{digest}; anyone may dispute until {utc(view['challenge_ends_at']):%Y-%m-%d %H:%M:%S} UTC")
    return view


def results_digest(published: Path) -> str:
    """What commitResults commits for a published round: the SHA-256 of its manifest,
    which lists the SHA-256 of every published file (live targets, scores, plan, ...)."""
    return "0x" + hashlib.sha256((published / "manifest.json").read_bytes()).hexdigest()


def publish_round(number: int, report: Reporter = print) -> Path:
    """Writes the round's public record: live targets, staked files (of a sealed round, the
    revealed ones), scores, plan, manifest."""
    row = round_or_error(number)
    document = store.latest_plan(number)
    if document is None:
        raise OracleError(f"round {number} has no plan to publish; resolve it first")
    out = published_dir(number)
    if (out / "manifest.json").is_file() and get_chain().round(number)["committed"]:
        report(f"round {number}: published files are the committed ones; left as they are ({out})")
        return out
    staging = out.with_name(out.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "predictions").mkdir(parents=True)
    load_dataset(row).write_live_targets(staging)
    shutil.copy(row.dataset_parquet_path, staging / Path(row.dataset_parquet_path).name)
    for score in store.round_scores(number):
        submission = store.get_submission(score.submission_id) if score.submission_id else None
        # A sealed file never revealed has no file here to publish: it was scored as missing.
        if submission is not None and not submission.awaiting_reveal:
            shutil.copy(submission.stored_path, staging / "predictions" / f"{participant_key(score)}.csv")
    chain_record = {key: get_chain().deployments[key] for key in ("chain_id", "deployed_at_block")}
    for name in ("NumeraireToken", "USD", "TournamentEscrow"):
        chain_record[name] = get_chain().deployments[name]
    (staging / "chain.json").write_text(json.dumps(chain_record))
    # "address" holds the model key: verify replays each model under it.
    scores = [{**reports.score_view(s), "address": participant_key(s)} for s in store.round_scores(number)]
    (staging / "scores.json").write_text(json.dumps(scores, indent=2, default=str))
    (staging / "plan.json").write_text(json.dumps(document, indent=2))
    manifest = {
        str(path.relative_to(staging)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(staging.rglob("*")) if path.is_file()
    }
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2))
    shutil.rmtree(out, ignore_errors=True)
    staging.rename(out)
    store.set_published_files(number, sorted(manifest))
    report(f"round {number}: published {len(manifest)} files to {out}")
    return out


