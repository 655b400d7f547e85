"""The chain: the only module that imports web3 and eth-account.

A :class:`Chain` talks to any JSON-RPC endpoint (Ganache by default), loads the contracts
from the deployments file written by ``scripts/deploy.py``, signs the oracle's
transactions with a key from config (a raw key or an encrypted keystore file), waits for
receipts and turns custom-error reverts into sentences. In the Flask app it lives in
``app.extensions["chain"]``; scripts and the client build one with :meth:`Chain.connect`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eth_abi import decode as abi_decode
from eth_abi.exceptions import DecodingError
from eth_account import Account
from eth_utils import function_signature_to_4byte_selector, to_checksum_address
from web3 import HTTPProvider, Web3
from web3.exceptions import ContractCustomError, ContractLogicError, TimeExhausted

from app.settlement import StakeOnChain

STAKE_STATUS = ("none", "active", "settled", "withdrawn")
# Gas a settle() costs per staker at worst (a released stake with a USD reward to a wallet
# that held neither token) plus headroom; batches are sized to fill 3/4 of a block.
SETTLE_GAS_PER_STAKER = 28_000
SETTLE_GAS_BASE = 60_000
USD_DECIMALS_LOCAL = 6
# The parts of the ERC-20 ABI the server uses on a stablecoin it did not deploy.
ERC20_ABI = [
    {"type": "function", "name": name, "stateMutability": mutability, "inputs": inputs, "outputs": outputs}
    for name, mutability, inputs, outputs in (
        ("balanceOf", "view", [{"name": "account", "type": "address"}], [{"name": "", "type": "uint256"}]),
        ("decimals", "view", [], [{"name": "", "type": "uint8"}]),
        ("symbol", "view", [], [{"name": "", "type": "string"}]),
        ("allowance", "view", [{"name": "owner", "type": "address"}, {"name": "spender", "type": "address"}],
         [{"name": "", "type": "uint256"}]),
        ("approve", "nonpayable", [{"name": "spender", "type": "address"}, {"name": "value", "type": "uint256"}],
         [{"name": "", "type": "bool"}]),
        ("transfer", "nonpayable", [{"name": "to", "type": "address"}, {"name": "value", "type": "uint256"}],
         [{"name": "", "type": "bool"}]),
    )
] + [{"type": "event", "name": "Transfer", "anonymous": False, "inputs": [
    {"name": "from", "type": "address", "indexed": True}, {"name": "to", "type": "address", "indexed": True},
    {"name": "value", "type": "uint256", "indexed": False}]}]


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


POOL_NAMES = ("USD staking pool", "USD prize pool", "NMR pool")


def _dollars(units: int) -> str:
    return f"${units / 10**USD_DECIMALS_LOCAL:,.2f}"


def _pool_amount(pool: int, amount: int) -> str:
    return f"{amount / 1e18:,.2f} NMR" if pool == 2 else _dollars(amount)


def _when(timestamp: int) -> str:
    return datetime.fromtimestamp(int(timestamp), tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


# How each custom error reads to a person; arguments by name from the ABI.
ERROR_SENTENCES: dict[str, Callable[[dict], str]] = {
    "TournamentEscrowRoundClosed": lambda a: f"staking for round {a['roundId']} closed at {_when(a['closesAt'])}",
    "TournamentEscrowRoundOpen": lambda a: f"round {a['roundId']} is still open until {_when(a['closesAt'])}",
    "TournamentEscrowUnknownRound": lambda a: f"round {a['roundId']} does not exist on chain",
    "TournamentEscrowRoundExists": lambda a: f"round {a['roundId']} already exists on chain",
    "TournamentEscrowConfidenceLowered": lambda a: (
        f"confidence may only stay or rise: you staked at {a['current'] / 1e18:g}, asked {a['requested'] / 1e18:g}"
    ),
    "TournamentEscrowSettlementWindowOver": lambda a: (
        f"the oracle's deadline for round {a['roundId']} passed at {_when(a['resolvesBy'])}; stakers withdraw alone"
    ),
    "TournamentEscrowDeadlineNotReached": lambda a: (
        f"the escape hatch of round {a['roundId']} opens at {_when(a['resolvesBy'])}"
    ),
    "TournamentEscrowAlreadySettled": lambda a: f"{a['staker']} was already settled in round {a['roundId']}",
    "TournamentEscrowNoStake": lambda a: f"{a['staker']} has no stake in round {a['roundId']}",
    "TournamentEscrowPoolExceeded": lambda a: (
        f"{_pool_amount(a['pool'], a['amount'])} exceeds what is left of round {a['roundId']}'s "
        f"{POOL_NAMES[a['pool']]} ({_pool_amount(a['pool'], a['remaining'])})"
    ),
    "TournamentEscrowRewardExceedsBid": lambda a: (
        f"{a['staker']}'s USD reward {_dollars(a['usdReward'])} exceeds the stake's bid ({_dollars(a['bid'])})"
    ),
    "TournamentEscrowRewardExceedsStake": lambda a: (
        f"{a['staker']}'s NMR reward {a['nmrReward'] / 1e18:g} exceeds the stake ({a['stake'] / 1e18:g} NMR)"
    ),
    "TournamentEscrowBurnExceedsStake": lambda a: (
        f"burn of {a['burn'] / 1e18:g} NMR exceeds {a['staker']}'s stake of {a['stake'] / 1e18:g} NMR"
    ),
    "TournamentEscrowPrizesAlreadyPaid": lambda a: f"round {a['roundId']}'s prizes were already paid",
    "TournamentEscrowPrizesNotPaid": lambda a: f"round {a['roundId']}'s prizes are not paid yet",
    "TournamentEscrowUnsettledStakes": lambda a: f"round {a['roundId']} has {a['unsettled']} unsettled stakes",
    "TournamentEscrowAlreadyFinalized": lambda a: f"round {a['roundId']} is already finalized",
    "TournamentEscrowNotFunder": lambda a: f"round {a['roundId']} is funded by {a['funder']}; only it may add",
    "TournamentEscrowInvalidSchedule": lambda a: (
        f"invalid schedule: closes at {a['closesAt']}, resolves by {a['resolvesBy']} (the oracle deadline must "
        "follow the close within the escrow's maximum resolution delay)"
    ),
    "TournamentEscrowWinnersNotAscending": lambda a: (
        f"prize winner {a['winner']} at position {a['index']} is out of order (winners must be strictly ascending)"
    ),
    "TournamentEscrowTooManyWinners": lambda a: f"{a['count']} prize winners; at most {a['maximum']}",
    "TournamentEscrowZeroSubmissionHash": lambda a: "the submission hash is zero; stake on a file you uploaded",
    "TournamentEscrowZeroAmount": lambda a: "the amount is zero",
    "NumeraireTokenMintExceedsSchedule": lambda a: (
        f"minting {a['requested'] / 1e18:,.2f} NMR exceeds this week's schedule ({a['mintable'] / 1e18:,.2f} NMR left)"
    ),
    "ERC20InsufficientBalance": lambda a: (
        f"not enough NMR: balance {a['balance'] / 1e18:g}, needed {a['needed'] / 1e18:g}"
    ),
    "ERC20InsufficientAllowance": lambda a: (
        f"the escrow may spend only {a['allowance'] / 1e18:g} NMR of yours; approve {a['needed'] / 1e18:g} first"
    ),
    "EnforcedPause": lambda a: "staking and funding are paused by the operator",
    "AccessControlUnauthorizedAccount": lambda a: f"{a['account']} lacks the role this needs",
}


NO_ARGUMENT_ERRORS = ("EnforcedPause", "TournamentEscrowZeroSubmissionHash", "TournamentEscrowZeroAmount")


class Chain:
    """The token and escrow contracts on one chain, with an optional signing key."""

    def __init__(self, w3: Web3, deployments: dict[str, Any], signer: Any | None = None):
        self.w3 = w3
        self.deployments = deployments
        self.signer = signer
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
        self._errors = _error_table(deployments["NumeraireToken"]["abi"] + deployments["TournamentEscrow"]["abi"])

    @classmethod
    def connect(
        cls,
        rpc_url: str,
        deployments_file: str | Path,
        private_key: str | None = None,
        keystore_file: str | Path | None = None,
        keystore_password: str | None = None,
        timeout: float = 30,
    ) -> Chain:
        """Connects to `rpc_url` and loads the contracts; raises ChainError if it cannot."""
        path = Path(deployments_file)
        if not path.is_file():
            raise ChainError(
                f"no deployments file at {path}: deploy the contracts first "
                "(`make run` does, or `brownie run scripts/deploy.py`), or set NMR_DEPLOYMENTS_FILE"
            )
        deployments = json.loads(path.read_text())
        w3 = Web3(HTTPProvider(rpc_url, request_kwargs={"timeout": timeout}))
        try:
            chain_id = w3.eth.chain_id
        except Exception as exc:  # requests/connection errors of any kind
            raise ChainUnavailable(f"the chain at {rpc_url} did not answer ({type(exc).__name__}); is the node running?") from exc
        if int(deployments.get("chain_id", chain_id)) != chain_id:
            raise ChainError(
                f"{path} was written for chain {deployments['chain_id']} but {rpc_url} is chain {chain_id}"
            )
        if not w3.eth.get_code(deployments["TournamentEscrow"]["address"]):
            raise ChainError(f"no escrow contract at {deployments['TournamentEscrow']['address']} on {rpc_url}: redeploy")
        return cls(w3, deployments, load_signer(private_key, keystore_file, keystore_password))

    @classmethod
    def read_only(cls, rpc_url: str, deployments: dict[str, Any], timeout: float = 30) -> Chain:
        """A Chain without a key from a deployments record (e.g. a published chain.json);
        raises ChainError if the node is unreachable or on another chain."""
        w3 = Web3(HTTPProvider(rpc_url, request_kwargs={"timeout": timeout}))
        try:
            chain_id = w3.eth.chain_id
        except Exception as exc:
            raise ChainUnavailable(f"the chain at {rpc_url} did not answer ({type(exc).__name__}); is the node running?") from exc
        if int(deployments["chain_id"]) != chain_id:
            raise ChainError(f"the record is for chain {deployments['chain_id']} but {rpc_url} is chain {chain_id}")
        return cls(w3, deployments)

    # ---- reading -----------------------------------------------------------------------

    @property
    def chain_id(self) -> int:
        return int(self.deployments["chain_id"])

    def _read(self, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except (ContractCustomError, ContractLogicError) as exc:
            raise self.revert_error(exc) from exc
        except Exception as exc:
            raise ChainUnavailable(f"the chain did not answer ({type(exc).__name__}: {exc})") from exc

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
        values = self._read(lambda: self.escrow.functions.getRound(round_id).call())
        keys = ("closes_at", "resolves_by", "funder", "usd_staking_pool", "usd_staking_paid", "usd_prize_pool",
                "usd_prize_paid", "nmr_pool", "nmr_paid", "total_staked", "settled_stake", "total_burned",
                "staker_count", "settled_count", "prizes_paid", "finalized")
        view = dict(zip(keys, values))
        view["exists"] = view["closes_at"] != 0
        return view

    def stake_of(self, round_id: int, staker: str) -> dict[str, Any]:
        """One staker's position: amount (wei), confidence (WAD) and status."""
        amount, confidence, status = self._read(
            lambda: self.escrow.functions.getStake(round_id, to_checksum_address(staker)).call()
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

    def stake_records(self, round_id: int) -> list[StakeOnChain]:
        """Every staker of a round with the hash of their latest Staked event; ordered by
        their first stake (block, log index), the auction's tie-break."""
        logs = self._read(
            lambda: self.escrow.events.Staked.get_logs(from_block=self.from_block, argument_filters={"roundId": round_id})
        )
        first: dict[str, int] = {}
        latest_hash: dict[str, str] = {}
        for log in sorted(logs, key=lambda entry: (entry["blockNumber"], entry["logIndex"])):
            staker = log["args"]["staker"]
            first.setdefault(staker, log["blockNumber"] * 1_000_000 + log["logIndex"])
            latest_hash[staker] = "0x" + bytes(log["args"]["submissionHash"]).hex()
        records = []
        for staker, order in sorted(first.items(), key=lambda item: item[1]):
            position = self.stake_of(round_id, staker)
            records.append(StakeOnChain(staker, position["amount"], position["confidence"], position["status"],
                                       latest_hash[staker], order))
        return records

    def stakes(self, address: str) -> list[dict[str, Any]]:
        """All stakes of `address` (the account page's shape)."""
        account = to_checksum_address(address)
        logs = self._read(
            lambda: self.escrow.events.Staked.get_logs(from_block=self.from_block, argument_filters={"staker": account})
        )
        rows: dict[int, dict[str, Any]] = {}
        for log in sorted(logs, key=lambda entry: (entry["blockNumber"], entry["logIndex"])):
            rows[int(log["args"]["roundId"])] = {"submission_hash": "0x" + bytes(log["args"]["submissionHash"]).hex()}
        result = []
        for round_id, row in sorted(rows.items(), reverse=True):
            position = self.stake_of(round_id, account)
            result.append({"round": round_id, "amount_wei": position["amount"],
                           "confidence": f"{position['confidence'] / 10**18:g}",
                           "submission_hash": row["submission_hash"], "settled": position["status"] != "active",
                           "status": position["status"]})
        return result

    def settlements(self, round_id: int) -> dict[str, dict[str, Any]]:
        """StakeSettled events of a round: staker -> burned, rewarded, tx hash."""
        logs = self._read(
            lambda: self.escrow.events.StakeSettled.get_logs(from_block=self.from_block, argument_filters={"roundId": round_id})
        )
        return {
            log["args"]["staker"]: {
                "burned": int(log["args"]["burned"]),
                "usd_reward": int(log["args"]["usdReward"]),
                "nmr_reward": int(log["args"]["nmrReward"]),
                "tx_hash": _tx_hash(log),
            }
            for log in logs
        }

    def prizes(self, round_id: int) -> dict[str, dict[str, Any]]:
        """PrizePaid events of a round: winner -> usd, nmr, tx hash."""
        logs = self._read(
            lambda: self.escrow.events.PrizePaid.get_logs(from_block=self.from_block, argument_filters={"roundId": round_id})
        )
        return {
            log["args"]["winner"]: {"usd": int(log["args"]["usdPrize"]), "nmr": int(log["args"]["nmrPrize"]),
                                    "tx_hash": _tx_hash(log)}
            for log in logs
        }

    def finalization(self, round_id: int) -> dict[str, Any] | None:
        """The RoundFinalized event of a round (funder, usd/nmr returned), or None."""
        logs = self._read(
            lambda: self.escrow.events.RoundFinalized.get_logs(from_block=self.from_block,
                                                               argument_filters={"roundId": round_id})
        )
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

    def public_info(self, public_rpc_url: str | None = None) -> dict[str, Any]:
        """What a wallet page or the client needs: chain id, RPC, addresses and ABIs."""
        return {
            "chain_id": self.chain_id,
            "rpc_url": public_rpc_url,
            "treasury": self.deployments.get("treasury"),
            "token": {"address": self.token.address, "abi": self.deployments["NumeraireToken"]["abi"]},
            "usd": {"address": self.usd.address, "abi": self.usd.abi, "decimals": self.usd_decimals,
                    "symbol": self.deployments["USD"].get("symbol", "USD")},
            "escrow": {"address": self.escrow.address, "abi": self.deployments["TournamentEscrow"]["abi"]},
        }

    # ---- writing (a staker with a local key) -------------------------------------------

    def stake(self, round_id: int, amount: int, confidence: int, submission_hash: str) -> dict:
        """Approves exactly `amount` and stakes it on `submission_hash` (two transactions),
        as the holder of this Chain's key. Reverts come back as sentences."""
        try:
            hash_bytes = bytes.fromhex(submission_hash.removeprefix("0x"))
        except ValueError:
            hash_bytes = b""
        if len(hash_bytes) != 32:
            raise ChainError(f"submission hash must be 32 bytes of hex, got {submission_hash!r}")
        self.transact(self.token.functions.approve(self.escrow.address, amount), "approve")
        return self.transact(self.escrow.functions.stake(round_id, amount, confidence, hash_bytes),
                             f"stake({round_id})")

    def withdraw_stake(self, round_id: int) -> dict:
        """The escape hatch: takes back an unsettled stake after the round's deadline."""
        return self.transact(self.escrow.functions.withdrawStake(round_id), f"withdrawStake({round_id})")

    # ---- writing (the oracle) ----------------------------------------------------------

    def create_round(self, round_id: int, closes_at: int, resolves_by: int) -> dict:
        """Opens a round on chain (with no pools: funding is the funder's)."""
        return self.transact(self.escrow.functions.createRound(round_id, closes_at, resolves_by),
                             f"createRound({round_id})")

    def max_resolution_delay(self) -> int:
        """The escrow's longest allowed time from a round's close to its oracle deadline."""
        return int(self._read(lambda: self.escrow.functions.maxResolutionDelay().call()))

    # ---- writing (a funder: the treasury or a sponsor) ---------------------------------

    def mint(self, to: str, amount: int) -> dict:
        """Mints NMR within the weekly schedule (the signer needs MINTER_ROLE)."""
        return self.transact(self.token.functions.mint(to_checksum_address(to), amount), "mint")

    def fund_round(self, round_id: int, usd_staking: int, usd_prize: int, nmr: int) -> dict:
        """Pays the round's pools from this Chain's key: exact approvals, then fundRound."""
        if usd_staking + usd_prize:
            self.transact(self.usd.functions.approve(self.escrow.address, usd_staking + usd_prize), "approve USD")
        if nmr:
            self.transact(self.token.functions.approve(self.escrow.address, nmr), "approve NMR")
        return self.transact(self.escrow.functions.fundRound(round_id, usd_staking, usd_prize, nmr),
                             f"fundRound({round_id})")

    # ---- writing (the oracle) ----------------------------------------------------------

    def settle(self, round_id: int, entries: list[tuple[str, int, int, int]],
               on_sent: Callable[[str], None] | None = None) -> dict:
        """Posts one settlement batch of (staker, burn, usd reward, nmr reward); `on_sent`
        gets its hash before the wait."""
        return self.transact(self.escrow.functions.settle(round_id, [tuple(e) for e in entries]),
                             f"settle({round_id}, {len(entries)} stakers)", on_sent=on_sent)

    def pay_prizes(self, round_id: int, prizes: list[tuple[str, int, int]],
                   on_sent: Callable[[str], None] | None = None) -> dict:
        """Posts the round's prizes, (winner, usd, nmr), sorted by address as the escrow requires."""
        ordered = sorted(((to_checksum_address(w), u, n) for w, u, n in prizes), key=lambda p: int(p[0], 16))
        return self.transact(self.escrow.functions.payPrizes(round_id, ordered),
                             f"payPrizes({round_id}, {len(ordered)} winners)", on_sent=on_sent)

    def finalize(self, round_id: int) -> dict:
        """Returns the round's unspent pools to its funder."""
        return self.transact(self.escrow.functions.finalize(round_id), f"finalize({round_id})")

    def transact(self, call: Any, description: str, timeout: float = 120,
                 on_sent: Callable[[str], None] | None = None) -> dict:
        """Signs `call` with the configured key, sends it and waits for its receipt.

        Gas is estimated first, so a transaction that would revert is never sent and its
        custom error comes back as a :class:`ContractRevert` sentence. `on_sent` receives
        the hash as soon as the node has the transaction, before the wait, so a caller
        can record it and find it again after a crash (see :meth:`wait_for`).
        """
        if self.signer is None:
            raise ChainError(f"{description} needs a signing key (the oracle's: NMR_ORACLE_PRIVATE_KEY or NMR_ORACLE_KEYSTORE)")
        sender = self.signer.address
        try:
            gas = call.estimate_gas({"from": sender})
            tx = call.build_transaction({
                "from": sender,
                "nonce": self.w3.eth.get_transaction_count(sender, "pending"),
                "gas": int(gas * 1.2) + 10_000,
                "chainId": self.w3.eth.chain_id,
                **self._fees(),
            })
            signed = self.signer.sign_transaction(tx)
            tx_hash = "0x" + bytes(self.w3.eth.send_raw_transaction(signed.raw_transaction)).hex().removeprefix("0x")
        except (ContractCustomError, ContractLogicError) as exc:
            raise self.revert_error(exc, description) from exc
        except ChainError:
            raise
        except Exception as exc:
            raise ChainUnavailable(f"{description}: the chain did not answer ({type(exc).__name__}: {exc})") from exc
        if on_sent is not None:
            on_sent(tx_hash)
        return self.wait_for(tx_hash, description, timeout)

    def wait_for(self, tx_hash: str, description: str, timeout: float = 120) -> dict:
        """The receipt of a sent transaction: ``tx_hash``, ``gas_used``, ``block``."""
        try:
            receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=timeout)
        except TimeExhausted as exc:
            raise ChainError(f"{description}: no receipt for {tx_hash} after {timeout:.0f} s; "
                             "it may still be mined, rerun to resume") from exc
        except Exception as exc:
            raise ChainUnavailable(f"{description}: the chain did not answer ({type(exc).__name__}: {exc})") from exc
        if receipt["status"] != 1:
            raise ContractRevert(f"{description} ({tx_hash}) reverted in block {receipt['blockNumber']}")
        return {"tx_hash": tx_hash, "gas_used": int(receipt["gasUsed"]), "block": int(receipt["blockNumber"])}

    def _fees(self) -> dict[str, int]:
        block = self.w3.eth.get_block("latest")
        base = block.get("baseFeePerGas")
        if base is None:
            return {"gasPrice": self.w3.eth.gas_price}
        tip = 10**9
        return {"maxPriorityFeePerGas": tip, "maxFeePerGas": 2 * int(base) + tip}

    # ---- errors ------------------------------------------------------------------------

    def revert_error(self, exc: Exception, description: str = "call") -> ContractRevert:
        """A :class:`ContractRevert` with the custom error decoded into a sentence."""
        data = getattr(exc, "data", None)
        if isinstance(data, dict):
            data = data.get("data") or data.get("result")
        name, args = self.decode_error(data if isinstance(data, str) else None)
        if name is None:
            return ContractRevert(f"{description} reverted: {getattr(exc, 'message', None) or exc}")
        sentence = ERROR_SENTENCES.get(name) if args or name in NO_ARGUMENT_ERRORS else None
        detail = sentence(args) if sentence else f"{name}({', '.join(f'{k}={v}' for k, v in args.items())})"
        return ContractRevert(f"{description} reverted: {detail} [{name}]", name, args)

    def decode_error(self, data: str | None) -> tuple[str | None, dict]:
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
        return name, {n: (v.hex() if isinstance(v, bytes) else v) for n, v in zip(names, values)}


