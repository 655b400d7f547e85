"""Stateful test of the escrow against a Python model of its rounds and stakes.

Rules open rounds, stake (first stakes, top-ups, permits), move time, settle valid and
invalid batches, finalize, withdraw through the escape hatch and pause/unpause. Every
transaction's outcome is predicted by the model from the timestamp of the block that
mined it, so a deadline crossed by wall-clock drift is still predicted exactly; a
predicted revert must carry the exact custom error and leave everything unchanged.

Invariants after every step: the escrow holds exactly the unsettled stakes plus the
unspent budgets of unfinalized rounds; total supply == minted - burned <= cap; no stake
is settled or withdrawn twice; payouts stay within bounds; the views of every round,
stake and wallet touched by the step equal the model. Teardown: past every deadline,
every unsettled stake is withdrawn, every wallet equals the model, every round finalizes.
"""

import random
from collections import Counter
from dataclasses import dataclass, field

from brownie import chain, web3
from brownie.exceptions import VirtualMachineError
from brownie.test import strategy
from hypothesis import HealthCheck

NMR = 10**18
WAD = 10**18
MAX_CONFIDENCE = 2**64 - 1
MAX_ROUNDS = 6
HASH = b"\x5a" * 32
NONE, ACTIVE, SETTLED, WITHDRAWN = range(4)

EXAMPLES = 30
STEPS_PER_EXAMPLE = 25

# What the run did, printed at the end: the closing note reports the stateful step count.
STATS = Counter()


def _plain(values):
    """Event or view values as ints and strings: Brownie 1.22's compiled ReturnValue
    raises TypeError when compared with a list of plain ints."""
    return [int(v) if isinstance(v, int) else str(v) for v in values]


@dataclass
class StakeModel:
    amount: int = 0
    confidence: int = 0
    status: int = NONE


@dataclass
class RoundModel:
    closes_at: int
    resolves_by: int
    budget: int
    rewards_paid: int = 0
    total_staked: int = 0
    settled_stake: int = 0
    burned: int = 0
    finalized: bool = False
    stakes: dict = field(default_factory=dict)

    def stake(self, staker):
        return self.stakes.get(staker, StakeModel())

    def active(self):
        return [who for who, position in self.stakes.items() if position.status == ACTIVE]

    def unsettled_count(self):
        return len(self.active())

    def in_window(self, timestamp):
        return self.closes_at <= timestamp < self.resolves_by


