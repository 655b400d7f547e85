"""Shared pieces of the browser tests: a stand-in for MetaMask and round helpers.

The wallet is an EIP-1193 provider injected before any page script runs. It announces
itself by EIP-6963 (rdns ``io.metamask``) and/or as ``window.ethereum``, answers the
wallet-only methods itself (accounts, chain id, switch/add chain, watch asset) and forwards
everything else to Ganache through a Playwright binding, so the page's CSP (connect-src
'self') holds and Ganache signs for its unlocked accounts: ``eth_sendTransaction``,
``eth_signTypedData_v4`` and ``personal_sign`` (as Ganache's ``eth_sign``). Tests steer it
through ``window.__wallet``: ``reject[method] = n`` makes the next n calls fail with code
4001 (the user clicked Reject), ``setAccount(i)`` and ``setChain(id)`` emit the events a
wallet emits (the account, like the connection, outlives a page load), ``calls`` records
every request of the current page.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pandas as pd
import requests
from eth_account import Account

from app.chain.deploy import deploy_contracts
from app.oracle import load_dataset
from app.web import views
from tests.app.oracle.conftest import NMR, ROOT

WALLET_JS = """
(config) => {
  const listeners = {};
  const emit = (event, value) => (listeners[event] || []).slice().forEach((handler) => handler(value));
  const wallet = window.__wallet = {
    accounts: config.accounts, index: Number(sessionStorage.getItem("__walletIndex") || 0), chainId: config.chainId,
    knownChains: config.knownChains.slice(), calls: [], reject: {},
    connected: sessionStorage.getItem("__walletConnected") === "1",
    setAccount(index) {
      wallet.index = index;
      sessionStorage.setItem("__walletIndex", String(index));  // a wallet keeps its account across page loads
      emit("accountsChanged", [wallet.accounts[index]]);
    },
    setChain(chainId) { wallet.chainId = chainId; emit("chainChanged", chainId); },
  };
  const fail = (code, message, data) => Object.assign(new Error(message), { code, data });
  const current = () => wallet.accounts[wallet.index];
  const useChain = (chainId) => { if (chainId !== wallet.chainId) wallet.setChain(chainId); };
  const provider = {
    isMetaMask: true,
    async request({ method, params = [] }) {
      wallet.calls.push({ method, params: JSON.parse(JSON.stringify(params)) });
      if (wallet.reject[method] > 0) {
        wallet.reject[method] -= 1;
        throw fail(4001, "MetaMask Tx Signature: User denied transaction signature.");
      }
      switch (method) {
        case "eth_requestAccounts":
          wallet.connected = true;
          sessionStorage.setItem("__walletConnected", "1");
          return [current()];
        case "eth_accounts": return wallet.connected ? [current()] : [];
        case "eth_chainId": return wallet.chainId;
        case "net_version": return String(parseInt(wallet.chainId, 16));
        case "wallet_switchEthereumChain": {
          const chainId = params[0].chainId.toLowerCase();
          if (!wallet.knownChains.includes(chainId)) {
            throw fail(4902, `Unrecognized chain ID "${chainId}". Try adding the chain using wallet_addEthereumChain first.`);
          }
          useChain(chainId);
          return null;
        }
        case "wallet_addEthereumChain": {
          const chainId = params[0].chainId.toLowerCase();
          if (!wallet.knownChains.includes(chainId)) wallet.knownChains.push(chainId);
          useChain(chainId);  // MetaMask offers to switch right after adding
          return null;
        }
        case "wallet_watchAsset": return true;
        case "personal_sign": return forward("eth_sign", [params[1], params[0]]);
        case "eth_signTypedData_v4": return forward(method, [params[0], JSON.parse(params[1])]);
        default: return forward(method, params);
      }
    },
    on(event, handler) { (listeners[event] = listeners[event] || []).push(handler); },
    removeListener(event, handler) { listeners[event] = (listeners[event] || []).filter((h) => h !== handler); },
  };
  async function forward(method, params) {
    const answer = JSON.parse(await window.__walletRpc(method, JSON.stringify(params)));
    if (answer.error) throw fail(answer.error.code, answer.error.message, answer.error.data);
    return answer.result;
  }
  if (config.legacy) window.ethereum = provider;
  if (config.announce) {
    const announce = () => window.dispatchEvent(new CustomEvent("eip6963:announceProvider", {
      detail: Object.freeze({ info: { uuid: "test-wallet", name: "Test wallet", icon: "data:,", rdns: "io.metamask" }, provider }),
    }));
    window.addEventListener("eip6963:requestProvider", announce);
    announce();
  }
}
"""


def rpc_forwarder(url: str) -> Callable[[str, str], str]:
    """The wallet's link to the node: one JSON-RPC request in, the node's answer out."""
    session = requests.Session()

    def forward(method: str, params_json: str) -> str:
        body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": json.loads(params_json)}
        answer = session.post(url, json=body, timeout=30).json()
        if isinstance(answer.get("error"), dict):
            answer["error"].pop("stack", None)
        return json.dumps(answer)

    return forward


def wallet_config(accounts: list[str], chain_id: int = 1337, known_chains: tuple[int, ...] | None = None,
                  announce: bool = True, legacy: bool = True) -> dict:
    """The injected wallet's starting state (chain ids as the hex strings wallets use)."""
    known = known_chains if known_chains is not None else (chain_id,)
    return {"accounts": [a.lower() for a in accounts], "chainId": hex(chain_id), "knownChains": [hex(c) for c in known],
            "announce": announce, "legacy": legacy}


