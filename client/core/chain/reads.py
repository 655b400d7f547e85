"""Chain reads: what the token, the USD stablecoin and the escrow say, without sending
anything.

Views (a round, a stake, balances, roles, the escrow's parameters, the chain's clock and
block gas limit) go through one guard (:func:`~client.core.chain.transactions.guarded`:
reverts decoded into sentences, a silent node into ChainUnavailable, anything else left as
it is). Event scans (stakes, settlements, prizes, disputes, finalization) go through one
reader, :meth:`ChainReads._events`, which starts at the deployment block (``from_block``),
never at block 0. The escrow keys a stake by (round, wallet, model number); these reads
take and give the model key of :mod:`client.core.models` instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eth_utils import to_checksum_address
from web3 import Web3
from web3.contract import Contract

from client.core.chain.errors import ChainError, ErrorDecoder
from client.core.chain.ledger import wallet_ledger
from client.core.chain.messages import WAD
from client.core.chain.transactions import guarded
from client.core.models import model_key, split_model_key
from client.core.money.stakes import Stake
from client.core.predictions import ZERO_HASH

STAKE_STATUS = ("none", "active", "settled", "withdrawn")
# Gas a settle() costs per staker at worst plus headroom; batches are sized to fill 3/4 of a
# block. The worst entry pays a wallet that staked all its NMR and holds no USD: the stake
# back (with any NMR reward) and the USD reward each write a balance that was zero (two fresh
# SSTOREs, ~44k). Measured at the per-model escrow: 63,400 per staker in a 200-staker batch,
# 64,500 with a partial burn beside both rewards (test_settle_budget.py holds a batch of them
# to the budget).
SETTLE_GAS_PER_STAKER = 72_000
SETTLE_GAS_BASE = 60_000
ROUND_FIELDS = ("closes_at", "resolves_by", "funder", "usd_staking_pool", "usd_staking_paid", "usd_prize_pool",
                "usd_prize_paid", "nmr_pool", "nmr_paid", "total_staked", "settled_stake", "total_burned",
                "staker_count", "settled_count", "prizes_paid", "finalized", "dataset_digest", "results_digest",
                "challenge_ends_at", "batch_count", "batches_settled", "disputer", "voided", "usd_credited")
ZERO_ADDRESS = "0x" + "00" * 20


class ChainReads:
    """The reads of :class:`~client.core.chain.contracts.Chain`: its `w3`, the `token`,
    `usd` and `escrow` contracts, the revert `decoder`, and `from_block`, the block the
    contracts were deployed at."""

    w3: Web3
    token: Contract
    usd: Contract
    escrow: Contract
    decoder: ErrorDecoder
    from_block: int

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
        # A dispute not ruled on by then lapses (lapseDispute) and the batches stand.
        view["ruling_ends_at"] = view["challenge_ends_at"] + self.ruling_period() if view["committed"] else None
        return view

    def newest_round(self) -> int:
        """The highest round number created: where rolling positions move while it is open."""
        return int(self._read(lambda: self.escrow.functions.newestRound().call()))

    def committed_batches(self, round_id: int) -> list[str]:
        """The batch hashes the oracle committed for a round (the prize list's last)."""
        return ["0x" + bytes(h).hex() for h in self._read(lambda: self.escrow.functions.committedBatches(round_id).call())]

    def challenge_window(self) -> int:
        """Seconds between commitResults and the first settle (the escrow's deploy parameter)."""
        return int(self._read(lambda: self.escrow.functions.challengeWindow().call()))

    def commit_lead(self) -> int:
        """The least time before a round's resolvesBy that commitResults needs: the
        challenge window and the ruling period both end before it."""
        return self.challenge_window() + self.ruling_period()

    def ruling_period(self) -> int:
        """Seconds the guardian has to rule once the challenge window is over (a deploy
        parameter, so read once)."""
        if getattr(self, "_ruling_period", None) is None:
            self._ruling_period = int(self._read(lambda: self.escrow.functions.rulingPeriod().call()))
        return self._ruling_period

    def dispute_bond(self) -> int:
        """NMR wei a dispute locks."""
        return int(self._read(lambda: self.escrow.functions.disputeBond().call()))

    def dispute_records(self, round_id: int) -> list[dict[str, Any]]:
        """Disputed, DisputeRuled and DisputeLapsed events of a round, oldest first: what
        (disputed, ruled, lapsed), who, tx hash (and for a ruling whether it was upheld
        and the reward)."""
        rows = [(log, "disputed") for log in self._events("Disputed", roundId=round_id)]
        rows += [(log, "ruled") for log in self._events("DisputeRuled", roundId=round_id)]
        rows += [(log, "lapsed") for log in self._events("DisputeLapsed", roundId=round_id)]
        rows.sort(key=lambda item: (item[0]["blockNumber"], item[0]["logIndex"]))
        return [{"event": kind, "disputer": log["args"]["disputer"], "tx_hash": _tx_hash(log),
                 **({"upheld": bool(log["args"]["upheld"]), "reward": int(log["args"]["reward"])}
                    if kind == "ruled" else {})}
                for log, kind in rows]

    def stake_of(self, round_id: int, staker: str) -> dict[str, Any]:
        """One model's position (`staker` a model key; a bare address is its model 0):
        amount (wei), confidence (WAD), status and whether it rolls into the next round."""
        address, model = _split(staker)
        amount, confidence, status, rolls = self._read(
            lambda: self.escrow.functions.getStake(round_id, address, model).call()
        )
        return {"amount": amount, "confidence": confidence, "status": STAKE_STATUS[status], "rolls": bool(rolls)}

    def balances(self, address: str) -> dict[str, int]:
        """ETH and NMR balances in wei and the USD balance in the stablecoin's units."""
        account = to_checksum_address(address)
        return {
            "eth_wei": int(self._read(lambda: self.w3.eth.get_balance(account))),
            "nmr_wei": int(self._read(lambda: self.token.functions.balanceOf(account).call())),
            "usd_units": int(self._read(lambda: self.usd.functions.balanceOf(account).call())),
        }

    def _events(self, name: str, **filters: Any) -> list[Any]:
        """The escrow's `name` events matching `filters`, oldest first, from the deployment
        block on (every event scan goes through here)."""
        event = getattr(self.escrow.events, name)
        logs = self._read(lambda: event.get_logs(from_block=self.from_block, argument_filters=filters))
        return sorted(logs, key=lambda log: (log["blockNumber"], log["logIndex"]))

    def _commitments(self, **filters: Any) -> dict[tuple[int, str], tuple[int, str]]:
        """(round, model key) -> (order of the first stake, hash of the latest) of the
        Staked events matching `filters` and of the positions rolled in from an earlier
        round; the order is the auction's tie-break. A rolled-in position carries the zero
        hash (it backs the model's submission at the close) until the staker stakes on a file."""
        round_id = filters.pop("roundId", None)
        staked = self._events("Staked", **filters, **({} if round_id is None else {"roundId": round_id}))
        rolled = [log for log in self._events("StakeSettled", **filters) if int(log["args"]["rolledInto"])
                  and (round_id is None or int(log["args"]["rolledInto"]) == round_id)]
        found: dict[tuple[int, str], tuple[int, str]] = {}
        for log in sorted(staked + rolled, key=lambda log: (log["blockNumber"], log["logIndex"])):
            if log["event"] == "Staked":
                key, digest = (int(log["args"]["roundId"]), _event_key(log)), bytes(log["args"]["submissionHash"])
            else:
                key, digest = (int(log["args"]["rolledInto"]), _event_key(log)), b""
            first = found[key][0] if key in found else log["blockNumber"] * 1_000_000 + log["logIndex"]
            latest = "0x" + digest.hex() if digest else found.get(key, (0, ZERO_HASH))[1]
            found[key] = (first, latest)
        return found

    def stake_records(self, round_id: int) -> list[Stake]:
        """Every staked model of a round (by model key) with the hash of its latest Staked
        event; ordered by its first stake (block, log index), the auction's tie-break. A
        position that rolled on into a later round reads as empty on chain (its slot was
        deleted): its amount and confidence are replayed from the events, status settled."""
        records, replayed = [], None
        for (_, model), (order, submission_hash) in sorted(self._commitments(roundId=round_id).items(),
                                                           key=lambda item: item[1][0]):
            position = self.stake_of(round_id, model)
            if position["status"] == "none":
                replayed = replayed if replayed is not None else self._replayed_positions()
                amount, confidence = replayed[(round_id, model)]
                position = {"amount": amount, "confidence": confidence, "status": "settled"}
            records.append(Stake(model, position["amount"], position["confidence"], order, position["status"],
                                 submission_hash))
        return records

    def _replayed_positions(self) -> dict[tuple[int, str], tuple[int, int]]:
        """(round, model key) -> (amount, confidence) of every position as its events built
        it: Staked adds its amount and sets its confidence; a StakeSettled that rolled on adds
        what the position kept (stake - burned + NMR reward) to the next round's position,
        whose confidence becomes the higher of the two (the escrow's rule)."""
        logs = self._events("Staked") + self._events("StakeSettled")
        positions: dict[tuple[int, str], list[int]] = {}
        for log in sorted(logs, key=lambda log: (log["blockNumber"], log["logIndex"])):
            args, key = log["args"], _event_key(log)
            position = positions.setdefault((int(args["roundId"]), key), [0, 0])
            if log["event"] == "Staked":
                position[0] += int(args["amount"])
                position[1] = int(args["confidence"])
            elif int(args["rolledInto"]):
                kept = position[0] - int(args["burned"]) + int(args["nmrReward"])
                moved = positions.setdefault((int(args["rolledInto"]), key), [0, 0])
                moved[0] += kept
                moved[1] = max(moved[1], position[1])
        return {key: (amount, confidence) for key, (amount, confidence) in positions.items()}

    def stakes(self, address: str) -> list[dict[str, Any]]:
        """All stakes of wallet `address`, every model's, newest round first and by model
        number within a round (the account page's shape, with the model's ``key`` and
        ``model`` number); a position that rolled on into a later round is ``rolled``."""
        account = to_checksum_address(address)
        positions = self._commitments(staker=account)
        rows, replayed = [], None
        for round_id, key in sorted(positions, key=lambda p: (-p[0], split_model_key(p[1])[1])):
            submission_hash = positions[(round_id, key)][1]
            position = self.stake_of(round_id, key)
            if position["status"] == "none":  # rolled on: its slot was deleted, its events remain
                replayed = replayed if replayed is not None else self._replayed_positions()
                amount, confidence = replayed[(round_id, key)]
                position = {"amount": amount, "confidence": confidence, "status": "rolled", "rolls": True}
            rows.append({"round": round_id, "key": key, "model": split_model_key(key)[1],
                         "amount_wei": position["amount"],
                         "confidence": f"{position['confidence'] / WAD:g}", "submission_hash": submission_hash,
                         "settled": position["status"] != "active", "status": position["status"],
                         "rolls": position["rolls"]})
        return rows

    def ledger(self, address: str) -> list[dict[str, Any]]:
        """Every stake, top-up, withdrawal, settlement, prize, dispute bond, ruling and USD
        credit of wallet `address`, newest first (:mod:`client.core.chain.ledger`)."""
        return wallet_ledger(self, address)

    def settlements(self, round_id: int) -> dict[str, dict[str, Any]]:
        """StakeSettled events of a round: model key -> burned, rewarded, the round the kept
        NMR rolled into (0: to the wallet), tx hash."""
        return {
            _event_key(log): {"burned": int(log["args"]["burned"]), "usd_reward": int(log["args"]["usdReward"]),
                              "nmr_reward": int(log["args"]["nmrReward"]),
                              "rolled_into": int(log["args"]["rolledInto"]), "tx_hash": _tx_hash(log)}
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

    def escrow_config(self) -> dict[str, Any]:
        """The escrow's configuration: its admin, the pending admin (None when no transfer
        is under way) and whether it is paused."""
        functions = self.escrow.functions
        pending = self._read(lambda: functions.pendingDefaultAdmin().call())[0]
        return {"admin": self._read(lambda: functions.defaultAdmin().call()),
                "pending_admin": None if int(pending, 16) == 0 else pending,
                "paused": bool(self._read(lambda: functions.paused().call()))}

    def max_resolution_delay(self) -> int:
        """The escrow's longest allowed time from a round's close to its oracle deadline."""
        return int(self._read(lambda: self.escrow.functions.maxResolutionDelay().call()))


def _tx_hash(log: Any) -> str:
    return "0x" + bytes(log["transactionHash"]).hex().removeprefix("0x")


def _split(key: str) -> tuple[str, int]:
    """(wallet, model number) of a model key; a ChainError saying the form if it is not one."""
    try:
        return split_model_key(key)
    except ValueError as exc:
        raise ChainError(str(exc)) from None


def _event_key(log: Any) -> str:
    """The model key of an escrow event carrying (staker, model)."""
    return model_key(log["args"]["staker"], int(log["args"]["model"]))
