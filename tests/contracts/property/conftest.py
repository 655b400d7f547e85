"""Fixtures of the property tests: one open round, unlimited approvals, a tx observer."""

import pytest
from brownie import web3
from brownie.exceptions import VirtualMachineError

NMR = 10**18
ROUND_BUDGET = 50_000 * NMR


@pytest.fixture(scope="module")
def approved(nmr, escrow, stakers):
    """Every staker approves the escrow once, so an example costs only the stake itself."""
    for staker in stakers:
        nmr.approve(escrow, 2**256 - 1, {"from": staker})
    return stakers


@pytest.fixture(scope="module")
def round_one(open_round, approved):
    """Round 1, open for a week, settleable for two more, with a 50,000 NMR budget."""
    return open_round(1, budget=ROUND_BUDGET)


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
