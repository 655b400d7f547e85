"""`brownie run scripts/open_round.py main [ROUND] [CLOSES_IN] [RESOLVES_IN] [BUDGET_NMR]`.

Builds the dataset and opens the round on chain (app.oracle.open_round): staking closes
CLOSES_IN seconds from the chain's now (default 3600), the oracle's deadline is RESOLVES_IN
(default 7200), the reward budget BUDGET_NMR (default 1000) comes from the treasury.
"""

from app import oracle
from scripts.operator import run_step

NMR = 10**18


def main(number=None, closes_in=3600, resolves_in=7200, budget_nmr=1000):
    run_step(
        oracle.open_round, int(number) if number else None, closes_in=int(closes_in),
        resolves_in=int(resolves_in), budget_wei=int(budget_nmr) * NMR,
    )