def _tx_hash(log: Any) -> str:
    return "0x" + bytes(log["transactionHash"]).hex().removeprefix("0x")


def _error_table(abi: Iterable[dict]) -> dict[str, tuple[str, list[str], list[str]]]:
    table = {}
    for item in abi:
        if item.get("type") != "error":
            continue
        types = [i["type"] for i in item["inputs"]]
        selector = "0x" + function_signature_to_4byte_selector(f"{item['name']}({','.join(types)})").hex()
        table[selector] = (item["name"], [i["name"] for i in item["inputs"]], types)
    return table


def load_signer(private_key: str | None, keystore_file: str | Path | None, password: str | None) -> Any | None:
    """An eth-account signer from a raw key or an encrypted keystore file (or None)."""
    if private_key:
        try:
            return Account.from_key(private_key)
        except Exception as exc:
            raise ChainError("the oracle private key is not a valid 32-byte hex key") from exc
    if keystore_file:
        path = Path(keystore_file)
        if not path.is_file():
            raise ChainError(f"keystore file {path} not found")
        try:
            return Account.from_key(Account.decrypt(json.loads(path.read_text()), password or ""))
        except ValueError as exc:
            raise ChainError(f"cannot decrypt keystore {path}: wrong password?") from exc
    return None


def key_from_mnemonic(mnemonic: str, index: int) -> str:
    """The private key of account `index` of a development mnemonic (Ganache's wallet)."""
    Account.enable_unaudited_hdwallet_features()
    return Account.from_mnemonic(mnemonic, account_path=f"m/44'/60'/0'/0/{index}").key.hex()


