"""`brownie run scripts/fund_round.py main ROUND USD_STAKING USD_PRIZE NMR`: app.oracle.fund_round.

Pays (more) into an open round's pools from the funder's own balance
(NMR_TREASURY_PRIVATE_KEY): dollars for the staking auction and the prizes, NMR of issuance.
"""

from decimal import Decimal

from app import oracle
from app.oracle.cli import pools_from_amounts
from scripts.oracle_step import run_step


def main(number, usd_staking="0", usd_prize="0", nmr="0"):
    pools = pools_from_amounts(Decimal(str(usd_staking)), Decimal(str(usd_prize)), Decimal(str(nmr)))
    run_step(oracle.fund_round, int(number), pools)
