"""The account and model pages' view models: a wallet's balances and stakes (from the
chain), its models, files, per-round results and reasons, careers and tokens; a model's
public page."""

from __future__ import annotations

from typing import Any

from eth_utils import is_address, to_checksum_address

from app import reports, store
from app.chain import reads
from app.web import charts
from app.web.formatting import DECIMALS, format_nmr
from app.web.views.rounds import (
    models_with_submissions,
    rounds_in_flight,
    submission_view,
    why,
)
from client.core.money.units import NmrAmount, UsdAmount

EMPTY_RESULTS = {"scores": [], "career_usd": UsdAmount(0), "career_nmr": NmrAmount(0)}

def chain_info(address: str) -> dict[str, Any]:
    """The wallet's balances and stakes from the chain (:func:`app.chain.reads.wallet`)."""
    return reads.wallet(address)

def token_rows(address: str) -> list[dict[str, Any]]:
    """The wallet's live API tokens as pages list them: public id, name, scopes, created
    (never a secret)."""
    return [{"public_id": t.public_id, "name": t.name, "scopes": t.scope_list, "created_at": t.created_at}
            for t in store.list_api_tokens(address)]  # fmt: skip

def account_page(address: str) -> dict[str, Any]:
    """My name, balances (chain), my models (each with its current file in the current
    round and its career), submissions, per-round results of every model with their
    reason, the wallet's career USD and NMR (all models), tokens and the per-era chart of
    my latest upload."""
    user = store.get_user(address)
    current = store.current_round()
    models = models_with_submissions(address, current.number if current else None)
    submissions = store.wallet_submissions(address)
    chain = chain_info(address)
    scores = []
    by_model = reports.wallet_results(address)
    for model in models:
        results = by_model.get(model["key"]) or EMPTY_RESULTS
        model.update(career_usd=results["career_usd"], career_nmr=results["career_nmr"])
        scores += [{**score, "model": model["key"], "model_name": model["name"], "model_number": model["number"],
                    "why": _account_why(score)} for score in results["scores"]]  # fmt: skip
    scores.sort(key=lambda score: (-score["round"], score["model_number"]))
    latest = max(submissions, key=lambda s: (s.created_at, s.id)) if submissions else None
    per_era = (latest.metrics or {}).get("per_era", []) if latest else []
    return {
        "address": address,
        "display_name": user.display_name if user else None,
        "decimals": DECIMALS,
        "chain": chain,
        "models": models,
        "submissions": [submission_view(s) for s in submissions],
        "scores": scores,
        "rounds": account_rounds(submissions, scores, chain.get("stakes") or [], models),
        "career_usd": UsdAmount(sum(model["career_usd"] for model in models)),
        "career_nmr": NmrAmount(sum(model["career_nmr"] for model in models)),
        "tokens": token_rows(address),
        "in_flight": rounds_in_flight(),
        # Disputes this wallet raised and the guardian ruled on: the bond back with a reward, or burned.
        "disputes": [{"round": r.number, "upheld": r.dispute_upheld, "reward": NmrAmount(r.dispute_reward or 0),
                      "bond_burned": not r.dispute_upheld} for r in store.disputes_by(address)],
        # Every token movement of the wallet, from the escrow's events (None: the chain did not answer).
        "ledger": reads.ledger(address),
        "chart_round": latest.round_number if latest else None,
        "chart_svg": charts.responsive(lambda width: charts.era_bar_chart(
            [e["era"] for e in per_era], [e["logloss"] for e in per_era], baseline=charts.LN2,
            title="Validation logloss per era", width=width,
        )) if per_era else None,
    }