# ---- Flask wiring ----------------------------------------------------------------------


class LazyChain:
    """Connects on first use, so the app starts (and pages render) while the node is down."""

    def __init__(self, config: dict):
        self._config = config
        self._chain: Chain | None = None

    def get(self) -> Chain:
        if self._chain is None:
            self._chain = Chain.connect(
                self._config["RPC_URL"],
                self._config["DEPLOYMENTS_FILE"],
                private_key=self._config.get("ORACLE_PRIVATE_KEY") or None,
                keystore_file=self._config.get("ORACLE_KEYSTORE") or None,
                keystore_password=self._config.get("ORACLE_KEYSTORE_PASSWORD") or None,
            )
        return self._chain

    def __getattr__(self, name: str) -> Any:
        return getattr(self.get(), name)


def init_app(app: Any) -> None:
    """Registers ``app.extensions["chain"]`` (lazy)."""
    app.extensions["chain"] = LazyChain(app.config)


def get_chain() -> Chain:
    """The app's chain (inside an application context)."""
    from flask import current_app

    return current_app.extensions["chain"].get()


# ---- deployment ------------------------------------------------------------------------


def deploy_contracts(
    w3: Web3,
    admin_key: str,
    oracle: str,
    pauser: str,
    artifacts_dir: str | Path,
    out_file: str | Path,
    demo_stakers: Iterable[str] = (),
    stake_funds: int = 10_000 * 10**18,
    treasury_mint: int = 1_000_000 * 10**18,
    usd_address: str | None = None,
    treasury_usd: int = 10_000_000 * 10**USD_DECIMALS_LOCAL,
    staker_usd: int = 1_000 * 10**USD_DECIMALS_LOCAL,
    admin_transfer_delay: int = 2 * 24 * 3600,
    max_resolution_delay: int = 7 * 24 * 3600,
) -> dict[str, Any]:
    """Deploys NumeraireToken and TournamentEscrow (and, unless `usd_address` names an
    existing stablecoin, a 6-decimal TestUSD) from Brownie's build artifacts, grants the
    oracle and pauser roles, mints the initial NMR disbursement (treasury = admin, minus
    `stake_funds` for each demo staker), funds the treasury and demo stakers with TestUSD,
    and writes the deployments file the app reads. The treasury approves nothing: it pays
    each round's pools itself (fundRound). Used by scripts/deploy.py and `make run`."""
    artifacts = Path(artifacts_dir)
    admin = Account.from_key(admin_key)
    stakers = [to_checksum_address(s) for s in demo_stakers]

    def artifact(name: str) -> dict:
        path = artifacts / f"{name}.json"
        if not path.is_file():
            raise ChainError(f"{path} missing: compile the contracts first (`make compile`)")
        return json.loads(path.read_text())

    def send(tx: dict) -> dict:
        tx.update({"nonce": w3.eth.get_transaction_count(admin.address), "chainId": w3.eth.chain_id})
        tx["gas"] = int(tx["gas"] * 1.2)
        receipt = w3.eth.wait_for_transaction_receipt(
            w3.eth.send_raw_transaction(admin.sign_transaction(tx).raw_transaction))
        if receipt["status"] != 1:
            raise ChainError(f"deployment transaction reverted in block {receipt['blockNumber']}")
        return receipt

    def create(name: str, *args: Any) -> tuple[Any, dict]:
        build = artifact(name)
        factory = w3.eth.contract(abi=build["abi"], bytecode=build["bytecode"])
        receipt = send(factory.constructor(*args).build_transaction({"from": admin.address}))
        return w3.eth.contract(address=receipt["contractAddress"], abi=build["abi"]), receipt

    def call(fn: Any) -> None:
        send(fn.build_transaction({"from": admin.address}))

    token, token_receipt = create("NumeraireToken", admin.address, admin_transfer_delay)
    if usd_address:
        usd = w3.eth.contract(address=to_checksum_address(usd_address), abi=ERC20_ABI)
    else:
        usd, _ = create("TestUSD", admin.address)
        call(usd.functions.mint(admin.address, treasury_usd))
        for staker in stakers:
            call(usd.functions.mint(staker, staker_usd))
    escrow, _ = create("TournamentEscrow", token.address, usd.address, admin.address, admin_transfer_delay,
                       max_resolution_delay)
    call(escrow.functions.grantRole(escrow.functions.ORACLE_ROLE().call(), to_checksum_address(oracle)))
    call(escrow.functions.grantRole(escrow.functions.PAUSER_ROLE().call(), to_checksum_address(pauser)))
    call(token.functions.mint(admin.address, treasury_mint - stake_funds * len(stakers)))
    for staker in stakers:
        call(token.functions.mint(staker, stake_funds))

    record = {
        "chain_id": w3.eth.chain_id,
        "deployed_at_block": token_receipt["blockNumber"],
        "treasury": admin.address,
        "admin": admin.address,
        "oracle": to_checksum_address(oracle),
        "pauser": to_checksum_address(pauser),
        "max_resolution_delay": max_resolution_delay,
        "NumeraireToken": {"address": token.address, "abi": token.abi},
        "USD": {"address": usd.address, "abi": usd.abi, "decimals": int(usd.functions.decimals().call()),
                "symbol": usd.functions.symbol().call()},
        "TournamentEscrow": {"address": escrow.address, "abi": escrow.abi},
    }
    out = Path(out_file)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=2))
    return record


