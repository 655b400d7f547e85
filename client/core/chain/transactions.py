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

from eth_account.typed_transactions import TypedTransaction
from hexbytes import HexBytes
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
        if "maxFeePerGas" in tx:  # a gas price strategy (Brownie sets one) may have added a legacy price too
            tx.pop("gasPrice", None)
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

    With `signer` and `on_sent`, a transaction unmined for ``sending.stuck_after`` seconds
    is looked at (:func:`_unstick`): one the node lost (dropped, evicted, or removed by a
    reorg, its nonce unused) is sent again as signed; one whose fee cap is below the base
    fee is replaced (same nonce, fees times :data:`BUMP` or what the base fee needs) while
    the new fee stays within ``sending.max_fee_gwei``; past the cap it waits, and
    ``sending.say`` hears which. Whichever of the versions is
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
            if receipt is not None and _confirmed(w3, receipt, sending.confirmations):
                break
            if time.monotonic() - started >= sending.receipt_timeout:
                made = w3.eth.block_number - first_block
                waited = (f"receipt for {versions[-1]}" if receipt is None else
                          f"{sending.confirmations} confirmations of {mined_hash(receipt)}")
                raise ChainError(f"{description}: no {waited} after {sending.receipt_timeout:.0f} s (the chain made "
                                 f"{made} block{'' if made == 1 else 's'} meanwhile); it may still be mined, "
                                 "rerun to resume")
            if receipt is None and signer is not None and on_sent is not None \
                    and time.monotonic() - last_sent >= sending.stuck_after:
                decision = _unstick(w3, signer, versions[-1], sending, description)
                if isinstance(decision, SignedHash):
                    if decision != versions[-1]:
                        on_sent(decision)
                        versions.append(decision)
                    rebroadcast(w3, decision.raw, description)
                    last_sent = time.monotonic()
                elif decision and decision != said:
                    said = decision
                    sending.say(decision)
            time.sleep(sending.poll)
    mined = mined_hash(receipt)
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


def _confirmed(w3: Web3, receipt: Any, confirmations: int) -> bool:
    """Whether the receipt's block has `confirmations` blocks (itself included) and is
    still the chain's block at its height (a reorg may have replaced it since)."""
    height = int(receipt["blockNumber"])
    if w3.eth.block_number - height + 1 < confirmations:
        return False
    block = w3.eth.get_block(height)
    return block is not None and bytes(block["hash"]) == bytes(receipt["blockHash"])


def mined_hash(receipt: Any) -> str:
    """A receipt's transaction hash, 0x hex."""
    return "0x" + bytes(receipt["transactionHash"]).hex()


def _unstick(w3: Web3, signer: Any, current: str, sending: Sending, description: str) -> SignedHash | str:
    """What a transaction that has waited ``sending.stuck_after`` seconds needs: the same
    signed bytes again (the node no longer knows it and its nonce is unused: dropped,
    evicted, or removed by a reorg), a replacement at a bumped fee (signed, not yet sent:
    the base fee outgrew its fee cap), a sentence saying why it waits, or "" (nothing:
    pending and mineable, mined, or its nonce taken, which the journal then sorts out)."""
    raw = getattr(current, "raw", None)
    try:
        fields = dict(w3.eth.get_transaction(current))
        if fields.get("blockNumber") is not None:
            return ""
        fields["data"] = fields.pop("input")
        dropped = False
    except TransactionNotFound:
        if raw is None or w3.eth.get_transaction_count(signer.address, "latest") > current.nonce:
            return ""
        fields, dropped = TypedTransaction.from_bytes(HexBytes(raw)).as_dict(), True
    base = w3.eth.get_block("latest").get("baseFeePerGas")
    old_max = int(fields.get("maxFeePerGas") or fields.get("gasPrice") or 0)
    if base is None or "maxFeePerGas" not in fields or old_max >= int(base):
        if dropped:
            sending.say(f"{description}: {current} is no longer known to the node and its nonce {current.nonce} "
                        "is unused (dropped, or removed by a reorg): sent again as signed, same nonce")
            return current
        return ""
    return _reprice(signer, current, fields, int(base), sending, description)


def _reprice(signer: Any, current: str, fields: dict, base: int, sending: Sending,
             description: str) -> SignedHash | str:
    """A replacement of a transaction the base fee has outgrown, fees bumped by :data:`BUMP`
    or to what the base fee needs, within the operator's cap; or why it waits."""
    old_max, old_tip = int(fields["maxFeePerGas"]), int(fields["maxPriorityFeePerGas"])
    tip = max(math.ceil(old_tip * BUMP), GWEI)
    new_max = max(math.ceil(old_max * BUMP), 2 * base + tip)
    if sending.max_fee_gwei is None:
        return (f"{description}: {current} waits for the base fee to fall below its fee cap {_gwei(old_max)} gwei: "
                "no NMR_MAX_FEE_GWEI allows raising it")
    cap = int(sending.max_fee_gwei * GWEI)
    if new_max > cap:
        if max(cap, math.ceil(old_max * BUMP)) > cap or cap <= base:
            return (f"{description}: {current} waits for the base fee to fall: paying it would take more than "
                    f"the cap NMR_MAX_FEE_GWEI={sending.max_fee_gwei:g} (said once)")
        new_max, tip = cap, min(tip, cap - base)
    replacement = {"to": fields["to"], "data": fields["data"], "value": int(fields["value"]),
                   "gas": int(fields["gas"]), "nonce": int(fields["nonce"]), "chainId": int(fields["chainId"]),
                   "maxFeePerGas": new_max, "maxPriorityFeePerGas": tip, "type": 2}
    signed = signer.sign_transaction(replacement)
    replaced = SignedHash("0x" + bytes(signed.hash).hex(), "0x" + bytes(signed.raw_transaction).hex(),
                          int(fields["nonce"]))
    sending.say(f"{description}: {current} was stuck below the base fee {_gwei(base)} gwei (fee cap "
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
