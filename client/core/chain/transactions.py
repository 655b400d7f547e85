"""The one transaction path: every write to the chain (the Chain's, the deployment's) is
signed here with a local key, gas estimated first (so a transaction that would revert is
never sent and its custom error comes back as a sentence), and its hash, with the signed
bytes and nonce, handed to the caller before it is broadcast, so it can be found again
after a crash, and sent again as it was if the node drops it.

The wait is a real network's (:class:`Sending` holds the operator's settings): a receipt
counts once it has the configured confirmations and is still in the chain (a reorg that
removes it sends the wait back to looking); a transaction stuck below the base fee is
replaced, same nonce, with a bumped fee up to the operator's cap, or waits and says why;
no receipt within the timeout is said with what the chain did meanwhile.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Self

from web3 import Web3
from web3.exceptions import (
    BadFunctionCallOutput,
    ContractLogicError,
    TransactionNotFound,
)

from client.core.chain.connection import answering
from client.core.chain.errors import ChainError, ContractRevert, ErrorDecoder
from client.core.chain.signing import missing_key


class SignedHash(str):
    """A transaction's hash (a str, as every caller stores it) that also carries the signed
    transaction (``raw``, 0x hex) and its ``nonce``: what a rerun needs to send it again."""

    raw: str
    nonce: int

    def __new__(cls, tx_hash: str, raw: str, nonce: int) -> Self:
        signed = super().__new__(cls, tx_hash)
        signed.raw, signed.nonce = raw, nonce
        return signed


GWEI = 10**9
# The fee a replacement must beat its predecessor's by: nodes refuse a smaller bump
# ("replacement transaction underpriced"; geth and Anvil ask for 10%).
BUMP = 1.125


@dataclass
class Sending:
    """How a write waits for the chain: the operator's settings on the server
    (``NMR_RECEIPT_TIMEOUT_SECONDS``, ``NMR_CONFIRMATIONS``, ``NMR_MAX_FEE_GWEI``,
    ``NMR_STUCK_SECONDS``); `say` hears what the wait decided (a bump, a wait)."""

    receipt_timeout: float = 120
    confirmations: int = 1
    max_fee_gwei: float | None = None  # None: a stuck transaction is never re-priced, only waited for
    stuck_after: float = 20  # seconds a transaction may sit unmineable before it is re-priced
    poll: float = 0.5
    say: Callable[[str], None] = field(default=lambda _line: None)


@contextmanager
def guarded(w3: Web3, description: str, decoder: ErrorDecoder | None = None) -> Iterator[None]:
    """Inside: a revert becomes a ContractRevert sentence, a call to an address without the
    contract a ChainError, the node's failures what :func:`answering` makes of them."""
    try:
        with answering(f"{description}: the chain at {w3.provider.endpoint_uri}"):
            yield
    except ContractLogicError as exc:
        raise (decoder or ErrorDecoder([])).revert(exc, description) from exc
    except BadFunctionCallOutput as exc:
        raise ChainError(f"{description}: no contract answered at that address; was the chain reset? "
                         "Redeploy, or check the deployments file") from exc


def transact(w3: Web3, signer: Any, call: Any, description: str, *, decoder: ErrorDecoder | None = None,
             owner: str = "oracle", sending: Sending | None = None,
             on_sent: Callable[[str], None] | None = None, wait: Callable[[SignedHash], dict] | None = None) -> dict:
    """Signs `call` (a contract function or constructor call) with `signer`, sends it and
    waits for its receipt as `sending` says (:func:`wait_for`, or `wait`): ``tx_hash``,
    ``gas_used``, ``block``, ``contract_address`` (of a deployment).

    Gas is estimated first, so a transaction that would revert is never sent and its custom
    error comes back as a :class:`ContractRevert` sentence (decoded by `decoder`).
    `on_sent` receives the hash (a :class:`SignedHash`, with the signed bytes and nonce)
    once it is signed and before it is broadcast, so a crash or a node that loses it
    leaves the journal able to send the very same transaction again; a replacement at a
    bumped fee is handed to it the same way.
    """
    if signer is None:
        raise missing_key(description, owner)
    sender = signer.address
    with guarded(w3, description, decoder):
        gas = call.estimate_gas({"from": sender})
        nonce = w3.eth.get_transaction_count(sender, "pending")
        tx = call.build_transaction({
            "from": sender,
            "nonce": nonce,
            "gas": int(gas * 1.2) + 10_000,
            "chainId": w3.eth.chain_id,
            **_fees(w3),
        })
        signed = signer.sign_transaction(tx)
        tx_hash = SignedHash("0x" + bytes(signed.hash).hex(), "0x" + bytes(signed.raw_transaction).hex(), nonce)
    if on_sent is not None:
        on_sent(tx_hash)
    rebroadcast(w3, tx_hash.raw, description)
    if wait is not None:
        return wait(tx_hash)
    return wait_for(w3, tx_hash, description, sending, signer=signer, on_sent=on_sent)


