"""A wallet's models: model 0 (implicit, named by the wallet's display name, else its
address) and the ones it registered by name (:class:`app.models.Model`, numbered from 1).

One model key names a model everywhere off chain: the address for model 0,
``<address>-<n>`` for model n (:mod:`client.core.models`). :func:`resolve_model` turns
what a person types (nothing, a model name, a key) into a key of their wallet, with an
error that lists the wallet's models when it names none of them.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app.db import get_session
from app.models import Model, User, key_of
from app.store.accounts import ensure_user
from app.store.errors import StoreError, split_key
from app.store.names import NameTaken, claim_name
from client.core.models import MAX_MODEL_NUMBER

MODEL_NAME_MAX = 40
MODEL_NAME = re.compile(rf"[A-Za-z][A-Za-z0-9_-]{{0,{MODEL_NAME_MAX - 1}}}")
NAME_RULE = (f"a model name is 1 to {MODEL_NAME_MAX} letters, digits, '_' and '-', starting with a letter "
             "(e.g. 'alpha_2')")  # fmt: skip


class ModelCapReached(StoreError):
    """The wallet has as many models as one wallet may have: a 409."""


class UnknownModel(StoreError):
    """A model reference that names none of the wallet's models."""


def model_dict(address: str, number: int, name: str) -> dict[str, Any]:
    """A model as the API shows it: ``key``, ``name``, ``number``, ``wallet``."""
    return {"key": key_of(address, number), "name": name, "number": number, "wallet": address}


def list_models(address: str) -> list[dict[str, Any]]:
    """Every model of wallet ``address`` (:func:`model_dict`), model 0 first (always
    there: named by the display name, else the address), then in registration order."""
    session = get_session()
    user = session.get(User, address)
    rows = session.execute(select(Model.number, Model.name).where(Model.address == address).order_by(Model.number))
    return [model_dict(address, 0, (user.display_name if user else None) or address),
            *(model_dict(address, number, name) for number, name in rows)]  # fmt: skip


def check_model_name(name: Any) -> str:
    """``name`` without surrounding spaces if it is a valid model name, else a StoreError
    saying the rule."""
    if not isinstance(name, str):
        raise StoreError(f"name must be a string; {NAME_RULE}")
    name = name.strip()
    if not MODEL_NAME.fullmatch(name):
        raise StoreError(f"{name[:60]!r} is not a valid model name: {NAME_RULE}")
    return name


def add_model(address: str, name: Any, cap: int = MAX_MODEL_NUMBER + 1) -> dict[str, Any]:
    """Register a new model of wallet ``address`` under ``name``, numbered next after its
    others; returns it (:func:`model_dict`). A name that reads like another model's or a
    display name (:mod:`app.store.names`) is a :class:`NameTaken`; a wallet with
    ``cap`` models (model 0 included) already is a :class:`ModelCapReached`.

    The number comes from one UPDATE of the wallet's row (``models_numbered + 1``): the
    row lock it takes orders concurrent adds, so each takes its own number and none fails.
    """
    name = check_model_name(name)
    session = get_session()
    try:
        ensure_user(address)  # committed first: a refusal's rollback below must not take the user with it
    except IntegrityError:
        session.rollback()  # another request made the user first
    cap = min(cap, MAX_MODEL_NUMBER + 1)
    try:
        number = session.scalar(update(User).where(User.address == address, User.models_numbered < cap - 1)
                                .values(models_numbered=User.models_numbered + 1)
                                .returning(User.models_numbered))  # fmt: skip
        if number is None:
            raise ModelCapReached(f"this wallet has {cap} models, the most one wallet may have (model 0 included); "
                                  "models are never deleted, so stake with the ones you have")  # fmt: skip
        claim_name(address, number, name)
        session.add(Model(address=address, number=number, name=name))
        session.commit()
    except IntegrityError:
        session.rollback()
        raise NameTaken(f"{name!r} was taken a moment ago by another request; pick another name") from None
    except StoreError:
        session.rollback()
        raise
    return model_dict(address, number, name)


def sync_model_numbers() -> None:
    """Bring ``models_numbered`` up to each wallet's newest model (a database from before
    the column existed). Idempotent: startup runs it."""
    session = get_session()
    newest = select(func.max(Model.number)).where(Model.address == User.address).scalar_subquery()
    session.execute(update(User).where(User.models_numbered < newest).values(models_numbered=newest))
    session.commit()


def model_exists(key: str) -> bool:
    """Whether ``key`` names a model: model 0 of a wallet this server knows (one that
    signed in, or was given a token), or a registered model n."""
    address, number = split_key(key)
    session = get_session()
    return session.get(User, address) is not None if number == 0 else session.get(Model, (address, number)) is not None


def resolve_model(address: str, reference: Any = None) -> dict[str, Any]:
    """The model of wallet ``address`` that ``reference`` names: None or "" (model 0), a
    model key of the wallet (any letter case), or one of its model names (case-blind;
    model 0's is the display name, or the address). An :class:`UnknownModel` lists them."""
    models = list_models(address)
    if reference is None or (isinstance(reference, str) and not reference.strip()):
        return models[0]
    if not isinstance(reference, str):
        raise UnknownModel(f"a model is named by its name or key, not {reference!r}; {_listed(models)}")
    wanted = reference.strip().lower()
    for model in models:
        if wanted in (model["key"].lower(), model["name"].lower()):
            return model
    raise UnknownModel(f"{reference[:60]!r} is none of your models; {_listed(models)}")


def _listed(models: list[dict[str, Any]]) -> str:
    shown = ", ".join(f"{m['name']} ({m['key']})" if m["name"] != m["key"] else m["key"] for m in models[:20])
    more = f" and {len(models) - 20} more" if len(models) > 20 else ""
    return f"your models are {shown}{more} (name a model by its name or key; add one in Settings or with " \
           "POST /api/v1/account/models)"


def models_named(name: str) -> list[str]:
    """The keys of the models named ``name`` (case-blind) across wallets: registered
    models, and the model 0 of each wallet whose display name it is (oldest first)."""
    lowered = name.lower()
    session = get_session()
    zero = session.scalars(select(User.address).where(func.lower(User.display_name) == lowered)
                           .order_by(User.created_at))  # fmt: skip
    named = session.execute(select(Model.address, Model.number).where(func.lower(Model.name) == lowered))
    return [*zero, *(key_of(a, n) for a, n in named)]
