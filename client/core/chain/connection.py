"""Reaching a node: the one way to build a Web3 for an RPC URL and check its chain id, and
the one rule for what a node's failures mean.

- The node did not answer (refused or dropped connection, timeout, an HTTP error from a
  gateway in front of it): :class:`ChainUnavailable`, "is the node running?".
- The node answered with a JSON-RPC error (e.g. insufficient funds for gas): a
  :class:`ChainError` carrying its message.
- Anything else (a bug, a revert) is not a connection failure and passes through
  unchanged; reverts are decoded by :mod:`client.core.chain.contracts`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import requests
from web3 import HTTPProvider, Web3
from web3.exceptions import ProviderConnectionError, RequestTimedOut, Web3RPCError

from client.core.chain.errors import ChainError, ChainUnavailable

CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    requests.exceptions.RequestException,
    ConnectionError,
    TimeoutError,
    ProviderConnectionError,
    RequestTimedOut,
)


@contextmanager
def answering(what: str) -> Iterator[None]:
    """Inside: a connection failure becomes ChainUnavailable and a JSON-RPC error a
    ChainError, both worded for `what` (e.g. "the chain at http://...")."""
    try:
        yield
    except CONNECTION_ERRORS as exc:
        raise ChainUnavailable(f"{what} did not answer ({type(exc).__name__}); is the node running?") from exc
    except Web3RPCError as exc:
        raise ChainError(f"{what} refused the request: {getattr(exc, 'message', None) or exc}") from exc


def connect(rpc_url: str, chain_id: int | None = None, record: str = "the deployments",
            timeout: float = 30) -> Web3:
    """A Web3 on `rpc_url` that answered; if `chain_id` is given, the node must be on it
    (`record` names what expects that chain, for the error)."""
    w3 = Web3(HTTPProvider(rpc_url, request_kwargs={"timeout": timeout}))
    with answering(f"the chain at {rpc_url}"):
        actual = w3.eth.chain_id
    if chain_id is not None and int(chain_id) != actual:
        raise ChainError(f"{record} is for chain {chain_id} but {rpc_url} is chain {actual}")
    return w3
