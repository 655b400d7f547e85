"""The round lifecycle as services: open, close, resolve, settle, finalize, publish.

Each step reads the chain before it writes, and every oracle transaction (creation,
commitment, each settle batch, the prizes, finalize) is recorded before it is sent and
gets its hash before the wait (:func:`_oracle_tx`), so any step can be rerun after a
crash: a transaction left sent is waited for, never sent again, and the operator reads
what the chain answered (refused with the escrow's reason, reverted, or no answer yet).
- ``open_round`` builds and stores the dataset, creates the round on chain naming its
  funder and committing the dataset file's SHA-256 (an existing on-chain round with the
  same id is adopted, not recreated) and, with the funder's key, pays its pools
  (``fund_round``: the funder mints the NMR issuance the weekly schedule allows, then
  pays USD staking pool, USD prize pool and NMR issuance from its own balance; the
  oracle's key can move nobody's tokens);
- ``resolve_round`` scores every submission and persists the settlement plan once (a
  stored plan is never recomputed), then ``commit_round`` publishes every file verify
  needs and commits on chain the manifest's SHA-256 and the hash of each batch;
- ``settle_round`` waits out the challenge window (anyone may dispute meanwhile; the
  guardian rules, ``rule_round``) and posts the committed batches in order, then the
  prizes: the escrow accepts nothing else, and nothing is paid twice;
- ``expire_round``: a round whose oracle deadline passed unsettled is finalized on the
  escape-hatch path (stakers withdraw alone, the pools go back to the funder);
- ``publish_round`` writes the live targets, every staked prediction file, the scores and
  the plan with a manifest of SHA-256 digests, for :mod:`app.verify`.

Participants are model keys (:mod:`client.core.models`): a wallet's address for its
model 0, ``<address>-<n>`` for its model n. Each model is scored on its own file, its
stake settled on its own; prizes are paid per wallet, the sum of its models'.

Rule for a stake whose committed hash matches no accepted file of its model: the stake
is returned in full, no reward, no burn (the payout policy's ``None`` score).
The brownie scripts and the Flask CLI (:mod:`app.oracle_cli`) are thin calls here.

Why one module past ~350 lines: these are the steps of one round's lifecycle, each
resumable against the same two records (the chain and the store), the commitment, the
dispute and the guardian's ruling included; they share the helpers that read one from
the other (pools, plans, batches) and the one recorded-transaction path (_oracle_tx), and
a reader follows a round from top to bottom.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from flask import current_app

from app import store
from app.chain import get_chain
from app.data import build_round_dataset
from app.data.dataset import RoundDataset
from app.paths import datasets_dir, published_dir, secret_dir
from app.payout import (
    Pools,
    build_plan,
    controlling_capital,
    plan_from_json,
    plan_to_json,
    plan_totals,
)
from app.scoring import STORED_DECISIONS, STORED_METRICS
from app.settlement import (
    committed_batches,
    compute_settlement,
    plan_hashes,
    pools_on_chain,
    round_state,
)
from app.store.settlement import COMMIT_INDEX, CREATE_INDEX, FINALIZE_INDEX, get_batch
from client.core.chain.contracts import Chain
from client.core.chain.errors import ChainError, ContractRevert
from client.core.chain.signing import load_signer
from client.core.files import live_targets_file_name
from client.core.models import model_key, wallet_of
from client.core.predictions import PredictionValidator

NMR = 10**18
USD = 10**6
# The whitepaper's staking pool and the article's Tournament 56 prize pools.
DEFAULT_POOLS = Pools(usd_staking=3_000 * USD, usd_prize=3_603_030_000, nmr=14_412_130 * NMR // 1000)
Reporter = Callable[[str], None]


class OracleError(Exception):
    """A lifecycle step cannot proceed; the message says why and what to do."""


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
    pools: Pools = DEFAULT_POOLS,
    policy: str = "auction2017",
    dataset_options: dict[str, Any] | None = None,
    report: Reporter = print,
) -> store.Round:
    """Builds round `number`'s dataset (next number by default), stores it, creates the
    round on chain closing `closes_in` s and resolving `resolves_in` s from the chain's now,
    and pays `pools` with the funder's key (none needed for empty pools)."""
    chain = get_chain()
    if number is None:
        existing = store.list_rounds()
        number = max((r.number for r in existing), default=0) + 1
    stored = store.get_round(number)
    if stored is not None and not chain.round(number)["exists"] and stored.status == "open":
        return _resume_creation(chain, stored, pools, report)
    if stored is not None:
        raise OracleError(f"round {number} is already open on this server")
    if resolves_in <= closes_in:
        raise OracleError("the oracle deadline (resolves_in) must come after the close (closes_in)")
    limit = chain.max_resolution_delay()
    if resolves_in - closes_in > limit:
        raise OracleError(f"the oracle deadline may follow the close by at most {limit} s (the escrow's bound); "
                          f"asked {resolves_in - closes_in} s")
    try:  # an unknown policy is refused before anything is written
        build_plan(policy, [], {}, Pools(0, 0, 0))
    except ValueError as exc:
        raise OracleError(str(exc)) from None
    funder = funder_chain() if _total(pools) else None
    funder_address = funder.signer.address if funder is not None else _treasury_address(chain)

    dataset = build_round_dataset(
        seed=_round_seed(number), key=current_app.config["DATASET_KEY"], round_number=number,
        **(dataset_options or {}),
    )
    paths = dataset.write(datasets_dir(number))
    dataset.write_live_targets(secret_dir(number))
    report(f"round {number}: dataset written ({len(dataset.public):,} rows)")

    on_chain = chain.round(number)
    if on_chain["exists"] and (on_chain["finalized"] or on_chain["closes_at"] <= chain.now()):
        raise OracleError(
            f"round {number} already exists on chain and is closed; open another number "
            "(or point the server at the database that belongs with this chain)"
        )
    digest = dataset_digest(paths["parquet"])
    if on_chain["exists"]:
        if on_chain["dataset_digest"] != digest:
            raise OracleError(f"round {number} is on chain with another dataset (digest {on_chain['dataset_digest']}, "
                              f"this one {digest}); open another number")
        report(f"round {number}: already on chain and still open, adopting its schedule")
        closes_at, resolves_by = on_chain["closes_at"], on_chain["resolves_by"]
    else:
        now = chain.now()
        closes_at, resolves_by = now + closes_in, now + resolves_in
    store.create_round(
        number, closes_at=_utc(closes_at), resolves_by=_utc(resolves_by), dataset_paths=paths, policy=policy,
    )
    return _create_and_fund(chain, number, (closes_at, resolves_by), funder, funder_address, digest, pools, report)


