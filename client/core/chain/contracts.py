"""The token, the USD stablecoin and the escrow on one chain, read and written.

A :class:`Chain` holds the three contracts (from a deployments record: the file
``scripts/deploy.py`` writes, a published ``chain.json``, or the server's
``GET /api/v1/chain``) and optionally a local signing key. Reads go through one guard
(:func:`~client.core.chain.transactions.guarded`: reverts decoded into sentences, a silent
node into ChainUnavailable, anything else left as it is); every write goes through the one
transaction path, :func:`~client.core.chain.transactions.transact`, which the deployment
uses too. The stakes are read from one reader of the Staked events.

The escrow keys a stake by (round, wallet, model number); every method here takes and
gives the model key of :mod:`client.core.models` instead (the wallet's address for its
model 0), so only this module splits a key into the two and joins them back from events.
Prizes stay per wallet: :meth:`Chain.pay_prizes` sums a wallet's models' prizes.

Why one module past ~350 lines: the one class every caller binds to the deployed
contracts (reads, then each role's writes); the split by role is issue 25's.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from eth_utils import to_checksum_address
from web3 import Web3

from client.core.chain.abi import ERC20_ABI
from client.core.chain.connection import answering, connect
from client.core.chain.errors import ChainError, ContractRevert, ErrorDecoder
from client.core.chain.messages import WAD, public_table
from client.core.chain.signing import load_signer
from client.core.chain.transactions import guarded, transact, wait_for
from client.core.models import MAX_MODEL_NUMBER, model_key, split_model_key
from client.core.money.batches import settlement_row, wallet_prizes
from client.core.money.stakes import Stake

STAKE_STATUS = ("none", "active", "settled", "withdrawn")
# Gas a settle() costs per staker at worst plus headroom; batches are sized to fill 3/4 of a
# block. The worst entry pays a wallet that staked all its NMR and holds no USD: the stake
# back (with any NMR reward) and the USD reward each write a balance that was zero (two fresh
# SSTOREs, ~44k). Measured at the per-model escrow: 63,400 per staker in a 200-staker batch,
# 64,500 with a partial burn beside both rewards (test_settle_budget.py holds a batch of them
# to the budget).
SETTLE_GAS_PER_STAKER = 72_000
SETTLE_GAS_BASE = 60_000
USD_DECIMALS_LOCAL = 6
ROUND_FIELDS = ("closes_at", "resolves_by", "funder", "usd_staking_pool", "usd_staking_paid", "usd_prize_pool",
                "usd_prize_paid", "nmr_pool", "nmr_paid", "total_staked", "settled_stake", "total_burned",
                "staker_count", "settled_count", "prizes_paid", "finalized", "dataset_digest", "results_digest",
                "challenge_ends_at", "batch_count", "batches_settled", "disputer", "voided")
ZERO_ADDRESS = "0x" + "00" * 20


def _tx_hash(log: Any) -> str:
    return "0x" + bytes(log["transactionHash"]).hex().removeprefix("0x")


class Chain:
    """The token and escrow contracts on one chain, with an optional signing key whose
    `owner` ("oracle", "funder" or "staker") names it in errors."""

    def __init__(self, w3: Web3, deployments: dict[str, Any], signer: Any | None = None, owner: str = "oracle"):
        self.w3 = w3
        self.deployments = deployments
        self.signer = signer
        self.owner = owner
        self.token = w3.eth.contract(
            address=deployments["NumeraireToken"]["address"], abi=deployments["NumeraireToken"]["abi"]
        )
        self.escrow = w3.eth.contract(
            address=deployments["TournamentEscrow"]["address"], abi=deployments["TournamentEscrow"]["abi"]
        )
        usd = deployments["USD"]
        self.usd = w3.eth.contract(address=usd["address"], abi=usd.get("abi") or ERC20_ABI)
        self.usd_decimals = int(usd.get("decimals", USD_DECIMALS_LOCAL))
        self.from_block = int(deployments.get("deployed_at_block", 0))
        self.decoder = ErrorDecoder(self._abis(), self.usd_decimals)

    @classmethod
    def connect(cls, rpc_url: str, deployments_file: str | Path, private_key: str | None = None,
                keystore_file: str | Path | None = None, keystore_password: str | None = None,
                timeout: float = 30, owner: str = "oracle") -> Chain:
        """Connects to `rpc_url` and loads the contracts of a deployments file, signing as
        `owner` with a raw key or a keystore; raises ChainError if it cannot."""
        path = Path(deployments_file)
        if not path.is_file():
            raise ChainError(
                f"no deployments file at {path}: deploy the contracts first "
                "(`make run` does, or `brownie run scripts/deploy.py`), or set NMR_DEPLOYMENTS_FILE"
            )
        deployments = json.loads(path.read_text())
        w3 = connect(rpc_url, deployments.get("chain_id"), record=str(path), timeout=timeout)
        escrow = deployments["TournamentEscrow"]["address"]
        with answering(f"the chain at {rpc_url}"):
            deployed = w3.eth.get_code(escrow)
        if not deployed:
            raise ChainError(f"no escrow contract at {escrow} on {rpc_url}: redeploy")
        return cls(w3, deployments, load_signer(private_key, keystore_file, keystore_password, owner), owner)

    @classmethod
    def read_only(cls, rpc_url: str, deployments: dict[str, Any], timeout: float = 30) -> Chain:
        """A Chain without a key from a deployments record (e.g. a published chain.json)."""
        return cls(connect(rpc_url, deployments["chain_id"], record="the record", timeout=timeout), deployments)

    @classmethod
    def from_public_info(cls, info: dict[str, Any], rpc_url: str | None = None, signer: Any | None = None,
                         private_key: str | None = None, keystore_file: str | Path | None = None,
                         password: str | None = None, timeout: float = 30) -> Chain:
        """A staker's Chain from ``GET /api/v1/chain`` (addresses and ABIs), talking to
        `rpc_url` (default: the one the server publishes) and signing with a local key: a
        `signer` from :func:`load_signer`, a raw `private_key` or a `keystore_file`."""
        url = rpc_url or info.get("rpc_url")
        if not url:
            raise ChainError("the server publishes no RPC URL; set one (NMR_RPC_URL)")
        deployments = {"chain_id": int(info["chain_id"]), "deployed_at_block": 0, "treasury": info.get("treasury"),
                       "NumeraireToken": info["token"], "USD": info["usd"], "TournamentEscrow": info["escrow"]}
        w3 = connect(url, deployments["chain_id"], record="the tournament", timeout=timeout)
        if signer is None:
            signer = load_signer(private_key, keystore_file, password, owner="staker")
        return cls(w3, deployments, signer, owner="staker")

    def _abis(self) -> list[list[dict[str, Any]]]:
        return [self.deployments["NumeraireToken"]["abi"], self.deployments["TournamentEscrow"]["abi"], self.usd.abi]

    # ---- reading -----------------------------------------------------------------------

    @property
    def chain_id(self) -> int:
        return int(self.deployments["chain_id"])

    def _read(self, call: Callable[[], Any], description: str = "call") -> Any:
        with guarded(self.w3, description, self.decoder):
            return call()

    def now(self) -> int:
        """The chain's clock: the latest block's timestamp (what the escrow will compare
        deadlines with). A development chain mines only when a transaction arrives, so
        its clock stands still in between; :meth:`mine_empty_block` moves it."""
        return int(self._read(lambda: self.w3.eth.get_block("latest")["timestamp"]))

    def mine_empty_block(self) -> None:
        """Development chains only (Ganache's evm_mine): a block at the current time."""
        self._read(lambda: self.w3.provider.make_request("evm_mine", []))

    def round(self, round_id: int) -> dict[str, Any]:
        """The escrow's view of a round; ``exists`` is False for an unknown id."""
        view = dict(zip(ROUND_FIELDS, self._read(lambda: self.escrow.functions.getRound(round_id).call())))
        for digest in ("dataset_digest", "results_digest"):
            view[digest] = "0x" + bytes(view[digest]).hex()
        view["exists"] = view["closes_at"] != 0
        view["committed"] = view["batch_count"] != 0
        view["disputed"] = view["disputer"] != ZERO_ADDRESS and not view["voided"]
        return view

    def committed_batches(self, round_id: int) -> list[str]:
        """The batch hashes the oracle committed for a round (the prize list's last)."""
        return ["0x" + bytes(h).hex() for h in self._read(lambda: self.escrow.functions.committedBatches(round_id).call())]

    def challenge_window(self) -> int:
        """Seconds between commitResults and the first settle (the escrow's deploy parameter)."""
        return int(self._read(lambda: self.escrow.functions.challengeWindow().call()))

    def dispute_bond(self) -> int:
        """NMR wei a dispute locks."""
        return int(self._read(lambda: self.escrow.functions.disputeBond().call()))

    def dispute_records(self, round_id: int) -> list[dict[str, Any]]:
        """Disputed and DisputeRuled events of a round, oldest first: what, who, tx hash
        (and for a ruling whether it was upheld and the reward)."""
        rows = [(log, "disputed") for log in self._events("Disputed", roundId=round_id)]
        rows += [(log, "ruled") for log in self._events("DisputeRuled", roundId=round_id)]
        rows.sort(key=lambda item: (item[0]["blockNumber"], item[0]["logIndex"]))
        return [{"event": kind, "disputer": log["args"]["disputer"], "tx_hash": _tx_hash(log),
                 **({"upheld": bool(log["args"]["upheld"]), "reward": int(log["args"]["reward"])}
                    if kind == "ruled" else {})}
                for log, kind in rows]

    def stake_of(self, round_id: int, staker: str) -> dict[str, Any]:
        """One model's position (`staker` a model key; a bare address is its model 0):
        amount (wei), confidence (WAD) and status."""
        address, model = _split(staker)
        amount, confidence, status = self._read(
            lambda: self.escrow.functions.getStake(round_id, address, model).call()
        )
        return {"amount": amount, "confidence": confidence, "status": STAKE_STATUS[status]}

    def balances(self, address: str) -> dict[str, int]:
        """ETH and NMR balances in wei and the USD balance in the stablecoin's units."""
        account = to_checksum_address(address)
        return {
            "eth_wei": int(self._read(lambda: self.w3.eth.get_balance(account))),
            "nmr_wei": int(self._read(lambda: self.token.functions.balanceOf(account).call())),
            "usd_units": int(self._read(lambda: self.usd.functions.balanceOf(account).call())),
        }

    def _events(self, name: str, **filters: Any) -> list[Any]:
        """The escrow's `name` events matching `filters`, oldest first."""
        event = getattr(self.escrow.events, name)
        logs = self._read(lambda: event.get_logs(from_block=self.from_block, argument_filters=filters))
        return sorted(logs, key=lambda log: (log["blockNumber"], log["logIndex"]))

    def _commitments(self, **filters: Any) -> dict[tuple[int, str], tuple[int, str]]:
        """(round, model key) -> (order of the first stake, hash of the latest) of the
        Staked events matching `filters`; the order is the auction's tie-break."""
        found: dict[tuple[int, str], tuple[int, str]] = {}
        for log in self._events("Staked", **filters):
            key = (int(log["args"]["roundId"]), _event_key(log))
            first = found[key][0] if key in found else log["blockNumber"] * 1_000_000 + log["logIndex"]
            found[key] = (first, "0x" + bytes(log["args"]["submissionHash"]).hex())
        return found

    def stake_records(self, round_id: int) -> list[Stake]:
        """Every staked model of a round (by model key) with the hash of its latest Staked
        event; ordered by its first stake (block, log index), the auction's tie-break."""
        records = []
        for (_, model), (order, submission_hash) in sorted(self._commitments(roundId=round_id).items(),
                                                           key=lambda item: item[1][0]):
            position = self.stake_of(round_id, model)
            records.append(Stake(model, position["amount"], position["confidence"], order, position["status"],
                                 submission_hash))
        return records

    def stakes(self, address: str) -> list[dict[str, Any]]:
        """All stakes of wallet `address`, every model's, newest round first and by model
        number within a round (the account page's shape, with the model's ``key`` and
        ``model`` number)."""
        account = to_checksum_address(address)
        positions = self._commitments(staker=account)
        rows = []
        for round_id, key in sorted(positions, key=lambda p: (-p[0], split_model_key(p[1])[1])):
            submission_hash = positions[(round_id, key)][1]
            position = self.stake_of(round_id, key)
            rows.append({"round": round_id, "key": key, "model": split_model_key(key)[1],
                         "amount_wei": position["amount"],
                         "confidence": f"{position['confidence'] / WAD:g}", "submission_hash": submission_hash,
                         "settled": position["status"] != "active", "status": position["status"]})
        return rows

    def settlements(self, round_id: int) -> dict[str, dict[str, Any]]:
        """StakeSettled events of a round: model key -> burned, rewarded, tx hash."""
        return {
            _event_key(log): {"burned": int(log["args"]["burned"]), "usd_reward": int(log["args"]["usdReward"]),
                                    "nmr_reward": int(log["args"]["nmrReward"]), "tx_hash": _tx_hash(log)}
            for log in self._events("StakeSettled", roundId=round_id)
        }

    def prizes(self, round_id: int) -> dict[str, dict[str, Any]]:
        """PrizePaid events of a round: winner (a wallet: its models' prizes summed) ->
        usd, nmr, tx hash."""
        return {
            log["args"]["winner"]: {"usd": int(log["args"]["usdPrize"]), "nmr": int(log["args"]["nmrPrize"]),
                                    "tx_hash": _tx_hash(log)}
            for log in self._events("PrizePaid", roundId=round_id)
        }

    def finalization(self, round_id: int) -> dict[str, Any] | None:
        """The RoundFinalized event of a round (funder, usd/nmr returned), or None."""
        logs = self._events("RoundFinalized", roundId=round_id)
        if not logs:
            return None
        args = logs[0]["args"]
        return {"funder": args["funder"], "usd_returned": int(args["usdReturned"]),
                "nmr_returned": int(args["nmrReturned"]), "tx_hash": _tx_hash(logs[0])}

    def total_supply(self) -> int:
        return int(self._read(lambda: self.token.functions.totalSupply().call()))

    def settle_batch_size(self) -> int:
        """Stakers per settle() so that one batch fills at most 3/4 of a block."""
        gas_limit = int(self._read(lambda: self.w3.eth.get_block("latest")["gasLimit"]))
        return max(1, (gas_limit * 3 // 4 - SETTLE_GAS_BASE) // SETTLE_GAS_PER_STAKER)

    def has_role(self, contract: str, role: str, address: str) -> bool:
        """Whether `address` holds `role` (e.g. "MINTER_ROLE") on "token" or "escrow"."""
        target = self.token if contract == "token" else self.escrow
        role_id = self._read(lambda: getattr(target.functions, role)().call())
        return bool(self._read(lambda: target.functions.hasRole(role_id, to_checksum_address(address)).call()))

    def mintable(self) -> int:
        """NMR wei the token's weekly schedule allows minting right now."""
        return int(self._read(lambda: self.token.functions.mintable().call()))

    def max_resolution_delay(self) -> int:
        """The escrow's longest allowed time from a round's close to its oracle deadline."""
        return int(self._read(lambda: self.escrow.functions.maxResolutionDelay().call()))

    def public_info(self, public_rpc_url: str | None = None) -> dict[str, Any]:
        """What a wallet page or the client needs: chain id, RPC, addresses and ABIs, and
        the revert-message table (``errors``, ``error_formatters``: see
        :mod:`client.core.chain.messages`)."""
        return {
            "chain_id": self.chain_id,
            "rpc_url": public_rpc_url,
            "treasury": self.deployments.get("treasury"),
            "token": {"address": self.token.address, "abi": self.deployments["NumeraireToken"]["abi"]},
            "usd": {"address": self.usd.address, "abi": self.usd.abi, "decimals": self.usd_decimals,
                    "symbol": self.deployments["USD"].get("symbol", "USD")},
            "escrow": {"address": self.escrow.address, "abi": self.deployments["TournamentEscrow"]["abi"]},
            **public_table(self._abis()),
        }

    # ---- writing -----------------------------------------------------------------------

    def transact(self, call: Any, description: str, timeout: float = 120,
                 on_sent: Callable[[str], None] | None = None, decoder: ErrorDecoder | None = None) -> dict:
        """:func:`transact` with this Chain's key, waiting with :meth:`wait_for`."""
        return transact(self.w3, self.signer, call, description, decoder=decoder or self.decoder, owner=self.owner,
                        timeout=timeout, on_sent=on_sent, wait=self.wait_for)

    def wait_for(self, tx_hash: str, description: str, timeout: float = 120) -> dict:
        """The receipt of a sent transaction: ``tx_hash``, ``gas_used``, ``block``."""
        return wait_for(self.w3, tx_hash, description, timeout)

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

    def settle(self, round_id: int, entries: list[tuple[str, int, int, int]],
               on_sent: Callable[[str], None] | None = None) -> dict:
        """Posts one settlement batch of (model key, burn, usd reward, nmr reward), each
        as the escrow's (staker, model, burn, usd, nmr); `on_sent` gets its hash before
        the wait."""
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


def _split(key: str) -> tuple[str, int]:
    """(wallet, model number) of a model key; a ChainError saying the form if it is not one."""
    try:
        return split_model_key(key)
    except ValueError as exc:
        raise ChainError(str(exc)) from None


def _event_key(log: Any) -> str:
    """The model key of an escrow event carrying (staker, model)."""
    return model_key(log["args"]["staker"], int(log["args"]["model"]))


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
