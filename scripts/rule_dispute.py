"""`brownie run scripts/rule_dispute.py main ROUND uphold|reject`: app.oracle.rule_round (see
scripts/oracle_step.py), with the guardian's key (NMR_GUARDIAN_PRIVATE_KEY): uphold the round's
open dispute (the round is void) or reject it (the bond is burned)."""

from app import oracle
from scripts.oracle_step import run_step

RULINGS = {"uphold": True, "reject": False}


def main(number, ruling):
    if ruling not in RULINGS:
        raise SystemExit(f"error: the ruling is 'uphold' or 'reject', not {ruling!r}")
    run_step(oracle.rule_round, int(number), RULINGS[ruling])
