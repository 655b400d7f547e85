"""Payout policies: worked examples (as in docs/payout.md) and properties of every plan."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.payout import (
    WAD,
    PlanEntry,
    StakeEntry,
    StakerScore,
    build_plan,
    plan_from_json,
    plan_to_json,
    plan_totals,
)

NMR = 10**18
GOOD = {"consistency": 0.8, "original": True, "concordant": True, "corr": 0.02}


def score(live_logloss: float, **overrides) -> StakerScore:
    return StakerScore(live_logloss=live_logloss, **{**GOOD, **overrides})


def test_whitepaper_style_auction():
    """docs/payout.md, example 1: a 10 NMR pool, five bids, the pool runs out at carol."""
    stakes = [
        StakeEntry("alice", 10 * NMR, 5 * WAD, order=1),  # bids for 2 NMR
        StakeEntry("bob", 12 * NMR, 4 * WAD, order=2),  # 3 NMR, loses
        StakeEntry("carol", 20 * NMR, 2 * WAD, order=3),  # 10 NMR: only 5 left -> partial
        StakeEntry("dave", 9 * NMR, 3 * WAD, order=4),  # 3 NMR
        StakeEntry("erin", 5 * NMR, 1 * WAD, order=5),  # below the cut
    ]
    scores = {
        "alice": score(0.690),
        "bob": score(0.695),
        "carol": score(0.689),
        "dave": score(0.6925),
        "erin": score(0.680),
    }
    plan = build_plan("auction2017", stakes, scores, budget=10 * NMR)
    assert plan == [
        PlanEntry("alice", 10 * NMR, burn=0, reward=2 * NMR),
        PlanEntry("bob", 12 * NMR, burn=12 * NMR, reward=0),
        PlanEntry("carol", 20 * NMR, burn=0, reward=2 * NMR),
        PlanEntry("dave", 9 * NMR, burn=0, reward=3 * NMR),
        PlanEntry("erin", 5 * NMR, burn=0, reward=0),
    ]
    assert plan_totals(plan) == {"staked": 56 * NMR, "burned": 12 * NMR, "returned": 44 * NMR, "rewarded": 7 * NMR}


def test_marginal_loser_burns_only_the_filled_part():
    stakes = [StakeEntry("a", 10 * NMR, 2 * WAD, 1), StakeEntry("b", 10 * NMR, 1 * WAD, 2)]
    scores = {"a": score(0.69), "b": score(0.70)}
    plan = build_plan("auction2017", stakes, scores, budget=8 * NMR)
    # a claims 5 NMR, b bids 10 for the 3 left: 3 NMR of its stake were at risk
    assert plan == [PlanEntry("a", 10 * NMR, 0, 5 * NMR), PlanEntry("b", 10 * NMR, 3 * NMR, 0)]


def test_ineligible_and_unscored_stakes_are_returned():
    stakes = [StakeEntry(name, NMR, WAD, i) for i, name in enumerate("abcde")]
    scores = {
        "a": score(0.5, original=False),
        "b": score(0.5, concordant=False),
        "c": score(0.9, consistency=0.5),
        "d": None,  # hash matched no accepted file
    }  # "e" missing entirely
    plan = build_plan("auction2017", stakes, scores, budget=100 * NMR)
    assert all(e.burn == 0 and e.reward == 0 for e in plan)


def test_ties_in_confidence_go_to_the_earlier_stake():
    stakes = [StakeEntry("late", NMR, WAD, order=9), StakeEntry("early", NMR, WAD, order=3)]
    plan = build_plan("auction2017", stakes, {"late": score(0.6), "early": score(0.6)}, budget=NMR)
    assert [e.staker for e in plan] == ["early", "late"]
    assert [e.reward for e in plan] == [NMR, 0]


def test_coin_flip_logloss_does_not_win():
    plan = build_plan("auction2017", [StakeEntry("a", NMR, WAD, 1)], {"a": score(math.log(2))}, budget=NMR)
    assert plan[0].burn == NMR


def test_corr_policy_worked_example():
    """docs/payout.md, example 2."""
    stakes = [StakeEntry("a", 100 * NMR, WAD, 1), StakeEntry("b", 100 * NMR, WAD, 2), StakeEntry("c", 100 * NMR, WAD, 3)]
    scores = {"a": score(0.69, corr=0.05), "b": score(0.69, corr=-0.5), "c": score(0.69, corr=0.10, original=False)}
    plan = build_plan("corr", stakes, scores, budget=100 * NMR, multiplier=2.0, cap=0.25)
    assert plan == [
        PlanEntry("a", 100 * NMR, 0, 10 * NMR),
        PlanEntry("b", 100 * NMR, 25 * NMR, 0),
        PlanEntry("c", 100 * NMR, 0, 0),
    ]
    scaled = build_plan("corr", stakes, scores, budget=4 * NMR, multiplier=2.0, cap=0.25)
    assert scaled[0].reward == 4 * NMR


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: build_plan("ranked", [], {}, 0), "unknown payout policy 'ranked'"),
        (lambda: build_plan("corr", [], {}, 0, consistency_threshold=0.5), "takes no parameter"),
        (lambda: build_plan("auction2017", [StakeEntry("a", 1, 0, 1)], {}, 0), "confidence of a"),
        (lambda: build_plan("auction2017", [StakeEntry("a", 1.5, 1, 1)], {}, 0), "stake of a"),
        (lambda: build_plan("auction2017", [], {}, -1), "budget"),
        (lambda: build_plan("auction2017", [StakeEntry("a", 1, 1, 1), StakeEntry("a", 1, 1, 2)], {}, 0), "two stakes"),
        (lambda: plan_from_json([{"staker": "a", "stake": "1e18", "burn": "0", "reward": "0"}]), "stake must be"),
    ],
)
def test_bad_inputs_are_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_json_round_trip_keeps_big_integers_exact():
    plan = [PlanEntry("0xAbC", 2**200 + 1, 7, 10**30 + 3)]
    encoded = plan_to_json(plan)
    assert encoded[0]["stake"] == str(2**200 + 1)
    assert plan_from_json(encoded) == plan


scores_strategy = st.one_of(
    st.none(),
    st.builds(
        StakerScore,
        live_logloss=st.floats(0.6, 0.8),
        consistency=st.floats(0, 1),
        original=st.booleans(),
        concordant=st.booleans(),
        corr=st.floats(-1, 1),
    ),
)


@st.composite
def rounds(draw):
    n = draw(st.integers(0, 12))
    stakes = [
        StakeEntry(
            f"0x{i:040x}",
            draw(st.integers(0, 10**24)),
            draw(st.integers(1, 2**64 - 1)),
            draw(st.integers(0, 10**12)),
        )
        for i in range(n)
    ]
    scores = {s.staker: draw(scores_strategy) for s in stakes}
    return stakes, scores, draw(st.integers(0, 10**24))


@settings(max_examples=150, deadline=None)
@given(rounds(), st.sampled_from(["auction2017", "corr"]), st.floats(0.1, 10), st.floats(0, 1))
def test_every_plan_balances(round_, policy, multiplier, cap):
    stakes, scores, budget = round_
    params = {"multiplier": multiplier, "cap": cap} if policy == "corr" else {}
    plan = build_plan(policy, stakes, scores, budget, **params)
    totals = plan_totals(plan)
    assert totals["returned"] + totals["burned"] == totals["staked"] == sum(s.amount for s in stakes)
    assert totals["rewarded"] <= budget
    assert [e.staker for e in plan] == [s.staker for s in sorted(stakes, key=lambda s: (s.order, s.staker))]
    for entry in plan:
        assert all(type(v) is int for v in (entry.stake, entry.burn, entry.reward))
        assert 0 <= entry.burn <= entry.stake and entry.reward >= 0
        if scores.get(entry.staker) is None:
            assert entry.burn == entry.reward == 0
    assert plan_from_json(plan_to_json(plan)) == plan
    assert build_plan(policy, list(reversed(stakes)), scores, budget, **params) == plan


@settings(max_examples=100, deadline=None)
@given(rounds())
def test_auction_rewards_are_stake_over_confidence_unless_marginal(round_):
    stakes, scores, budget = round_
    plan = build_plan("auction2017", stakes, scores, budget)
    by_staker = {s.staker: s for s in stakes}
    partial = [e for e in plan if e.reward and e.reward != by_staker[e.staker].amount * WAD // by_staker[e.staker].confidence]
    assert len(partial) <= 1  # only the stake where the pool ran out is paid less than s / c
