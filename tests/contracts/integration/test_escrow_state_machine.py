"""Stateful test of NMR, the USD stablecoin and the escrow, against a Python model.

Rules: rounds created by the oracle naming their funder (and refused: an existing id, a
schedule out of bounds, a stranger), funded by that funder (and refused: anyone else,
nothing, a closed round, while paused), stakes, top-ups and permit stakes (and refused:
closed, paused, a lowered confidence, a zero hash) on several models per wallet (0, 1 and
the widest model number: each (staker, model) is its own position), the oracle's commitment of a round's
plan (its settle batches and prize list, valid or breaking one bound in turn; refused: a
stranger, too late, twice), the committed batches posted in order after the challenge
window (and refused: during the window, while disputed, a batch not committed, every bound
a committed batch breaks), prize lists likewise (unsorted, duplicate, zero address, 101
winners, past a pool, a second list), disputes with a bond and the guardian's rulings
(upheld: the round voids; rejected: the bond burns), finalize (an unruled dispute's bond
back), the escape hatch (also while paused, at once in a voided round), pause and unpause,
the minter's weekly schedule, burns, time, and rolling stakes: positions put on rolling (or
taken off; refused for a position not active) move what they keep at settlement into the
same model's position in the newest round while it is open and staking is not paused
(otherwise, or for an entry the plan releases, to the wallet), and a rolled-in position
settles, rolls again or comes back through the escape hatch like any other. Every rule sends
its transaction, the refused ones too: the model predicts each outcome from the timestamp
of the block that mined it, and a predicted refusal must carry the exact custom error.

Invariants, read from the chain after every step (not from the model):
- each token's escrow balance == the round's unsettled stakes (NMR) + the unspent pools
  of unfinalized rounds + the bonds of open disputes, summed over the rounds' getRound views;
- NMR totalSupply == totalMinted - burned (mints and burns counted from Transfer logs),
  totalMinted <= CAP, and the escrow's burns == the rounds' totalBurned + rejected bonds;
- no stake settled or withdrawn twice and no prize list paid twice (the escrow's events),
  every closed stake's status matching its one event (a rolled-away position reads as
  empty: its slot was deleted, and its one StakeSettled event names the round it went to);
- the escrow pays nobody outside a round's plan: every Transfer out of the escrow belongs
  to a transaction whose recipients and amounts the machine chose beforehand (the stakers
  of the batch, the prize winners, the round's funder, the withdrawing staker, the
  disputer);
- no batch is settled unless committed: every settle and payPrizes that lands posts the
  batch whose hash the chain holds at the index it reports (BatchPosted);
- a voided round paid nothing (no burn, no reward, no prize) and returned every pool, and
  each of its stakes comes back in full;
- every pool's paid <= pool, burned <= settled stake <= total staked;
- the views of every round, stake and wallet a step touched equal the model, and each
  touched round's totalStaked, settledStake, stakerCount and settledCount equal the sums
  over its positions as getStake(round, staker, model) reads them from the chain.
Teardown: past every deadline and while paused, every unsettled stake is withdrawn, every
round finalizes, the escrow ends empty of both tokens and every wallet equals the model.

`make test` runs the brownie-config step count (hypothesis.stateful_step_count) over
STATEFUL_EXAMPLES examples (default 12). `make test-long` sets STATEFUL_EXAMPLES,
STATEFUL_STEPS and STATEFUL_MIN_STEPS=10000: Hypothesis draws each example's length (one
run of 250 x 50 executed 7,451 steps), so the machine is rerun until that many steps were
executed (at most MAX_RUNS runs; the test fails if still fewer). The
steps run, how often each rule and outcome occurred and those seen in under 1% of the
steps are printed.
"""

import os
import random
from collections import Counter
from dataclasses import dataclass, field

import brownie
from brownie import chain, web3
from brownie.exceptions import VirtualMachineError
from brownie.test import strategy
from hypothesis import HealthCheck

from client.core.money.batches import (
    batch_hashes,
    prize_list_hash,
    settle_batch_hash,
)
from tests.contracts.helpers import (
    ACTIVE,
    CHALLENGE_WINDOW,
    DATASET_DIGEST,
    DISPUTE_BOND,
    MAX_CONFIDENCE,
    MAX_PRIZE_WINNERS,
    MAX_RESOLUTION_DELAY,
    NMR,
    NONE,
    RESULTS_DIGEST,
    RULING_PERIOD,
    SETTLED,
    USD,
    WAD,
    WEEK,
    WITHDRAWN,
    address_topic,
    b32,
    bid,
    chain_now,
    event_topic,
    hex0x,
    role_error,
)

EXAMPLES = int(os.environ.get("STATEFUL_EXAMPLES", "12"))
STEPS = int(os.environ["STATEFUL_STEPS"]) if os.environ.get("STATEFUL_STEPS") else None
MIN_STEPS = int(os.environ.get("STATEFUL_MIN_STEPS", "0"))
MAX_RUNS = 100  # the long mode's bound on reruns; each adds hundreds of steps
MAX_ROUNDS = 10
HASH = b"\x5a" * 32
ZERO_HASH = bytes(32)
# The models a wallet stakes on: its first (0), a second (1) and the widest uint32.
MODELS = (0, 1, 2**32 - 1)
POOLS = ("usd staking", "usd prize", "nmr")
STAKING, PRIZE, NMR_POOL = range(3)
INITIAL, WEEKLY, CAP = 1_000_000 * NMR, 96_153_846153846153846153, 21_000_000 * NMR
# Prize winners need no key: two wallets that never stake, beside the stakers.
FANS = [brownie.convert.to_address("0x" + "f4" * 20), brownie.convert.to_address("0x" + "0f" * 20)]
TOO_MANY = sorted((f"0x{0xC0FFEE0000 + i:040x}" for i in range(MAX_PRIZE_WINNERS + 1)), key=lambda a: int(a, 16))

TRANSFER = event_topic("Transfer(address,address,uint256)")
SETTLED_TOPIC = event_topic("StakeSettled(uint256,address,uint32,uint256,uint256,uint256,uint256)")
WITHDRAWN_TOPIC = event_topic("StakeWithdrawn(uint256,address,uint32,uint256)")
PRIZE_PAID_TOPIC = event_topic("PrizePaid(uint256,address,uint256,uint256)")
AWARDED_TOPIC = event_topic("PrizesAwarded(uint256,uint256,uint256,uint256)")
ZERO_TOPIC = address_topic(brownie.ZERO_ADDRESS)

# What the run did, printed at the end.
STATS = Counter()


def _address(topic):
    return web3.to_checksum_address("0x" + hex0x(topic)[-40:])


def _by_address(address):
    return int(address, 16)


# The model's status of a position whose NMR rolled into a later round: closed here, and
# read from the chain as an empty position (the escrow deletes its slot).
ROLLED = 4


@dataclass
class StakeModel:
    amount: int = 0
    confidence: int = 0
    status: int = NONE
    rolls: bool = False

    def view(self):
        """getStake as the chain answers it."""
        if self.status == ROLLED:
            return [0, 0, NONE, 0]
        return [self.amount, self.confidence, self.status, int(self.rolls)]


@dataclass
class RoundModel:
    closes_at: int
    resolves_by: int
    funder: str
    pools: list = field(default_factory=lambda: [0, 0, 0])
    paid: list = field(default_factory=lambda: [0, 0, 0])
    stakes: dict = field(default_factory=dict)  # (staker, model) -> StakeModel
    burned: int = 0
    settled_stake: int = 0
    prizes_paid: bool = False
    finalized: bool = False
    # The commitment: settle batches and prize list as the oracle committed them.
    batches: list | None = None
    prizes: list | None = None
    challenge_ends_at: int = 0
    posted: int = 0
    disputer: str | None = None
    voided: bool = False

    @property
    def committed(self):
        return self.batches is not None

    def hashes(self):
        return batch_hashes(self.batches, self.prizes) if self.committed else []

    def stake(self, position):
        """The (staker, model) position's model (an empty one if never staked)."""
        return self.stakes.get(position, StakeModel())

    def active(self):
        return [key for key, p in self.stakes.items() if p.status == ACTIVE]

    def closed_stakes(self):
        return [key for key, p in self.stakes.items() if p.status in (SETTLED, WITHDRAWN, ROLLED)]

    def rolled_away(self):
        return [p for p in self.stakes.values() if p.status == ROLLED]

    def left(self, pool):
        return self.pools[pool] - self.paid[pool]

    def in_window(self, timestamp):
        return self.closes_at <= timestamp < self.resolves_by

    def view(self):
        """getRound as the model sees it."""
        return {
            "closesAt": self.closes_at,
            "resolvesBy": self.resolves_by,
            "funder": self.funder or brownie.ZERO_ADDRESS,
            "usdStakingPool": self.pools[STAKING],
            "usdStakingPaid": self.paid[STAKING],
            "usdPrizePool": self.pools[PRIZE],
            "usdPrizePaid": self.paid[PRIZE],
            "nmrPool": self.pools[NMR_POOL],
            "nmrPaid": self.paid[NMR_POOL],
            "totalStaked": sum(p.amount for p in self.stakes.values()),
            "settledStake": self.settled_stake,
            "totalBurned": self.burned,
            "stakerCount": len(self.stakes),
            "settledCount": len(self.closed_stakes()),
            "prizesPaid": self.prizes_paid,
            "finalized": self.finalized,
            "datasetDigest": hex0x(DATASET_DIGEST),
            "resultsDigest": hex0x(RESULTS_DIGEST if self.committed else bytes(32)),
            "challengeEndsAt": self.challenge_ends_at,
            "batchCount": len(self.hashes()),
            "batchesSettled": self.posted,
            "disputer": self.disputer or brownie.ZERO_ADDRESS,
            "voided": self.voided,
            "usdCredited": 0,  # TestUSD refuses no payee (test_usd_credits.py covers credits)
        }


# The least time before resolvesBy a commitment needs: the window, then the ruling period.
LEAD = CHALLENGE_WINDOW + RULING_PERIOD


