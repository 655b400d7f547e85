"""The one transaction path: every write to the chain (the Chain's, the deployment's) is
signed here with a local key, gas estimated first (so a transaction that would revert is
never sent and its custom error comes back as a sentence), and its hash, with the signed
bytes and nonce, handed to the caller before it is broadcast, so it can be found again
after a crash, and sent again as it was if the node drops it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Self

from web3 import Web3
from web3.exceptions import (
    BadFunctionCallOutput,
    ContractLogicError,
    TimeExhausted,
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
             owner: str = "oracle", timeout: float = 120, on_sent: Callable[[str], None] | None = None,
             wait: Callable[[str, str, float], dict] | None = None) -> dict:
    """Signs `call` (a contract function or constructor call) with `signer`, sends it and
    waits for its receipt (with `wait`, default :func:`wait_for`): ``tx_hash``,
    ``gas_used``, ``block``, ``contract_address`` (of a deployment).

    Gas is estimated first, so a transaction that would revert is never sent and its custom
    error comes back as a :class:`ContractRevert` sentence (decoded by `decoder`).
    `on_sent` receives the hash (a :class:`SignedHash`, with the signed bytes and nonce)
    once it is signed and before it is broadcast, so a crash or a node that loses it
    leaves the journal able to send the very same transaction again.
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
    return (wait or (lambda h, d, t: wait_for(w3, h, d, t)))(tx_hash, description, timeout)


def wait_for(w3: Web3, tx_hash: str, description: str, timeout: float = 120) -> dict:
    """The receipt of a sent transaction (see :func:`transact`); ContractRevert if it failed."""
    try:
        with guarded(w3, description):
            receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=timeout)
    except TimeExhausted as exc:
        raise ChainError(f"{description}: no receipt for {tx_hash} after {timeout:.0f} s; "
                         "it may still be mined, rerun to resume") from exc
    if receipt["status"] != 1:
        raise ContractRevert(f"{description} ({tx_hash}) reverted in block {receipt['blockNumber']}")
    return {"tx_hash": tx_hash, "gas_used": int(receipt["gasUsed"]), "block": int(receipt["blockNumber"]),
            "contract_address": receipt.get("contractAddress")}


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
