"""Which model a numerapi argument names, for :mod:`app.web.graphql`.

numerapi passes a model id (``modelId``) or a model name (``modelName``, ``model_name``,
``username``) where Numerai had UUIDs and user names. Here a model id is the model key
(the wallet address for its model 0, ``<address>-<n>`` for model n: what ``get_models``
returns) and a name is a model's name (model 0's is the wallet's display name, or the
address). Every function answers a model key, or an :class:`ApiError` saying what names
a model.
"""

from __future__ import annotations

from typing import Any

from app import auth, store
from app.errors import ApiError

_HINT = ("a model id is a wallet address (its first model) or <address>-<n> (get_models lists yours), "
         "a model name the name a model was registered with (a wallet's first model: its display name)")  # fmt: skip


def model_of(reference: Any) -> str:
    """The key of the model ``reference`` names, of any wallet: its key (the address in
    any letter case) or its name (when one model has it); a 404 or 409 says why not."""
    if isinstance(reference, str) and reference[:2].lower() == "0x" and len(reference) >= 42:
        try:
            address, number = store.split_key(reference)
        except store.StoreError as exc:
            raise ApiError(404, f"{exc}; {_HINT}") from None
        key = store.key_of(auth.checksum_address(address), number)
        if not store.model_exists(key):
            raise ApiError(404, f"no model has the id {reference[:80]!r}; {_HINT}")
        return key
    named = store.models_named(reference) if isinstance(reference, str) and 0 < len(reference) <= 100 else []
    if len(named) == 1:
        return named[0]
    if named:
        raise ApiError(409, f"{len(named)} models are named {reference!r}; use the model id (its key: "
                            f"{', '.join(named[:5])})")  # fmt: skip
    raise ApiError(404, f"no model is named {str(reference)[:100]!r}; {_HINT}")


def my_model(reference: Any, address: str) -> str:
    """The key of the signed-in wallet ``address``'s model that ``reference`` (an id or a
    name; empty: model 0) names; another wallet's model is a 403, an unknown one a 404,
    each naming my models."""
    try:
        return store.resolve_model(address, reference)["key"]
    except store.UnknownModel as exc:
        mine = str(exc)
    other = None
    try:
        other = model_of(reference)
    except ApiError:
        pass
    if other is not None:
        raise ApiError(403, f"model {reference} is not yours; {mine.split('; ', 1)[1]}")
    raise ApiError(404, mine)


def wallet_models(reference: Any) -> tuple[str, list[dict[str, Any]]]:
    """(wallet, its models) for ``reference``: a wallet address, one of its model keys or
    one of its model names (numerapi's ``models_of_account``)."""
    wallet = store.split_key(model_of(reference))[0]
    return wallet, store.list_models(wallet)