class EscrowStateMachine:
    st_closes_in = strategy("uint32", min_value=600, max_value=3 * 86400)
    st_window = strategy("uint32", min_value=LEAD + 1, max_value=MAX_RESOLUTION_DELAY)
    st_usd = strategy("uint256", max_value=5_000 * USD)
    st_nmr = strategy("uint256", max_value=2_000 * NMR)
    st_amount = strategy("uint256", min_value=1, max_value=2_000 * NMR)
    st_confidence = strategy("uint64", min_value=WAD // 20, max_value=18 * WAD)
    st_move = strategy("int8", min_value=-1, max_value=2)
    st_index = strategy("uint8")
    st_seed = strategy("uint32")
    st_fraction = strategy("uint16", max_value=1_250)
    st_mantissa = strategy("uint8", min_value=1, max_value=9)
    st_exponent = strategy("uint8", min_value=2, max_value=4)

    def __init__(cls, nmr, usd, escrow, roles, funders, stakers, permit_accounts, rando, sign_permit):
        # Brownie calls this once on the machine class; each example then starts from the
        # chain snapshot taken right after it, so these balances hold for every example.
        cls.nmr, cls.usd, cls.escrow = nmr, usd, escrow
        cls.oracle, cls.pauser, cls.minter = roles["oracle"], roles["pauser"], roles["minter"]
        cls.guardian = roles["guardian"]
        cls.funders = list(funders)
        cls.rando = rando
        cls.plain_stakers = list(stakers)
        cls.permit_keys = {account.address: key for key, account in permit_accounts}
        cls.permit_stakers = [account for _, account in permit_accounts]
        cls.accounts = {a.address: a for a in [*cls.plain_stakers, *cls.permit_stakers, *cls.funders, rando]}
        cls.candidates = sorted([*(s.address for s in cls.plain_stakers + cls.permit_stakers), *FANS], key=_by_address)
        tracked = [*cls.accounts, *FANS]
        cls.start_wallets = {a: (nmr.balanceOf(a), usd.balanceOf(a)) for a in tracked}
        cls.start_minted, cls.start_supply = nmr.totalMinted(), nmr.totalSupply()
        cls.deployed_at = nmr.deployedAt()
        assert (chain_now() - cls.deployed_at) // WEEK == 0, "the fixtures mint in week 0"
        cls.sign_permit = staticmethod(sign_permit)

    def setup(self):
        self.rounds = {}
        self.wallets = {a: list(w) for a, w in self.start_wallets.items()}
        self.paused = False
        self.minted = self.start_minted
        self.week_used = {0: self.start_minted}
        self.plans = {}  # tx hash -> Counter{(recipient, token): amount} the machine chose
        self.closings = Counter()  # (roundId, (staker, model)) -> StakeSettled + StakeWithdrawn events
        self.prize_lists = Counter()  # roundId -> PrizesAwarded events
        self.log_burned = self.log_minted = self.escrow_burned = self.bonds_burned = 0
        self.cursor = web3.eth.block_number
        self.dirty_rounds, self.dirty_stakes, self.dirty_wallets = set(), set(), set()
        STATS["examples"] += 1

    # ---- helpers ---------------------------------------------------------------------

    def _step(self, name):
        STATS["steps"] += 1
        STATS[f"rule:{name}"] += 1

    def _send(self, method, *args):
        """(receipt or None, revert message, timestamp of the block that mined it)."""
        STATS["transactions"] += 1
        try:
            tx = method(*args)
        except VirtualMachineError as exc:
            STATS["reverted"] += 1
            return None, exc.revert_msg, web3.eth.get_block("latest")["timestamp"]
        return tx, None, tx.timestamp

    def _expect(self, error, expected, label):
        assert error == expected, f"{label}: model expected {expected!r}, contract said {error!r}"
        STATS[f"{label}:{'ok' if expected is None else expected.split(':')[0]}"] += 1

    def _plan(self, tx, payments):
        """Records what the escrow may pay in `tx`: [(recipient, token, amount)]."""
        plan = Counter()
        for recipient, token, amount in payments:
            if amount:
                plan[(str(recipient), token.address)] += amount
        self.plans[tx.txid] = plan

    def _pick(self, index, ids=None):
        ids = sorted(self.rounds) if ids is None else ids
        return ids[index % len(ids)] if ids else None

    def _open_ids(self, margin=5):
        return [rid for rid in sorted(self.rounds) if chain_now() < self.rounds[rid].closes_at - margin]

    def _touch(self, round_id=None, *addresses):
        """Marks the round, every position of `addresses` in it, and their wallets, for the
        views check."""
        if round_id in self.rounds:
            self.dirty_rounds.add(round_id)
            self.dirty_stakes.update((round_id, k) for k in self.rounds[round_id].stakes if k[0] in addresses)
        self.dirty_wallets.update(a for a in addresses if a in self.wallets)

    def _move_to_window(self, round_id):
        """The oracle waits for closesAt: time moves there if the round is still open."""
        round_ = self.rounds[round_id]
        if chain_now() < round_.closes_at:
            chain.sleep(round_.closes_at - chain_now())

    # ---- rounds: create and fund -------------------------------------------------------

    def initialize_first_round(self, closes_in="st_closes_in", window="st_window", usd="st_usd", nmr="st_nmr",
                               amount="st_amount", confidence="st_confidence"):
        """Every example starts with a funded round holding one stake, so that settle,
        prizes, withdraw and finalize have something to act on from the first step."""
        self._step("first_round")
        self._create(closes_in, window, self.funders[0])
        self._fund(1, self.funders[0], usd, usd // 3, nmr)
        model = MODELS[amount % len(MODELS)]
        self._plain_stake(1, self.plain_stakers[0], amount, confidence, model=model)
        if confidence % 2:  # half the examples start with a rolling position
            self._set_rolling(1, (self.plain_stakers[0].address, model), True)

    def _new_round(self, closes_in, window, who, usd, nmr):
        """A new round, funded by the treasury or a sponsor (one in five left unfunded)."""
        STATS["action:open_round"] += 1
        if len(self.rounds) >= MAX_ROUNDS:
            self._create_invalid(who * 7919 + closes_in, closes_in, window)
            return
        round_id = self._create(closes_in, window, self.funders[who % 2])
        if who % 5 != 4:
            self._fund(round_id, self.funders[who % 2], usd, usd // (1 + who % 4), nmr)

    def _create(self, closes_in, window, funder):
        round_id = len(self.rounds) + 1
        closes_at = chain_now() + closes_in
        _, error, _ = self._send(self.escrow.createRound, round_id, closes_at, closes_at + window, funder,
                                 DATASET_DIGEST, {"from": self.oracle})
        self._expect(error, None, "create")
        self.rounds[round_id] = RoundModel(closes_at, closes_at + window, funder.address)
        self._touch(round_id)
        return round_id

    def _create_invalid(self, seed, closes_in, window):
        """createRound refused: an existing id, a deadline past the bound, a close in the
        past, a deadline before the close, a caller without the role, a deadline too soon
        after the close for the window and a ruling."""
        STATS["action:create_invalid"] += 1
        kind = random.Random(seed).randrange(6)
        if kind == 0 and not self.rounds:
            kind = 1
        round_id, caller = len(self.rounds) + 1, self.oracle
        closes_at = chain_now() + closes_in
        resolves_by = closes_at + window
        if kind == 0:
            round_id = self._pick(window)
        elif kind == 1:
            resolves_by = closes_at + MAX_RESOLUTION_DELAY + 1 + window
        elif kind == 2:
            closes_at = chain_now() - closes_in
            resolves_by = closes_at + window
        elif kind == 3:
            resolves_by = closes_at - window % 2
        elif kind == 5:  # no room for the window and a ruling before the deadline
            resolves_by = closes_at + 1 + window % LEAD
        else:
            caller = self.rando
        if kind == 0:
            expected = f"TournamentEscrowRoundExists: {round_id}"
        elif kind == 4:
            expected = role_error(self.rando, self.escrow.ORACLE_ROLE())
        elif kind == 5:
            expected = f"TournamentEscrowResolutionTooShort: {resolves_by - closes_at}, {LEAD}"
        else:
            expected = f"TournamentEscrowInvalidSchedule: {closes_at}, {resolves_by}"
        _, error, _ = self._send(self.escrow.createRound, round_id, closes_at, resolves_by, self.funders[0],
                                 DATASET_DIGEST, {"from": caller})
        self._expect(error, expected, "create_invalid")

    def _fund_error(self, round_id, funder, usd_staking, usd_prize, nmr_pool, timestamp):
        round_ = self.rounds.get(round_id)
        if self.paused:
            return "EnforcedPause: "
        if round_ is None:
            return f"TournamentEscrowUnknownRound: {round_id}"
        if timestamp >= round_.closes_at:
            return f"TournamentEscrowRoundClosed: {round_id}, {round_.closes_at}"
        if round_.funder != funder:
            return f"TournamentEscrowNotFunder: {round_id}, {round_.funder.lower()}"
        if not (usd_staking or usd_prize or nmr_pool):
            return "TournamentEscrowZeroAmount: "
        return None

    def _fund(self, round_id, funder, usd_staking, usd_prize, nmr_pool, label="fund"):
        who = funder.address
        if usd_staking + usd_prize:
            self.usd.approve(self.escrow, usd_staking + usd_prize, {"from": funder})
        if nmr_pool:
            self.nmr.approve(self.escrow, nmr_pool, {"from": funder})
        tx, error, mined_at = self._send(
            self.escrow.fundRound, round_id, usd_staking, usd_prize, nmr_pool, {"from": funder}
        )
        self._expect(error, self._fund_error(round_id, who, usd_staking, usd_prize, nmr_pool, mined_at), label)
        if error is None:
            round_ = self.rounds[round_id]
            round_.funder = who
            for pool, amount in zip(range(3), (usd_staking, usd_prize, nmr_pool)):
                round_.pools[pool] += amount
            self.wallets[who][0] -= nmr_pool
            self.wallets[who][1] -= usd_staking + usd_prize
            assert [int(v) if isinstance(v, int) else str(v) for v in tx.events["RoundFunded"].values()] == [
                round_id, who, usd_staking, usd_prize, nmr_pool,
            ]
        self._touch(round_id, who)
        return error

    def _fund_existing(self, index, who, usd, nmr):
        """The funder adds to an open round's pools; a stranger to a funded round, nothing
        at all, or anyone after close, is refused."""
        STATS["action:fund"] += 1
        open_ids = self._open_ids()
        round_id = self._pick(index, open_ids if open_ids and index % 4 else None)
        if round_id is None:
            return
        round_ = self.rounds[round_id]
        funder = self.funders[who % 2]
        if round_.funder and who % 3:
            funder = self.accounts[round_.funder]  # mostly the round's own funder
        if who % 7 == 6:
            usd = nmr = 0
        self._fund(round_id, funder, usd, usd // 2, nmr)

    # ---- staking ---------------------------------------------------------------------

    def _stake_error(self, round_id, position, amount, confidence, submission, timestamp):
        round_ = self.rounds[round_id]
        if self.paused:
            return "EnforcedPause: "
        if timestamp >= round_.closes_at:
            return f"TournamentEscrowRoundClosed: {round_id}, {round_.closes_at}"
        if submission == ZERO_HASH:
            return "TournamentEscrowZeroSubmissionHash: "
        if confidence == 0 or confidence > MAX_CONFIDENCE:
            return f"TournamentEscrowInvalidConfidence: {confidence}"
        current = round_.stake(position).confidence  # the rule is per model
        if confidence < current:
            return f"TournamentEscrowConfidenceLowered: {round_id}, {current}, {confidence}"
        return None

    def _pick_staking_round(self, index):
        """Three times in four a round still open (opening one if none is and there is
        room), else any round: most stakes should land, some should hit a closed round."""
        open_ids = self._open_ids()
        if not open_ids and len(self.rounds) < MAX_ROUNDS and index % 4 != 3:
            round_id = self._create(86400, 2 * LEAD, self.funders[index % 2])
            self._fund(round_id, self.funders[index % 2], 1_000 * USD, 500 * USD, 500 * NMR)
            open_ids = [round_id]
        if open_ids and index % 4 != 3:
            return open_ids[(index // 4) % len(open_ids)]
        return self._pick(index)

    def _confidence_for(self, round_id, position, move, fresh):
        current = self.rounds[round_id].stake(position).confidence
        if current == 0:
            return fresh
        return {-1: current - 1, 0: current, 1: min(current + 1, MAX_CONFIDENCE)}.get(move, max(current, fresh))

    def _record_stake(self, tx, round_id, staker, model, amount, confidence, submission):
        position = self.rounds[round_id].stakes.setdefault((staker, model), StakeModel())
        position.amount += amount
        position.confidence = confidence
        position.status = ACTIVE
        self.wallets[staker][0] -= amount
        values = list(tx.events["Staked"].values())
        assert [int(values[0]), str(values[1]), int(values[2]), int(values[3]), int(values[4]),
                hex0x(values[5])] == [round_id, staker, model, amount, confidence, hex0x(submission)]
        STATS[f"stake:model {'0' if model == 0 else '1' if model == 1 else 'max'}"] += 1

    def _plain_stake(self, round_id, staker, amount, confidence, submission=HASH, model=0):
        amount = min(amount, self.wallets[staker.address][0])
        if amount == 0:
            return
        self.nmr.approve(self.escrow, amount, {"from": staker})
        tx, error, mined_at = self._send(
            self.escrow.stake, round_id, model, amount, confidence, submission, {"from": staker}
        )
        expected = self._stake_error(round_id, (staker.address, model), amount, confidence, submission, mined_at)
        self._expect(error, expected, "stake")
        if error is None:
            self._record_stake(tx, round_id, staker.address, model, amount, confidence, submission)
        self._touch(round_id, staker.address)

    def _first_stake(self, index, who, amount, confidence):
        STATS["action:first_stake"] += 1
        round_id = self._pick_staking_round(index)
        if round_id is None:
            return
        # A position not yet staked: a new wallet, or a staking wallet's next model.
        stakes = self.rounds[round_id].stakes
        fresh = [(s, m) for m in MODELS for s in self.plain_stakers if (s.address, m) not in stakes]
        staker, model = fresh[who % len(fresh)] if fresh else (self.plain_stakers[who % len(self.plain_stakers)], 0)
        self._plain_stake(round_id, staker, amount, confidence, ZERO_HASH if who % 11 == 10 else HASH, model)

    def _top_up(self, index, who, amount, move, confidence):
        STATS["action:top_up"] += 1
        round_id = self._pick_staking_round(index)
        if round_id is None:
            return
        holders = [(self.accounts[a], m) for a, m in self.rounds[round_id].stakes if self.accounts[a] in self.plain_stakers]
        if holders:
            staker, model = holders[who % len(holders)]
            confidence = self._confidence_for(round_id, (staker.address, model), move, confidence)
            self._plain_stake(round_id, staker, amount, confidence, model=model)

    def _permit_stake(self, index, who, amount, move, confidence):
        """First stake or top-up in one transaction, approved by a locally signed permit."""
        STATS["action:permit_stake"] += 1
        round_id = self._pick_staking_round(index)
        if round_id is None:
            return
        staker = self.permit_stakers[who % len(self.permit_stakers)]
        model = MODELS[(who // len(self.permit_stakers)) % len(MODELS)]
        amount = min(amount, self.wallets[staker.address][0])
        if amount == 0:
            return
        confidence = self._confidence_for(round_id, (staker.address, model), move, confidence)
        submission = ZERO_HASH if who % 13 == 12 else HASH
        nonce = self.nmr.nonces(staker)
        deadline, v, r, s = self.sign_permit(self.permit_keys[staker.address], amount, nonce=nonce)
        tx, error, mined_at = self._send(
            self.escrow.stakeWithPermit, round_id, model, amount, confidence, submission, deadline, v, r, s,
            {"from": staker},
        )
        expected = self._stake_error(round_id, (staker.address, model), amount, confidence, submission, mined_at)
        self._expect(error, expected, "permit")
        if error is None:
            self._record_stake(tx, round_id, staker.address, model, amount, confidence, submission)
            assert self.nmr.nonces(staker) == nonce + 1
            assert self.nmr.allowance(staker, self.escrow) == 0
        self._touch(round_id, staker.address)

    # ---- commitment, settlement and prizes ---------------------------------------------

    def _posting_error(self, round_id, timestamp):
        """What the escrow says before it looks at a batch: the round's own state."""
        round_ = self.rounds.get(round_id)
        if round_ is None:
            return f"TournamentEscrowUnknownRound: {round_id}"
        if timestamp < round_.closes_at:
            return f"TournamentEscrowRoundOpen: {round_id}, {round_.closes_at}"
        if timestamp >= round_.resolves_by:
            return f"TournamentEscrowSettlementWindowOver: {round_id}, {round_.resolves_by}"
        if round_.finalized:
            return f"TournamentEscrowAlreadyFinalized: {round_id}"
        if not round_.committed:
            return f"TournamentEscrowNotCommitted: {round_id}"
        if timestamp < round_.challenge_ends_at:
            return f"TournamentEscrowChallengeWindowOpen: {round_id}, {round_.challenge_ends_at}"
        if round_.disputer:
            return f"TournamentEscrowRoundDisputed: {round_id}, {round_.disputer.lower()}"
        return None

    def _mismatch(self, round_id, index, posted_hash):
        committed = self.rounds[round_id].hashes()[index]
        if committed == posted_hash:
            return None
        return f"TournamentEscrowBatchMismatch: {round_id}, {index}, {b32(committed)}, {b32(posted_hash)}"

    def _settle_error(self, round_id, entries, timestamp, caller=None):
        if caller is not None and caller != self.oracle:
            return role_error(caller, self.escrow.ORACLE_ROLE())
        error = self._posting_error(round_id, timestamp)
        if error is not None:
            return error
        round_ = self.rounds[round_id]
        if round_.posted + 1 >= len(round_.hashes()):
            return f"TournamentEscrowBatchesExhausted: {round_id}"
        error = self._mismatch(round_id, round_.posted, settle_batch_hash(entries))
        if error is not None:
            return error
        usd_left, nmr_left, seen = round_.left(STAKING), round_.left(NMR_POOL), {}
        target = self._roll_target(timestamp)
        for staker, model, burn, usd_reward, nmr_reward, release in entries:
            who = staker.lower()
            position = round_.stake((staker, model))
            # A rolled-away position's slot is empty, also when it rolled earlier in this batch.
            if position.status in (NONE, ROLLED) or seen.get((staker, model)) == ROLLED:
                return f"TournamentEscrowNoStake: {round_id}, {who}, {model}"
            if position.status != ACTIVE or (staker, model) in seen:
                return f"TournamentEscrowAlreadySettled: {round_id}, {who}, {model}"
            if burn > position.amount:
                return f"TournamentEscrowBurnExceedsStake: {who}, {burn}, {position.amount}"
            if usd_reward:
                limit = bid(position.amount, position.confidence)
                if usd_reward > limit:
                    return f"TournamentEscrowRewardExceedsBid: {who}, {usd_reward}, {limit}"
                if usd_reward > usd_left:
                    return f"TournamentEscrowPoolExceeded: {round_id}, {STAKING}, {usd_reward}, {usd_left}"
            if nmr_reward > position.amount:
                return f"TournamentEscrowRewardExceedsStake: {who}, {nmr_reward}, {position.amount}"
            if nmr_reward > nmr_left:
                return f"TournamentEscrowPoolExceeded: {round_id}, {NMR_POOL}, {nmr_reward}, {nmr_left}"
            usd_left, nmr_left = usd_left - usd_reward, nmr_left - nmr_reward
            kept = position.amount - burn + nmr_reward
            rolls = kept and position.rolls and not release and target is not None
            seen[staker, model] = ROLLED if rolls else SETTLED
        return None

    def _fresh_round(self, index, stake=True):
        """When no round fits a settlement rule and there is room: a round closing soon,
        funded, with two stakes (so that the rule acts rather than skips); else None."""
        if len(self.rounds) >= MAX_ROUNDS or self.paused:
            return None
        # Long enough for a commitment and its challenge window before the deadline.
        round_id = self._create(600 + index, 2 * LEAD + 600 * index, self.funders[index % 2])
        self._fund(round_id, self.funders[index % 2], 2_000 * USD, 1_000 * USD, 1_000 * NMR)
        if stake:
            # Two wallets, the first on two models: a batch settles both of a wallet's models.
            for i, (staker, model) in enumerate([(0, 0), (0, 1), (1, 0)][: 2 + index % 2]):
                self._plain_stake(round_id, self.plain_stakers[staker], (100 + 50 * i) * NMR, WAD // (1 + i),
                                  model=model)
                if (index + i) % 3:
                    self._set_rolling(round_id, (self.plain_stakers[staker].address, model), True)
        return round_id

    def _postable(self, index, rng, want_stakes):
        """A round the oracle can post to now (committed, window over, undisputed, before
        its deadline), committing one (time moved to its close) or opening one if none is."""
        now = chain_now()
        ready = [rid for rid, r in sorted(self.rounds.items())
                 if r.committed and not r.finalized and not r.disputer and now < r.resolves_by - 5
                 and (not want_stakes or r.posted + 1 < len(r.hashes()))]
        round_id = self._pick(index, ready)
        if round_id is None:
            fits = [rid for rid, r in sorted(self.rounds.items())
                    if not r.committed and not r.finalized and now + LEAD < r.resolves_by - 10
                    and (r.active() or not want_stakes)]
            round_id = self._pick(index, fits)
            if round_id is None:
                round_id = self._fresh_round(index, stake=want_stakes)
            if round_id is None or (want_stakes and not self.rounds[round_id].active()):
                return None
            self._move_to_window(round_id)
            if self._commit(round_id, rng, "commit") is not None:
                return None
        round_ = self.rounds[round_id]
        if chain_now() < round_.challenge_ends_at:
            chain.sleep(round_.challenge_ends_at - chain_now())
        return round_id

    def _valid_batch(self, round_id, rng, stakers=None):
        """Random entries for some active stakes (all of `stakers` if given): every amount
        within its bounds."""
        round_ = self.rounds[round_id]
        active = list(stakers) if stakers is not None else round_.active()
        if stakers is None:
            rng.shuffle(active)
            active = active[: rng.randint(1, len(active))] if active else []
        usd_left, nmr_left, entries = round_.left(STAKING), round_.left(NMR_POOL), []
        for staker, model in active:
            position = round_.stakes[staker, model]
            usd_cap = min(bid(position.amount, position.confidence), usd_left)
            nmr_cap = min(position.amount, nmr_left)
            burn = rng.choice([0, 0, position.amount, rng.randint(0, position.amount)])
            usd_reward = rng.choice([0, usd_cap, rng.randint(0, usd_cap)]) if not burn else 0
            nmr_reward = rng.choice([0, 0, nmr_cap, rng.randint(0, nmr_cap)])
            release = rng.randrange(5) == 0  # the plan found no file to score: to the wallet
            entries.append((staker, model, burn, usd_reward, nmr_reward, release))
            usd_left, nmr_left = usd_left - usd_reward, nmr_left - nmr_reward
        return entries

    def _break_bound(self, round_id, entries, kind, rng, seed):
        """`entries` (lists) with one bound broken in turn, kinds 0..8."""
        round_ = self.rounds[round_id]
        spot = rng.randrange(len(entries))
        staker, model = entries[spot][:2]
        position = round_.stakes[staker, model]
        usd_left = round_.left(STAKING) - sum(e[3] for e in entries[:spot])
        nmr_left = round_.left(NMR_POOL) - sum(e[4] for e in entries[:spot])
        if kind == 0:
            entries[spot][2] = position.amount + rng.randint(1, 10 * NMR)
        elif kind == 1:
            entries[spot][3] = bid(position.amount, position.confidence) + 1
        elif kind == 2:  # past the staking pool (or past the bid first, if the bid is smaller)
            entries[spot][3] = usd_left + 1
        elif kind == 3:
            entries[spot][4] = position.amount + 1
        elif kind == 4:  # past the NMR pool (or past the stake first)
            entries[spot][4] = nmr_left + 1
        elif kind == 5:  # the same (staker, model) twice
            entries.insert(rng.randrange(spot + 1, len(entries) + 1), [staker, model, 0, 0, 0, False])
        elif kind == 6:  # a position with no stake in this round: a stranger, or a staker's other model
            outsiders = [(a, m) for a in [*self.accounts, *FANS] for m in MODELS if (a, m) not in round_.stakes]
            entries[spot][:2] = outsiders[seed % len(outsiders)]
        else:  # a stake already settled or withdrawn, else the batch twice over
            closed = round_.closed_stakes()
            if closed:
                entries[spot][:2] = closed[seed % len(closed)]
            else:
                entries += [list(e) for e in entries]
        return [tuple(e) for e in entries]

    def _plan_round(self, round_id, rng):
        """The oracle's plan: the active stakes in one or two batches, two times in three
        within every bound, else one batch breaking a bound; a prize list, two times in
        three valid, else one the escrow must refuse."""
        round_ = self.rounds[round_id]
        active = round_.active()
        rng.shuffle(active)
        cut = rng.randint(0, len(active))
        batches = [b for b in (active[:cut], active[cut:]) if b] or [[]]
        batches = [self._valid_batch(round_id, rng, b) for b in batches]
        kind = rng.randrange(13)
        if kind < 9 and any(batches):
            spot = rng.choice([i for i, b in enumerate(batches) if b])
            batches[spot] = self._break_bound(round_id, [list(e) for e in batches[spot]], kind, rng, rng.randrange(99))
        prizes = [tuple(p) for p in self._valid_prizes(round_id, rng)]
        if rng.randrange(3) == 0:
            prizes = self._break_prizes(round_id, [list(p) for p in prizes], rng.randrange(3, 9), rng)
        return batches, prizes

    def _commit_error(self, round_id, timestamp, caller):
        if caller != self.oracle:
            return role_error(caller, self.escrow.ORACLE_ROLE())
        round_ = self.rounds.get(round_id)
        if round_ is None:
            return f"TournamentEscrowUnknownRound: {round_id}"
        if timestamp < round_.closes_at:
            return f"TournamentEscrowRoundOpen: {round_id}, {round_.closes_at}"
        if round_.finalized:
            return f"TournamentEscrowAlreadyFinalized: {round_id}"
        if round_.committed:
            return f"TournamentEscrowAlreadyCommitted: {round_id}"
        ruling_ends = timestamp + LEAD
        if ruling_ends >= round_.resolves_by:
            return f"TournamentEscrowCommitTooLate: {round_id}, {ruling_ends}, {round_.resolves_by}"
        return None

    def _commit(self, round_id, rng, label, caller=None):
        """The oracle commits a plan for the round; the model predicts the outcome."""
        caller = caller or self.oracle
        batches, prizes = self._plan_round(round_id, rng) if round_id in self.rounds else ([], [])
        _, error, mined_at = self._send(
            self.escrow.commitResults, round_id, RESULTS_DIGEST, batch_hashes(batches, prizes), {"from": caller}
        )
        self._expect(error, self._commit_error(round_id, mined_at, caller), label)
        if error is None:
            round_ = self.rounds[round_id]
            round_.batches, round_.prizes = batches, prizes
            round_.challenge_ends_at = mined_at + CHALLENGE_WINDOW
            assert [hex0x(h) for h in self.escrow.committedBatches(round_id)] == round_.hashes()
        self._touch(round_id)
        return error

    def rule_commit(self, index="st_index", seed="st_seed"):
        """The oracle commits a closed round's plan; or a stranger, a second commitment, an
        open round, or a commitment too late for its window, is refused."""
        self._step("commit")
        rng = random.Random(seed)
        now = chain_now()
        kind = rng.randrange(6)
        if kind < 3:
            fits = [rid for rid, r in sorted(self.rounds.items())
                    if not r.committed and not r.finalized and now + LEAD < r.resolves_by - 10]
            round_id = self._pick(index, fits)
            if round_id is not None:
                self._move_to_window(round_id)
                self._commit(round_id, rng, "commit")
            return
        if kind == 3:
            self._commit(self._pick(index) or 1, rng, "commit_invalid", self.rando)
        elif kind == 4:  # twice, else an unknown round
            done = [rid for rid, r in sorted(self.rounds.items()) if r.committed]
            self._commit(self._pick(index, done) or MAX_ROUNDS + 1, rng, "commit_invalid")
        else:  # a round still open, or one too close to its deadline
            late = [rid for rid, r in sorted(self.rounds.items())
                    if not r.committed and not r.finalized and (now < r.closes_at or now + LEAD >= r.resolves_by)]
            round_id = self._pick(index, late)
            if round_id is not None:
                self._commit(round_id, rng, "commit_invalid")

    def _settle(self, round_id, entries, label, caller=None):
        """Sends a batch; the model predicts its outcome; a refusal must change nothing."""
        caller = caller or self.oracle
        held = self.nmr.balanceOf(self.escrow), self.usd.balanceOf(self.escrow)
        tx, error, mined_at = self._send(self.escrow.settle, round_id, entries, {"from": caller})
        self._expect(error, self._settle_error(round_id, entries, mined_at, caller), label)
        if error is not None:
            assert (self.nmr.balanceOf(self.escrow), self.usd.balanceOf(self.escrow)) == held
        else:
            self._assert_posted_as_committed(tx, round_id, settle_batch_hash(entries))
            self._record_settlement(tx, round_id, entries, mined_at)
        self._touch(round_id, *(e[0] for e in entries))
        return error

    def _assert_posted_as_committed(self, tx, round_id, posted_hash, prizes=False):
        """No batch lands unless committed: the index the escrow reports holds its hash.
        Which slot is told by the call, not the hash: an empty settle batch and an empty
        prize list encode, and so hash, alike."""
        index = int(tx.events["BatchPosted"]["index"])
        assert hex0x(self.escrow.committedBatches(round_id)[index]) == posted_hash
        round_ = self.rounds[round_id]
        assert index == (len(round_.hashes()) - 1 if prizes else round_.posted)
        STATS["posted_as_committed"] += 1

    def _roll_target(self, timestamp):
        """The round rolling positions move into at `timestamp`: the newest created (ids
        are 1..n), while it takes stakes; None when it does not."""
        newest = len(self.rounds)
        if self.paused or not newest or timestamp >= self.rounds[newest].closes_at:
            return None
        return newest

    def _record_settlement(self, tx, round_id, entries, mined_at):
        round_, payments = self.rounds[round_id], []
        round_.posted += 1
        target = self._roll_target(mined_at)
        rolled_into = []
        for staker, model, burn, usd_reward, nmr_reward, release in entries:
            position = round_.stakes[staker, model]
            kept = position.amount - burn + nmr_reward
            round_.settled_stake += position.amount
            round_.burned += burn
            round_.paid[STAKING] += usd_reward
            round_.paid[NMR_POOL] += nmr_reward
            if kept and position.rolls and not release and target is not None:
                position.status = ROLLED
                self._roll_into(target, (staker, model), kept, position.confidence)
                rolled_into.append(target)
                STATS["roll:rolled"] += 1
            else:
                position.status = SETTLED
                self.wallets[staker][0] += kept
                payments.append((staker, self.nmr, kept))
                rolled_into.append(0)
                if position.rolls:
                    STATS[f"roll:{'released' if release else 'no round open' if target is None else 'nothing kept'}"] += 1
            self.wallets[staker][1] += usd_reward
            payments.append((staker, self.usd, usd_reward))
        if entries:  # an empty batch emits no StakeSettled
            assert [int(e["rolledInto"]) for e in tx.events["StakeSettled"]] == rolled_into
        payments.append((brownie.ZERO_ADDRESS, self.nmr, sum(e[2] for e in entries)))
        self._plan(tx, payments)

    def _roll_into(self, round_id, key, kept, confidence):
        """A rolled position joins (or opens) the same model's position in `round_id`."""
        position = self.rounds[round_id].stakes.setdefault(key, StakeModel())
        position.amount += kept
        position.confidence = max(position.confidence, confidence)
        position.status = ACTIVE
        position.rolls = True
        self._touch(round_id, key[0])

    def _set_rolling(self, round_id, key, rolls, caller=None):
        """The position's owner (or `caller`) puts it on rolling or takes it off; refused
        for a position that is not active."""
        staker, model = key
        sender = caller or self.accounts[staker]
        _, error, _ = self._send(self.escrow.setRolling, round_id, model, rolls, {"from": sender})
        position = self.rounds[round_id].stake((sender.address, model))
        who = sender.address.lower()
        if position.status in (NONE, ROLLED):
            expected = f"TournamentEscrowNoStake: {round_id}, {who}, {model}"
        elif position.status != ACTIVE:
            expected = f"TournamentEscrowAlreadySettled: {round_id}, {who}, {model}"
        else:
            expected = None
        self._expect(error, expected, "set_rolling")
        if error is None:
            position.rolls = rolls
        self._touch(round_id, sender.address)
        return error

    def rule_roll(self, index="st_index", who="st_index"):
        """A staker puts a position on rolling or takes it off, three times in four an active
        one; else a closed or rolled-away position, or a stranger, is refused."""
        self._step("roll")
        active = [(rid, key) for rid, r in sorted(self.rounds.items()) for key in r.active()]
        if active and index % 4 != 3:
            round_id, key = active[who % len(active)]
            self._set_rolling(round_id, key, who % 5 != 0)
            return
        round_id = self._pick(index)
        if round_id is None:
            return
        holders = sorted(self.rounds[round_id].stakes)
        if holders and who % 2:
            self._set_rolling(round_id, holders[who % len(holders)], True)
        else:
            self._set_rolling(round_id, (self.rando.address, 0), True, caller=self.rando)

    def rule_settle(self, index="st_index", seed="st_seed"):
        """The next committed batch (which the escrow settles or, if it breaks a bound,
        refuses whole); or a batch the oracle did not commit, or one sent where it cannot
        land, which the escrow must refuse."""
        self._step("settle")
        rng = random.Random(seed)
        kind = rng.randrange(12)
        if kind >= 8:  # wrong window, uncommitted, disputed, finalized, unknown, a stranger
            self._settle_elsewhere(index, kind)
            return
        round_id = self._postable(index, rng, want_stakes=True)
        if round_id is None:
            self._settle_elsewhere(index, 8)
            return
        round_ = self.rounds[round_id]
        committed = round_.batches[round_.posted]
        if kind < 6:
            # Mostly a newer round takes stakes, so rolling positions have somewhere to go.
            if kind != 5 and self._roll_target(chain_now() + 60) is None and len(self.rounds) < MAX_ROUNDS:
                self._create(3 * 86400, 2 * LEAD, self.funders[index % 2])
            self._settle(round_id, committed, "settle_committed")
            return
        other = self._valid_batch(round_id, rng)
        if settle_batch_hash(other) == settle_batch_hash(committed):
            other = [*other, (self.rando.address, 0, 0, 0, 0, False)]
        assert self._settle(round_id, other, "settle_uncommitted") is not None, "an uncommitted batch landed"

    def _settle_elsewhere(self, index, kind):
        """A batch sent where it cannot land: a round outside its window (still open or past
        its deadline), not committed, in its challenge window or disputed, a finalized or
        unknown round, or by a stranger."""
        now = chain_now()
        caller, round_id = None, None
        if kind == 8:
            outside = [rid for rid, r in sorted(self.rounds.items()) if not r.in_window(now)]
            round_id = self._pick(index, outside) or MAX_ROUNDS + 1
        elif kind == 9:
            waiting = [rid for rid, r in sorted(self.rounds.items())
                       if r.in_window(now) and (not r.committed or now < r.challenge_ends_at or r.disputer)]
            round_id = self._pick(index, waiting) or MAX_ROUNDS + 1
        elif kind == 10:
            done = [rid for rid, r in sorted(self.rounds.items()) if r.finalized and r.in_window(now)]
            round_id = self._pick(index, done) or MAX_ROUNDS + 1
        else:
            round_id, caller = self._pick(index) or 1, self.rando
        round_ = self.rounds.get(round_id)
        entries = []
        if round_ is not None and round_.committed and round_.posted < len(round_.batches):
            entries = round_.batches[round_.posted]
        # A batch mined on the very second a window opens is rightly accepted: the model
        # judges by the mining block, so the assertion is on the prediction, not on failure.
        self._settle(round_id, entries, "settle_elsewhere", caller)

    def _prizes_error(self, round_id, prizes, timestamp, caller):
        if caller != self.oracle:
            return role_error(caller, self.escrow.ORACLE_ROLE())
        if len(prizes) > MAX_PRIZE_WINNERS:
            return f"TournamentEscrowTooManyWinners: {len(prizes)}, {MAX_PRIZE_WINNERS}"
        error = self._posting_error(round_id, timestamp)
        if error is not None:
            return error
        round_ = self.rounds[round_id]
        if round_.prizes_paid:
            return f"TournamentEscrowPrizesAlreadyPaid: {round_id}"
        error = self._mismatch(round_id, len(round_.hashes()) - 1, prize_list_hash(prizes))
        if error is not None:
            return error
        previous = 0
        for i, (winner, _usd, _nmr) in enumerate(prizes):
            if int(winner, 16) <= previous:
                return f"TournamentEscrowWinnersNotAscending: {i}, {winner.lower()}"
            previous = int(winner, 16)
        usd_total, nmr_total = sum(p[1] for p in prizes), sum(p[2] for p in prizes)
        if usd_total > round_.left(PRIZE):
            return f"TournamentEscrowPoolExceeded: {round_id}, {PRIZE}, {usd_total}, {round_.left(PRIZE)}"
        if nmr_total > round_.left(NMR_POOL):
            return f"TournamentEscrowPoolExceeded: {round_id}, {NMR_POOL}, {nmr_total}, {round_.left(NMR_POOL)}"
        return None

    def _valid_prizes(self, round_id, rng):
        """Some candidates (stakers or not), ascending, sharing at most what is left."""
        round_ = self.rounds[round_id]
        winners = sorted(rng.sample(self.candidates, rng.randint(0, len(self.candidates))), key=_by_address)
        usd_cuts = sorted(rng.randint(0, round_.left(PRIZE)) for _ in winners)
        nmr_cuts = sorted(rng.randint(0, round_.left(NMR_POOL)) for _ in winners)
        if winners and rng.random() < 0.3:  # now and then the whole pools
            usd_cuts[-1], nmr_cuts[-1] = round_.left(PRIZE), round_.left(NMR_POOL)
        return [
            [w, usd_cuts[i] - (usd_cuts[i - 1] if i else 0), nmr_cuts[i] - (nmr_cuts[i - 1] if i else 0)]
            for i, w in enumerate(winners)
        ]

    def _break_prizes(self, round_id, prizes, kind, rng):
        """A prize list the escrow must refuse, kinds 3..8."""
        round_ = self.rounds[round_id]
        while len(prizes) < 2:
            prizes = self._valid_prizes(round_id, rng)
        if kind == 3:  # unsorted
            i = rng.randrange(len(prizes) - 1)
            prizes[i], prizes[i + 1] = prizes[i + 1], prizes[i]
        elif kind == 4:  # the same winner twice
            i = rng.randrange(len(prizes))
            prizes.insert(i, [prizes[i][0], 0, 0])
        elif kind == 5:  # the zero address
            prizes.insert(0, [brownie.ZERO_ADDRESS, 1, 0])
        elif kind == 6:  # more than a hundred winners
            prizes = [[w, 0, 0] for w in TOO_MANY]
        elif kind == 7:  # past the USD prize pool
            prizes[-1][1] = round_.left(PRIZE) - sum(p[1] for p in prizes[:-1]) + 1
        else:  # past the NMR pool (shared with stake rewards)
            prizes[-1][2] = round_.left(NMR_POOL) - sum(p[2] for p in prizes[:-1]) + 1
        return [tuple(p) for p in prizes]

    def _pay(self, round_id, prizes, label, caller=None):
        caller = caller or self.oracle
        prizes = [tuple(p) for p in prizes]
        held = self.nmr.balanceOf(self.escrow), self.usd.balanceOf(self.escrow)
        tx, error, mined_at = self._send(self.escrow.payPrizes, round_id, prizes, {"from": caller})
        self._expect(error, self._prizes_error(round_id, prizes, mined_at, caller), label)
        if error is not None:
            assert (self.nmr.balanceOf(self.escrow), self.usd.balanceOf(self.escrow)) == held
        else:
            self._assert_posted_as_committed(tx, round_id, prize_list_hash(prizes), prizes=True)
            round_, payments = self.rounds[round_id], []
            round_.prizes_paid = True
            for winner, usd_prize, nmr_prize in prizes:
                round_.paid[PRIZE] += usd_prize
                round_.paid[NMR_POOL] += nmr_prize
                self.wallets[winner][0] += nmr_prize
                self.wallets[winner][1] += usd_prize
                payments += [(winner, self.nmr, nmr_prize), (winner, self.usd, usd_prize)]
            self._plan(tx, payments)
        self._touch(round_id, *(p[0] for p in prizes[:MAX_PRIZE_WINNERS]))
        return error

    def rule_pay_prizes(self, index="st_index", seed="st_seed"):
        """The committed prize list (paid, or refused if it breaks a rule); or a list not
        committed, a second list, a stranger, a round outside its window: refused."""
        self._step("prizes")
        rng = random.Random(seed)
        kind = rng.randrange(9)
        if kind == 0:  # a second list for a round already paid (else an unknown round)
            paid = [rid for rid, r in sorted(self.rounds.items()) if r.prizes_paid]
            round_id = self._pick(index, paid) or MAX_ROUNDS + 1
            self._pay(round_id, [], "prizes_invalid")
            return
        if kind == 1:  # a stranger
            self._pay(self._pick(index) or 1, [], "prizes_invalid", self.rando)
            return
        if kind == 2:  # a round outside its window
            outside = [rid for rid, r in sorted(self.rounds.items()) if not r.in_window(chain_now())]
            self._pay(self._pick(index, outside) or MAX_ROUNDS + 1, [], "prizes_invalid")
            return
        round_id = self._postable(index, rng, want_stakes=False)
        if round_id is None or self.rounds[round_id].prizes_paid:
            self._pay(MAX_ROUNDS + 1, [], "prizes_invalid")
            return
        committed = self.rounds[round_id].prizes
        if kind < 7:
            self._pay(round_id, committed, "prizes_committed")
            return
        other = [tuple(p) for p in self._valid_prizes(round_id, rng)]
        if prize_list_hash(other) == prize_list_hash(committed):
            other = [*other, (FANS[0], 1, 0)] if not other or other[-1][0] != FANS[0] else other[:-1]
        self._pay(round_id, other, "prizes_uncommitted")

    # ---- disputes and the guardian -----------------------------------------------------

    def _dispute_error(self, round_id, timestamp):
        round_ = self.rounds.get(round_id)
        if round_ is None:
            return f"TournamentEscrowUnknownRound: {round_id}"
        if not round_.committed:
            return f"TournamentEscrowNotCommitted: {round_id}"
        if round_.finalized:
            return f"TournamentEscrowAlreadyFinalized: {round_id}"
        if timestamp >= round_.challenge_ends_at:
            return f"TournamentEscrowChallengeWindowOver: {round_id}, {round_.challenge_ends_at}"
        if round_.disputer:
            return f"TournamentEscrowAlreadyDisputed: {round_id}, {round_.disputer.lower()}"
        return None

    def rule_dispute(self, index="st_index", who="st_index"):
        """Anyone disputes a committed round during its window, locking the bond (or is
        refused: outside the window, a second dispute, a finalized or uncommitted round)."""
        self._step("dispute")
        now = chain_now()
        open_windows = [rid for rid, r in sorted(self.rounds.items())
                        if r.committed and not r.finalized and now < r.challenge_ends_at - 5]
        if not open_windows and index % 4:  # the oracle commits a round first, so disputes land
            fits = [rid for rid, r in sorted(self.rounds.items())
                    if not r.committed and not r.finalized and now + LEAD < r.resolves_by - 10]
            candidate = self._pick(index, fits)
            if candidate is not None:
                self._move_to_window(candidate)
                if self._commit(candidate, random.Random(who), "commit") is None:
                    open_windows = [candidate]
        round_id = self._pick(index, open_windows if open_windows and index % 4 else None)
        if round_id is None:
            return
        disputer = [*self.plain_stakers, self.rando][who % (len(self.plain_stakers) + 1)]
        if self.wallets[disputer.address][0] < DISPUTE_BOND:
            return
        self.nmr.approve(self.escrow, DISPUTE_BOND, {"from": disputer})
        _, error, mined_at = self._send(self.escrow.dispute, round_id, {"from": disputer})
        self._expect(error, self._dispute_error(round_id, mined_at), "dispute")
        if error is None:
            self.rounds[round_id].disputer = disputer.address
            self.wallets[disputer.address][0] -= DISPUTE_BOND
        self._touch(round_id, disputer.address)
        if error is None and who % 3:  # the guardian rules at once, two times in three
            self._rule(round_id, random.Random(who + index))
        elif error is None and index % 2:  # else, one time in two, it never rules: the dispute lapses
            self._lapse(round_id, who, wait=True)

    def _rule_error(self, round_id, timestamp, caller):
        if caller != self.guardian:
            return role_error(caller, self.escrow.GUARDIAN_ROLE())
        round_ = self.rounds.get(round_id)
        if round_ is None:
            return f"TournamentEscrowUnknownRound: {round_id}"
        if not round_.disputer or round_.finalized:
            return f"TournamentEscrowNoDispute: {round_id}"
        ruling_ends = round_.challenge_ends_at + RULING_PERIOD
        if timestamp >= ruling_ends:
            return f"TournamentEscrowRulingPeriodOver: {round_id}, {ruling_ends}"
        return None

    def rule_rule(self, index="st_index", seed="st_seed"):
        """The guardian rules on a disputed round (upheld: the round voids; rejected: the
        bond burns); now and then the oracle tries, or a round without a dispute."""
        self._step("rule")
        rng = random.Random(seed)
        disputed = [rid for rid, r in sorted(self.rounds.items()) if r.disputer and not r.finalized]
        round_id = self._pick(index, disputed if disputed and rng.randrange(5) else None)
        if round_id is not None:
            self._rule(round_id, rng)

    def _rule(self, round_id, rng):
        caller = self.oracle if rng.randrange(8) == 0 else self.guardian
        upheld = rng.randrange(2) == 0
        tx, error, mined_at = self._send(self.escrow.rule, round_id, upheld, {"from": caller})
        self._expect(error, self._rule_error(round_id, mined_at, caller), f"rule_{'upheld' if upheld else 'rejected'}")
        round_ = self.rounds[round_id]
        disputer = round_.disputer
        if error is None and not upheld:
            round_.disputer = None
            self.bonds_burned += DISPUTE_BOND
            self._plan(tx, [(brownie.ZERO_ADDRESS, self.nmr, DISPUTE_BOND)])
        elif error is None:
            # A voided round paid nothing: no burn, no reward, no prize, no batch posted.
            assert (round_.burned, round_.paid, round_.posted, round_.prizes_paid) == (0, [0, 0, 0], 0, False)
            reward = min(DISPUTE_BOND, round_.left(NMR_POOL))
            round_.paid[NMR_POOL] += reward
            round_.voided = round_.finalized = True
            usd_back, nmr_back = round_.left(STAKING) + round_.left(PRIZE), round_.left(NMR_POOL)
            self.wallets[disputer][0] += DISPUTE_BOND + reward
            self.wallets[round_.funder][0] += nmr_back
            self.wallets[round_.funder][1] += usd_back
            self._plan(tx, [(disputer, self.nmr, DISPUTE_BOND + reward), (round_.funder, self.nmr, nmr_back),
                            (round_.funder, self.usd, usd_back)])
            STATS["voided"] += 1
        self._touch(round_id, disputer, round_.funder)

    def rule_lapse(self, index="st_index", who="st_index"):
        """Anyone ends a dispute the guardian left unruled past the ruling period: the bond
        goes back and the batches stand (or is refused: too early, no open dispute)."""
        self._step("lapse")
        disputed = [rid for rid, r in sorted(self.rounds.items()) if r.disputer and not r.finalized]
        round_id = self._pick(index, disputed if disputed and index % 4 else None)
        if round_id is not None:
            self._lapse(round_id, who, wait=bool(who % 2))

    def _lapse(self, round_id, who, wait):
        round_ = self.rounds[round_id]
        ruling_ends = round_.challenge_ends_at + RULING_PERIOD
        if round_.disputer and wait and chain_now() < ruling_ends:
            chain.sleep(ruling_ends - chain_now())
        caller = [*self.plain_stakers, self.rando][who % (len(self.plain_stakers) + 1)]
        tx, error, mined_at = self._send(self.escrow.lapseDispute, round_id, {"from": caller})
        if not round_.disputer or round_.finalized:
            expected = f"TournamentEscrowNoDispute: {round_id}"
        elif mined_at < ruling_ends:
            expected = f"TournamentEscrowRulingPeriodOpen: {round_id}, {ruling_ends}"
        else:
            expected = None
        self._expect(error, expected, "lapse")
        disputer = round_.disputer
        if error is None:
            self.wallets[disputer][0] += DISPUTE_BOND
            self._plan(tx, [(disputer, self.nmr, DISPUTE_BOND)])
            round_.disputer = None
            STATS["dispute_lapsed"] += 1
        self._touch(round_id, disputer)

    # ---- finalize, escape hatch, pause -------------------------------------------------

    def _finalize_error(self, round_id, timestamp):
        round_ = self.rounds.get(round_id)
        if round_ is None:
            return f"TournamentEscrowUnknownRound: {round_id}"
        if round_.finalized:
            return f"TournamentEscrowAlreadyFinalized: {round_id}"
        if timestamp < round_.closes_at:
            return f"TournamentEscrowRoundOpen: {round_id}, {round_.closes_at}"
        if timestamp < round_.resolves_by:
            unsettled = len(round_.active())
            if unsettled:
                return f"TournamentEscrowUnsettledStakes: {round_id}, {unsettled}"
            if not round_.prizes_paid:
                return f"TournamentEscrowPrizesNotPaid: {round_id}"
        return None

    def _finalize(self, round_id, caller, label="finalize"):
        tx, error, mined_at = self._send(self.escrow.finalize, round_id, {"from": caller})
        self._expect(error, self._finalize_error(round_id, mined_at), label)
        if error is None:
            round_ = self.rounds[round_id]
            round_.finalized = True
            usd_back = round_.left(STAKING) + round_.left(PRIZE)
            nmr_back = round_.left(NMR_POOL)
            self.wallets[round_.funder][0] += nmr_back
            self.wallets[round_.funder][1] += usd_back
            payments = [(round_.funder, self.nmr, nmr_back), (round_.funder, self.usd, usd_back)]
            if round_.disputer:  # nobody ruled by resolvesBy: the bond goes back
                self.wallets[round_.disputer][0] += DISPUTE_BOND
                payments.append((round_.disputer, self.nmr, DISPUTE_BOND))
                self._touch(round_id, round_.disputer)
                round_.disputer = None
                STATS["dispute_lapsed"] += 1
            self._plan(tx, payments)
            event = tx.events["RoundFinalized"]
            assert [int(event["roundId"]), str(event["funder"]), int(event["usdReturned"]),
                    int(event["nmrReturned"])] == [round_id, round_.funder or brownie.ZERO_ADDRESS, usd_back, nmr_back]
        self._touch(round_id, self.rounds[round_id].funder if round_id in self.rounds else None)
        return error

    def rule_finalize(self, index="st_index", who="st_index"):
        """Anyone finalizes; one time in three after moving past the round's deadline."""
        self._step("finalize")
        round_id = self._pick(index)
        if round_id is None:
            return
        if who % 3 == 2:
            chain.sleep(max(0, self.rounds[round_id].resolves_by - chain_now()))
        caller = [self.rando, *self.funders, *self.plain_stakers][who % 6]
        self._finalize(round_id, caller)

    def _withdraw_error(self, round_id, staker, model, timestamp):
        round_ = self.rounds.get(round_id)
        if round_ is None:
            return f"TournamentEscrowUnknownRound: {round_id}"
        if timestamp < round_.resolves_by and not round_.voided:
            return f"TournamentEscrowDeadlineNotReached: {round_id}, {round_.resolves_by}"
        status = round_.stake((staker, model)).status
        if status in (NONE, ROLLED):
            return f"TournamentEscrowNoStake: {round_id}, {staker.lower()}, {model}"
        if status != ACTIVE:
            return f"TournamentEscrowAlreadySettled: {round_id}, {staker.lower()}, {model}"
        return None

    def _withdraw(self, round_id, position, label="withdraw"):
        """`position` (staker, model) takes its stake back: only that model's."""
        staker, model = position
        tx, error, mined_at = self._send(self.escrow.withdrawStake, round_id, model, {"from": self.accounts[staker]})
        self._expect(error, self._withdraw_error(round_id, staker, model, mined_at), label)
        if error is None:
            position = self.rounds[round_id].stakes[staker, model]
            position.status = WITHDRAWN
            self.rounds[round_id].settled_stake += position.amount
            self.wallets[staker][0] += position.amount
            self._plan(tx, [(staker, self.nmr, position.amount)])
            STATS["withdraw:while_paused"] += self.paused
            STATS["withdraw:rolling position"] += position.rolls
        self._touch(round_id, staker)
        return error

    def rule_withdraw(self, index="st_index", who="st_index"):
        """Escape hatch. Two times in three an unsettled staker whose oracle let the
        deadline pass (time moves there); otherwise anyone, a stranger included."""
        self._step("withdraw")
        active = [(rid, key) for rid, r in sorted(self.rounds.items()) for key in r.active()]
        if active and index % 3 != 2:
            round_id, position = active[who % len(active)]
            chain.sleep(max(0, self.rounds[round_id].resolves_by - chain_now()))
        else:
            round_id = self._pick(index)
            if round_id is None:
                return
            # Any position of the round, a staker's model it never staked, or a stranger.
            stakes = self.rounds[round_id].stakes
            holders = sorted(stakes) + [(a, m) for a, _ in sorted(stakes) for m in MODELS if (a, m) not in stakes]
            position = (holders + [(self.rando.address, 0)])[who % (len(holders) + 1)]
        self._withdraw(round_id, position)

    def rule_pause(self, index="st_index", amount="st_amount", usd="st_usd"):
        """Pauses and shows that staking and funding are refused, or unpauses. One time in
        four the escrow stays paused for the steps that follow (withdrawals, settlement,
        prizes and finalize go on), and the next call unpauses it."""
        self._step("pause")
        if self.paused:
            self._unpause()
            return
        _, error, _ = self._send(self.escrow.pause, {"from": self.pauser})
        self._expect(error, None, "pause")
        self.paused = True
        round_id = self._pick(index)
        if round_id is not None:
            staker, model = self.plain_stakers[index % len(self.plain_stakers)], MODELS[index % len(MODELS)]
            confidence = self._confidence_for(round_id, (staker.address, model), 0, WAD)
            self._plain_stake(round_id, staker, amount, confidence, model=model)
            self._fund(round_id, self.funders[index % 2], usd + 1, 0, 0, label="fund_paused")
        if index % 4 != 3:
            self._unpause()

    def _unpause(self):
        _, error, _ = self._send(self.escrow.unpause, {"from": self.pauser})
        self._expect(error, None, "unpause")
        self.paused = False

    # ---- the token: mint schedule and burns --------------------------------------------

    def _mintable(self, timestamp):
        week = (timestamp - self.deployed_at) // WEEK
        allowance = INITIAL + WEEKLY if week == 0 else WEEKLY
        return min(allowance - self.week_used.get(week, 0), CAP - self.minted), week

    def _mint(self, fraction, who):
        """The minter mints a share of this week's allowance (more than all of it from
        fraction 1,001 on) to a funder; one time in eight a stranger tries."""
        STATS["action:mint"] += 1
        receiver = self.funders[who % 2]
        left, _ = self._mintable(chain_now())
        amount = left * fraction // 1_000 if fraction != 1_001 else left + 1
        caller = self.rando if who % 8 == 7 else self.minter
        _, error, mined_at = self._send(self.nmr.mint, receiver, amount, {"from": caller})
        left, week = self._mintable(mined_at)
        if caller is self.rando:
            expected = role_error(self.rando, self.nmr.MINTER_ROLE())
        elif amount > left:
            expected = f"NumeraireTokenMintExceedsSchedule: {amount}, {left}"
        else:
            expected = None
        self._expect(error, expected, "mint")
        if error is None:
            self.week_used[week] = self.week_used.get(week, 0) + amount
            self.minted += amount
            self.wallets[receiver.address][0] += amount
        self._touch(None, receiver.address)

    def _burn(self, who, amount):
        """A holder burns some of its own NMR: the supply falls for good."""
        STATS["action:burn"] += 1
        holder = self.plain_stakers[who % len(self.plain_stakers)]
        amount = min(amount, self.wallets[holder.address][0])
        _, error, _ = self._send(self.nmr.burn, amount, {"from": holder})
        self._expect(error, None, "burn")
        self.wallets[holder.address][0] -= amount
        self._touch(None, holder.address)

    def rule_advance_time(self, mantissa="st_mantissa", exponent="st_exponent"):
        self._step("advance_time")
        chain.sleep(mantissa * 10**exponent)

    # ---- the rules: each picks one action, the refused ones included ------------------

    def rule_rounds(self, seed="st_seed", closes_in="st_closes_in", window="st_window", who="st_index",
                    usd="st_usd", nmr="st_nmr"):
        """The oracle opens a round (funded by the treasury or a sponsor, or not at all), a
        funder adds to one (or someone is refused), or createRound is refused."""
        self._step("rounds")
        action = random.Random(seed).randrange(10)
        if action < 5:
            self._new_round(closes_in, window, who, usd, nmr)
        elif action < 8:
            self._fund_existing(who, seed % 251, usd, nmr)
        else:
            self._create_invalid(seed, closes_in, window)

    def rule_stake(self, index="st_index", who="st_index", amount="st_amount", move="st_move",
                   confidence="st_confidence"):
        """A first stake, a top-up (confidence up, same or down) or a permit stake."""
        self._step("stake")
        action = (index + who) % 3
        if action == 0:
            self._first_stake(index, who, amount, confidence)
        elif action == 1:
            self._top_up(index, who, amount, move, confidence)
        else:
            self._permit_stake(index, who, amount, move, confidence)

    def rule_token(self, fraction="st_fraction", who="st_index", amount="st_amount"):
        """The minter mints on the weekly schedule (or a stranger tries), or a holder burns."""
        self._step("token")
        if who % 4 == 3:
            self._burn(who, amount)
        else:
            self._mint(fraction, who)

    # ---- invariants (read from the chain) ----------------------------------------------

    def _logs(self, addresses, topics):
        return web3.eth.get_logs({
            "fromBlock": self.cursor + 1, "toBlock": self.head, "address": addresses, "topics": topics,
        })

    def invariant_chain(self):
        """Everything the chain says since the last step, checked in one pass over its logs."""
        self.head = web3.eth.block_number
        if self.head > self.cursor:
            self._check_payments_follow_the_plans()
            self._count_mints_and_burns()
            self._count_closings()
            self.cursor = self.head
        self._check_balances_and_bounds()
        self._check_touched_views()

    def _check_payments_follow_the_plans(self):
        """Every token that left the escrow went where the machine planned, to the unit."""
        escrow = self.escrow.address
        moved = {}
        for log in self._logs([self.nmr.address, self.usd.address], [TRANSFER, address_topic(escrow)]):
            txid = hex0x(log["transactionHash"])
            key = (_address(log["topics"][2]), web3.to_checksum_address(log["address"]))
            moved.setdefault(txid, Counter())[key] += int(hex0x(log["data"]), 16)
        plans = {hex0x(txid): plan for txid, plan in self.plans.items()}
        unplanned = set(moved) - set(plans)
        assert not unplanned, f"the escrow paid in transactions nobody planned: {unplanned}"
        for txid, plan in plans.items():
            assert moved.get(txid, Counter()) == plan, f"{txid}: paid {moved.get(txid)}, planned {plan}"
            STATS["payments:checked"] += 1
        self.plans = {}

    def _count_mints_and_burns(self):
        nmr = [self.nmr.address]
        for log in self._logs(nmr, [TRANSFER, ZERO_TOPIC]):
            self.log_minted += int(hex0x(log["data"]), 16)
        for log in self._logs(nmr, [TRANSFER, None, ZERO_TOPIC]):
            self.log_burned += int(hex0x(log["data"]), 16)
            if _address(log["topics"][1]) == self.escrow.address:
                self.escrow_burned += int(hex0x(log["data"]), 16)

    def _count_closings(self):
        escrow = [self.escrow.address]
        for log in self._logs(escrow, [[SETTLED_TOPIC, WITHDRAWN_TOPIC]]):
            model = int(hex0x(log["data"])[2:66], 16)  # the first data word of both events
            self.closings[(int(hex0x(log["topics"][1]), 16), (_address(log["topics"][2]), model))] += 1
        for log in self._logs(escrow, [AWARDED_TOPIC]):
            self.prize_lists[int(hex0x(log["topics"][1]), 16)] += 1
        paid = Counter()
        for log in self._logs(escrow, [PRIZE_PAID_TOPIC]):
            paid[(int(hex0x(log["topics"][1]), 16), _address(log["topics"][2]))] += 1
        assert all(n == 1 for n in paid.values()), f"a winner paid twice in one round: {paid}"
        assert all(n == 1 for n in self.closings.values()), f"a stake closed twice: {self.closings}"
        assert all(n == 1 for n in self.prize_lists.values()), f"prizes paid twice: {self.prize_lists}"

    def _check_balances_and_bounds(self):
        views = {rid: self.escrow.getRound(rid).dict() for rid in self.rounds}
        stakes = sum(v["totalStaked"] - v["settledStake"] for v in views.values())
        open_pools = [v for v in views.values() if not v["finalized"]]
        nmr_pools = sum(v["nmrPool"] - v["nmrPaid"] for v in open_pools)
        usd_pools = sum(v["usdStakingPool"] - v["usdStakingPaid"] + v["usdPrizePool"] - v["usdPrizePaid"]
                        for v in open_pools)
        bonds = DISPUTE_BOND * sum(int(v["disputer"], 16) != 0 and not v["voided"] for v in views.values())
        assert self.nmr.balanceOf(self.escrow) == stakes + nmr_pools + bonds == self.escrow.accounted(self.nmr)
        assert self.usd.balanceOf(self.escrow) == usd_pools == self.escrow.accounted(self.usd)
        for v in views.values():
            assert v["usdStakingPaid"] <= v["usdStakingPool"]
            assert v["usdPrizePaid"] <= v["usdPrizePool"]
            assert v["nmrPaid"] <= v["nmrPool"]
            assert v["totalBurned"] <= v["settledStake"] <= v["totalStaked"]
            assert v["settledCount"] <= v["stakerCount"]
        minted = self.nmr.totalMinted()
        assert minted == self.start_minted + self.log_minted <= CAP
        assert self.nmr.totalSupply() == minted - (self.start_minted - self.start_supply) - self.log_burned
        assert sum(v["totalBurned"] for v in views.values()) + self.bonds_burned == self.escrow_burned
        for v in views.values():
            if v["voided"]:  # a voided round paid nothing and returned every pool
                assert v["finalized"] and v["totalBurned"] == v["usdStakingPaid"] == v["usdPrizePaid"] == 0
                assert not v["prizesPaid"] and v["batchesSettled"] == 0

    def _check_touched_views(self):
        def plain(key, value):
            if key in ("funder", "disputer"):
                return str(value)
            return hex0x(value) if key.endswith("Digest") else int(value)

        for round_id in self.dirty_rounds:
            view = self.escrow.getRound(round_id).dict()
            assert {k: plain(k, v) for k, v in view.items()} == {
                k: plain(k, v) for k, v in self.rounds[round_id].view().items()
            }, round_id
        for round_id, key in self.dirty_stakes:
            position = self.rounds[round_id].stake(key)
            view = [int(v) for v in self.escrow.getStake(round_id, *key)]
            assert view == position.view(), (round_id, key)
            # A closed stake has exactly one closing event on chain, an active one none.
            assert self.closings[(round_id, key)] == (position.status in (SETTLED, WITHDRAWN, ROLLED))
        for round_id in self.dirty_rounds:
            self._check_totals_are_sums_over_positions(round_id)
        for address in self.dirty_wallets:
            assert [self.nmr.balanceOf(address), self.usd.balanceOf(address)] == self.wallets[address], address
        self.dirty_rounds, self.dirty_stakes, self.dirty_wallets = set(), set(), set()

    def _check_totals_are_sums_over_positions(self, round_id):
        """The round's totals equal the sums over its positions, each read from the chain
        by getStake(round, staker, model): every wallet that ever staked, on every model
        the machine uses (a position never staked reads as zero). A position that rolled
        away reads as empty; its amount (the model's) is counted beside."""
        wallets = sorted({a for a, _ in self.rounds[round_id].stakes})
        views = [self.escrow.getStake(round_id, a, m) for a in wallets for m in MODELS]
        info = self.escrow.getRound(round_id)
        closed = [v for v in views if v["status"] in (SETTLED, WITHDRAWN)]
        away = self.rounds[round_id].rolled_away()
        assert info["totalStaked"] == sum(v["amount"] for v in views) + sum(p.amount for p in away), round_id
        assert info["settledStake"] == sum(v["amount"] for v in closed) + sum(p.amount for p in away), round_id
        assert info["stakerCount"] == sum(v["status"] != NONE for v in views) + len(away), round_id
        assert info["settledCount"] == len(closed) + len(away), round_id
        STATS["totals:checked"] += 1

    # ---- teardown: nothing can be stranded --------------------------------------------

    def teardown(self):
        if not self.rounds:
            return
        # Never a negative sleep: Anvil refuses one (time may already be past every deadline).
        chain.sleep(max(1, max(r.resolves_by for r in self.rounds.values()) - chain_now() + 1))
        # The escape hatch and finalize must work while paused: prove it on every example.
        if not self.paused:
            self._send(self.escrow.pause, {"from": self.pauser})
            self.paused = True
        for round_id, round_ in sorted(self.rounds.items()):
            for position in round_.active():
                assert self._withdraw(round_id, position, "teardown_withdraw") is None, f"{position} stranded"
                STATS["teardown:withdrawn_while_paused"] += 1
            if not round_.finalized:
                assert self._finalize(round_id, self.rando, "teardown_finalize") is None, f"round {round_id}"
            self._touch(round_id, *{a for a, _ in round_.stakes})
        self.dirty_wallets.update(self.wallets)
        self.invariant_chain()
        assert self.nmr.balanceOf(self.escrow) == 0
        assert self.usd.balanceOf(self.escrow) == 0


def test_escrow_state_machine(
    state_machine, nmr, usd, escrow, oracle, pauser, minter, guardian, treasury, sponsor, stakers, permit_accounts,
    rando, sign_permit, capsys,
):
    STATS.clear()
    settings = {
        "max_examples": EXAMPLES,
        # Hypothesis first generates small examples (capped at ten times the size of the
        # all-zeros run); longer step sequences overrun that cap and trip this check
        # although nothing is wrong with the strategies.
        "suppress_health_check": [HealthCheck.data_too_large, HealthCheck.too_slow],
    }
    if STEPS:
        settings["stateful_step_count"] = STEPS
    roles = {"oracle": oracle, "pauser": pauser, "minter": minter, "guardian": guardian}
    # Hypothesis draws each example's length (often far below the step cap), so the long
    # mode reruns the machine until STATEFUL_MIN_STEPS steps ran rather than hope one run does.
    runs = 0
    while runs == 0 or (STATS["steps"] < MIN_STEPS and runs < MAX_RUNS):
        state_machine(
            EscrowStateMachine, nmr, usd, escrow, roles, [treasury, sponsor], stakers, permit_accounts, rando,
            sign_permit, settings=settings,
        )
        runs += 1
        chain.revert()  # to the snapshot the run took at its start: the next run starts clean
    with capsys.disabled():
        print(f"\nstateful run: {runs} run(s), {STATS['examples']} examples, {STATS['steps']} steps, "
              f"{STATS['transactions']} transactions ({STATS['reverted']} reverted as the model predicted)")
        for key in sorted(k for k in STATS if ":" in k):
            print(f"  {key}: {STATS[key]}")
        # first_round acts once per example by design; everything else rare is worth a look.
        rare = [f"{k} ({STATS[k]})" for k in sorted(STATS)
                if ":" in k and k != "rule:first_round" and STATS[k] < STATS["steps"] / 100]  # fmt: skip
        print(f"acting in under 1% of the steps: {', '.join(rare) or 'nothing'}")
    assert STATS["steps"] >= max(EXAMPLES * 5, MIN_STEPS), f"only {STATS['steps']} steps ran"