def wait_for(w3: Web3, tx_hash: str, description: str, sending: Sending | None = None, *, signer: Any = None,
             on_sent: Callable[[str], None] | None = None) -> dict:
    """The receipt of a sent transaction (see :func:`transact`) once it has
    ``sending.confirmations`` blocks and is still in the chain; ContractRevert if it failed.

    With `signer` and `on_sent`, a transaction whose fee cap is below the base fee for
    ``sending.stuck_after`` seconds is replaced (same nonce, fees times :data:`BUMP` or
    what the base fee needs) while the new fee stays within ``sending.max_fee_gwei``;
    past the cap it waits, and ``sending.say`` hears which. Whichever of the versions is
    mined is the receipt. No receipt within ``sending.receipt_timeout`` is a ChainError
    that says how many blocks the chain made meanwhile."""
    sending = sending or Sending()
    versions = [tx_hash]
    started = last_sent = time.monotonic()
    with guarded(w3, description):
        first_block = w3.eth.block_number
        said = ""
        while True:
            receipt = _newest_receipt(w3, versions)
            if receipt is not None:
                if w3.eth.block_number - int(receipt["blockNumber"]) + 1 >= sending.confirmations \
                        and _still_in_chain(w3, receipt):
                    break
            elif time.monotonic() - started >= sending.receipt_timeout:
                made = w3.eth.block_number - first_block
                raise ChainError(f"{description}: no receipt for {versions[-1]} after "
                                 f"{sending.receipt_timeout:.0f} s (the chain made {made} block"
                                 f"{'' if made == 1 else 's'} meanwhile); it may still be mined, rerun to resume")
            elif signer is not None and on_sent is not None and time.monotonic() - last_sent >= sending.stuck_after:
                decision = _reprice(w3, signer, versions[-1], sending, description)
                if isinstance(decision, SignedHash):
                    on_sent(decision)
                    rebroadcast(w3, decision.raw, description)
                    versions.append(decision)
                    last_sent = time.monotonic()
                elif decision and decision != said:
                    said = decision
                    sending.say(decision)
            time.sleep(sending.poll)
    mined = "0x" + bytes(receipt["transactionHash"]).hex()
    if receipt["status"] != 1:
        raise ContractRevert(f"{description} ({mined}) reverted in block {receipt['blockNumber']}")
    return {"tx_hash": mined, "gas_used": int(receipt["gasUsed"]), "block": int(receipt["blockNumber"]),
            "contract_address": receipt.get("contractAddress")}


def _newest_receipt(w3: Web3, versions: list[str]) -> Any:
    """The receipt of whichever version of the transaction was mined (at most one can be)."""
    for version in reversed(versions):
        try:
            receipt = w3.eth.get_transaction_receipt(version)
        except TransactionNotFound:
            continue
        if receipt is not None and receipt.get("blockNumber") is not None:
            return receipt
    return None


def _still_in_chain(w3: Web3, receipt: Any) -> bool:
    """Whether the receipt's block is still the chain's block at that height (a reorg may
    have replaced it since)."""
    block = w3.eth.get_block(int(receipt["blockNumber"]))
    return block is not None and bytes(block["hash"]) == bytes(receipt["blockHash"])


