"""`brownie run scripts/settle_round.py main ROUND`: app.oracle.settle_round (see scripts/oracle_step.py)."""

from app import oracle
from scripts.oracle_step import run_step


def main(number):
    run_step(oracle.settle_round, int(number))
