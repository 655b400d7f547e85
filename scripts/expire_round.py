"""`brownie run scripts/expire_round.py main ROUND`: app.oracle.expire_round (see scripts/oracle_step.py).

For a round whose oracle deadline passed unsettled: finalized on the escape-hatch path.
"""

from app import oracle
from scripts.oracle_step import run_step


def main(number):
    run_step(oracle.expire_round, int(number))
