"""Settlement of 1,000 stakers on Ganache: our batches vs one transaction per stake.

    .venv/bin/python benchmarks/bench_settlement.py [--stakers 1000]

Two identical rounds (same stakers, same stakes, same plan: even stakers released with a
reward, odd ones burned). Round A is settled the way app.oracle does it, in batches sized
to the block gas limit; round B one settle() per staker, as 2017's releaseStake /
destroyStake did. Prints transactions, total gas, gas per staker and wall time side by side.
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

        now = chain.now()
        for round_id in (1, 2):
            chain.create_round(round_id, now + 3600, now + 86_400, n * STAKE)
            send_all(w3, [(s, call_tx(token.functions.approve(escrow.address, STAKE), s.address)) for s in stakers])
            send_all(w3, [(s, call_tx(escrow.functions.stake(round_id, 0, STAKE, 10**18, b"\x01" * 32), s.address))
                          for s in stakers])
        w3.provider.make_request("evm_increaseTime", [3601])
        w3.provider.make_request("evm_mine", [])

        addresses = [s.address for s in stakers]
        burns = [0 if i % 2 == 0 else STAKE for i in range(n)]
        rewards = [STAKE // 2 if i % 2 == 0 else 0 for i in range(n)]
        results = {}

        size = chain.settle_batch_size()
        start, gas, txs = time.perf_counter(), 0, 0
        for offset in range(0, n, size):
            part = slice(offset, offset + size)
            gas += chain.settle(1, addresses[part], burns[part], rewards[part])["gas_used"]
            txs += 1
        results["batched (app.oracle)"] = (txs, gas, time.perf_counter() - start)

        start, gas = time.perf_counter(), 0
        for i in range(n):
            gas += chain.settle(2, [addresses[i]], [burns[i]], [rewards[i]])["gas_used"]
        results["one tx per stake (2017)"] = (n, gas, time.perf_counter() - start)

        assert chain.round(1)["settled_count"] == chain.round(2)["settled_count"] == n
        print(f"\n{'settlement of ' + str(n) + ' stakers':<28}{'txs':>6}{'total gas':>14}{'gas/staker':>12}{'wall s':>9}")
        for name, (txs, gas, wall) in results.items():
            print(f"{name:<28}{txs:>6}{gas:>14,}{gas / n:>12,.0f}{wall:>9.1f}")
        batched, single = results["batched (app.oracle)"], results["one tx per stake (2017)"]
        print(f"batching saves {1 - batched[1] / single[1]:.0%} of the gas and {single[2] / batched[2]:.0f}x the time"
              f" (batch size {size} at a {w3.eth.get_block('latest')['gasLimit']:,} gas block limit)")
    finally:
        stop(process)


if __name__ == "__main__":
    main()