class EscrowStateMachine:
    st_closes_in = strategy("uint32", min_value=600, max_value=3 * 86400)
    st_window = strategy("uint32", min_value=600, max_value=5 * 86400)
    st_budget = strategy("uint256", max_value=5_000 * NMR)
    st_amount = strategy("uint256", min_value=1, max_value=2_000 * NMR)
    st_confidence = strategy("uint64", min_value=1)
    st_move = strategy("int8", min_value=-1, max_value=2)
    st_index = strategy("uint8")
    st_seed = strategy("uint32")
    st_kind = strategy("uint8", max_value=7)
    st_mantissa = strategy("uint8", min_value=1, max_value=9)
    st_exponent = strategy("uint8", min_value=2, max_value=5)

    def __init__(cls, nmr, escrow, oracle, pauser, treasury, stakers, permit_accounts, rando, sign_permit):
        # Brownie calls this once on the machine class; each example then starts from the
        # chain snapshot taken right after it, so these balances hold for every example.
        cls.nmr, cls.escrow = nmr, escrow
        cls.oracle, cls.pauser, cls.treasury, cls.rando = oracle, pauser, treasury, rando
        cls.plain_stakers = list(stakers)
        cls.permit_keys = {account.address: key for key, account in permit_accounts}
        cls.permit_stakers = [account for _, account in permit_accounts]
        cls.by_address = {a.address: a for a in cls.plain_stakers + cls.permit_stakers + [rando]}
        cls.start_wallets = {a: nmr.balanceOf(a) for a in [*cls.by_address, treasury.address]}
        cls.minted = nmr.totalMinted()
        cls.cap = nmr.CAP()
        cls.sign_permit = staticmethod(sign_permit)

    def setup(self):
        self.rounds = {}
        self.wallets = dict(self.start_wallets)
        self.burned = 0
        self.paused = False
        self.closings = Counter()  # (roundId, staker) -> StakeSettled + StakeWithdrawn events
        self.dirty_rounds, self.dirty_stakes, self.dirty_wallets = set(), set(), set()
        self.sent, self.checked = 0, {}
        STATS["examples"] += 1

    # ---- helpers ---------------------------------------------------------------------

    def _step(self, name):
        STATS["steps"] += 1
        STATS[f"rule:{name}"] += 1

    def _send(self, method, *args):
        """(receipt or None, revert message, timestamp of the block that mined it)."""
        STATS["transactions"] += 1
        self.sent += 1
        try:
            tx = method(*args)
        except VirtualMachineError as exc:
            STATS["reverted"] += 1
            return None, exc.revert_msg, web3.eth.get_block("latest")["timestamp"]
        return tx, None, tx.timestamp

    def _chain_changed(self, invariant):
        """True if a transaction was sent since `invariant` last read the chain: state
        changes only through transactions, so re-reading after a no-op step is waste."""
        if self.checked.get(invariant) == self.sent:
            return False
        self.checked[invariant] = self.sent
        return True

    def _pick_round(self, index):
        if not self.rounds:
            return None
        ids = sorted(self.rounds)
        return ids[index % len(ids)]

    def _pick_staking_round(self, index):
        """Three times in four a round still open (opening one if none is and there is
        room), else any round: most stakes should land, some should hit a closed round."""
        open_ids = [rid for rid in sorted(self.rounds) if chain.time() < self.rounds[rid].closes_at - 5]
        if not open_ids and len(self.rounds) < MAX_ROUNDS and index % 4 != 3:
            self._open_round(86400, 2 * 86400, 1_000 * NMR)
            open_ids = [len(self.rounds)]
        if open_ids and index % 4 != 3:  # index 0, Hypothesis's favourite, stakes
            return open_ids[(index // 4) % len(open_ids)]
        return self._pick_round(index)

    def _touch(self, round_id, *addresses):
        self.dirty_rounds.add(round_id)
        self.dirty_stakes.update((round_id, a) for a in addresses)
        self.dirty_wallets.update(addresses)
        self.dirty_wallets.add(self.treasury.address)

    def _assert_outcome(self, error, expected, label):
        assert error == expected, f"{label}: model expected {expected!r}, contract said {error!r}"
        STATS[f"{label}:{'ok' if expected is None else expected.split(':')[0]}"] += 1

    # ---- model of the contract's checks (same order as the Solidity) -----------------

    def _stake_error(self, round_id, staker, confidence, timestamp):
        round_ = self.rounds[round_id]
        if self.paused:
            return "EnforcedPause: "
        if timestamp >= round_.closes_at:
            return f"TournamentEscrowRoundClosed: {round_id}, {round_.closes_at}"
        if confidence == 0 or confidence > MAX_CONFIDENCE:
            return f"TournamentEscrowInvalidConfidence: {confidence}"
        current = round_.stake(staker).confidence
        if confidence < current:
            return f"TournamentEscrowConfidenceLowered: {round_id}, {current}, {confidence}"
        return None

    def _settle_error(self, round_id, stakers, burns, rewards, timestamp):
        if not len(stakers) == len(burns) == len(rewards):
            return f"TournamentEscrowLengthMismatch: {len(stakers)}, {len(burns)}, {len(rewards)}"
        round_ = self.rounds.get(round_id)
        if round_ is None:
            return f"TournamentEscrowUnknownRound: {round_id}"
        if timestamp < round_.closes_at:
            return f"TournamentEscrowRoundOpen: {round_id}, {round_.closes_at}"
        if timestamp >= round_.resolves_by:
            return f"TournamentEscrowSettlementWindowOver: {round_id}, {round_.resolves_by}"
        if round_.finalized:
            return f"TournamentEscrowAlreadyFinalized: {round_id}"
        left, seen = round_.budget - round_.rewards_paid, set()
        for staker, burn, reward in zip(stakers, burns, rewards):
            if reward > left:
                return f"TournamentEscrowBudgetExceeded: {round_id}, {reward}, {left}"
            status = round_.stake(staker).status
            if status == NONE:
                return f"TournamentEscrowNoStake: {round_id}, {staker.lower()}"
            if status != ACTIVE or staker in seen:
                return f"TournamentEscrowAlreadySettled: {round_id}, {staker.lower()}"
            amount = round_.stakes[staker].amount
            if burn > amount:
                return f"TournamentEscrowBurnExceedsStake: {staker.lower()}, {burn}, {amount}"
            left -= reward
            seen.add(staker)
        return None

    def _finalize_error(self, round_id, timestamp):
        round_ = self.rounds[round_id]
        if round_.finalized:
            return f"TournamentEscrowAlreadyFinalized: {round_id}"
        if timestamp < round_.closes_at:
            return f"TournamentEscrowRoundOpen: {round_id}, {round_.closes_at}"
        unsettled = round_.unsettled_count()
        if unsettled and timestamp < round_.resolves_by:
            return f"TournamentEscrowUnsettledStakes: {round_id}, {unsettled}"
        return None

    def _withdraw_error(self, round_id, staker, timestamp):
        round_ = self.rounds[round_id]
        if timestamp < round_.resolves_by:
            return f"TournamentEscrowDeadlineNotReached: {round_id}, {round_.resolves_by}"
        status = round_.stake(staker).status
        if status == NONE:
            return f"TournamentEscrowNoStake: {round_id}, {staker.lower()}"
        if status != ACTIVE:
            return f"TournamentEscrowAlreadySettled: {round_id}, {staker.lower()}"
        return None

    # ---- model updates ---------------------------------------------------------------

    def _record_stake(self, tx, round_id, staker, amount, confidence):
        round_ = self.rounds[round_id]
        position = round_.stakes.setdefault(staker, StakeModel())
        position.amount += amount
        position.confidence = confidence
        position.status = ACTIVE
        round_.total_staked += amount
        self.wallets[staker] -= amount
        assert _plain(tx.events["Staked"].values()) == [round_id, staker, amount, confidence, "0x" + HASH.hex()]

    def _record_settlement(self, tx, round_id, stakers, burns, rewards):
        round_ = self.rounds[round_id]
        for staker, burn, reward in zip(stakers, burns, rewards):
            position = round_.stakes[staker]
            payout = position.amount - burn + reward
            # Payout bounds: never more than the stake plus its reward, never negative.
            assert 0 <= payout <= position.amount + reward
            position.status = SETTLED
            round_.settled_stake += position.amount
            round_.burned += burn
            round_.rewards_paid += reward
            self.wallets[staker] += payout
            self.burned += burn
        events = tx.events["StakeSettled"]
        assert [_plain(e.values()) for e in events] == [[round_id, s, b, r] for s, b, r in zip(stakers, burns, rewards)]
        for event in events:
            self.closings[(event["roundId"], event["staker"])] += 1

    def _record_withdrawal(self, tx, round_id, staker):
        round_ = self.rounds[round_id]
        position = round_.stakes[staker]
        position.status = WITHDRAWN
        round_.settled_stake += position.amount
        self.wallets[staker] += position.amount
        event = tx.events["StakeWithdrawn"]
        assert _plain(event.values()) == [round_id, staker, position.amount]
        self.closings[(event["roundId"], event["staker"])] += 1

    def _record_finalize(self, tx, round_id):
        round_ = self.rounds[round_id]
        unspent = round_.budget - round_.rewards_paid
        round_.finalized = True
        self.wallets[self.treasury.address] += unspent
        assert _plain(tx.events["RoundFinalized"].values()) == [round_id, unspent]

    # ---- rules: rounds and time ------------------------------------------------------

    def initialize_first_round(
        self, closes_in="st_closes_in", window="st_window", budget="st_budget", amount="st_amount"
    ):
        """Every example starts with one open round holding one stake, so that settle,
        withdraw and finalize have something to act on from the first step."""
        self._step("first_round")
        self._open_round(closes_in, window, budget)
        self._plain_stake(1, self.plain_stakers[0], amount, WAD)

    def rule_open_round(self, closes_in="st_closes_in", window="st_window", budget="st_budget"):
        self._step("open_round")
        if len(self.rounds) < MAX_ROUNDS:
            self._open_round(closes_in, window, budget)

    def _open_round(self, closes_in, window, budget):
        round_id = len(self.rounds) + 1
        closes_at = chain.time() + closes_in
        _, error, _ = self._send(
            self.escrow.createRound, round_id, closes_at, closes_at + window, budget, {"from": self.oracle}
        )
        self._assert_outcome(error, None, "open_round")
        self.rounds[round_id] = RoundModel(closes_at, closes_at + window, budget)
        self.wallets[self.treasury.address] -= budget
        self._touch(round_id)

    def rule_open_existing_round(self, index="st_index", budget="st_budget"):
        self._step("open_existing_round")
        round_id = self._pick_round(index)
        if round_id is None:
            return
        closes_at = chain.time() + 3600
        _, error, _ = self._send(
            self.escrow.createRound, round_id, closes_at, closes_at + 3600, budget, {"from": self.oracle}
        )
        self._assert_outcome(error, f"TournamentEscrowRoundExists: {round_id}", "open_round")
        self._touch(round_id)

    def rule_advance_time(self, mantissa="st_mantissa", exponent="st_exponent"):
        self._step("advance_time")
        chain.sleep(mantissa * 10**exponent)

    # ---- rules: staking --------------------------------------------------------------

    def _confidence_for(self, round_id, staker, move, fresh):
        current = self.rounds[round_id].stake(staker).confidence
        if current == 0:
            return fresh
        return {-1: current - 1, 0: current, 1: min(current + 1, MAX_CONFIDENCE)}.get(move, max(current, fresh))

    def _plain_stake(self, round_id, staker, amount, confidence):
        amount = min(amount, self.wallets[staker.address])
        if amount == 0:
            return
        if not self.paused:  # paused: refused before any transfer, approval or not
            self.nmr.approve(self.escrow, amount, {"from": staker})
        tx, error, mined_at = self._send(self.escrow.stake, round_id, amount, confidence, HASH, {"from": staker})
        self._assert_outcome(error, self._stake_error(round_id, staker.address, confidence, mined_at), "stake")
        if error is None:
            self._record_stake(tx, round_id, staker.address, amount, confidence)
        self._touch(round_id, staker.address)

    def rule_first_stake(self, index="st_index", who="st_index", amount="st_amount", confidence="st_confidence"):
        self._step("first_stake")
        round_id = self._pick_staking_round(index)
        if round_id is None:
            return
        fresh = [s for s in self.plain_stakers if s.address not in self.rounds[round_id].stakes]
        if fresh:
            self._plain_stake(round_id, fresh[who % len(fresh)], amount, confidence)

    def rule_top_up(
        self, index="st_index", who="st_index", amount="st_amount", move="st_move", confidence="st_confidence"
    ):
        self._step("top_up")
        round_id = self._pick_staking_round(index)
        if round_id is None:
            return
        holders = [s for s in self.plain_stakers if s.address in self.rounds[round_id].stakes]
        if holders:
            staker = holders[who % len(holders)]
            self._plain_stake(round_id, staker, amount, self._confidence_for(round_id, staker.address, move, confidence))

    def rule_permit_stake(
        self, index="st_index", who="st_index", amount="st_amount", move="st_move", confidence="st_confidence"
    ):
        """First stake or top-up in one transaction, approved by a locally signed permit."""
        self._step("permit_stake")
        round_id = self._pick_staking_round(index)
        if round_id is None:
            return
        staker = self.permit_stakers[who % len(self.permit_stakers)]
        amount = min(amount, self.wallets[staker.address])
        if amount == 0:
            return
        confidence = self._confidence_for(round_id, staker.address, move, confidence)
        nonce = self.nmr.nonces(staker)
        deadline, v, r, s = self.sign_permit(self.permit_keys[staker.address], amount, nonce=nonce)
        tx, error, mined_at = self._send(
            self.escrow.stakeWithPermit, round_id, amount, confidence, HASH, deadline, v, r, s, {"from": staker}
        )
        self._assert_outcome(error, self._stake_error(round_id, staker.address, confidence, mined_at), "permit")
        if error is None:
            self._record_stake(tx, round_id, staker.address, amount, confidence)
            assert self.nmr.nonces(staker) == nonce + 1
            assert self.nmr.allowance(staker, self.escrow) == 0
        self._touch(round_id, staker.address)

    # ---- rules: settlement -----------------------------------------------------------

    def _settleable(self, index):
        """A round with active stakes whose window is not over, moving time to its close
        if it is still open (the oracle waits for closesAt); None if there is none."""
        now = chain.time()
        candidates = [rid for rid, r in sorted(self.rounds.items()) if r.active() and now < r.resolves_by]
        if not candidates:
            return None
        round_id = candidates[index % len(candidates)]
        if now < self.rounds[round_id].closes_at:
            chain.sleep(self.rounds[round_id].closes_at - now)
        return round_id

    def _valid_batch(self, round_id, rng):
        """A random batch of active stakes: burns within each stake, rewards within budget."""
        round_ = self.rounds[round_id]
        active = round_.active()
        rng.shuffle(active)
        stakers = active[: rng.randint(1, len(active))]
        left = round_.budget - round_.rewards_paid
        burns, rewards = [], []
        for staker in stakers:
            amount = round_.stakes[staker].amount
            burns.append(rng.choice([0, amount, rng.randint(0, amount)]))
            rewards.append(rng.choice([0, left, rng.randint(0, left)]))
            left -= rewards[-1]
        return stakers, burns, rewards

    def _settle(self, round_id, stakers, burns, rewards, label):
        """Sends a batch; the model predicts its outcome; a revert must change nothing."""
        escrow_before = self.nmr.balanceOf(self.escrow)
        tx, error, mined_at = self._send(self.escrow.settle, round_id, stakers, burns, rewards, {"from": self.oracle})
        expected = self._settle_error(round_id, stakers, burns, rewards, mined_at)
        self._assert_outcome(error, expected, label)
        if error is None:
            self._record_settlement(tx, round_id, stakers, burns, rewards)
        else:
            assert self.nmr.balanceOf(self.escrow) == escrow_before
        if round_id in self.rounds:
            self._touch(round_id, *stakers)
        return error

    def rule_settle_valid_batch(self, index="st_index", seed="st_seed"):
        self._step("settle_valid")
        round_id = self._settleable(index)
        if round_id is None:
            return
        stakers, burns, rewards = self._valid_batch(round_id, random.Random(seed))
        self._settle(round_id, stakers, burns, rewards, "settle_valid")

    def rule_settle_invalid_batch(self, index="st_index", kind="st_kind", seed="st_seed"):
        """Breaks one bound of an otherwise valid batch; the contract must refuse it whole."""
        self._step("settle_invalid")
        rng, now = random.Random(seed), chain.time()
        if kind == 7:  # wrong window: a round that is still open or past its deadline
            outside = [rid for rid, r in sorted(self.rounds.items()) if not r.in_window(now)]
            if outside:
                round_id = outside[index % len(outside)]
                batch = self.rounds[round_id].active()[:1] or [self.rando.address]
                # Usually RoundOpen or SettlementWindowOver; a batch mined on the very
                # second the window opens is rightly accepted, and the model agrees.
                self._settle(round_id, batch, [0] * len(batch), [0] * len(batch), "settle_invalid")
            return
        round_id = self._settleable(index)
        if round_id is None:
            return
        round_ = self.rounds[round_id]
        stakers, burns, rewards = self._valid_batch(round_id, rng)
        position = rng.randrange(len(stakers))
        culprit = stakers[position]
        if kind == 0:  # burn more than the stake
            burns[position] = round_.stakes[culprit].amount + rng.randint(1, 10 * NMR)
        elif kind == 1:  # rewards past the budget
            rewards[position] = round_.budget - round_.rewards_paid - sum(rewards) + rewards[position] + 1
        elif kind == 2:  # the same staker twice
            again = rng.randrange(position + 1, len(stakers) + 1)
            stakers.insert(again, culprit)
            burns.insert(again, 0)
            rewards.insert(again, 0)
        elif kind == 3:  # someone with no stake in this round
            outsiders = [a for a in self.by_address if a not in round_.stakes]
            stakers[position] = outsiders[seed % len(outsiders)]
        elif kind == 4:  # a stake already settled or withdrawn (in any earlier batch)
            closed = [a for a, p in round_.stakes.items() if p.status in (SETTLED, WITHDRAWN)]
            if not closed:
                return
            stakers[position] = closed[seed % len(closed)]
        elif kind == 5:  # arrays of different lengths
            (burns if seed % 2 else rewards).append(0)
        elif kind == 6:  # a round already finalized (if one is in its window), else none at all
            done = [rid for rid, r in sorted(self.rounds.items()) if r.finalized and r.in_window(now)]
            round_id = done[0] if done else MAX_ROUNDS + 1
        error = self._settle(round_id, stakers, burns, rewards, "settle_invalid")
        assert error is not None, f"invalid batch kind {kind} was accepted"

    # ---- rules: finalize, escape hatch, pause ----------------------------------------

    def rule_finalize(self, index="st_index"):
        self._step("finalize")
        round_id = self._pick_round(index)
        if round_id is None:
            return
        tx, error, mined_at = self._send(self.escrow.finalize, round_id, {"from": self.rando})
        self._assert_outcome(error, self._finalize_error(round_id, mined_at), "finalize")
        if error is None:
            self._record_finalize(tx, round_id)
        self._touch(round_id)

    def rule_withdraw(self, index="st_index", who="st_index"):
        """Escape hatch. Two times in three an unsettled staker whose oracle let the
        deadline pass (time moves to resolvesBy if needed); otherwise anyone, a stranger
        included, at any time."""
        self._step("withdraw")
        active = [(rid, a) for rid, r in sorted(self.rounds.items()) for a in r.active()]
        if active and index % 3 != 2:
            round_id, staker = active[who % len(active)]
            resolves_by = self.rounds[round_id].resolves_by
            chain.sleep(max(0, resolves_by - chain.time()))
        else:
            round_id = self._pick_round(index)
            holders = sorted(self.rounds[round_id].stakes) + [self.rando.address]
            staker = holders[who % len(holders)]
        tx, error, mined_at = self._send(self.escrow.withdrawStake, round_id, {"from": self.by_address[staker]})
        self._assert_outcome(error, self._withdraw_error(round_id, staker, mined_at), "withdraw")
        if error is None:
            STATS["withdraw:while_paused"] += self.paused
            self._record_withdrawal(tx, round_id, staker)
        self._touch(round_id, staker)

    def rule_pause(self, index="st_index", amount="st_amount"):
        """Pauses, shows a stake is refused, and stays paused one time in four (until
        the unpause rule), so that most of a run can still stake."""
        self._step("pause")
        if not self.paused:
            _, error, _ = self._send(self.escrow.pause, {"from": self.pauser})
            self._assert_outcome(error, None, "pause")
            self.paused = True
        staker = self.plain_stakers[index % len(self.plain_stakers)]
        round_id = self._pick_round(index)
        self._plain_stake(round_id, staker, amount, self._confidence_for(round_id, staker.address, 0, WAD))
        if index % 4 != 3:
            self._unpause()

    def rule_unpause(self):
        self._step("unpause")
        self._unpause()

    def _unpause(self):
        if not self.paused:
            return
        _, error, _ = self._send(self.escrow.unpause, {"from": self.pauser})
        self._assert_outcome(error, None, "unpause")
        self.paused = False

    # ---- invariants ------------------------------------------------------------------

    def invariant_escrow_holds_unsettled_stakes_and_unspent_budgets(self):
        if not self._chain_changed("escrow"):
            return
        stakes = sum(p.amount for r in self.rounds.values() for p in r.stakes.values() if p.status == ACTIVE)
        budgets = sum(r.budget - r.rewards_paid for r in self.rounds.values() if not r.finalized)
        assert self.nmr.balanceOf(self.escrow) == stakes + budgets

    def invariant_supply_is_minted_minus_burned(self):
        assert self.minted <= self.cap
        if self._chain_changed("supply"):
            assert self.nmr.totalSupply() == self.minted - self.burned

    def invariant_no_stake_closed_twice(self):
        assert all(count == 1 for count in self.closings.values())
        for round_id, round_ in self.rounds.items():
            closed = [a for a, p in round_.stakes.items() if p.status in (SETTLED, WITHDRAWN)]
            assert sorted(closed) == sorted(a for (rid, a) in self.closings if rid == round_id)

    def invariant_payouts_within_bounds(self):
        for round_ in self.rounds.values():
            assert round_.rewards_paid <= round_.budget
            assert round_.burned <= round_.settled_stake <= round_.total_staked

    def invariant_touched_views_match_model(self):
        for round_id in self.dirty_rounds:
            self._check_round(round_id)
        for round_id, staker in self.dirty_stakes:
            self._check_stake(round_id, staker)
        for address in self.dirty_wallets:
            assert self.nmr.balanceOf(address) == self.wallets[address], address
        self.dirty_rounds, self.dirty_stakes, self.dirty_wallets = set(), set(), set()

    def _check_round(self, round_id):
        round_ = self.rounds[round_id]
        view = self.escrow.getRound(round_id).dict()
        closed = len(round_.stakes) - round_.unsettled_count()
        assert {k: int(v) for k, v in view.items()} == {
            "closesAt": round_.closes_at,
            "resolvesBy": round_.resolves_by,
            "rewardBudget": round_.budget,
            "rewardsPaid": round_.rewards_paid,
            "totalStaked": round_.total_staked,
            "settledStake": round_.settled_stake,
            "totalBurned": round_.burned,
            "stakerCount": len(round_.stakes),
            "settledCount": closed,
            "finalized": int(round_.finalized),
        }

    def _check_stake(self, round_id, staker):
        position = self.rounds[round_id].stake(staker)
        view = self.escrow.getStake(round_id, staker)
        assert tuple(int(v) for v in view) == (position.amount, position.confidence, position.status)

    # ---- teardown: nothing can be stranded --------------------------------------------

    def teardown(self):
        if not self.rounds:
            return
        chain.sleep(max(r.resolves_by for r in self.rounds.values()) - chain.time() + 1)
        # The escape hatch and finalize must work while paused: prove it on every example.
        if not self.paused:
            self._send(self.escrow.pause, {"from": self.pauser})
            self.paused = True
        for round_id, round_ in sorted(self.rounds.items()):
            for staker in round_.active():
                tx, error, _ = self._send(self.escrow.withdrawStake, round_id, {"from": self.by_address[staker]})
                assert error is None, f"stake of {staker} in round {round_id} is stranded: {error}"
                self._record_withdrawal(tx, round_id, staker)
                STATS["teardown:withdrawn_while_paused"] += 1
            if not round_.finalized:
                tx, error, _ = self._send(self.escrow.finalize, round_id, {"from": self.rando})
                assert error is None, f"round {round_id} cannot be finalized: {error}"
                self._record_finalize(tx, round_id)
                STATS["teardown:finalized"] += 1
        for round_id, round_ in self.rounds.items():
            self._check_round(round_id)
            for staker in round_.stakes:
                self._check_stake(round_id, staker)
        for address, expected in self.wallets.items():
            assert self.nmr.balanceOf(address) == expected, address
        assert self.nmr.balanceOf(self.escrow) == 0
        assert self.nmr.totalMinted() == self.minted <= self.cap
        assert self.nmr.totalSupply() == self.minted - self.burned
        self.invariant_no_stake_closed_twice()


def test_escrow_state_machine(
    state_machine, nmr, escrow, oracle, pauser, treasury, stakers, permit_accounts, rando, sign_permit, capsys
):
    STATS.clear()
    state_machine(
        EscrowStateMachine,
        nmr,
        escrow,
        oracle,
        pauser,
        treasury,
        stakers,
        permit_accounts,
        rando,
        sign_permit,
        settings={
            "max_examples": EXAMPLES,
            "stateful_step_count": STEPS_PER_EXAMPLE,
            # Hypothesis first generates small examples (capped at ten times the size of
            # the all-zeros run, one step here); longer step sequences overrun that cap and
            # trip this check although nothing is wrong with the strategies.
            "suppress_health_check": [HealthCheck.data_too_large],
        },
    )
    with capsys.disabled():
        print(f"\nstateful run: {STATS['examples']} examples, {STATS['steps']} steps, "
              f"{STATS['transactions']} transactions ({STATS['reverted']} reverted as the model predicted)")
        for key in sorted(k for k in STATS if ":" in k):
            print(f"  {key}: {STATS[key]}")
    assert STATS["steps"] >= EXAMPLES * 5