def _reprice(w3: Web3, signer: Any, tx_hash: str, sending: Sending, description: str) -> SignedHash | str:
    """A replacement of a pending transaction the base fee has outgrown (signed, not yet
    sent), or a sentence saying why it waits; "" when it needs nothing (mineable as it is,
    or no longer pending)."""
    try:
        pending = w3.eth.get_transaction(tx_hash)
    except TransactionNotFound:
        return ""
    base = w3.eth.get_block("latest").get("baseFeePerGas")
    if base is None or "maxFeePerGas" not in pending or pending.get("blockNumber") is not None:
        return ""
    old_max, old_tip = int(pending["maxFeePerGas"]), int(pending["maxPriorityFeePerGas"])
    if old_max >= int(base):
        return ""
    tip = max(math.ceil(old_tip * BUMP), GWEI)
    new_max = max(math.ceil(old_max * BUMP), 2 * int(base) + tip)
    if sending.max_fee_gwei is None:
        return (f"{description}: {tx_hash} waits: its fee cap {_gwei(old_max)} gwei is below the base fee "
                f"{_gwei(base)} gwei, and no NMR_MAX_FEE_GWEI allows raising it")
    cap = int(sending.max_fee_gwei * GWEI)
    if new_max > cap:
        if old_max >= cap:
            return (f"{description}: {tx_hash} waits for the base fee ({_gwei(base)} gwei) to fall: it already pays "
                    f"the cap NMR_MAX_FEE_GWEI={sending.max_fee_gwei:g}")
        new_max = cap
        if new_max < math.ceil(old_max * BUMP):
            return (f"{description}: {tx_hash} waits for the base fee ({_gwei(base)} gwei) to fall: a replacement "
                    f"would need more than the cap NMR_MAX_FEE_GWEI={sending.max_fee_gwei:g}")
        tip = min(tip, new_max)
    replacement = {"to": pending["to"], "data": pending["input"], "value": int(pending["value"]),
                   "gas": int(pending["gas"]), "nonce": int(pending["nonce"]), "chainId": int(pending["chainId"]),
                   "maxFeePerGas": new_max, "maxPriorityFeePerGas": tip, "type": 2}
    signed = signer.sign_transaction(replacement)
    replaced = SignedHash("0x" + bytes(signed.hash).hex(), "0x" + bytes(signed.raw_transaction).hex(),
                          int(pending["nonce"]))
    sending.say(f"{description}: {tx_hash} was stuck below the base fee {_gwei(base)} gwei (fee cap "
                f"{_gwei(old_max)} gwei): replaced by {replaced}, same nonce {replaced.nonce}, fee cap "
                f"{_gwei(new_max)} gwei (NMR_MAX_FEE_GWEI={sending.max_fee_gwei:g})")
    return replaced


def _gwei(wei: int) -> str:
    return f"{int(wei) / GWEI:,.2f}"


def rebroadcast(w3: Web3, raw_transaction: str, description: str) -> str:
    """Broadcasts a signed transaction (again); its hash."""
    with guarded(w3, description):
        return "0x" + bytes(w3.eth.send_raw_transaction(raw_transaction)).hex()


def transaction_fate(w3: Web3, sender: str, tx_hash: str, nonce: int | None) -> str:
    """``known``, ``dropped`` or ``replaced``: see :meth:`ChainWrites.transaction_fate`."""
    with guarded(w3, f"look up {tx_hash}"):
        try:
            w3.eth.get_transaction(tx_hash)
            return "known"
        except TransactionNotFound:
            if nonce is None:
                return "known"
            return "dropped" if w3.eth.get_transaction_count(sender, "latest") <= nonce else "replaced"


def _fees(w3: Web3) -> dict[str, int]:
    base = w3.eth.get_block("latest").get("baseFeePerGas")
    if base is None:
        return {"gasPrice": w3.eth.gas_price}
    tip = 10**9
    return {"maxPriorityFeePerGas": tip, "maxFeePerGas": 2 * int(base) + tip}
