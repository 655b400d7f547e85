"""Performance prizes, under either stake policy (``"rank2017"``, the 2017 article's
results table): the top ``top`` eligible participants with live logloss < ln 2, staked or
not, by live logloss (ties: earlier in scoring order); rank r gets ``pool * r**-exponent /
S`` of the USD prize pool and of the NMR the stakes left, ``S`` the sum of the weights of
ranks 1..top."""

from __future__ import annotations

import math
from decimal import Context, Decimal
from fractions import Fraction
from functools import lru_cache

from client.core.money.book import Book
from client.core.money.plan import Prize
from client.core.money.reasons import causes, prize_eligible
from client.core.money.rules import CONSISTENCY_THRESHOLD
from client.core.money.units import format_nmr

PRIZE_TOP = 100
PRIZE_EXPONENT = 1.2
MAX_PRIZE_WINNERS = 100  # the escrow's MAX_PRIZE_WINNERS


def rank2017(
    book: Book,
    usd_pool: int,
    nmr_pool: int,
    *,
    top: int = PRIZE_TOP,
    exponent: float = PRIZE_EXPONENT,
    consistency_threshold: float = CONSISTENCY_THRESHOLD,
) -> tuple[list[Prize], dict[str, str]]:
    """Performance prizes by live logloss rank, and the prize reason of every participant."""
    if not (isinstance(top, int) and not isinstance(top, bool) and 1 <= top <= MAX_PRIZE_WINNERS):
        raise ValueError(f"top must be an int from 1 to {MAX_PRIZE_WINNERS} (the escrow's limit), got {top!r}")
    shares = prize_shares(top, exponent)
    position = {participant: i for i, participant in enumerate(book.scores)}
    ranked = sorted(
        (p for p, s in book.scores.items() if prize_eligible(s, consistency_threshold)),
        key=lambda p: (book.scores[p].live_logloss, position[p]),
    )
    prizes, reasons = [], {}
    for rank, participant in enumerate(ranked, start=1):
        head = f"rank {rank} of {len(ranked)}"
        if rank > top:
            reasons[participant] = f"{head}: outside the top {top}"
            continue
        share = shares[rank - 1]
        usd = usd_pool * share.numerator // share.denominator
        nmr = nmr_pool * share.numerator // share.denominator
        parts = ([book.usd(usd)] if usd_pool else []) + ([f"{format_nmr(nmr)} NMR"] if nmr_pool else [])
        reasons[participant] = f"{head}: {' + '.join(parts) or 'no prize pool'}"
        if usd or nmr:
            prizes.append(Prize(participant, rank, usd, nmr, reasons[participant]))
    for participant, score in book.scores.items():
        if participant in reasons:
            continue
        if score is None:
            reasons[participant] = "not scored; no prize"
        elif found := causes(score, consistency_threshold, book.label):
            reasons[participant] = f"{'; '.join(found)}; no prize"
        else:
            reasons[participant] = f"live logloss {score.live_logloss:.4f} >= ln 2: no prize"
    return prizes, reasons


def prize_shares(top: int = PRIZE_TOP, exponent: float = PRIZE_EXPONENT) -> tuple[Fraction, ...]:
    """Share of a pool for ranks 1..top: ``r**-exponent / S``, exact fractions summing to <= 1.

    ``r**-exponent`` is ``exp(-exponent * ln r)`` in 60-digit decimal arithmetic (correctly
    rounded, the same on every machine), so the oracle and a verifier get the same amounts.
    """
    if not (math.isfinite(exponent) and exponent >= 0):
        raise ValueError(f"exponent must be a finite number >= 0, got {exponent!r}")
    return _prize_shares(top, repr(float(exponent)))


@lru_cache(maxsize=16)
def _prize_shares(top: int, exponent: str) -> tuple[Fraction, ...]:
    context = Context(prec=60)
    minus_exponent = -Decimal(exponent)
    weights = [Fraction(context.exp(context.multiply(minus_exponent, context.ln(Decimal(r))))) for r in range(1, top + 1)]
    total = sum(weights)
    return tuple(weight / total for weight in weights)