def _resume_creation(chain: Chain, row: store.Round, pools: Pools, report: Reporter) -> store.Round:
    """A round stored by a run that crashed before its createRound was mined: the recorded
    transaction is waited for, or the creation sent again with the stored schedule."""
    number = row.number
    report(f"round {number}: stored but not on chain yet; resuming its creation")
    funder = funder_chain() if _total(pools) else None
    funder_address = funder.signer.address if funder is not None else _treasury_address(chain)
    closes_at, resolves_by = int(row.closes_at.timestamp()), int(row.resolves_by.timestamp())
    digest = dataset_digest(row.dataset_parquet_path)
    return _create_and_fund(chain, number, (closes_at, resolves_by), funder, funder_address, digest, pools, report)


def _create_and_fund(chain: Chain, number: int, schedule: tuple[int, int], funder: Chain | None,
                     funder_address: str, digest: str, pools: Pools, report: Reporter) -> store.Round:
    """createRound (recorded before it waits, resumed on rerun), then the pools if unpaid."""
    closes_at, resolves_by = schedule
    tx = _oracle_tx(chain, number, CREATE_INDEX, "createRound", lambda: chain.round(number)["exists"],
                    lambda on_sent: chain.create_round(number, closes_at, resolves_by, funder_address, digest,
                                                       on_sent=on_sent), report)
    if tx is not None:
        report(f"round {number}: created on chain in {tx['tx_hash']} (dataset digest {digest})")
    if funder is not None and not _total(pools_on_chain(chain.round(number))):
        fund_round(number, pools, report=report, funder=funder)
    return _sync_pools(number)


def dataset_digest(path: str | Path) -> str:
    """The SHA-256 of the published dataset file (Parquet; no live or test targets in it),
    committed on chain at createRound: the data cannot change after stakes."""
    return "0x" + hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _treasury_address(chain: Chain) -> str:
    treasury = chain.deployments.get("treasury")
    if not treasury:
        raise OracleError("the deployments file names no treasury to fund the round; pass pools with the funder's key")
    return treasury


