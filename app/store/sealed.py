"""Sealed rounds' submissions: a commitment (the file's hash and shape, no file) made
before the close, and its reveal after it (docs/sealed.md).

A commitment is a :class:`~app.models.Submission` row like any upload (it supersedes the
model's previous one, a stake commits to its hash), with ``stored_path`` "" and
``file_format`` :data:`SEALED_FORMAT` until the reveal stores the file.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select, update

from app.db import get_session
from app.models import Submission, utcnow
from app.store.errors import split_key
from app.store.rounds import save_submission

SEALED_FORMAT = "sealed"  # a commitment's file_format until its file is revealed


def commit_submission(round_number: int, key: str, *, original_filename: str, file_hash: str, rows: int,
                      columns: Iterable[str]) -> Submission:
    """Record model ``key``'s commitment to a file of ``rows`` rows with ``columns`` whose
    canonical hash is ``file_hash``: its current submission, with no file."""
    return save_submission(round_number, key, stored_path="", original_filename=original_filename,
                           file_hash=file_hash, file_format=SEALED_FORMAT, rows=rows,
                           metrics={"columns": list(columns)})


def reveal_submission(submission_id: int, *, stored_path: str, file_format: str,
                      metrics: dict[str, Any]) -> Submission | None:
    """Attach the revealed file to a commitment and merge its validation ``metrics``;
    None when it was revealed already (one UPDATE, so two reveals at once store once)."""
    session = get_session()
    row = session.get(Submission, submission_id)
    if row is None:
        return None
    merged = {**(row.metrics or {}), **metrics}
    done = session.execute(
        update(Submission)
        .where(Submission.id == submission_id, Submission.stored_path == "")
        .values(stored_path=stored_path, file_format=file_format, metrics=merged, revealed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    session.commit()
    if done.rowcount != 1:
        return None
    session.refresh(row)
    return row


def awaiting_reveal(round_number: int, address: str) -> list[Submission]:
    """The current commitments of wallet ``address``'s models in the round whose files the
    server does not hold, by model number."""
    query = (
        select(Submission)
        .where(Submission.round_number == round_number, Submission.address == split_key(address)[0],
               Submission.superseded_at.is_(None), Submission.stored_path == "")
        .order_by(Submission.model_number)
    )
    return list(get_session().scalars(query))
