"""`brownie run scripts/close_round.py main ROUND`: app.oracle.close_round (see scripts/operator.py)."""

from app import oracle
from scripts.operator import run_step


def main(number):
    run_step(oracle.close_round, int(number))
