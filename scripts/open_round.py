"""`brownie run scripts/open_round.py main [ROUND] [CLOSES_IN] [RESOLVES_IN] [USD_STAKING] [USD_PRIZE] [NMR]`.

Builds the dataset and opens the round on chain (app.oracle.open_round): staking closes
CLOSES_IN seconds from the chain's now (default 3600), the oracle's deadline is RESOLVES_IN
(default 7200). The funder (NMR_TREASURY_PRIVATE_KEY) pays the pools from its own
balance: USD_STAKING dollars for the confidence auction (default 3000), USD_PRIZE dollars
and NMR of issuance for the prizes by rank (defaults 3603.03 and 14412.13, Tournament 56's).
"""

from decimal import Decimal

from app import oracle
from app.oracle.cli import pools_from_amounts
from scripts.oracle_step import run_step


def main(number=None, closes_in=3600, resolves_in=7200, usd_staking="3000", usd_prize="3603.03", nmr="14412.13"):
    pools = pools_from_amounts(Decimal(str(usd_staking)), Decimal(str(usd_prize)), Decimal(str(nmr)))
    run_step(
        oracle.open_round, int(number) if number else None, closes_in=int(closes_in),
        resolves_in=int(resolves_in), pools=pools,
    )