def model_page(reference: str) -> dict[str, Any] | None:
    """A model's public page (``/models/<key>``), or None when no model has that key: the
    model (``key``, ``name``, ``number``, ``wallet``), its rounds newest first (every
    :func:`app.reports.score_view` key, ``per_era``, ``era_scores``, ``why``), its current submissions
    (hash, rows, validation metrics) and career USD and NMR."""
    try:
        address, number = store.split_key(reference)
    except store.StoreError:
        return None
    if not is_address(address):
        return None
    address = to_checksum_address(address)
    model = next((m for m in store.list_models(address) if m["number"] == number), None)
    if model is None or not (number or store.get_user(address)):
        return None
    results = reports.account_results(model["key"])
    places = reports.standings(model["key"], [score["round"] for score in results["scores"]])
    scores = [{**score, "model": model["key"], "why": _account_why(score), "standing": places.get(score["round"])}
              for score in results["scores"]]
    return {
        "model": model,
        "models": [model],
        "decimals": DECIMALS,
        "scores": scores,
        "submissions": [submission_view(s) for s in store.user_submissions(model["key"])],
        "career_usd": results["career_usd"],
        "career_nmr": results["career_nmr"],
    }

def _account_why(score: dict[str, Any]) -> str:
    line = why(score, score["round_status"])
    if score["round_status"] == "expired" and score.get("stake_wei"):
        line += " (the round expired unsettled: unless the oracle settled your stake before its deadline, withdraw it on the Stake page)"
    return line

def account_rounds(submissions: list[store.Submission], scores: list[dict[str, Any]],
                   stakes: list[dict[str, Any]], models: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """One row per round and model I took part with, newest round first, then by model:
    the model (``model``, ``model_name``, ``model_number``), my submission, my stake (the
    chain's, else the oracle's record), the outcome, why, round USD and round NMR."""
    names = {model["number"]: (model["key"], model["name"]) for model in models or []}
    by_round: dict[tuple[int, int], dict[str, Any]] = {}

    def row(number: int, model: int) -> dict[str, Any]:
        key, name = names.get(model, (None, None))
        return by_round.setdefault((number, model), {
            "round": number, "model": key, "model_name": name, "model_number": model, "submission": None,
            "stake_wei": NmrAmount(0), "confidence": None, "stake_status": None, "score": None})  # fmt: skip

    for submission in submissions:
        row(submission.round_number, submission.model_number or 0)["submission"] = submission_view(submission)
    for score in scores:
        entry = row(score["round"], score.get("model_number") or 0)
        entry["score"] = score
        # The score keeps the confidence as the escrow does (wei, 1e18 = 1); shown as the chain's rows are.
        confidence = score.get("confidence")
        entry["stake_wei"] = NmrAmount(score.get("stake_wei") or 0)
        entry["confidence"] = f"{int(confidence) / 10**18:g}" if str(confidence or "").isdigit() else confidence
    for stake in stakes:
        entry = row(int(stake["round"]), int(stake.get("model") or 0))
        entry["stake_wei"], entry["confidence"] = NmrAmount(stake["amount_wei"]), stake.get("confidence")
        entry["stake_status"] = stake.get("status") or ("settled" if stake.get("settled") else "active")
    table = []
    for number, model in sorted(by_round, key=lambda k: (-k[0], k[1])):
        entry = by_round[(number, model)]
        score = entry.pop("score")
        table.append({**entry, "outcome": _outcome(score, entry), "why": score["why"] if score else
                      "not scored yet: the round resolves after it closes",
                      "round_usd": score["round_usd"] if score else UsdAmount(0),
                      "round_nmr": score["round_nmr"] if score else NmrAmount(0),
                      "burned": score["burned"] if score else NmrAmount(0)})  # fmt: skip
    return table

def _outcome(score: dict[str, Any] | None, entry: dict[str, Any]) -> str:
    """A short line: live logloss and what became of the stake."""
    if score is None or score.get("live_logloss") is None:
        return "open" if entry["stake_status"] in (None, "active") else entry["stake_status"]
    parts = [f"live logloss {score['live_logloss']:.6f}"]
    if score.get("burned"):
        parts.append(f"burned {format_nmr(score['burned'])} NMR")
    elif entry["stake_wei"]:
        parts.append("stake back")
    return " · ".join(parts)
