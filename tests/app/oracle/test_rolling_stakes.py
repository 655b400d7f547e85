"""A rolling stake through three rounds on a real Ganache, with no stake transaction from
its staker after the first (issue #23).

Rounds 1-3 pay by the corr policy (a positive corr earns NMR, a negative one burns part of
the stake). Alice stakes 100 NMR once on round 1 and puts the position on rolling; each
round is settled while the next one takes stakes:
- round 1: her file agrees with the live targets: stake back + an NMR reward, all of it
  rolled into round 2;
- round 2: she uploads a file that disagrees (no stake transaction): part of it burned, the
  rest rolled into round 3;
- round 3: she uploads nothing: her position is scored as missing and released, so the NMR
  comes back to her wallet although round 4 is open.
Bob stakes in round 1 without rolling: his NMR comes back to his wallet as always. Alice's
wallet sends three transactions in all (approve, stake, setRolling), and every round's
published files verify.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from eth_account import Account

from app import oracle, store
from app.chain import get_chain
from app.oracle.resolving import load_dataset
from app.paths import published_dir
from app.web import services
from client.core.money.plan import plan_from_json
from client.core.money.stakes import Pools
from client.core.money.units import format_nmr
from client.core.money.verify import verify_published
from tests.app.oracle.conftest import NMR, advance_chain_time, send, token_and_escrow

QUIET = {"report": lambda _: None}
DATASET = {"rows_per_era": 600}
POOLS = Pools(usd_staking=0, usd_prize=0, nmr=1_000 * NMR)
WAD = 10**18


def _file(row: store.Round, agree: bool, seed: int) -> bytes:
    """Probabilities 0.6 / 0.4 that follow the known targets (validation and live) or go
    against them; test rows get a coin flip with the same two values, so the validation,
    test and live distributions agree (concordant) and no other file looks like it."""
    dataset = load_dataset(row)
    tournament = dataset.tournament
    rng = np.random.default_rng(seed)
    target = tournament["target"].copy()
    live = tournament["data_type"] == "live"
    target[live] = dataset.live_targets.reindex(tournament.loc[live, "id"].astype(str)).to_numpy()
    guess = pd.Series(rng.integers(0, 2, len(tournament)), index=tournament.index)
    target = target.fillna(guess)
    if not agree:
        target = 1 - target
    probability = 0.4 + 0.2 * target
    return pd.DataFrame({"id": tournament["id"].astype(str), "probability": probability}).to_csv(index=False).encode()


def _guess(row: store.Round, seed: int) -> bytes:
    tournament = load_dataset(row).tournament
    probability = np.random.default_rng(seed).uniform(0.3, 0.7, len(tournament)).round(6)
    return pd.DataFrame({"id": tournament["id"].astype(str), "probability": probability}).to_csv(index=False).encode()


def _settle_while_next_opens(app, w3, number: int, said: list[str] | None = None) -> dict:
    """Closes round `number`, opens round number + 1 (so a newer round takes stakes),
    resolves, waits out the challenge window and settles (its report lines into `said`);
    returns the stored plan."""
    advance_chain_time(w3, 601)
    with app.app_context():
        oracle.close_round(number, **QUIET)
        oracle.open_round(number + 1, closes_in=600, resolves_in=7200, pools=POOLS, policy="corr",
                          dataset_options=DATASET, **QUIET)
        document = oracle.resolve_round(number, **QUIET)
        advance_chain_time(w3, get_chain().challenge_window() + 1)
        oracle.settle_round(number, report=(said if said is not None else []).append)
    return document


def test_a_rolling_stake_rides_three_rounds_without_another_stake_transaction(app, w3, keys, deployment):
    _, record = deployment
    token, escrow = token_and_escrow(w3, record)
    alice_key, bob_key = keys[3], keys[4]
    alice, bob = Account.from_key(alice_key).address, Account.from_key(bob_key).address
    start_nonce = w3.eth.get_transaction_count(alice)

    with app.app_context():
        row = oracle.open_round(1, closes_in=600, resolves_in=7200, pools=POOLS, policy="corr",
                                dataset_options=DATASET, **QUIET)
        mine = services.upload_predictions(1, alice, _file(row, agree=True, seed=1), "alice-1.csv")
        theirs = services.upload_predictions(1, bob, _guess(row, seed=2), "bob-1.csv")
        assert mine.result.ok and theirs.result.ok, (mine.result.problems, theirs.result.problems)
    send(w3, alice_key, token.functions.approve(escrow.address, 100 * NMR))
    send(w3, alice_key, escrow.functions.stake(1, 0, 100 * NMR, WAD // 10, bytes.fromhex(mine.result.hash[2:])))
    send(w3, alice_key, escrow.functions.setRolling(1, 0, True))
    send(w3, bob_key, token.functions.approve(escrow.address, 50 * NMR))
    send(w3, bob_key, escrow.functions.stake(1, 0, 50 * NMR, WAD // 10, bytes.fromhex(theirs.result.hash[2:])))
    wallet_after_stake = token.functions.balanceOf(alice).call()
    bob_after_stake = token.functions.balanceOf(bob).call()

    # Round 1: rewarded, and all of it rolls into round 2.
    said = []
    plan_1 = {e.model: e for e in plan_from_json(_settle_while_next_opens(app, w3, 1, said)).stakes}
    assert "round 1: 1 rolling stake moved into round 2" in said
    assert plan_1[alice].nmr_reward > 0 and plan_1[alice].burn == 0 and not plan_1[alice].release
    first = 100 * NMR + plan_1[alice].nmr_reward
    settled = {log["args"]["staker"]: log["args"] for log in escrow.events.StakeSettled.get_logs(
        from_block=0, argument_filters={"roundId": 1})}
    assert settled[alice]["rolledInto"] == 2 and settled[bob]["rolledInto"] == 0
    assert list(escrow.functions.getStake(2, alice, 0).call()) == [first, WAD // 10, 1, True]
    assert list(escrow.functions.getStake(1, alice, 0).call()) == [0, 0, 0, False]  # moved, its slot cleared
    bob_back = 50 * NMR - plan_1[bob].burn + plan_1[bob].nmr_reward
    assert token.functions.balanceOf(bob).call() == bob_after_stake + bob_back

    # Round 2: a file that disagrees, uploaded with no stake transaction: part burned, the rest rolls.
    with app.app_context():
        row = store.get_round(2)
        assert services.upload_predictions(2, alice, _file(row, agree=False, seed=3), "alice-2.csv").result.ok
        assert services.upload_predictions(2, bob, _guess(row, seed=4), "bob-2.csv").result.ok
        records = {r.model: r for r in get_chain().stake_records(2)}
    assert records[alice].amount == first and int(records[alice].submission_hash, 16) == 0
    plan_2 = {e.model: e for e in plan_from_json(_settle_while_next_opens(app, w3, 2)).stakes}
    assert plan_2[alice].burn > 0 and plan_2[alice].nmr_reward == 0
    second = first - plan_2[alice].burn
    assert list(escrow.functions.getStake(3, alice, 0).call()) == [second, WAD // 10, 1, True]

    # Round 3: no file from alice: scored as missing, released to the wallet though round 4 is open.
    with app.app_context():
        assert services.upload_predictions(3, bob, _guess(store.get_round(3), seed=5), "bob-3.csv").result.ok
    plan_3 = {e.model: e for e in plan_from_json(_settle_while_next_opens(app, w3, 3)).stakes}
    assert plan_3[alice].release and plan_3[alice].burn == plan_3[alice].nmr_reward == 0
    assert escrow.functions.getStake(4, alice, 0).call()[0] == 0
    assert escrow.functions.getStake(3, alice, 0).call()[2] == 2  # settled

    # The wallet got back what the three rounds left it, plus any prizes, and sent no stake after the first.
    prizes = sum(log["args"]["nmrPrize"] for log in escrow.events.PrizePaid.get_logs(
        from_block=0, argument_filters={"winner": alice}))
    assert token.functions.balanceOf(alice).call() == wallet_after_stake + second + prizes
    assert w3.eth.get_transaction_count(alice) == start_nonce + 3
    assert escrow.functions.accounted(token.address).call() == token.functions.balanceOf(escrow.address).call()
    # The wallet's positions: the two it rolled away, replayed from the events, then its last.
    with app.app_context():
        rows = {row["round"]: row for row in get_chain().stakes(alice)}
    assert [(rows[n]["status"], rows[n]["amount_wei"]) for n in (1, 2, 3)] == [
        ("rolled", 100 * NMR), ("rolled", first), ("settled", second)]
    # The wallet's ledger, from the events: the rolls move nothing in or out of the wallet.
    with app.app_context():
        ledger = [(e["round"], e["kind"], e["nmr_wei"], e["words"]) for e in get_chain().ledger(alice)
                  if e["kind"] != "prize"][::-1]
    assert [kind for _, kind, _, _ in ledger] == ["stake", "rolling", "roll", "roll", "settlement"]
    assert ledger[2][:3] == (1, "roll", 0) and ledger[2][3].startswith(f"settled: {format_nmr(first)} NMR rolled into round 2")
    assert ledger[4][:3] == (3, "settlement", second)
    # The results page says where the NMR went (the plan alone would say "stake back").
    with app.test_client() as browser:
        page = browser.get("/rounds/1").get_data(as_text=True)
    assert "rolled into tournament 2 (the chain)" in page
    with app.app_context():
        for number in (1, 2, 3):
            result = verify_published(published_dir(number), app.config["RPC_URL"])
            assert result.ok, (number, result.mismatches)
