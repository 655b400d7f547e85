"""Opening a round on a development chain whose latest block is old (Ganache mines only
when a transaction arrives): measured in CI, a round closing 600 s after a stale block was
already closed when createRound was mined, and the estimate, made on the old block, had
not said so. The opening now mines an empty block first, so the close is reckoned from
the chain's present."""

from __future__ import annotations

from app import oracle, store
from app.chain import get_chain
from client.core.money.stakes import Pools


def test_a_round_opened_after_the_chain_sat_idle_is_open_for_its_whole_staking_time(app, w3):
    w3.provider.make_request("evm_increaseTime", [1_000])  # 1,000 s pass with no block mined
    stale = w3.eth.get_block("latest")["timestamp"]
    with app.app_context():
        row = oracle.open_round(closes_in=600, resolves_in=1_200, pools=Pools(0, 0, 0),
                                dataset_options={"rows_per_era": 60}, report=lambda _: None)
        view = get_chain().round(row.number)
        assert store.get_round(row.number).status == "open"
    created = w3.eth.get_block("latest")["timestamp"]
    assert created >= stale + 1_000
    assert view["closes_at"] >= created + 590  # the whole staking time is ahead, not already spent