def nmr_text(wei: int, places: int = 2) -> str:
    """Wei as the pages write it: to the nearest 0.01 (half up), thousands separators."""
    return views.format_nmr(wei, places)


def usd_text(units: int) -> str:
    """USD units as the pages write them: ``$1,000.00``."""
    return views.format_usd(units)


def leaning_predictions(row, toward: bool = True, seed: int = 0, *, live_toward: bool | None = None,
                        lean: float = 0.1, noise: float = 0.005, shift: float = 0.0) -> bytes:
    """A prediction file for round `row` that leans ``lean / 2`` towards every known target
    (validation and the held-back live ones), or away from them: a strongly positive or
    negative live CORR. ``live_toward`` leans the live rows their own way (a model that is
    consistent on validation and wrong on live); ``noise`` and ``shift`` make files of
    different participants differ (originality: |Pearson| <= 0.95, KS > 0.03)."""
    dataset = load_dataset(row)
    tournament = dataset.tournament
    rng = np.random.default_rng(seed)
    target = tournament["target"].to_numpy(float, copy=True)
    live = (tournament["data_type"] == "live").to_numpy()
    target[live] = dataset.live_targets.reindex(tournament["id"].astype(str)).to_numpy()[live]
    unknown = np.isnan(target)
    target[unknown] = rng.integers(0, 2, unknown.sum())
    direction = np.where(live, toward if live_toward is None else live_toward, toward)
    signed = np.where(direction, lean, -lean)
    probability = 0.5 + shift + signed * (target - 0.5) + rng.normal(0, noise, len(tournament))
    frame = pd.DataFrame({"id": tournament["id"].astype(str), "probability": probability.clip(0.02, 0.98).round(6)})
    return frame.to_csv(index=False).encode()


def deploy_with_players(w3, keys: list[str], out, players: int) -> dict:
    """Fresh contracts written to `out` whose players (keys 3, 4, ...) hold 1,000 NMR and $1,000 each."""
    addresses = [Account.from_key(key).address for key in keys[3 : 3 + players]]
    return deploy_contracts(w3, keys[0], Account.from_key(keys[1]).address, Account.from_key(keys[2]).address,
                            ROOT / "build" / "contracts", out, demo_stakers=addresses, stake_funds=1_000 * NMR)
