"""What can go wrong on chain, and custom-error reverts decoded into sentences.

:class:`ChainError` is every chain failure with a message a person can act on;
:class:`ChainUnavailable` is the node not answering; :class:`ContractRevert` is a call or
transaction the contracts refused, with the custom error's name and arguments.
:class:`ErrorDecoder` reads revert data against the contracts' ABIs and words it with the
message table (:mod:`client.core.chain.messages`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from eth_abi import decode as abi_decode
from eth_abi.exceptions import DecodingError
from eth_utils import function_signature_to_4byte_selector, to_checksum_address

from client.core.chain.messages import render


class ChainError(Exception):
    """A chain operation failed; the message says what happened and what to do."""


class ChainUnavailable(ChainError):
    """The RPC endpoint did not answer."""


class ContractRevert(ChainError):
    """A call or transaction reverted; ``error`` is the decoded custom error's name."""

    def __init__(self, message: str, error: str | None = None, args: dict | None = None):
        super().__init__(message)
        self.error = error
        self.args_by_name = args or {}


class ErrorDecoder:
    """The custom errors of some ABIs, by their 4-byte selector."""

    def __init__(self, abis: Iterable[list[dict[str, Any]]], usd_decimals: int = 6, token: str = "NMR"):
        self.usd_decimals = usd_decimals
        self.token = token
        self._errors: dict[str, tuple[str, list[str], list[str]]] = {}
        for abi in abis:
            for item in abi:
                if item.get("type") != "error":
                    continue
                types = [i["type"] for i in item["inputs"]]
                selector = "0x" + function_signature_to_4byte_selector(f"{item['name']}({','.join(types)})").hex()
                self._errors[selector] = (item["name"], [i["name"] for i in item["inputs"]], types)

    def for_token(self, token: str) -> ErrorDecoder:
        """This decoder wording the token errors (balance, allowance) for `token`, "NMR"
        or "USD": their revert data does not say which token refused."""
        twin = ErrorDecoder([], self.usd_decimals, token)
        twin._errors = self._errors
        return twin

    def decode(self, data: str | None) -> tuple[str | None, dict[str, Any]]:
        """(error name, arguments by name) of revert data, or (None, {}) if unknown."""
        if not data or len(data) < 10:
            return None, {}
        entry = self._errors.get(data[:10].lower())
        if entry is None:
            return None, {}
        name, names, types = entry
        try:
            values = abi_decode(types, bytes.fromhex(data[10:]))
        except (ValueError, TypeError, DecodingError):  # malformed data: the name, no arguments
            return name, {}
        return name, {n: _readable(t, v) for n, t, v in zip(names, types, values)}

    def revert(self, exc: Exception, description: str = "call") -> ContractRevert:
        """A :class:`ContractRevert` for web3's revert exception `exc`, its custom error
        decoded into a sentence: ``"<description> reverted: <sentence> [<ErrorName>]"``."""
        data = getattr(exc, "data", None)
        if isinstance(data, dict):
            data = data.get("data") or data.get("result")
        name, args = self.decode(data if isinstance(data, str) else None)
        if name is None:
            return ContractRevert(f"{description} reverted: {getattr(exc, 'message', None) or exc}")
        detail = render(name, args, self.usd_decimals, self.token)
        return ContractRevert(f"{description} reverted: {detail} [{name}]", name, args)


def _readable(abi_type: str, value: Any) -> Any:
    """A decoded argument as the message table writes it: checksummed addresses, 0x bytes."""
    if abi_type == "address":
        return to_checksum_address(value)
    return "0x" + value.hex() if isinstance(value, bytes) else value
