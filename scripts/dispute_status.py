"""`brownie run scripts/dispute_status.py main ROUND`: app.oracle.dispute_status (see scripts/oracle_step.py):
the round's commitment, challenge window and disputes on chain."""

from app import oracle
from scripts.oracle_step import run_step


def main(number):
    run_step(oracle.dispute_status, int(number))