def funder_chain() -> Chain:
    """The chain as the round funder (the treasury or a sponsor): its key from config."""
    config = current_app.config
    signer = load_signer(config.get("TREASURY_PRIVATE_KEY") or None, config.get("TREASURY_KEYSTORE") or None,
                         config.get("TREASURY_KEYSTORE_PASSWORD") or None, owner="funder")
    if signer is None:
        raise OracleError(
            "paying a round's pools needs the funder's key (NMR_TREASURY_PRIVATE_KEY or NMR_TREASURY_KEYSTORE); "
            "the oracle's key cannot move the treasury's tokens. Open with empty pools, or let the funder "
            "call fundRound itself"
        )
    chain = get_chain()
    return Chain(chain.w3, chain.deployments, signer, owner="funder")


def fund_round(number: int, pools: Pools, report: Reporter = print, funder: Chain | None = None) -> store.Round:
    """Pays `pools` into round `number` from the funder's own balances. A funder holding
    MINTER_ROLE first mints as much of the NMR issuance as this week's schedule allows."""
    _round_or_error(number)
    funder = funder or funder_chain()
    address = funder.signer.address
    if pools.nmr and funder.has_role("token", "MINTER_ROLE", address):
        minted = min(pools.nmr, funder.mintable())
        if minted:
            funder.mint(address, minted)
            report(f"round {number}: minted {minted / NMR:,.2f} NMR of this week's issuance")
    balances = funder.balances(address)
    usd_needed = pools.usd_staking + pools.usd_prize
    if balances["usd_units"] < usd_needed or balances["nmr_wei"] < pools.nmr:
        raise OracleError(
            f"the funder {address} holds ${balances['usd_units'] / USD:,.2f} and {balances['nmr_wei'] / NMR:,.2f} NMR; "
            f"round {number}'s pools need ${usd_needed / USD:,.2f} and {pools.nmr / NMR:,.2f} NMR"
        )
    tx = funder.fund_round(number, pools.usd_staking, pools.usd_prize, pools.nmr)
    report(f"round {number}: funded by {address} in {tx['tx_hash']}: staking pool ${pools.usd_staking / USD:,.2f}, "
           f"prize pool ${pools.usd_prize / USD:,.2f}, {pools.nmr / NMR:,.2f} NMR")
    return _sync_pools(number)


def _total(pools: Pools) -> int:
    return pools.usd_staking + pools.usd_prize + pools.nmr


def _sync_pools(number: int) -> store.Round:
    """Copies the round's pools and funder from the chain (the escrow's word binds)."""
    view = get_chain().round(number)
    return store.set_round_funding(number, usd_staking_pool=view["usd_staking_pool"],
                                   usd_prize_pool=view["usd_prize_pool"], nmr_pool=view["nmr_pool"],
                                   funder=None if int(view["funder"], 16) == 0 else view["funder"])


