"""Fixtures of the property tests: unlimited staker approvals, one open funded round, a
transaction observer. Brownie reverts the chain between a property's examples."""

import pytest
from brownie import web3
from brownie.exceptions import VirtualMachineError

UNLIMITED = 2**256 - 1


@pytest.fixture(scope="module")
def approved(nmr, usd, escrow, stakers, treasury):
    """Every staker (and the treasury, as funder) approves the escrow once, so an example
    costs only the transactions it is about."""
    for holder in [*stakers, treasury]:
        nmr.approve(escrow, UNLIMITED, {"from": holder})
    usd.approve(escrow, UNLIMITED, {"from": treasury})
    return stakers


@pytest.fixture(scope="module")
def round_one(create_round, escrow, approved, treasury):
    """Round 1, open for a week, settleable for one more, funded with $3,000 / $1,000 / 1,000 NMR."""
    create_round(1)
    escrow.fundRound(1, 3_000 * 10**6, 1_000 * 10**6, 1_000 * 10**18, {"from": treasury})
    return 1


@pytest.fixture(scope="module")
def observe():
    """Sends a transaction and reports (receipt or None, revert message, block timestamp).

    The timestamp is the one the contract saw: Ganache mines each transaction in its own
    block, and a reverted transaction is mined too. Deadline properties compare against
    it rather than against the clock we asked for, so wall-clock drift never flakes them.
    """

    def _observe(method, *args):
        try:
            tx = method(*args)
        except VirtualMachineError as exc:
            return None, exc.revert_msg, web3.eth.get_block("latest")["timestamp"]
        return tx, None, tx.timestamp

    return _observe


@pytest.fixture(scope="module")
def permit_account(permit_staker):
    """(local key, funded account) that stakes by EIP-2612 permit."""
    return permit_staker(0)
