"""What the client raises: every failure is a :class:`NumeraireError` whose message says
what happened and what to do."""

from __future__ import annotations


class NumeraireError(Exception):
    """Anything the client could not do; the message says what happened and what to do."""


class ApiError(NumeraireError):
    """The server refused a request; ``status`` is the HTTP code, the message the server's."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class ValidationFailed(NumeraireError):
    """A prediction file was rejected (here, before upload, or by the server)."""

    def __init__(self, filename: str, problems: list[str]) -> None:
        super().__init__(f"{filename} was not accepted:\n" + "\n".join(f"  - {p}" for p in problems))
        self.problems = problems


class NoCredentials(NumeraireError):
    """The operation needs an API token or a wallet key and none was configured."""