def _round_seed(number: int) -> int:
    digest = hashlib.sha256(f"{current_app.config['DATASET_KEY']}:{number}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


# ---- close ---------------------------------------------------------------------------------


def close_round(number: int, report: Reporter = print) -> store.Round:
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


def participant_key(row: Any) -> str:
    """The model key of a stored submission or score (its wallet and model number)."""
    return getattr(row, "model_key", None) or model_key(row.address, getattr(row, "model_number", 0))


def scored_files(row: store.Round, stakes: list, validator: PredictionValidator) -> dict[str, store.Submission]:
    """Which file each model is scored on, by model key: the file its stake committed to,
    else its current submission. Staked models whose hash matches none of their files are
    left out."""
    chosen = {participant_key(s): s for s in store.list_submissions(row.number)}
    for record in stakes:
        match = store.submission_by_hash(row.number, record.staker, record.submission_hash)
        if match is not None:
            chosen[record.staker] = match
        else:
            chosen.pop(record.staker, None)
    return dict(sorted(chosen.items(), key=lambda item: (item[1].created_at, item[1].id)))


def resolve_round(number: int, targets_file: str | Path | None = None, report: Reporter = print,
                  batch_size: int | None = None) -> dict:
    """Scores every submission, persists the settlement plan (once), publishes the round's
    files and commits the results on chain (:func:`commit_round`)."""
    document = plan_round(number, targets_file, report, batch_size=batch_size)
    commit_round(number, report)
    return document


def plan_round(number: int, targets_file: str | Path | None = None, report: Reporter = print,
               batch_size: int | None = None) -> dict:
    """Scores every submission and persists the settlement plan (once), with `batch_size`
    stakes per settle batch (default: as many as fill 3/4 of a block)."""
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
        dataset.write_live_targets(secret_dir(number))
    validator = PredictionValidator(dataset.tournament_ids.astype(str), 10**9)
    stakes = chain.stake_records(number)
    files = scored_files(row, stakes, validator)
    predictions = {address: read_prediction_file(sub.stored_path, validator) for address, sub in files.items()}
    stake_by_address = {s.staker: s for s in stakes}
    # The pools the escrow holds are the ones that bind (and the ones verify replays).
    pools = pools_on_chain(chain.round(number))
    names = store.display_names(set(files) | set(stake_by_address))
    result = compute_settlement(dataset.tournament, dataset.live_targets, predictions, stakes, row.policy, pools,
                                names=names)
    plan = result.plan
    outcome_by_staker = {e.staker: e for e in plan.stakes}
    prize_by_participant = {p.participant: p for p in plan.prizes}
    summary = result.scores.summary if result.scores is not None else pd.DataFrame()

    rows = []
    for address in list(files) + [a for a in stake_by_address if a not in files]:
        submission = files.get(address)
        outcome = outcome_by_staker.get(address)
        record = stake_by_address.get(address)
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
            "reason": plan.reasons.get(address, ""),
        })
    store.save_scores(number, rows)
    document = {
        "round": number,
        "policy": row.policy,
        "pools": {"usd_staking": str(pools.usd_staking), "usd_prize": str(pools.usd_prize), "nmr": str(pools.nmr)},
        **plan_to_json(plan),
        "hashes": {s.staker: s.submission_hash for s in stakes},
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
    store.set_round_status(number, "resolved", resolved_at=_utc(chain.now()))
    report(f"round {number}: {len(files)} submissions scored, plan for {len(plan.stakes)} stakes and "
           f"{len(plan.prizes)} prizes stored")
    return document


def _score_fields(row: pd.Series, per_era: pd.DataFrame, address: str) -> dict[str, Any]:
    eras = per_era[per_era["submission"] == address]
    return {
        **{field: float(row[column]) for field, column in STORED_METRICS.items()},
        **{field: bool(row[column]) for field, column in STORED_DECISIONS.items()},
        "per_era": {str(e): float(v) for e, v in zip(eras["era"], eras["logloss"])},
    }


# ---- settle and finalize -------------------------------------------------------------------


def _stored_plan(number: int) -> dict:
    """The round's latest stored settlement plan; an OracleError if it was never resolved."""
    document = store.latest_plan(number)
    if document is None:
        raise OracleError(f"round {number} has no settlement plan yet; resolve it first")
    return document


def commit_round(number: int, report: Reporter = print) -> dict:
    """Publishes every file verify needs, then commits on chain the SHA-256 of the
    published manifest and the hash of each batch of the stored plan (the prize list's
    last). The challenge window starts: settlement may begin when it ends undisputed."""
    _round_or_error(number)
    document = _stored_plan(number)
    chain = get_chain()
    view = chain.round(number)
    if not view["committed"]:
        window = chain.challenge_window()
        if chain.now() + window >= view["resolves_by"]:
            raise OracleError(
                f"round {number}: too late to commit: the {window} s challenge window would end after the oracle's "
                f"deadline ({_utc(view['resolves_by']):%Y-%m-%d %H:%M:%S} UTC). After the deadline, expire the round "
                "(flask oracle expire): every staker withdraws the whole stake"
            )
    out = publish_round(number, report)
    digest = results_digest(out)
    hashes = plan_hashes(plan_from_json(document), int(document["batch_size"]))
    tx = _oracle_tx(chain, number, COMMIT_INDEX, "commitResults", lambda: chain.round(number)["committed"],
                    lambda on_sent: chain.commit_results(number, digest, hashes, on_sent=on_sent), report)
    view = chain.round(number)
    if tx is not None:
        report(f"round {number}: results committed in {tx['tx_hash']}: {len(hashes)} batch hashes, manifest "
               f"{digest}; anyone may dispute until {_utc(view['challenge_ends_at']):%Y-%m-%d %H:%M:%S} UTC")
    return view


def results_digest(published: Path) -> str:
    """What commitResults commits for a published round: the SHA-256 of its manifest,
    which lists the SHA-256 of every published file (live targets, scores, plan, ...)."""
    return "0x" + hashlib.sha256((published / "manifest.json").read_bytes()).hexdigest()


def settle_round(number: int, report: Reporter = print, wait_up_to: float = 600,
                 after_batch: Callable[[int], None] | None = None) -> dict:
    """Posts the committed plan once its challenge window is over (waiting up to
    `wait_up_to` seconds for it): the settle batches in committed order, then the prizes.

    The round's progress is the chain's (batches posted, prizes paid); each transaction is
    recorded before it is sent, so a rerun after a crash waits for one left sent and sends
    only what the chain has not received."""
    row = _round_or_error(number)
    document = _stored_plan(number)
    chain = get_chain()
    view = chain.round(number)
    if not view["committed"]:
        view = commit_round(number, report)
    if view["voided"]:
        void_round(number, report)
        raise OracleError(f"round {number} was voided (a dispute was upheld): nothing is settled; "
                          "every staker withdraws the whole stake")
    view = _await_challenge_window(chain, number, view, wait_up_to, report)
    if view["disputed"]:
        raise OracleError(f"round {number} is disputed by {view['disputer']}: settlement waits for the guardian's "
                          f"ruling (flask oracle rule {number} --uphold or --reject, with the guardian's key)")
    plan = plan_from_json(document)
    batches, prizes = committed_batches(plan, int(document["batch_size"]))
    if chain.committed_batches(number) != plan_hashes(plan, int(document["batch_size"])):
        raise OracleError(f"round {number}: the batch hashes committed on chain are not this stored plan's; "
                          "is this the database of this chain?")
    status = {e.staker: chain.stake_of(number, e.staker)["status"] for e in plan.stakes}
    withdrawn = [e.staker for e in plan.stakes if status[e.staker] == "withdrawn"]
    posted = 0
    for index, batch in enumerate(batches):
        if all(status[entry[0]] == "withdrawn" for entry in batch):
            report(f"round {number}: batch {index} not posted: its stakers withdrew through the escape hatch")
            continue
        tx = _oracle_tx(chain, number, index, f"settlement batch {index}",
                        lambda index=index: chain.round(number)["batches_settled"] > index,
                        lambda on_sent, batch=batch: chain.settle(number, batch, on_sent=on_sent), report)
        if tx is not None and not tx.get("resumed"):
            posted += len(batch)
            report(f"round {number}: batch {index} settled {len(batch)} stakes in {tx['tx_hash']} "
                   f"({tx['gas_used']:,} gas)")
        if after_batch:
            after_batch(index)
    view = chain.round(number)
    if not view["prizes_paid"] and chain.now() >= view["resolves_by"]:
        report(f"round {number}: the oracle's deadline passed before the prizes were paid; they go back to the funder")
    else:
        tx = _oracle_tx(chain, number, store.PRIZE_BATCH_INDEX, "the prizes",
                        lambda: chain.round(number)["prizes_paid"],
                        lambda on_sent: chain.pay_prizes(number, prizes, on_sent=on_sent), report)
        if tx is not None:
            report(f"round {number}: {len(prizes)} prizes paid in {tx['tx_hash']} ({tx['gas_used']:,} gas)")
    if row.status not in ("settled", "finalized"):
        store.set_round_status(number, "settled", settled_stakes=len(plan.stakes) - len(withdrawn))
    for staker in withdrawn:
        report(f"round {number}: {staker} withdrew through the escape hatch; not settled by the plan")
    return {"settled": posted, "already_settled": len(plan.stakes) - posted - len(withdrawn),
            "withdrawn": withdrawn, "prizes": len(plan.prizes)}


def _await_challenge_window(chain: Chain, number: int, view: dict, wait_up_to: float, report: Reporter) -> dict:
    """The round's view once its challenge window is over (its clock read from the chain),
    sleeping for at most `wait_up_to` seconds; an OracleError if it ends later."""
    ends = view["challenge_ends_at"]
    left = ends - chain.now()
    if left <= 0:
        return view
    if left > wait_up_to:
        raise OracleError(f"round {number}: the challenge window ends at {_utc(ends):%Y-%m-%d %H:%M:%S} UTC, in "
                          f"{left} s; anyone may dispute until then. Settle after it")
    report(f"round {number}: waiting {left} s for the challenge window to end")
    deadline = time.monotonic() + left + 30
    while chain.now() < ends:
        if time.monotonic() > deadline:
            raise OracleError(f"round {number}: the chain's clock did not pass the challenge window's end; "
                              "is the chain mining?")
        time.sleep(min(1.0, max(0.1, ends - chain.now())))
        if chain.chain_id == 1337:  # a development chain mines only on demand: move its clock
            chain.mine_empty_block()
    return chain.round(number)


def _oracle_tx(chain: Chain, number: int, index: int, what: str, done: Callable[[], bool],
               send: Callable[[Callable[[str], None]], dict], report: Reporter) -> dict | None:
    """One oracle transaction of round `number`, recorded in slot `index` before it is sent.

    A transaction a previous run left sent is waited for first, never sent again (a second
    one would reuse its nonce). Then, unless `done()` says the chain already has what it
    would do, it is sent: its row goes ``pending``, then ``sent`` with the hash before the
    wait, then ``confirmed``. What the chain answered otherwise is recorded and said:
    ``refused`` (not sent: the escrow's reason), ``reverted`` (mined, failed), ``unknown``
    (sent, no answer: a rerun resumes it) or ``unsent`` (the node did not answer).
    Returns the receipt of a transaction sent now or resumed (``resumed`` True), None if
    nothing was needed."""
    left = get_batch(number, index)
    if left is not None and left.status in ("sent", "unknown") and left.tx_hash:
        try:
            receipt = chain.wait_for(left.tx_hash, what)
        except ContractRevert as exc:
            store.record_batch(number, index, left.tx_hash, "reverted")
            report(f"round {number}: {what} {left.tx_hash}, left by a previous run, reverted: {exc}")
        except ChainError as exc:
            store.record_batch(number, index, left.tx_hash, "unknown")
            raise OracleError(f"round {number}: {what} {left.tx_hash}, sent by a previous run, has no answer from "
                              f"the chain yet ({exc}); its outcome is unknown, not failed: rerun to resume it") from exc
        else:
            store.record_batch(number, index, left.tx_hash, "confirmed")
            report(f"round {number}: {what} {left.tx_hash}, left by a previous run, was mined")
            return {**receipt, "resumed": True}
    if done():
        if left is not None and left.status != "confirmed":
            store.record_batch(number, index, left.tx_hash, "confirmed" if left.tx_hash else left.status)
        return None
    sent: list[str] = []

    def on_sent(tx_hash: str) -> None:
        sent.append(tx_hash)
        store.record_batch(number, index, tx_hash, "sent")

    store.record_batch(number, index, None, "pending")
    try:
        receipt = send(on_sent)
    except ContractRevert as exc:
        store.record_batch(number, index, None, "reverted" if sent else "refused")
        answer = "was mined and reverted" if sent else "was refused by the chain (not sent)"
        raise OracleError(f"round {number}: {what} {answer}: {exc}") from exc
    except ChainError as exc:
        store.record_batch(number, index, None, "unknown" if sent else "unsent")
        if sent:
            raise OracleError(f"round {number}: {what} {sent[0]} was sent but the chain has not answered ({exc}); "
                              "its outcome is unknown, not failed: rerun to resume it") from exc
        raise OracleError(f"round {number}: {what} was not sent: the chain did not answer ({exc})") from exc
    store.record_batch(number, index, receipt["tx_hash"], "confirmed")
    return receipt


def finalize_round(number: int, report: Reporter = print) -> store.Round:
    """Returns the round's unspent pools to its funder (once)."""
    _round_or_error(number)
    chain = get_chain()
    tx = _finalize_tx(chain, number, report)
    if tx is not None:
        report(f"round {number}: finalized in {tx['tx_hash']}")
    return _record_final(number, "finalized")


def _finalize_tx(chain: Chain, number: int, report: Reporter) -> dict | None:
    return _oracle_tx(chain, number, FINALIZE_INDEX, "finalize", lambda: chain.round(number)["finalized"],
                      lambda on_sent: chain.finalize(number, on_sent=on_sent), report)


def expire_round(number: int, report: Reporter = print) -> store.Round:
    """A round whose oracle deadline passed before it was settled: finalized on the
    escape-hatch path. Every unsettled staker takes the whole stake back alone
    (withdrawStake); the pools go back to the funder; nobody is paid a prize."""
    row = _round_or_error(number)
    chain = get_chain()
    view = chain.round(number)
    if chain.now() < view["resolves_by"]:
        raise OracleError(f"round {number}'s oracle deadline is {view['resolves_by'] - chain.now()} s away; settle it")
    tx = _finalize_tx(chain, number, report)
    if tx is not None:
        report(f"round {number}: the oracle's deadline passed before settlement; finalized on the escape-hatch "
               f"path in {tx['tx_hash']}: unsettled stakers withdraw their stakes, the pools went back to the funder")
    if row.status in ("settled", "finalized"):
        return _record_final(number, "finalized")
    _scores_as_paid(number)
    return _record_final(number, "expired")


def _scores_as_paid(number: int, headline: str = "round expired: the oracle missed its deadline") -> None:
    """An expired (or voided) round's score rows rewritten to what the chain paid (not the
    plan), with the reason, so its pages and the careers say what happened."""
    chain = get_chain()
    settled = chain.settlements(number)
    # Prizes are paid per wallet: a model keeps its planned prize if its wallet was paid.
    paid = {address.lower() for address in chain.prizes(number)}
    rows = []
    for score in store.round_scores(number):
        key = participant_key(score)
        event, prize = settled.get(key), wallet_of(key).lower() in paid
        parts = [headline]
        if score.stake_wei and event is None:
            parts.append("stake back through the escape hatch (withdrawStake)")
        elif event is not None:
            parts.append("stake settled before the deadline")
        if score.prize_rank and not prize:
            parts.append("the planned prize was not paid")
        rows.append({
            **{field: getattr(score, field) for field in store.SCORE_FIELDS}, "address": key,
            "burn_wei": event["burned"] if event else 0, "usd_reward": event["usd_reward"] if event else 0,
            "nmr_reward": event["nmr_reward"] if event else 0, "prize_rank": score.prize_rank if prize else None,
            "prize_usd": int(score.prize_usd or 0) if prize else 0, "prize_nmr": int(score.prize_nmr or 0) if prize else 0,
            "reason": "; ".join(parts),
        })
    store.save_scores(number, rows)


# ---- disputes ------------------------------------------------------------------------------


def guardian_chain() -> Chain:
    """The chain as the guardian (GUARDIAN_ROLE, apart from the oracle): its key from config."""
    config = current_app.config
    signer = load_signer(config.get("GUARDIAN_PRIVATE_KEY") or None, config.get("GUARDIAN_KEYSTORE") or None,
                         config.get("GUARDIAN_KEYSTORE_PASSWORD") or None, owner="guardian")
    if signer is None:
        raise OracleError("ruling on a dispute needs the guardian's key (NMR_GUARDIAN_PRIVATE_KEY or "
                          "NMR_GUARDIAN_KEYSTORE); the oracle's key cannot rule on its own results")
    chain = get_chain()
    return Chain(chain.w3, chain.deployments, signer, owner="guardian")


def dispute_status(number: int, report: Reporter = print) -> dict:
    """Reports the round's state on chain: its commitment, challenge window and disputes."""
    chain = get_chain()
    view = chain.round(number)
    report(f"round {number}: {round_state(view, chain.now())}")
    if view["committed"]:
        report(f"round {number}: committed results {view['results_digest']}, {view['batch_count']} batch hashes; "
               f"challenge window ends {_utc(view['challenge_ends_at']):%Y-%m-%d %H:%M:%S} UTC; "
               f"dispute bond {chain.dispute_bond() / NMR:,.2f} NMR")
    for event in chain.dispute_records(number):
        if event["event"] == "disputed":
            report(f"round {number}: disputed by {event['disputer']} in {event['tx_hash']}")
        else:
            outcome = (f"upheld: round void, bond back + {event['reward'] / NMR:,.2f} NMR" if event["upheld"]
                       else "rejected: bond burned")
            report(f"round {number}: ruling on {event['disputer']}'s dispute {outcome} in {event['tx_hash']}")
    return view


def rule_round(number: int, upheld: bool, report: Reporter = print) -> dict:
    """The guardian's ruling on the round's open dispute (the guardian's key). Upheld: the
    round is void (every stake withdrawable in full, the pools back to the funder, the
    disputer's bond back with a reward); rejected: the bond is burned and settlement may
    start once the challenge window is over."""
    _round_or_error(number)
    guardian = guardian_chain()
    view = guardian.round(number)
    if not view["disputed"]:
        raise OracleError(f"round {number} has no open dispute to rule on ({round_state(view, guardian.now())})")
    tx = guardian.rule(number, upheld)
    report(f"round {number}: dispute by {view['disputer']} {'upheld' if upheld else 'rejected'} in {tx['tx_hash']}")
    if upheld:
        void_round(number, report)
    return guardian.round(number)


def void_round(number: int, report: Reporter = print) -> store.Round:
    """Records a round voided on chain: its scores say every stake came back in full."""
    row = _round_or_error(number)
    if row.status == "voided":
        return row
    _scores_as_paid(number, "round voided: a dispute of the committed results was upheld")
    report(f"round {number}: voided; every staker withdraws the whole stake (withdrawStake), the pools went back "
           "to the funder")
    return _record_final(number, "voided")


def _record_final(number: int, status: str) -> store.Round:
    chain = get_chain()
    view = chain.round(number)
    returned = chain.finalization(number) or {"usd_returned": 0, "nmr_returned": 0}
    return store.set_round_status(
        number, status, usd_paid=str(view["usd_staking_paid"] + view["usd_prize_paid"]),
        nmr_paid=str(view["nmr_paid"]), burned=str(view["total_burned"]),
        usd_returned=str(returned["usd_returned"]), nmr_returned=str(returned["nmr_returned"]),
        unsettled=view["staker_count"] - view["settled_count"],
    )


def deadline_passed(number: int) -> bool:
    """Whether round `number` can no longer be settled: its oracle deadline passed."""
    chain = get_chain()
    return chain.now() >= chain.round(number)["resolves_by"]


# ---- publish -------------------------------------------------------------------------------


def publish_round(number: int, report: Reporter = print) -> Path:
    """Writes the round's public record: live targets, staked files, scores, plan, manifest."""
    row = _round_or_error(number)
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
        if submission is not None:
            shutil.copy(submission.stored_path, staging / "predictions" / f"{participant_key(score)}.csv")
    chain_record = {key: get_chain().deployments[key] for key in ("chain_id", "deployed_at_block")}
    for name in ("NumeraireToken", "USD", "TournamentEscrow"):
        chain_record[name] = get_chain().deployments[name]
    (staging / "chain.json").write_text(json.dumps(chain_record))
    # "address" holds the model key: verify replays each model under it.
    scores = [{**store.score_view(s), "address": participant_key(s)} for s in store.round_scores(number)]
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


def run_round(number: int, report: Reporter = print) -> None:
    """Close, resolve (plan, publish, commit), settle after the challenge window and
    finalize a round (each step resumable). A round whose oracle deadline passed unsettled
    is expired instead (the escape-hatch path)."""
    close_round(number, report)
    row = _round_or_error(number)
    if row.status == "voided":
        report(f"round {number}: voided")
        return
    if row.status not in ("settled", "finalized", "expired") and deadline_passed(number):
        expire_round(number, report)
        return
    resolve_round(number, report=report)
    settle_round(number, report)
    finalize_round(number, report)


# What an operator may cause (and read about in one sentence); anything else is a bug and
# keeps its traceback.
OPERATOR_ERRORS = (OracleError, ChainError, store.StoreError)


__all__ = [
    "OPERATOR_ERRORS",
    "OracleError",
    "close_round",
    "commit_round",
    "dispute_status",
    "expire_round",
    "finalize_round",
    "fund_round",
    "open_round",
    "plan_round",
    "publish_round",
    "resolve_round",
    "round_state",
    "rule_round",
    "run_round",
    "settle_round",
    "void_round",
]
