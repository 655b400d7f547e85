"""Account: my account on the server and the models my wallet runs.

The account page (submissions, scores, stakes, balances), my public display name, and my
models (:mod:`client.core.models`): a wallet runs one or more, model 0 its first; uploads
and stakes name one by its name or key (``model=``; none means model 0, so a single-model
wallet never names one). The server keeps the names; the escrow keys a stake by the
model's number.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from client.core.models import model_key, split_model_key
from client.errors import NumeraireError


class AccountMixin:
    """My account and my models, through the transport (`_json`) and the identity (`address`)."""

    address: str
    _json: Callable[..., Any]

    def set_display_name(self, name: str | None) -> dict[str, Any]:
        """Set (or, with None/empty, clear) my public display name."""
        return self._json("PATCH", "/account", auth=True, json={"display_name": name or None})

    def account(self) -> dict[str, Any]:
        """My account: submissions, scores, stakes and balances as the server sees them."""
        return self._json("GET", "/account", auth=True)

    def models(self, address: str | None = None) -> list[dict[str, Any]]:
        """The models of wallet `address` (default: mine), model 0 first: ``key``, ``name``,
        ``number``, ``wallet``."""
        return self._json("GET", "/models", params={"address": address or self.address})["models"]

    def add_model(self, name: str) -> dict[str, Any]:
        """Registers a new model of my wallet named `name` (numbered next after my others);
        returns it (``key``, ``name``, ``number``, ``wallet``)."""
        return self._json("POST", "/account/models", auth=True, json={"name": name})

    def model(self, reference: str | None = None) -> dict[str, Any]:
        """The model of my wallet that `reference` names: None for model 0 (no request),
        else one of my models' names (any letter case) or keys. A reference that names
        none of them is a NumeraireError listing my models."""
        address = model_key(self.address)
        first = {"key": address, "name": None, "number": 0, "wallet": address}
        if reference is None or not str(reference).strip():
            return first
        wanted = str(reference).strip()
        try:
            wallet, number = split_model_key(wanted)
        except ValueError:
            wallet, number = None, None
        if wallet is not None and wallet != address:
            raise NumeraireError(f"{wanted} is a model of the wallet {wallet}, not of yours ({address})")
        if number == 0:
            return first  # every wallet has its model 0: nothing to ask
        mine = self.models(address)
        for model in mine:
            if wanted.lower() in (model["key"].lower(), str(model["name"]).lower()):
                return model
        listed = ", ".join(f"{m['name']} ({m['key']})" if m["name"] != m["key"] else m["key"] for m in mine)
        raise NumeraireError(f"{wanted!r} is none of your models; your models are {listed}. "
                             "Name one by its name or key, or add one: nmr models add NAME")
