"""The stake policies by name: each takes the stakes (in stake order), the round's
:class:`~client.core.money.book.Book` and pools, and its own keyword parameters, and
returns one judged outcome per stake. Worked examples: docs/payout.md."""

from client.core.money.policies.auction2017 import auction2017
from client.core.money.policies.corr import CORR_CAP, CORR_MULTIPLIER, corr_policy

DEFAULT_POLICY = "auction2017"
POLICIES = {"auction2017": auction2017, "corr": corr_policy}

__all__ = ["CORR_CAP", "CORR_MULTIPLIER", "DEFAULT_POLICY", "POLICIES", "auction2017", "corr_policy"]
