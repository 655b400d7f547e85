"""`brownie run scripts/oracle_status.py`: app.oracle.status (see scripts/oracle_step.py):
every round in flight with its state, its next step and when it is due."""

from app import oracle
from scripts.oracle_step import run_step


def main():
    run_step(oracle.status)
