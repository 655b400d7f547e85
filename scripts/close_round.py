"""`brownie run scripts/close_round.py main ROUND`: app.oracle.close_round (see scripts/oracle_step.py)."""

from app import oracle
from scripts.oracle_step import run_step


def main(number):
    run_step(oracle.close_round, int(number))
