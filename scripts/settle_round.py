"""`brownie run scripts/settle_round.py main ROUND`: app.oracle.settle_round (see scripts/operator.py)."""

from app import oracle
from scripts.operator import run_step


def main(number):
    run_step(oracle.settle_round, int(number))
