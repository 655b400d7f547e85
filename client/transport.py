"""Transport: how :class:`~client.api.NumeraireClient` talks to the server's JSON API.

One HTTP session, the per-request timeout, each response's error mapped to one
exception (an unreachable or silent server is a NumeraireError saying so; a refusal is an
ApiError with the server's own message; 422, a validation answer, is returned), JSON
calls, and the tqdm progress bars every transfer shares. The retries of downloads and
uploads are :mod:`client.transfers`' policy (``self.retry``), applied by the modules that
transfer files.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests
from tqdm import tqdm

from client import transfers
from client.errors import ApiError, NumeraireError
from client.transfers import RetryPolicy


class TransportMixin:
    """HTTP for the client: `api_url` (ending in ``/api/v1``), the `http` session, the
    `timeout` of each wait, the `retry` policy of transfers and whether to show `progress`."""

    api_url: str
    http: requests.Session
    timeout: float
    retry: RetryPolicy
    progress: bool
    _auth_headers: Callable[[str], dict[str, str]]  # the identity (client.signin)

    def _url(self, path: str) -> str:
        return self.api_url + path

    def _request(self, method: str, path: str, *, auth: bool = False, stream: bool = False,
                 **kwargs: Any) -> requests.Response:
        """Send a request (with identity if `auth`); raise ApiError with the server's message."""
        headers = kwargs.pop("headers", {})
        if auth:
            headers.update(self._auth_headers(method))
        try:
            response = self.http.request(method, self._url(path), headers=headers, stream=stream,
                                         timeout=self.timeout, **kwargs)
        except requests.ConnectionError:
            raise NumeraireError(
                f"cannot reach the tournament server at {self.api_url}; is it running? (set NMR_API_URL)"
            ) from None
        except requests.Timeout:
            raise NumeraireError(f"the tournament server at {self.api_url} did not answer in {self.timeout:g} s") from None
        raise_for_status(response)
        return response

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        return self._request(method, path, **kwargs).json()

    def _bar(self, total: int | None, description: str, unit: str = "B") -> tqdm:
        scale = unit == "B"
        return tqdm(total=total, desc=description, unit=unit, unit_scale=scale, unit_divisor=1024 if scale else 1000,
                    disable=not self.progress, leave=False)


def raise_for_status(response: requests.Response) -> None:
    """An ApiError with the server's message for a refusal; 422 (a validation answer) passes."""
    if response.status_code >= 400 and response.status_code != 422:
        raise ApiError(response.status_code, transfers.error_message(response))
