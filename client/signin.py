"""Sign-in: who :class:`~client.api.NumeraireClient` is to the server.

An identity is an API token (``Authorization: Token PUBLIC$SECRET``) or a wallet: a raw
key or an encrypted keystore file, loaded (and decrypted, asking for the password once if
need be) on first use. With a wallet the client signs in with Ethereum (EIP-4361): the
server's message is signed here and only the signature is sent; the session cookie and
its CSRF token then identify every request. API tokens for scripts are created from such
a signed-in session.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from client.errors import NoCredentials, NumeraireError


class SignInMixin:
    """The identity: `token`, or the wallet (`_private_key`, or `_keystore_file` with
    `_keystore_password` or `_password_prompt`), and the signed-in session's state."""

    token: str | None
    _private_key: str | None
    _keystore_file: str | Path | None
    _keystore_password: str | None
    _password_prompt: Callable[[], str] | None
    _signer: Any | None
    _csrf: str | None
    _signed_in_as: str | None
    _json: Callable[..., Any]  # the transport (client.transport)

    @property
    def has_wallet(self) -> bool:
        """True when a private key or keystore file is configured."""
        return bool(self._private_key or self._keystore_file)

    @property
    def signer(self) -> Any:
        """The local signing account (loaded, and the keystore decrypted, on first use)."""
        if self._signer is None:
            if not self.has_wallet:
                raise NoCredentials("this needs your wallet: set NMR_PRIVATE_KEY, or NMR_KEYSTORE (a keystore file)")
            from client.core.chain.errors import ChainError
            from client.core.chain.signing import load_signer

            password = self._keystore_password
            if self._keystore_file and password is None and self._private_key is None and self._password_prompt:
                password = self._password_prompt()
            try:
                self._signer = load_signer(self._private_key, self._keystore_file, password, owner="staker")
            except ChainError as exc:
                raise NumeraireError(str(exc)) from None
        return self._signer

    @property
    def address(self) -> str:
        """My address: the wallet's, else the API token's owner (asked of the server)."""
        if self.has_wallet:
            return self.signer.address
        return self._json("GET", "/auth/me", auth=True)["address"]

    def login(self) -> str:
        """Sign in with Ethereum (EIP-4361) using the local key; returns the address.

        The server's message (domain, chain id, nonce) is signed here; only the signature
        is sent. The session cookie then identifies this client."""
        if self._signed_in_as:
            return self._signed_in_as
        address = self.signer.address
        from client.core.chain.signing import sign_personal_message

        info = self._json("GET", "/auth/nonce", params={"address": address})
        signature = sign_personal_message(self.signer, info["message"])
        body = self._json("POST", "/auth/verify", json={"message": info["message"], "signature": signature})
        self._csrf, self._signed_in_as = body["csrf_token"], body["address"]
        return body["address"]

    def create_token(self, name: str = "") -> dict[str, Any]:
        """A new API token for scripts (``token`` is shown only here). Needs the wallet:
        tokens are created from a signed-in session, never from another token."""
        self.login()
        headers = {"X-CSRF-Token": self._csrf or ""}
        return self._json("POST", "/account/tokens", json={"name": name}, headers=headers)

    def _auth_headers(self, method: str) -> dict[str, str]:
        """The headers that identify a request: the API token's, else (signing in first
        with the wallet) the session's CSRF token on a request that changes something."""
        if self.token:
            return {"Authorization": f"Token {self.token}"}
        if self.has_wallet:
            self.login()
            return {"X-CSRF-Token": self._csrf} if method.upper() not in ("GET", "HEAD") and self._csrf else {}
        raise NoCredentials(
            "this needs your identity: set NMR_API_TOKEN (an API token) or NMR_PRIVATE_KEY / NMR_KEYSTORE (your wallet)"
        )