# ---- the client (a data scientist's own key) ---------------------------------------------


def chain_from_public_info(
    info: dict[str, Any],
    rpc_url: str | None = None,
    signer: Any | None = None,
    private_key: str | None = None,
    keystore_file: str | Path | None = None,
    password: str | None = None,
    timeout: float = 30,
) -> Chain:
    """A :class:`Chain` built from ``GET /api/v1/chain`` (addresses and ABIs), talking to
    `rpc_url` (default: the one the server publishes) and signing with a local key: a
    `signer` from :func:`load_signer`, a raw `private_key` or a `keystore_file`. The key
    never leaves this process; only signed transactions are sent to the node."""
    url = rpc_url or info.get("rpc_url")
    if not url:
        raise ChainError("the server publishes no RPC URL; set one (NMR_RPC_URL)")
    deployments = {
        "chain_id": int(info["chain_id"]),
        "deployed_at_block": 0,
        "treasury": info.get("treasury"),
        "NumeraireToken": info["token"],
        "USD": info["usd"],
        "TournamentEscrow": info["escrow"],
    }
    w3 = Web3(HTTPProvider(url, request_kwargs={"timeout": timeout}))
    try:
        chain_id = w3.eth.chain_id
    except Exception as exc:  # requests/connection errors of any kind
        raise ChainUnavailable(f"the chain at {url} did not answer ({type(exc).__name__}); is the node running?") from exc
    if chain_id != deployments["chain_id"]:
        raise ChainError(f"the tournament is on chain {deployments['chain_id']} but {url} is chain {chain_id}")
    if signer is None:
        try:
            signer = load_signer(private_key, keystore_file, password)
        except ChainError as exc:
            raise ChainError(str(exc).replace("the oracle private key", "the private key")) from None
    return Chain(w3, deployments, signer)


