"""`brownie run scripts/finalize_round.py main ROUND`: app.oracle.finalize_round (see scripts/oracle_step.py)."""

from app import oracle
from scripts.oracle_step import run_step


def main(number):
    run_step(oracle.finalize_round, int(number))
