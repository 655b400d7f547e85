"""`brownie run scripts/run_keeper.py main [once]`: app.oracle.run, the keeper (see
scripts/oracle_step.py): rounds open on the schedule and every round in flight takes its
next step, until stopped; `once` makes one pass, as `flask oracle run --once` does."""

from app import oracle
from scripts.oracle_step import run_step


def main(once=""):
    run_step(oracle.run, once=str(once).lower() in ("once", "1", "true"))