def sign_personal_message(signer: Any, text: str) -> str:
    """``personal_sign`` of `text` (EIP-191) by a local `signer` or raw private key, as 0x hex."""
    if isinstance(signer, str):
        signer = load_signer(signer, None, None)
    from eth_account.messages import encode_defunct

    signature = signer.sign_message(encode_defunct(text=text)).signature.hex()
    return "0x" + signature.removeprefix("0x")


def sign_permit(
    signer: Any, token_address: str, chain_id: int, spender: str, value: int, nonce: int, deadline: int
) -> tuple[int, bytes, bytes]:
    """An EIP-2612 permit for NMR ("Numeraire", version "1") signed by `signer` (an
    eth-account LocalAccount), as (v, r, s) for stakeWithPermit."""
    from eth_account.messages import encode_typed_data

    domain = {"name": "Numeraire", "version": "1", "chainId": chain_id, "verifyingContract": token_address}
    types = {
        "Permit": [
            {"name": "owner", "type": "address"},
            {"name": "spender", "type": "address"},
            {"name": "value", "type": "uint256"},
            {"name": "nonce", "type": "uint256"},
            {"name": "deadline", "type": "uint256"},
        ]
    }
    message = {"owner": signer.address, "spender": spender, "value": value, "nonce": nonce, "deadline": deadline}
    signed = signer.sign_message(encode_typed_data(domain, types, message))
    return signed.v, signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big")
