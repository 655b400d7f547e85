"""The rehearsal chain for the oracle's fault tests: a real Anvil (tools/anvil.py: prague, a
block every 2 s, nothing mined on demand, EIP-1559 fees), fresh for each test, the
contracts deployed on it and the app wired to it; a round with two stakers who upload and
stake from the client's chain path. The setup alone (deployment, the stakers' funds) is
mined on demand, so each test spends its time on the fault it injects."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest
from eth_account import Account
from web3 import HTTPProvider, Web3

from app import oracle, store
from app.chain import get_chain
from app.paths import published_dir
from app.web import services
from client.core.chain.contracts import Chain
from client.core.chain.signing import key_from_mnemonic
from client.core.money.stakes import Pools
from client.core.money.units import NMR
from client.core.money.units import USD_UNIT as USD
from client.core.money.verify import verify_published
from tests.app.oracle.conftest import deploy_guarded
from tests.support import chain_app
from tools.anvil import start_anvil, stop
from tools.ganache import TEST_MNEMONIC

ROOT = Path(__file__).resolve().parents[2]
BLOCK_SECONDS = 2
STAKING, LIVE, RESOLUTION, WINDOW = 120, 60, 3600, 6
STAKERS = slice(3, 5)
POOLS = Pools(usd_staking=30 * USD, usd_prize=36 * USD, nmr=144 * NMR)


@pytest.fixture(scope="session")
def keys() -> list[str]:
    """Anvil's accounts (the test mnemonic): 0 admin/treasury, 1 oracle, 2 pauser, 3-4 stakers, last guardian."""
    return [key_from_mnemonic(TEST_MNEMONIC, i) for i in range(30)]


@pytest.fixture
def anvil_url() -> Iterator[str]:
    if not (ROOT / "build" / "contracts" / "TournamentEscrow.json").is_file():
        pytest.fail("contracts not compiled: run `make compile` (make test-rehearsal does it first)")
    process, url = start_anvil(block_time=BLOCK_SECONDS)
    yield url
    stop(process)


@pytest.fixture
def w3(anvil_url) -> Web3:
    return Web3(HTTPProvider(anvil_url, request_kwargs={"timeout": 30}))


@pytest.fixture
def deployment(w3, keys, tmp_path):
    out = tmp_path / "deployments.json"
    with mined_on_demand(w3):
        record = deploy_guarded(w3, keys, out, WINDOW, stakers=STAKERS)
    return out, record


@pytest.fixture
def app(anvil_url, deployment, keys, tmp_path):
    application = chain_app(tmp_path, anvil_url, deployment[0], keys[1], treasury_key=keys[0])
    application.config.update(ROUND_EVERY=0, KEEPER_TICK_SECONDS=1, RECEIPT_TIMEOUT_SECONDS=60, STUCK_SECONDS=3)
    return application


@contextmanager
def mined_on_demand(w3: Web3) -> Iterator[None]:
    """Inside, Anvil mines each transaction at once (setup only); then back to 2 s blocks."""
    w3.provider.make_request("evm_setAutomine", [True])
    try:
        yield
    finally:
        w3.provider.make_request("evm_setAutomine", [False])
        set_block_time(w3, BLOCK_SECONDS)


def set_block_time(w3: Web3, seconds: int) -> None:
    """A block every `seconds` (0: the chain makes no blocks at all)."""
    w3.provider.make_request("evm_setIntervalMining", [seconds])


def jump(w3: Web3, seconds: int) -> None:
    """The chain's clock `seconds` ahead (a block is mined at the new time)."""
    w3.provider.make_request("evm_increaseTime", [seconds])
    w3.provider.make_request("evm_mine", [])


def pending_of(w3: Web3, address: str) -> list[dict]:
    """The transactions of `address` in Anvil's pool."""
    pool = w3.provider.make_request("txpool_content", [])["result"]["pending"]
    for sender, by_nonce in pool.items():
        if sender.lower() == address.lower():
            return list(by_nonce.values())
    return []


def staked_round(app, w3: Web3, keys: list[str], record: dict, lines: list[str]) -> list[str]:
    """Round 1 opened by the oracle (small dataset), and two stakers who upload and stake 5
    NMR each through the client's chain path (approve + stake, waiting as on any network).
    Returns the stakers' addresses."""
    with app.app_context():
        oracle.open_round(closes_in=STAKING, live_in=STAKING + LIVE, resolves_in=STAKING + LIVE + RESOLUTION,
                          pools=POOLS, dataset_options={"rows_per_era": 100}, report=lines.append)
        public = pd.read_parquet(store.get_round(1).dataset_parquet_path)
        tournament = public[public["data_type"] != "train"]
        chain = get_chain()
        stakers = []
        for i, key in enumerate(keys[STAKERS]):
            staker = Account.from_key(key)
            body = pd.DataFrame({"id": tournament["id"].astype(str),
                                 "probability": (0.5 + 0.01 * (i + 1)) * (tournament.index % 2 == 0) + 0.2})
            outcome = services.upload_predictions(1, staker.address, body.to_csv(index=False).encode(), "p.csv")
            assert outcome.result.ok, outcome.result.problems
            Chain(chain.w3, chain.deployments, staker, owner="staker").stake(1, 5 * NMR, NMR // 10,
                                                                            outcome.result.hash)
            stakers.append(staker.address)
    return stakers


def drive(app, keeper: oracle.Keeper, until: Callable[[], bool], seconds: float, lines: list[str]) -> None:
    """Keeper passes, one a second, until `until()` holds (asserted within `seconds`)."""
    deadline = time.monotonic() + seconds
    while True:
        with app.app_context():
            keeper.tick()
            if until():
                return
        assert time.monotonic() < deadline, "\n".join(lines)
        time.sleep(1)


def status_is(status: str) -> Callable[[], bool]:
    return lambda: store.get_round(1).status == status


def committed(app, w3, keeper, lines) -> None:
    """Past the close and the live period: the keeper closes, resolves and commits round 1."""
    jump(w3, STAKING + LIVE + 1)
    drive(app, keeper, status_is("resolved"), 120, lines)
    with app.app_context():
        assert get_chain().round(1)["committed"], "\n".join(lines)


def assert_settled_once(app, stakers: list[str]) -> None:
    """Every stake settled once and every prize paid once, on chain; the round finalized;
    `verify` recomputes the plan from the published files and agrees with the chain."""
    with app.app_context():
        chain = get_chain()
        settled = [event["args"]["staker"] for event in
                   chain.escrow.events.StakeSettled.get_logs(from_block=chain.from_block)]
        paid = [event["args"]["winner"] for event in chain.escrow.events.PrizePaid.get_logs(from_block=chain.from_block)]
        posted = [(e["args"]["roundId"], e["args"]["index"])
                  for e in chain.escrow.events.BatchPosted.get_logs(from_block=chain.from_block)]
        assert sorted(settled) == sorted(stakers)
        awarded = chain.escrow.events.PrizesAwarded.get_logs(from_block=chain.from_block)
        assert len(paid) == len(set(paid)) and len(awarded) <= 1
        assert sum(event["args"]["winners"] for event in awarded) == len(paid)
        assert len(posted) == len(set(posted))
        assert len(chain.escrow.events.RoundFinalized.get_logs(from_block=chain.from_block)) == 1
        assert store.get_round(1).status == "finalized"
        directory = published_dir(1)
    assert verify_published(directory, app.config["RPC_URL"]).ok
