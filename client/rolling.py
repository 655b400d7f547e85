"""Rolling stakes: a position that stays on a model round after round.

A position put on rolling (``set_rolling``) needs no transaction from its staker again: at
each settlement what it keeps (the stake less any burn, plus any NMR reward) moves into the
same model's position in the newest round while that round takes stakes, and backs the
model's submission there at the close; USD rewards still go to the wallet. A round with no
file from the model gives the stake back to the wallet. Taking a position off rolling is
one transaction: it then comes back to the wallet when its round settles.

numerapi's staking calls map onto it, for scripts written against numerapi:
``stake_increase`` adds NMR to the model's position in the current round and keeps it
rolling, ``stake_drain`` takes every rolling position of the model off rolling, and
``stake_change`` is either. A partial ``stake_decrease`` has no counterpart on chain (a
position leaves whole), so it says so; a decrease by the whole position is a drain.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from client.amounts import from_wei, to_wei
from client.errors import NoCredentials, NumeraireError


class RollingMixin:
    """Rolling on chain, with the staking mixin's chain, stake and model lookups."""

    has_wallet: bool
    signer: Any
    address: str
    chain: Callable[[], Any]
    _on_chain: Callable[[], Any]
    model: Callable[..., dict[str, Any]]
    stake: Callable[..., dict[str, Any]]
    current_round_number: Callable[[], int]

    def set_rolling(self, round_number: int, rolls: bool = True, model: str | None = None) -> dict[str, Any]:
        """Put my `model`'s (a name or key; default model 0) active position in
        `round_number` on rolling, or (``rolls=False``) take it off: one transaction."""
        if not self.has_wallet:
            raise NoCredentials("rolling signs with your wallet: set NMR_PRIVATE_KEY, or NMR_KEYSTORE")
        chosen = self.model(model)
        number = int(round_number)
        with self._on_chain():
            chain = self.chain()
            position = chain.stake_of(number, chosen["key"])
            if position["status"] != "active":
                raise NumeraireError(f"{_label(chosen)} has no active stake in round {number} to "
                                     f"{'roll' if rolls else 'take off rolling'} (it is {position['status']})")
            tx = chain.set_rolling(number, rolls, model=chosen["number"])
        return {"round": number, "model": chosen["key"], "model_name": chosen["name"],
                "model_number": chosen["number"], "rolls": bool(rolls), "amount_wei": position["amount"], **tx}

    def rolling_positions(self, model: str | None = None) -> list[dict[str, Any]]:
        """My `model`'s active positions on chain, newest round first, each with ``rolls``."""
        chosen = self.model(model)
        with self._on_chain():
            rows = self.chain().stakes(self.signer.address if self.has_wallet else self.address)
        return [row for row in rows if row["key"] == chosen["key"] and row["status"] == "active"]

    # numerapi's names

    def stake_increase(self, nmr: str | int | Decimal, model_id: str | None = None) -> dict[str, Any]:
        """numerapi's ``stake_increase``: stake `nmr` more on my model in the current round
        (at the confidence of its newest position, else 1) and keep the position rolling."""
        chosen = self.model(model_id)
        number = self.current_round_number()
        positions = self.rolling_positions(chosen["key"])
        confidence = Decimal(positions[0]["confidence"]) if positions else Decimal(1)
        return self.stake(nmr, confidence, number, model=chosen["key"], roll=True)

    def stake_drain(self, model_id: str | None = None) -> list[dict[str, Any]]:
        """numerapi's ``stake_drain``: every rolling position of my model taken off rolling,
        so each comes back to the wallet when its round settles."""
        chosen = self.model(model_id)
        rolling = [row for row in self.rolling_positions(chosen["key"]) if row["rolls"]]
        if not rolling:
            raise NumeraireError(f"{_label(chosen)} has no rolling stake to drain")
        return [self.set_rolling(row["round"], False, model=chosen["key"]) for row in rolling]

    def stake_decrease(self, nmr: str | int | Decimal, model_id: str | None = None) -> list[dict[str, Any]]:
        """numerapi's ``stake_decrease``: only by the whole rolling stake (a drain); a
        position on chain leaves whole, so a part is refused with what to do instead."""
        chosen = self.model(model_id)
        rolling = [row for row in self.rolling_positions(chosen["key"]) if row["rolls"]]
        whole = sum(row["amount_wei"] for row in rolling)
        if to_wei(nmr, "amount") != whole or not rolling:
            raise NumeraireError(
                f"a rolling stake leaves whole: {_label(chosen)} rolls {from_wei(whole)} NMR, so decrease by all of it "
                "(stake_drain), then stake the part you want to keep once it is back in your wallet")
        return self.stake_drain(chosen["key"])

    def stake_change(self, nmr: str | int | Decimal, action: str = "decrease", model_id: str | None = None) -> Any:
        """numerapi's ``stake_change``: ``increase`` or ``decrease`` by `nmr`."""
        if action == "increase":
            return self.stake_increase(nmr, model_id)
        if action == "decrease":
            return self.stake_decrease(nmr, model_id)
        raise NumeraireError(f"action must be 'increase' or 'decrease', got {action!r}")


def _label(model: dict[str, Any]) -> str:
    """A model as a sentence names it: its name, else its number."""
    return model["name"] or f"model {model['number']}"
