"""Settlement of 1,000 stakers on Ganache: our batches vs one transaction per stake.

    .venv/bin/python benchmarks/bench_settlement.py [--stakers 1000]

Two rounds with the same plan (even stakers released, odd ones burned), each committed
before it settles. Round A is settled the way app.oracle does it, in batches sized to the
block gas limit; round B one settle() per staker, as 2017's releaseStake / destroyStake
did, for as many stakers as one round may commit batches for (MAX_COMMITTED_BATCHES - 1).
Prints stakers, transactions, total gas, gas per staker and wall time side by side.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from eth_account import Account
from web3 import HTTPProvider, Web3

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.chain.deploy import deploy_contracts
from client.core.chain.contracts import Chain
from client.core.chain.signing import key_from_mnemonic
from client.core.models import model_key
from client.core.money.batches import batch_hashes
from tools.ganache import TEST_MNEMONIC, start_ganache, stop

NMR = 10**18
STAKE = 10 * NMR


def send_all(w3: Web3, signed_by: list[tuple[Account, dict]]) -> None:
    """Sends many transactions with locally tracked nonces, then waits for the last of each sender."""
    nonces: dict[str, int] = {}
    last = {}
    for account, tx in signed_by:
        nonce = nonces.get(account.address)
        if nonce is None:
            nonce = w3.eth.get_transaction_count(account.address)
        tx = {**tx, "nonce": nonce, "chainId": 1337, "gasPrice": 2 * 10**9}
        tx.setdefault("gas", 200_000)
        last[account.address] = w3.eth.send_raw_transaction(account.sign_transaction(tx).raw_transaction)
        nonces[account.address] = nonce + 1
    for tx_hash in last.values():
        assert w3.eth.wait_for_transaction_receipt(tx_hash, timeout=600)["status"] == 1


def call_tx(fn, sender: str) -> dict:
    return fn.build_transaction({"from": sender, "gas": 200_000, "gasPrice": 2 * 10**9, "nonce": 0})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stakers", type=int, default=1000)
    n = parser.parse_args().stakers

    process, url = start_ganache(accounts=3)
    try:
        w3 = Web3(HTTPProvider(url, request_kwargs={"timeout": 120}))
        keys = [key_from_mnemonic(TEST_MNEMONIC, i) for i in range(3)]
        admin, oracle = Account.from_key(keys[0]), Account.from_key(keys[1])
        stakers = [Account.from_key(Web3.keccak(text=f"bench-staker-{i}")) for i in range(n)]
        out = ROOT / "build" / "bench-deployments.json"
        deployments = deploy_contracts(w3, keys[0], oracle.address, admin.address, ROOT / "build" / "contracts",
                                       out, demo_stakers=[s.address for s in stakers], stake_funds=3 * STAKE)
        chain = Chain(w3, deployments, Account.from_key(keys[1]))
        token, escrow = chain.token, chain.escrow
        print(f"{n} stakers funded on {url}")
        send_all(w3, [(admin, {"to": s.address, "value": 10**17, "gas": 21_000}) for s in stakers])

        # Round 1 (batched) takes every staker; round 2 (one settle() per staker) as many as
        # the escrow lets one round commit batches for (one hash per batch, the prizes last).
        singles = min(n, int(escrow.functions.MAX_COMMITTED_BATCHES().call()) - 1)
        now = chain.now()
        for round_id, count in ((1, n), (2, singles)):
            chain.create_round(round_id, now + 3600, now + 86_400, oracle.address, "0x" + "da" * 32)
            send_all(w3, [(s, call_tx(token.functions.approve(escrow.address, STAKE), s.address))
                          for s in stakers[:count]])
            send_all(w3, [(s, call_tx(escrow.functions.stake(round_id, 0, STAKE, 10**18, b"\x01" * 32), s.address))
                          for s in stakers[:count]])
        w3.provider.make_request("evm_increaseTime", [3601])
        w3.provider.make_request("evm_mine", [])

        # The plan: even stakers released, odd ones burned, keyed by model key (model 0).
        entries = [(model_key(s.address), 0 if i % 2 == 0 else STAKE, 0, 0) for i, s in enumerate(stakers)]
        size = chain.settle_batch_size()
        batched = [entries[i:i + size] for i in range(0, n, size)]
        one_each = [[e] for e in entries[:singles]]
        for round_id, batches in ((1, batched), (2, one_each)):
            chain.commit_results(round_id, "0x" + "5c" * 32, batch_hashes(batches, []))
        w3.provider.make_request("evm_increaseTime", [chain.challenge_window() + 1])
        w3.provider.make_request("evm_mine", [])

        results = {}
        for label, round_id, batches in (("batched (app.oracle)", 1, batched),
                                         ("one tx per stake (2017)", 2, one_each)):
            start, gas = time.perf_counter(), 0
            for batch in batches:
                gas += chain.settle(round_id, batch)["gas_used"]
            stakes = sum(len(b) for b in batches)
            results[label] = (len(batches), gas, time.perf_counter() - start, stakes)

        assert (chain.round(1)["settled_count"], chain.round(2)["settled_count"]) == (n, singles)
        print(f"\n{'settlement':<28}{'stakers':>8}{'txs':>6}{'total gas':>14}{'gas/staker':>12}{'wall s':>9}")
        for name, (txs, gas, wall, stakes) in results.items():
            print(f"{name:<28}{stakes:>8}{txs:>6}{gas:>14,}{gas / stakes:>12,.0f}{wall:>9.1f}")
        batched, single = results["batched (app.oracle)"], results["one tx per stake (2017)"]
        per_batched, per_single = batched[1] / batched[3], single[1] / single[3]
        print(f"batching saves {1 - per_batched / per_single:.0%} of the gas per stake and"
              f" {(single[2] / single[3]) / (batched[2] / batched[3]):.0f}x the time"
              f" (batch size {size} at a {w3.eth.get_block('latest')['gasLimit']:,} gas block limit)")
    finally:
        stop(process)


if __name__ == "__main__":
    main()
