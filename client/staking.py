"""Staking: my wallet on the tournament's chain, signed here with my local key.

The :class:`client.core.chain.contracts.Chain` for this tournament (addresses and ABIs
from the server, the RPC it publishes unless ``rpc_url`` overrides it), balances, a
model's stake, staking (approve + stake) and the escape hatch (withdraw). The key itself
is never sent anywhere, only signed transactions. A stake is checked before anything is
sent, and a failure caught here reads exactly as the contract's own refusal would; chain
errors (decoded reverts, an unreachable node) come back as NumeraireError.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from tqdm import tqdm

from client.amounts import from_wei, to_wei
from client.errors import NoCredentials, NumeraireError


class StakingMixin:
    """The chain calls, with the identity (`has_wallet`, `signer`, `address`), my models
    and my submissions' hashes."""

    rpc_url: str | None
    has_wallet: bool
    signer: Any
    address: str
    _chain: Any | None
    _bar: Callable[..., tqdm]
    chain_info: Callable[[], dict[str, Any]]
    current_round_number: Callable[[], int]
    model: Callable[..., dict[str, Any]]
    submission_hash: Callable[..., str]

    @contextmanager
    def _on_chain(self) -> Iterator[None]:
        """Chain errors (decoded reverts, an unreachable node) as NumeraireError."""
        from client.core.chain.errors import ChainError

        try:
            yield
        except ChainError as exc:
            raise NumeraireError(str(exc)) from exc

    def chain(self) -> Any:
        """A :class:`client.core.chain.contracts.Chain` for this tournament, signing with my
        local key (if any)."""
        if self._chain is None:
            from client.core.chain.contracts import Chain

            signer = self.signer if self.has_wallet else None
            with self._on_chain():
                self._chain = Chain.from_public_info(self.chain_info(), self.rpc_url, signer=signer)
        return self._chain

    def balances(self, address: str | None = None) -> dict[str, int]:
        """ETH and NMR (wei) and USD (the stablecoin's units) of `address` (default: my wallet), from chain."""
        with self._on_chain():
            return self.chain().balances(address or self.address)

    def stake_of(self, round_number: int, address: str | None = None, model: str | None = None) -> dict[str, Any]:
        """A stake in a round on chain: amount, confidence (WAD), status. Whose: `address`
        (a wallet, i.e. its model 0, or a model key), else my `model` (a name or key;
        default model 0)."""
        key = address or self.model(model)["key"]
        with self._on_chain():
            return self.chain().stake_of(int(round_number), key)

    def stake(self, amount: str | int | Decimal, confidence: str | int | Decimal, round_number: int | None = None,
              submission_hash: str | None = None, model: str | None = None, roll: bool = False) -> dict[str, Any]:
        """Stake `amount` NMR at `confidence` on my `model` (a name or key; default model
        0), committing its current submission (or `submission_hash`) in the round
        (default: current): approve + stake, signed with my local key. With `roll`, the
        position is also put on rolling (:mod:`client.rolling`): a third transaction,
        unless it rolls already.

        Checked first, so nothing is sent when it would fail: the model is mine, the round
        open on chain, a submission to commit to, ETH for gas and enough NMR."""
        amount_wei = to_wei(amount, "amount")
        confidence_wad = to_wei(confidence, "confidence")
        if not self.has_wallet:
            raise NoCredentials("staking signs with your wallet: set NMR_PRIVATE_KEY, or NMR_KEYSTORE (a keystore file)")
        number = self.current_round_number() if round_number is None else int(round_number)
        chosen = self.model(model)
        if submission_hash is None:
            submission_hash = self.submission_hash(number, chosen["key"])
        if not re.fullmatch(r"0x[0-9a-fA-F]{64}", submission_hash):
            raise NumeraireError(f"the submission hash must be 0x + 64 hex digits (got {submission_hash!r})")
        chain = self.chain()
        address = self.signer.address
        with self._on_chain():
            on_chain = chain.round(number)
            if not on_chain["exists"]:
                raise NumeraireError(f"round {number} does not exist on chain")
            if chain.now() >= on_chain["closes_at"]:
                raise NumeraireError(_sentence("TournamentEscrowRoundClosed", roundId=number,
                                               closesAt=on_chain["closes_at"]))
            balances = chain.balances(address)
            if balances["eth_wei"] == 0:
                raise NumeraireError(f"{address} has no ETH to pay for gas; fund it first")
            if balances["nmr_wei"] < amount_wei:
                raise NumeraireError(_sentence("ERC20InsufficientBalance", balance=balances["nmr_wei"],
                                               needed=amount_wei) + f" (wallet {address})")
            with self._bar(2, f"approve + stake {from_wei(amount_wei)} NMR on round {number}", unit="tx") as bar:
                tx = chain.stake(number, amount_wei, confidence_wad, submission_hash, model=chosen["number"])
                bar.update(2)
            position = chain.stake_of(number, chosen["key"])
            rolled = None
            if roll and not position["rolls"]:
                rolled = chain.set_rolling(number, True, model=chosen["number"])
                position = chain.stake_of(number, chosen["key"])
        return {"round": number, "staker": address, **_model_fields(chosen), "amount_wei": amount_wei,
                "confidence_wad": confidence_wad, "submission_hash": submission_hash,
                "total_stake_wei": position["amount"], "rolls": position["rolls"],
                "roll_tx_hash": rolled["tx_hash"] if rolled else None, **tx}

    def withdraw(self, round_number: int, model: str | None = None) -> dict[str, Any]:
        """The escape hatch: take back my `model`'s (a name or key; default model 0)
        unsettled stake after the round's oracle deadline."""
        if not self.has_wallet:
            raise NoCredentials("withdrawing signs with your wallet: set NMR_PRIVATE_KEY, or NMR_KEYSTORE")
        chosen = self.model(model)
        with self._on_chain():
            chain = self.chain()
            position = chain.stake_of(int(round_number), chosen["key"])
            tx = chain.withdraw_stake(int(round_number), model=chosen["number"])
        return {"round": int(round_number), "staker": self.signer.address, **_model_fields(chosen),
                "amount_wei": position["amount"], **tx}


def _model_fields(model: dict[str, Any]) -> dict[str, Any]:
    """How a receipt names the model a stake backs: its key, name and number."""
    return {"model": model["key"], "model_name": model["name"], "model_number": model["number"]}


def _sentence(error: str, **args: Any) -> str:
    """The revert-message table's sentence for `error`, so a failure caught before sending
    reads exactly as the contract's own refusal would."""
    from client.core.chain.messages import render

    return render(error, args)
