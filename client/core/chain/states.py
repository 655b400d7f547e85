"""A round's state on chain in a few words (plain data in, text out; no web3): what the
operator, ``verify`` and the pages say about a round the escrow holds."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def round_state(view: Mapping[str, Any], now: int) -> str:
    """A round's state on chain in a few words, for the operator, verify and the pages:
    open, closed, committed (challenge ends in ...), disputed, voided, settled, finalized."""
    if not view["exists"]:
        return "not on chain"
    if view["voided"]:
        return "voided: a dispute was upheld; every stake is withdrawable in full"
    if view["finalized"]:
        return "finalized"
    if view["disputed"]:
        return f"disputed by {view['disputer']}: settlement waits for the guardian's ruling"
    if view["committed"]:
        if view["batches_settled"] or view["prizes_paid"]:
            return f"settling ({view['batches_settled']} of {view['batch_count'] - 1} batches posted)"
        left = view["challenge_ends_at"] - now
        return f"committed, challenge ends in {left} s" if left > 0 else "committed, challenge window over"
    return "open" if now < view["closes_at"] else "closed, results not committed yet"
