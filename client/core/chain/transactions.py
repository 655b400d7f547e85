"""The one transaction path: every write to the chain (the Chain's, the deployment's) is
signed here with a local key, gas estimated first (so a transaction that would revert is
never sent and its custom error comes back as a sentence), sent, and its hash handed to
the caller before the wait, so it can be found again after a crash.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from web3 import Web3
from web3.exceptions import BadFunctionCallOutput, ContractLogicError, TimeExhausted

from client.core.chain.connection import answering
from client.core.chain.errors import ChainError, ContractRevert, ErrorDecoder
from client.core.chain.signing import missing_key


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
    `on_sent` receives the hash as soon as the node has the transaction, before the wait.
    """
    if signer is None:
        raise missing_key(description, owner)
    sender = signer.address
    with guarded(w3, description, decoder):
        gas = call.estimate_gas({"from": sender})
        tx = call.build_transaction({
            "from": sender,
            "nonce": w3.eth.get_transaction_count(sender, "pending"),
            "gas": int(gas * 1.2) + 10_000,
            "chainId": w3.eth.chain_id,
            **_fees(w3),
        })
        tx_hash = "0x" + bytes(w3.eth.send_raw_transaction(signer.sign_transaction(tx).raw_transaction)).hex()
    if on_sent is not None:
        on_sent(tx_hash)
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


def _fees(w3: Web3) -> dict[str, int]:
    base = w3.eth.get_block("latest").get("baseFeePerGas")
    if base is None:
        return {"gasPrice": w3.eth.gas_price}
    tip = 10**9
    return {"maxPriorityFeePerGas": tip, "maxFeePerGas": 2 * int(base) + tip}
