"""Rounds: the tournament's public pages as data, readable with no identity.

The current round (and, identified, my submission to it), past rounds, a round's results,
the leaderboard, and the chain the tournament runs on (chain id, RPC URL, addresses and
ABIs: what :mod:`client.staking` builds its Chain from).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from client.errors import NumeraireError


class RoundsMixin:
    """Rounds, results, leaderboard and chain info, through the transport (`_json`)."""

    _json: Callable[..., Any]

    def current_round(self, mine: bool = False) -> dict[str, Any]:
        """The current round page (``round``, ``n_submissions``, and with `mine` my submission)."""
        return self._json("GET", "/rounds/current", auth=mine)

    def current_round_number(self) -> int:
        """The current round's number, or NumeraireError if the server has no round."""
        page = self.current_round()
        if not page.get("round"):
            raise NumeraireError("the server has no round yet; wait for the operator to open one")
        return int(page["round"]["number"])

    def rounds(self) -> list[dict[str, Any]]:
        """Past rounds (all but the open one), newest first, with their totals."""
        return self._json("GET", "/rounds")["rounds"]

    def round_results(self, number: int) -> dict[str, Any]:
        """Tournament `number`'s results: totals, participants with scores, payouts."""
        return self._json("GET", f"/rounds/{int(number)}")

    def leaderboard(self, round_number: int | None = None) -> dict[str, Any]:
        """The leaderboard of a scored round (default: the newest scored round)."""
        params = {"round": int(round_number)} if round_number is not None else None
        return self._json("GET", "/leaderboard", params=params)

    def chain_info(self) -> dict[str, Any]:
        """Chain id, RPC URL, token and escrow addresses and ABIs."""
        return self._json("GET", "/chain")
