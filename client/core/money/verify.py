"""Verify a published round against the chain, with nothing but its files and an RPC URL.

    python -m client.core.money.verify PUBLISHED_DIR --rpc-url http://127.0.0.1:8545

Works before settlement (during the challenge window, when a mismatch is worth a
dispute) and after it. Checks, and prints every mismatch (exit status 1 if any):
1. each file's SHA-256 against manifest.json; the dataset file's against the digest
   createRound committed, the manifest's against the results digest commitResults
   committed (so no published file changed since);
2. each staker's published prediction file against the hash their stake committed on chain;
3. the scores and the plan, recomputed from the dataset, the live targets, the prediction
   files (in the published scoring order) and the round's pools on chain, against
   scores.json and plan.json: every stake's burn, USD and NMR reward, every prize (rank,
   USD, NMR) and every participant's reason;
4. the recomputed plan's batch hashes against the ones committed on chain: the escrow
   settles only those, so a match means the chain will pay exactly the recomputed plan;
5. once settlement has started, the plan against the chain: StakeSettled (burn, USD
   reward, NMR reward) per staked model, PrizePaid (USD, NMR) per winning wallet (the sum
   of its models' prizes), nothing paid to anyone outside the plan, and what finalize
   returned to the funder (each pool minus what it paid).

Participants are model keys (a wallet's address for its model 0, ``<address>-<n>`` for its
model n): each model is replayed on its own file (``predictions/<key>.csv``), stake and
score; only the prizes are compared per wallet, as the escrow pays them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from client.core.chain.contracts import Chain
from client.core.chain.errors import ChainError
from client.core.chain.states import round_state
from client.core.models import wallet_of
from client.core.money.batches import plan_hashes, wallet_prizes
from client.core.money.plan import Plan, plan_from_json
from client.core.money.settlement import compute_settlement, pools_on_chain
from client.core.money.stakes import Stake
from client.core.money.units import NMR
from client.core.predictions import ZERO_HASH, PredictionValidator
from client.core.scoring import STORED_METRICS

SCORE_TOLERANCE = 1e-9


@dataclass
class Verification:
    """What verification found; ``ok`` when nothing disagrees."""

    round: int | None = None
    state: str = ""
    checked: list[str] = field(default_factory=list)
    mismatches: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches


def verify_published(directory: str | Path, rpc_url: str) -> Verification:
    """Runs every check on the published round in `directory` against `rpc_url`."""
    directory = Path(directory)
    report = Verification()
    for required in ("manifest.json", "plan.json", "chain.json"):
        if not (directory / required).is_file():
            report.mismatches.append(f"{required} missing from {directory}: is this a published round folder?")
            return report
    _check_manifest(directory, report)
    plan_document = json.loads((directory / "plan.json").read_text())
    number = report.round = int(plan_document["round"])
    chain = Chain.read_only(rpc_url, json.loads((directory / "chain.json").read_text()))

    # Every stake was active when the plan was made (withdrawals open only after the
    # oracle's deadline), so all are replayed as active, withdrawn ones included.
    stakes = chain.stake_records(number)
    replay = [Stake(s.model, s.amount, s.confidence, s.order, "active", s.submission_hash) for s in stakes]
    _check_committed_files(directory, replay, plan_document.get("scored", []), report)

    dataset = pd.read_parquet(next(directory.glob("numerai_dataset_round*.parquet")))
    tournament = dataset[dataset["data_type"] != "train"].reset_index(drop=True)
    targets = pd.read_csv(next(directory.glob("numerai_live_targets_round*.csv")), dtype={"id": str})
    live_targets = pd.Series(targets["target"].to_numpy(float), index=pd.Index(targets["id"], name="id"))
    validator = PredictionValidator(tournament["id"].astype(str), 10**9)
    predictions = {}
    for address in plan_document.get("scored", []):
        result = validator.validate((directory / "predictions" / f"{address}.csv").read_bytes(), address)
        if not result.ok:
            report.mismatches.append(f"predictions/{address}.csv does not validate: {'; '.join(result.problems)}")
            return report
        predictions[address] = result.frame.set_index("id")["probability"]

    view = chain.round(number)
    report.state = round_state(view, chain.now())
    _check_digests(directory, view, report)
    recomputed = compute_settlement(tournament, live_targets, predictions, replay, plan_document["policy"],
                                    pools_on_chain(view),
                                    names=plan_document.get("names"))
    _check_scores(directory, recomputed, report)
    _check_plan(plan_from_json(plan_document), recomputed.plan, report)
    _check_commitment(chain, number, view, recomputed.plan, int(plan_document["batch_size"]), report)
    if view["batches_settled"] or view["prizes_paid"] or view["finalized"]:
        _check_chain(chain, number, view, recomputed.plan, {s.model for s in stakes if s.status == "withdrawn"},
                     report)
        _check_finalization(chain, number, view, report)
    else:
        report.checked.append("no token has moved yet")
    return report


def _check_digests(directory: Path, view: dict, report: Verification) -> None:
    dataset = next(directory.glob("numerai_dataset_round*.parquet"))
    digest = "0x" + hashlib.sha256(dataset.read_bytes()).hexdigest()
    if digest != view["dataset_digest"]:
        report.mismatches.append(f"{dataset.name} hashes to {digest}, but createRound committed "
                                 f"{view['dataset_digest']}: the dataset changed after the round opened")
    if not view["committed"]:
        report.checked.append("the dataset digest (results not committed on chain yet)")
        return
    manifest = "0x" + hashlib.sha256((directory / "manifest.json").read_bytes()).hexdigest()
    if manifest != view["results_digest"]:
        report.mismatches.append(f"manifest.json hashes to {manifest}, but commitResults committed "
                                 f"{view['results_digest']}: the published files are not the committed ones")
    report.checked.append("the dataset and results digests")


def _check_commitment(chain: Chain, number: int, view: dict, plan: Plan, batch_size: int,
                      report: Verification) -> None:
    if not view["committed"]:
        return
    committed, mine = chain.committed_batches(number), plan_hashes(plan, batch_size)
    if len(committed) != len(mine):
        report.mismatches.append(f"the chain committed {len(committed)} batch hashes; the recomputed plan makes "
                                 f"{len(mine)}: the oracle will post another plan")
    for index, (theirs, ours) in enumerate(zip(committed, mine)):
        what = "the prize list" if index == len(mine) - 1 else f"settle batch {index}"
        if theirs != ours:
            report.mismatches.append(f"{what}: committed hash {theirs}, recomputed {ours}: the oracle will post "
                                     "another plan than the published files give")
    if committed != mine and not (view["batches_settled"] or view["prizes_paid"] or view["finalized"]):
        report.mismatches.append(f"dispute round {number} before the challenge window ends "
                                 f"(the escrow's dispute({number}), a bond of {chain.dispute_bond() / NMR:,.2f} NMR)")
    report.checked.append(f"{len(committed)} committed batch hashes")


def _check_manifest(directory: Path, report: Verification) -> None:
    manifest = json.loads((directory / "manifest.json").read_text())
    for name, digest in manifest.items():
        path = directory / name
        if not path.is_file():
            report.mismatches.append(f"{name}: listed in the manifest but missing")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            report.mismatches.append(f"{name}: SHA-256 differs from the manifest (the file was changed)")
    report.checked.append(f"{len(manifest)} file digests")


def _check_committed_files(directory: Path, stakes: list[Stake], scored: list[str], report: Verification) -> None:
    for stake in stakes:
        path = directory / "predictions" / f"{stake.model}.csv"
        if not path.is_file():
            continue  # a stake on no accepted file: the plan returns it (checked with the plan)
        digest = "0x" + hashlib.sha256(path.read_bytes()).hexdigest()
        if stake.submission_hash == ZERO_HASH:
            # Rolled in from an earlier round: it backs whatever file its model had at the close.
            if stake.model not in scored:
                report.mismatches.append(f"{stake.model}'s rolled stake has a published file left out of the scoring")
        elif digest != stake.submission_hash:
            report.mismatches.append(
                f"predictions/{stake.model}.csv hashes to {digest}, but the stake committed {stake.submission_hash}"
            )
        elif stake.model not in scored:
            report.mismatches.append(f"{stake.model}'s committed file is published but was left out of the scoring")
    report.checked.append(f"{len(stakes)} committed file hashes")


def _check_scores(directory: Path, recomputed, report: Verification) -> None:
    published = {row["address"]: row for row in json.loads((directory / "scores.json").read_text())}
    summary = recomputed.scores.summary if recomputed.scores is not None else pd.DataFrame()
    for address, row in summary.iterrows():
        if address not in published:
            report.mismatches.append(f"scores.json has no row for {address}")
            continue
        for name, column in STORED_METRICS.items():
            mine, theirs = float(row[column]), published[address].get(name)
            if theirs is None or not math.isclose(mine, float(theirs), rel_tol=0, abs_tol=SCORE_TOLERANCE):
                report.mismatches.append(f"{address} {name}: recomputed {mine!r}, published {theirs!r}")
    report.checked.append(f"scores of {len(summary)} submissions")


def _check_plan(published: Plan, mine: Plan, report: Verification) -> None:
    for what, theirs, ours, key in (
        ("stake", published.stakes, mine.stakes, "model"),
        ("prize", published.prizes, mine.prizes, "participant"),
    ):
        theirs_by, ours_by = ({getattr(e, key): e for e in entries} for entries in (theirs, ours))
        for who in sorted(set(theirs_by) | set(ours_by)):
            if theirs_by.get(who) != ours_by.get(who):
                report.mismatches.append(f"{what} of {who}: recomputed {ours_by.get(who)}, published {theirs_by.get(who)}")
    for who in sorted(set(published.reasons) | set(mine.reasons)):
        if published.reasons.get(who) != mine.reasons.get(who):
            report.mismatches.append(
                f"reason for {who}: recomputed {mine.reasons.get(who)!r}, published {published.reasons.get(who)!r}"
            )
    report.checked.append(f"plan of {len(mine.stakes)} stakes, {len(mine.prizes)} prizes and "
                          f"{len(mine.reasons)} reasons")


def _check_chain(chain: Chain, number: int, view: dict, plan: Plan, withdrawn: set[str], report: Verification) -> None:
    events = chain.settlements(number)
    for entry in plan.stakes:
        event = events.get(entry.model)
        if event is None and entry.model in withdrawn:
            report.checked.append(f"{entry.model} withdrew through the escape hatch")
        elif event is None:
            report.mismatches.append(f"{entry.model}: planned but never settled on chain")
        elif (event["burned"], event["usd_reward"], event["nmr_reward"]) != (entry.burn, entry.usd_reward,
                                                                             entry.nmr_reward):
            report.mismatches.append(
                f"{entry.model}: chain burned {event['burned']}, paid {event['usd_reward']} USD units and "
                f"{event['nmr_reward']} NMR wei; plan says burn {entry.burn}, {entry.usd_reward} USD units, "
                f"{entry.nmr_reward} NMR wei"
            )
    for model in set(events) - {e.model for e in plan.stakes}:
        report.mismatches.append(f"{model}: settled on chain but absent from the plan")
    report.checked.append(f"{len(events)} on-chain settlements")

    paid = {address.lower(): prize for address, prize in chain.prizes(number).items()}
    planned = {wallet.lower(): (wallet, usd, nmr) for wallet, usd, nmr in
               wallet_prizes((p.participant, p.usd, p.nmr) for p in plan.prizes)}
    won_by = {wallet: [p for p in plan.prizes if wallet_of(p.participant).lower() == wallet] for wallet in planned}
    for address, (wallet, usd, nmr) in planned.items():
        event = paid.get(address)
        ranks = ", ".join(f"{p.participant} rank {p.rank}" for p in won_by[address])
        if event is None:
            if view["prizes_paid"]:
                report.mismatches.append(f"{wallet}: prize planned ({ranks}) but never paid")
        elif (event["usd"], event["nmr"]) != (usd, nmr):
            report.mismatches.append(
                f"{wallet}: chain paid {event['usd']} USD units and {event['nmr']} NMR wei as a prize; "
                f"plan says {usd} and {nmr} ({ranks})"
            )
    for address in set(paid) - set(planned):
        report.mismatches.append(f"{address}: paid a prize on chain but absent from the plan")
    if not view["prizes_paid"] and view["finalized"] and planned:
        report.checked.append("prizes never paid: the round was finalized after the oracle's deadline, "
                              "so the prize pools went back to the funder")
    report.checked.append(f"{len(paid)} on-chain prizes")


def _check_finalization(chain: Chain, number: int, view: dict, report: Verification) -> None:
    final = chain.finalization(number)
    if final is None:
        return
    usd_left = view["usd_staking_pool"] - view["usd_staking_paid"] + view["usd_prize_pool"] - view["usd_prize_paid"]
    nmr_left = view["nmr_pool"] - view["nmr_paid"]
    if (final["usd_returned"], final["nmr_returned"]) != (usd_left, nmr_left):
        report.mismatches.append(
            f"finalize returned {final['usd_returned']} USD units and {final['nmr_returned']} NMR wei to the funder; "
            f"the unspent pools were {usd_left} and {nmr_left}"
        )
    report.checked.append("the funder's refund")


def main(argv: list[str] | None = None) -> int:
    """Command line: prints what was checked and every mismatch."""
    parser = argparse.ArgumentParser(prog="python -m client.core.money.verify", description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", help="a published round folder (published/round-N)")
    parser.add_argument("--rpc-url", default="http://127.0.0.1:8545", help="JSON-RPC endpoint of the chain")
    args = parser.parse_args(argv)
    try:
        report = verify_published(args.directory, args.rpc_url)
    except StopIteration:
        print(f"verify: {args.directory} lacks the dataset or the live targets file", file=sys.stderr)
        return 2
    except KeyError as exc:
        print(f"verify: a published JSON file lacks the field {exc}; is {args.directory} complete?", file=sys.stderr)
        return 2
    except (ChainError, OSError, ValueError) as exc:
        print(f"verify: cannot check {args.directory}: {exc}", file=sys.stderr)
        return 2
    print(f"round {report.round}: {report.state}")
    print(f"round {report.round}: checked " + ", ".join(report.checked))
    for mismatch in report.mismatches:
        print(f"MISMATCH {mismatch}")
    print("verified: everything matches the chain" if report.ok else f"{len(report.mismatches)} mismatch(es)")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
