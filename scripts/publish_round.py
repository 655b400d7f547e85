"""`brownie run scripts/publish_round.py main ROUND`: app.oracle.publish_round (see scripts/oracle_step.py)."""

from app import oracle
from scripts.oracle_step import run_step


def main(number):
    run_step(oracle.publish_round, int(number))
