"""Model keys: which of a wallet's models a file, a stake or a score belongs to.

A wallet runs models numbered from 0, its first (or only) model, in the order it
registered them. The escrow keys a stake by (round, wallet, model number). Off chain one
string names a model: the participant in scoring, payout and the pages, and numerapi's
model id. It is the wallet's checksummed address for model 0, so a single-model wallet
reads exactly as before, and ``<address>-<n>`` for model n. Only the chain boundary
(:mod:`client.core.chain`) splits a key back into its wallet and number.
"""

from __future__ import annotations

from eth_utils import is_address, to_checksum_address

MAX_MODEL_NUMBER = 2**32 - 1  # the escrow's uint32
SEPARATOR = "-"


def model_key(address: str, number: int = 0) -> str:
    """The key of model `number` of wallet `address` (the checksummed address for model 0)."""
    if not is_address(address):
        raise ValueError(f"{address!r} is not a wallet address (0x and 40 hex digits)")
    if isinstance(number, bool) or not isinstance(number, int) or not 0 <= number <= MAX_MODEL_NUMBER:
        raise ValueError(f"a model number is an int from 0 to {MAX_MODEL_NUMBER}, got {number!r}")
    wallet = to_checksum_address(address)
    return wallet if number == 0 else f"{wallet}{SEPARATOR}{number}"


def split_model_key(key: str) -> tuple[str, int]:
    """(wallet, model number) of a model key; ValueError saying the form if not one.

    The one parser of model keys: the wallet must be an address and comes back
    checksummed, as the store writes every address (``app.columns.Address``)."""
    address, separator, suffix = key.partition(SEPARATOR) if isinstance(key, str) else ("", "", "")
    number_ok = not separator or (suffix.isascii() and suffix.isdigit() and suffix[0] != "0"
                                  and int(suffix) <= MAX_MODEL_NUMBER)
    if not (is_address(address) and number_ok):
        raise ValueError(f"{key!r:.80} is not a model key: expected <wallet address> or <wallet address>-<n>, "
                         f"n from 1 to {MAX_MODEL_NUMBER}")
    return to_checksum_address(address), int(suffix) if separator else 0


def wallet_of(key: str) -> str:
    """The checksummed wallet a model key belongs to."""
    return split_model_key(key)[0]
