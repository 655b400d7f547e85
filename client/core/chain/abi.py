"""The parts of the ERC-20 ABI the project uses on a stablecoin it did not deploy (a real
network's USD token): balances, decimals, symbol, allowance, approve, transfer, Transfer."""

from __future__ import annotations

from typing import Any

_UINT = [{"name": "", "type": "uint256"}]

ERC20_ABI: list[dict[str, Any]] = [
    {"type": "function", "name": name, "stateMutability": mutability, "inputs": inputs, "outputs": outputs}
    for name, mutability, inputs, outputs in (
        ("balanceOf", "view", [{"name": "account", "type": "address"}], _UINT),
        ("decimals", "view", [], [{"name": "", "type": "uint8"}]),
        ("symbol", "view", [], [{"name": "", "type": "string"}]),
        ("allowance", "view", [{"name": "owner", "type": "address"}, {"name": "spender", "type": "address"}], _UINT),
        ("approve", "nonpayable", [{"name": "spender", "type": "address"}, {"name": "value", "type": "uint256"}],
         [{"name": "", "type": "bool"}]),
        ("transfer", "nonpayable", [{"name": "to", "type": "address"}, {"name": "value", "type": "uint256"}],
         [{"name": "", "type": "bool"}]),
    )
] + [{"type": "event", "name": "Transfer", "anonymous": False, "inputs": [
    {"name": "from", "type": "address", "indexed": True}, {"name": "to", "type": "address", "indexed": True},
    {"name": "value", "type": "uint256", "indexed": False}]}]
