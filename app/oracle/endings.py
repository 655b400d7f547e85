"""How a round ends other than by settlement: disputed and voided (the guardian upholds a
dispute: every stake withdrawable in full), or expired (the oracle's deadline passed
unsettled: the escape hatch). Either way the score rows are rewritten to what the chain
paid, with the reason, so the pages and the careers say what happened."""

from __future__ import annotations

from flask import current_app

from app import store
from app.chain import get_chain
from app.oracle.common import (
    NMR,
    OracleError,
    Reporter,
    participant_key,
    round_or_error,
    utc,
)
from app.oracle.settling import finalize_tx, record_final
from client.core.chain.contracts import Chain
from client.core.chain.signing import load_signer
from client.core.chain.states import round_state
from client.core.models import wallet_of


def expire_round(number: int, report: Reporter = print) -> store.Round:
    """A round whose oracle deadline passed before it was settled: finalized on the
    escape-hatch path. Every unsettled staker takes the whole stake back alone
    (withdrawStake); the pools go back to the funder; nobody is paid a prize."""
    row = round_or_error(number)
    chain = get_chain()
    view = chain.round(number)
    if chain.now() < view["resolves_by"]:
        raise OracleError(f"round {number}'s oracle deadline is {view['resolves_by'] - chain.now()} s away; settle it")
    tx = finalize_tx(chain, number, report)
    if tx is not None:
        report(f"round {number}: the oracle's deadline passed before settlement; finalized on the escape-hatch "
               f"path in {tx['tx_hash']}: unsettled stakers withdraw their stakes, the pools went back to the funder")
    if row.status in ("settled", "finalized"):
        return record_final(number, "finalized")
    _scores_as_paid(number)
    return record_final(number, "expired")


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
               f"challenge window ends {utc(view['challenge_ends_at']):%Y-%m-%d %H:%M:%S} UTC; "
               f"dispute bond {chain.dispute_bond() / NMR:,.2f} NMR")
    for event in chain.dispute_records(number):
        if event["event"] == "disputed":
            report(f"round {number}: disputed by {event['disputer']} in {event['tx_hash']}")
        elif event["event"] == "lapsed":
            report(f"round {number}: {event['disputer']}'s dispute lapsed unruled, bond back, in {event['tx_hash']}")
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
    round_or_error(number)
    guardian = guardian_chain()
    view = guardian.round(number)
    if not view["disputed"]:
        raise OracleError(f"round {number} has no open dispute to rule on ({round_state(view, guardian.now())})")
    tx = guardian.rule(number, upheld)
    report(f"round {number}: dispute by {view['disputer']} {'upheld' if upheld else 'rejected'} in {tx['tx_hash']}")
    _record_ruling(number)
    if upheld:
        void_round(number, report)
    return guardian.round(number)


def lapse_dispute(number: int, report: Reporter = print) -> dict:
    """Ends the round's dispute that the guardian did not rule on within the ruling period
    (the oracle's key; anyone may): the bond goes back to the disputer and the committed
    batches settle as committed. Nothing to do once the dispute is gone."""
    round_or_error(number)
    chain = get_chain()
    view = chain.round(number)
    if not view["disputed"]:
        return view
    if chain.now() < view["ruling_ends_at"]:
        raise OracleError(f"round {number}: the guardian may still rule on {view['disputer']}'s dispute for "
                          f"{view['ruling_ends_at'] - chain.now()} s; it lapses after that")
    tx = chain.lapse_dispute(number)
    report(f"round {number}: no ruling within the ruling period; {view['disputer']}'s dispute lapsed, the bond went "
           f"back, the committed results stand (tx {tx['tx_hash']})")
    return chain.round(number)


def _record_ruling(number: int) -> None:
    """Copies the guardian's last ruling on the round (DisputeRuled) to the store."""
    rulings = [e for e in get_chain().dispute_records(number) if e["event"] == "ruled"]
    if rulings:
        store.record_dispute(number, rulings[-1]["disputer"], rulings[-1]["upheld"], rulings[-1]["reward"])


def void_round(number: int, report: Reporter = print) -> store.Round:
    """Records a round voided on chain: its scores say every stake came back in full."""
    row = round_or_error(number)
    if row.status == "voided":
        return row
    _record_ruling(number)
    _scores_as_paid(number, "round voided: a dispute of the committed results was upheld")
    report(f"round {number}: voided; every staker withdraws the whole stake (withdrawStake), the pools went back "
           "to the funder")
    return record_final(number, "voided")


def deadline_passed(number: int) -> bool:
    """Whether round `number` can no longer be settled: its oracle deadline passed."""
    chain = get_chain()
    return chain.now() >= chain.round(number)["resolves_by"]


