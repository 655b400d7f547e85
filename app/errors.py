"""The server's one refusal: :class:`ApiError`, raised by identity checks, services and views.

A leaf module (no imports from ``app``), so :mod:`app.auth`, :mod:`app.web.services` and
the blueprints raise the same type and :mod:`app.web.errors` handles it once: JSON for
the API, a page for the rest, a GraphQL error under ``/graphql``.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error a person can act on: HTTP ``status``, a ``message`` and optional details
    (``retry_after`` becomes a ``Retry-After`` header; the rest go into the JSON body)."""

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra
