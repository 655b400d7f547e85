"""Chain writes: the transactions each role signs with a Chain's key.

A staker stakes (approve + stake) and withdraws; a funder (the treasury or a sponsor)
mints and funds a round; the oracle creates rounds, commits results, settles, pays prizes
and finalizes; anyone may dispute and the guardian rules. Every write goes through the one
transaction path, :func:`~client.core.chain.transactions.transact` (which the deployment
uses too), signed with `signer` and named in errors by its `owner`. Batches named by
model key become the escrow's rows in :mod:`client.core.money.batches`; a model number
and a digest are checked here before anything is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eth_utils import to_checksum_address

from client.core.chain.errors import ChainError, ContractRevert, ErrorDecoder
from client.core.chain.reads import ChainReads
from client.core.chain.transactions import (
    Sending,
    rebroadcast,
    transact,
    transaction_fate,
    wait_for,
)
from client.core.models import MAX_MODEL_NUMBER
from client.core.money.batches import settlement_row, wallet_prizes


class ChainWrites(ChainReads):
    """The writes of :class:`~client.core.chain.contracts.Chain` (a writer reads too: a
    funder's balance, the dispute bond), signed with `signer` as `owner`."""

    signer: Any | None
    owner: str
    sending: Sending

    def transact(self, call: Any, description: str, on_sent: Callable[[str], None] | None = None,
                 decoder: ErrorDecoder | None = None) -> dict:
        """:func:`transact` with this Chain's key, waiting as :attr:`sending` says."""
        return transact(self.w3, self.signer, call, description, decoder=decoder or self.decoder, owner=self.owner,
                        sending=self.sending, on_sent=on_sent,
                        wait=lambda tx_hash: self.wait_for(tx_hash, description, on_sent=on_sent))

    def wait_for(self, tx_hash: str, description: str, on_sent: Callable[[str], None] | None = None) -> dict:
        """The receipt of a sent transaction (``tx_hash``, ``gas_used``, ``block``), waited
        for as :attr:`sending` says; with `on_sent`, a `tx_hash` that carries its signed
        bytes (a :class:`SignedHash`) may be re-priced, the replacement handed to it."""
        return wait_for(self.w3, tx_hash, description, self.sending, signer=self.signer, on_sent=on_sent)

    def transaction_fate(self, tx_hash: str, nonce: int | None) -> str:
        """What became of a transaction this key sent: ``known`` (the node has it, pending
        or mined), ``dropped`` (the node does not know it and its nonce is still unused:
        the same signed transaction may be sent again) or ``replaced`` (unknown, and
        another transaction used its nonce: it can never be mined). Without the nonce an
        unknown transaction counts as known (the wait decides)."""
        return transaction_fate(self.w3, self.signer.address, tx_hash, nonce)

    def rebroadcast(self, raw_transaction: str, description: str) -> str:
        """Sends an already signed transaction again (same nonce, same hash)."""
        return rebroadcast(self.w3, raw_transaction, description)

    def revert_error(self, exc: Exception, description: str = "call") -> ContractRevert:
        """A :class:`ContractRevert` with the custom error decoded into a sentence."""
        return self.decoder.revert(exc, description)

    # a staker with a local key

    def stake(self, round_id: int, amount: int, confidence: int, submission_hash: str, model: int = 0) -> dict:
        """Approves exactly `amount` and stakes it on `submission_hash` for the key's
        `model` (its number; 0 the wallet's first), two transactions, as the holder of this
        Chain's key. Reverts come back as sentences."""
        try:
            hash_bytes = bytes.fromhex(submission_hash.removeprefix("0x"))
        except ValueError:
            hash_bytes = b""
        if len(hash_bytes) != 32:
            raise ChainError(f"submission hash must be 32 bytes of hex, got {submission_hash!r}")
        model = _model_number(model)
        self.transact(self.token.functions.approve(self.escrow.address, amount), "approve")
        return self.transact(self.escrow.functions.stake(round_id, model, amount, confidence, hash_bytes),
                             f"stake({round_id}{_model_suffix(model)})")

    def set_rolling(self, round_id: int, rolls: bool, model: int = 0) -> dict:
        """Puts the key's active position on `model` in `round_id` on rolling (at settlement
        what it keeps moves into the same model's position in the newest open round), or
        takes it off (it goes to the wallet)."""
        model = _model_number(model)
        return self.transact(self.escrow.functions.setRolling(round_id, model, bool(rolls)),
                             f"setRolling({round_id}{_model_suffix(model)}, {str(bool(rolls)).lower()})")

    def withdraw_stake(self, round_id: int, model: int = 0) -> dict:
        """The escape hatch: takes back the key's unsettled stake on `model` after the
        round's deadline."""
        model = _model_number(model)
        return self.transact(self.escrow.functions.withdrawStake(round_id, model),
                             f"withdrawStake({round_id}{_model_suffix(model)})")

    # a funder: the treasury or a sponsor

    def mint(self, to: str, amount: int, on_sent: Callable[[str], None] | None = None) -> dict:
        """Mints NMR within the weekly schedule (the signer needs MINTER_ROLE)."""
        return self.transact(self.token.functions.mint(to_checksum_address(to), amount), "mint", on_sent=on_sent)

    def fund_round(self, round_id: int, usd_staking: int, usd_prize: int, nmr: int,
                   on_sent: Callable[[str], None] | None = None) -> dict:
        """Pays the round's pools from this Chain's key: exact approvals, then fundRound
        (`on_sent` gets fundRound's hash before the wait)."""
        if usd_staking + usd_prize:
            self.transact(self.usd.functions.approve(self.escrow.address, usd_staking + usd_prize), "approve USD")
        if nmr:
            self.transact(self.token.functions.approve(self.escrow.address, nmr), "approve NMR")
        # A short balance is the USD's when the funder holds fewer dollars than the pools.
        usd_short = usd_staking + usd_prize > self.balances(self.signer.address)["usd_units"] if self.signer else False
        return self.transact(self.escrow.functions.fundRound(round_id, usd_staking, usd_prize, nmr),
                             f"fundRound({round_id})", decoder=self.decoder.for_token("USD") if usd_short else None,
                             on_sent=on_sent)

    # the oracle

    def create_round(self, round_id: int, closes_at: int, resolves_by: int, funder: str, dataset_digest: str,
                     on_sent: Callable[[str], None] | None = None) -> dict:
        """Opens a round on chain with no pools, naming the only account that may fund it
        and committing the digest of its published dataset file."""
        call = self.escrow.functions.createRound(round_id, closes_at, resolves_by, to_checksum_address(funder),
                                                 _bytes32(dataset_digest))
        return self.transact(call, f"createRound({round_id})", on_sent=on_sent)

    def commit_results(self, round_id: int, results_digest: str, batch_hashes: list[str],
                       on_sent: Callable[[str], None] | None = None) -> dict:
        """Commits the digest of the published results and the hash of every batch the
        oracle will post (the prize list's last); the challenge window starts."""
        call = self.escrow.functions.commitResults(round_id, _bytes32(results_digest),
                                                   [_bytes32(h) for h in batch_hashes])
        return self.transact(call, f"commitResults({round_id}, {len(batch_hashes)} batches)", on_sent=on_sent)

    def dispute(self, round_id: int) -> dict:
        """Disputes a round's committed results during its challenge window: approves
        exactly the bond, then disputes (two transactions), as the holder of this key."""
        self.transact(self.token.functions.approve(self.escrow.address, self.dispute_bond()), "approve the bond")
        return self.transact(self.escrow.functions.dispute(round_id), f"dispute({round_id})")

    def rule(self, round_id: int, upheld: bool) -> dict:
        """The guardian's ruling on a round's open dispute (this Chain's key needs GUARDIAN_ROLE)."""
        return self.transact(self.escrow.functions.rule(round_id, upheld),
                             f"rule({round_id}, {'upheld' if upheld else 'rejected'})")

    def lapse_dispute(self, round_id: int, on_sent: Callable[[str], None] | None = None) -> dict:
        """Ends a dispute the guardian did not rule on within the ruling period: the bond
        goes back and the committed batches may be posted (anyone may send it)."""
        return self.transact(self.escrow.functions.lapseDispute(round_id), f"lapseDispute({round_id})",
                             on_sent=on_sent)

    def settle(self, round_id: int, entries: list[tuple],
               on_sent: Callable[[str], None] | None = None) -> dict:
        """Posts one settlement batch of (model key, burn, usd reward, nmr reward[, release]),
        each as the escrow's (staker, model, burn, usd, nmr, release); `on_sent` gets its
        hash before the wait."""
        return self.transact(self.escrow.functions.settle(round_id, [settlement_row(e) for e in entries]),
                             f"settle({round_id}, {len(entries)} stakers)", on_sent=on_sent)

    def pay_prizes(self, round_id: int, prizes: list[tuple[str, int, int]],
                   on_sent: Callable[[str], None] | None = None) -> dict:
        """Posts the round's prizes given per model, (model key, usd, nmr): one entry per
        wallet with its models' sum, wallets ascending as the escrow requires."""
        ordered = wallet_prizes(prizes)
        return self.transact(self.escrow.functions.payPrizes(round_id, ordered),
                             f"payPrizes({round_id}, {len(ordered)} winners)", on_sent=on_sent)

    def finalize(self, round_id: int, on_sent: Callable[[str], None] | None = None) -> dict:
        """Returns the round's unspent pools to its funder."""
        return self.transact(self.escrow.functions.finalize(round_id), f"finalize({round_id})", on_sent=on_sent)


def _model_number(model: int) -> int:
    """`model` checked as a model number (an escrow uint32), else a ChainError."""
    if isinstance(model, bool) or not isinstance(model, int) or not 0 <= model <= MAX_MODEL_NUMBER:
        raise ChainError(f"a model number is an int from 0 to {MAX_MODEL_NUMBER}, got {model!r}")
    return model


def _model_suffix(model: int) -> str:
    """How a transaction's description names a model: nothing for model 0 (as before)."""
    return f", model {model}" if model else ""


def _bytes32(value: str) -> bytes:
    digest = bytes.fromhex(value.removeprefix("0x"))
    if len(digest) != 32:
        raise ChainError(f"a digest must be 32 bytes of hex, got {value!r}")
    return digest
