"""`brownie run scripts/lapse_dispute.py main ROUND`: app.oracle.lapse_dispute (see scripts/oracle_step.py):
end the round's dispute that the guardian did not rule on within the ruling period; the
bond goes back and the committed results settle."""

from app import oracle
from scripts.oracle_step import run_step


def main(number):
    run_step(oracle.lapse_dispute, int(number))
