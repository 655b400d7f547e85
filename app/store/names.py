"""One namespace for display names and model names: a name is claimed by its skeleton
(:func:`app.names.skeleton`: case, compatibility forms and look-alike letters folded), so
nobody can take a name that reads like a taken one, of another wallet or their own.

A claim is a row of ``name_claims`` keyed by the skeleton: the primary key makes two
claims of one look at once impossible (the loser's insert fails), on SQLite and PostgreSQL
alike. A display name is model 0's name, so it is claimed as (address, 0).
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app.db import get_session
from app.models import SKELETON_MAX, Model, NameClaim, User
from app.names import skeleton
from app.store.errors import StoreError


class NameTaken(StoreError):
    """The name, or one that reads like it, is another model's or display name: a 409."""


def claim_name(address: str, number: int, name: str) -> None:
    """Claim ``name`` for model ``number`` of ``address`` (0: its display name), in the
    caller's unit of work (flushed, not committed; on a refusal the caller rolls back); a
    :class:`NameTaken` says whose look it has. The model's earlier claim is released."""
    session = get_session()
    key = skeleton(name)
    if not key:
        raise StoreError(f"{name[:60]!r} has no visible letters; pick a name people can read")
    if len(key) > SKELETON_MAX:
        raise StoreError(f"{name[:60]!r} is too long once its characters are spelled out; pick a shorter name")
    holder = session.get(NameClaim, key)
    if holder is not None and (holder.address, holder.number) != (address, number):
        raise NameTaken(_taken_reason(name, holder))
    session.execute(delete(NameClaim).where(NameClaim.address == address, NameClaim.number == number,
                                            NameClaim.skeleton != key))  # fmt: skip
    if holder is None:
        session.add(NameClaim(skeleton=key, address=address, number=number, name=name))
        try:
            session.flush()
        except IntegrityError:  # claimed by a request running at the same moment
            raise NameTaken(f"{name!r} was claimed a moment ago by another request; pick another name") from None
    else:
        holder.name = name


def release_name(address: str, number: int) -> None:
    """Free model ``number``'s name (a cleared display name), in the caller's unit of work."""
    get_session().execute(delete(NameClaim).where(NameClaim.address == address, NameClaim.number == number))


def _taken_reason(name: str, holder: NameClaim) -> str:
    whose = f"a model is already named {holder.name!r}" if holder.number else \
        f"{holder.name!r} is a wallet's display name (its first model goes by it)"
    if holder.name.casefold() == name.casefold():
        rule = "names are unique across wallets, in any case"
    else:
        rule = "names that read alike count as one: case, full-width forms and look-alike letters such as Cyrillic " \
               "'а' for Latin 'a' or '0' for 'o' are folded"
    return f"{name!r} is taken: {whose} ({rule}); pick another name"


def claim_existing_names() -> int:
    """Claim the names rows already have (a database from before claims existed); a
    legacy name that reads like an earlier one stays as it is, unclaimed. Returns how
    many were claimed. Idempotent and cheap once done: startup runs it, and it reads only
    the named rows that have no claim."""
    session = get_session()
    unclaimed_zero = ~select(NameClaim.skeleton).where(NameClaim.address == User.address,
                                                      NameClaim.number == 0).exists()  # fmt: skip
    unclaimed_model = ~select(NameClaim.skeleton).where(NameClaim.address == Model.address,
                                                       NameClaim.number == Model.number).exists()  # fmt: skip
    rows = [(a, 0, n) for a, n in session.execute(select(User.address, User.display_name)
                                                  .where(User.display_name.is_not(None), unclaimed_zero)
                                                  .order_by(User.created_at))]  # fmt: skip
    rows += list(session.execute(select(Model.address, Model.number, Model.name).where(unclaimed_model)
                                 .order_by(Model.created_at)))  # fmt: skip
    if not rows:
        return 0
    taken = set(session.scalars(select(NameClaim.skeleton)))
    added = 0
    for address, number, name in rows:
        key = skeleton(name)
        if key in taken or not key or len(key) > SKELETON_MAX:
            continue
        session.add(NameClaim(skeleton=key, address=address, number=number, name=name))
        taken.add(key)
        added += 1
    try:
        session.commit()
    except IntegrityError:
        session.rollback()  # another worker starting at the same moment claimed them first
        return 0
    return added
