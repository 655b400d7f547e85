"""`brownie run scripts/commit_round.py main ROUND`: app.oracle.commit_round (see scripts/oracle_step.py):
publish a resolved round's files and commit its results on chain, opening the challenge window."""

from app import oracle
from scripts.oracle_step import run_step


def main(number):
    run_step(oracle.commit_round, int(number))
