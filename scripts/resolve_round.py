"""`brownie run scripts/resolve_round.py main ROUND [TARGETS_FILE]`: score and plan a round."""

from app import oracle
from scripts.oracle_step import run_step


def main(number, targets_file=None):
    run_step(oracle.resolve_round, int(number), targets_file=targets_file)
