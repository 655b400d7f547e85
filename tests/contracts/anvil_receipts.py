"""Brownie's receipt wait, made to see Anvil's receipts before it judges a transaction.

Brownie waits for a transaction by reading the sender's nonce, then the receipt, and calls
the transaction dropped when the nonce has moved past it with no receipt yet
(`TransactionReceipt._await_confirmation`). Anvil, mining on each transaction, can answer
the nonce before the receipt exists; on a loaded machine that window has twice failed a
CI run with "Tx dropped without known replacement" for a mined transaction. Waiting (up to
a few seconds, polling) for the receipt first closes the window without changing what
Brownie decides: a transaction that has a receipt is then confirmed on its first look.
Ganache answers the receipt with the send, so the wait costs it one read per transaction.
"""

from __future__ import annotations

import time

from brownie import web3
from brownie.network.transaction import TransactionReceipt
from web3.exceptions import TransactionNotFound

RECEIPT_PATIENCE = 5.0  # seconds; a test transaction is mined in milliseconds


def _receipt_or_timeout(tx_hash: str) -> None:
    deadline = time.monotonic() + RECEIPT_PATIENCE
    while time.monotonic() < deadline:
        try:
            if web3.eth.get_transaction_receipt(tx_hash)["blockHash"] is not None:
                return
        except TransactionNotFound:
            pass
        time.sleep(0.02)


def install() -> None:
    """Wraps Brownie's first-confirmation wait (idempotent)."""
    original = TransactionReceipt._await_confirmation
    if getattr(original, "_waits_for_receipt", False):
        return

    def await_confirmation(self, block_number=None, required_confs=1):
        _receipt_or_timeout(self.txid)
        return original(self, block_number, required_confs)

    await_confirmation._waits_for_receipt = True
    TransactionReceipt._await_confirmation = await_confirmation
