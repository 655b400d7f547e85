"""My submissions: ``submission_upload_auth`` and ``create_submission`` (the first and
last of numerapi's three upload calls, :mod:`app.web.numerapi_upload`), the Submission
fields, ``submissions`` and ``submissionDownloadAuth``, and ``v2ChangeStake`` (refused:
stakes are made on chain).
"""

from __future__ import annotations

from typing import Any

from app import store
from app.errors import ApiError
from app.web import numerapi_upload, services, views
from app.web.graphql.common import (
    _check_tournament,
    _round_or_current,
    _rounds,
    _signed_in,
    mutation,
    query,
    submission_type,
)
from app.web.graphql.rules import ROLLING_HINT, STAKE_HINT
from app.web.numerapi_models import my_model

submission_type.set_field("id", lambda sub, _info: str(sub.id))
submission_type.set_field("filename", lambda sub, _info: sub.original_filename)
submission_type.set_field("selected", lambda sub, _info: sub.superseded_at is None)
submission_type.set_field("insertedAt", lambda sub, _info: views.iso(sub.created_at))
submission_type.set_field("round", lambda sub, info: _rounds(info).get(sub.round_number))
submission_type.set_field("validationLogloss", lambda sub, _info: (sub.metrics or {}).get("validation_logloss"))
submission_type.set_field("validationCorr", lambda sub, _info: (sub.metrics or {}).get("validation_corr"))
submission_type.set_field("consistency", lambda sub, _info: (sub.metrics or {}).get("consistency"))


@query.field("submission_upload_auth")
def resolve_upload_auth(
    _obj: Any, _info: Any, filename: str, tournament: int, modelId: str | None = None
) -> dict[str, str]:
    """A signed PUT URL for one upload for my model ``modelId`` (default model 0) to the
    current round (refused if it is closed)."""
    _check_tournament(tournament)
    key = my_model(modelId, _signed_in("upload"))
    row = services.open_round_or_error(_round_or_current(None).number)
    return numerapi_upload.issue(key, row.number, filename)



@query.field("submissions")
def resolve_submissions(_obj: Any, _info: Any, modelId: str | None = None) -> list[store.Submission]:
    """Every upload of my model (default model 0), oldest first."""
    return store.user_submissions(my_model(modelId, _signed_in("read")))


@query.field("submissionDownloadAuth")
def resolve_submission_download(_obj: Any, _info: Any, id: str | None = None) -> dict[str, str]:
    """A short-lived URL serving one of my submissions as stored (its canonical CSV)."""
    address = _signed_in("read")
    submission = store.get_submission(int(id)) if isinstance(id, str) and id.isdigit() and len(id) < 19 else None
    if submission is None or submission.address != address:
        raise ApiError(404, f"you have no submission {str(id)[:40]!r}; submission_ids lists yours")
    return numerapi_upload.issue_download(submission)



# --- mutations ---------------------------------------------------------------------------


@mutation.field("create_submission")
def resolve_create_submission(
    _obj: Any, _info: Any, filename: str, tournament: int, modelId: str | None = None, **_ignored: Any
) -> store.Submission:
    """Validate the file PUT for upload ``filename`` (the key upload auth returned) and keep it.

    Same checks and messages as the web upload; a rejected file raises its problems.
    """
    _check_tournament(tournament)
    address = _signed_in("upload")
    key = my_model(modelId, address)
    ticket = numerapi_upload.ticket(filename)
    if ticket["address"] != address:
        raise ApiError(403, "this upload was authorised for another account")
    if ticket["model"] != key:
        raise ApiError(403, f"this upload was authorised for your model {ticket['model']}, not {key}; "
                            "pass the same modelId to both calls")  # fmt: skip
    body = numerapi_upload.pending_bytes(filename)
    outcome = services.upload_predictions(ticket["round"], address, body, ticket["filename"], key)
    numerapi_upload.discard(filename)
    if outcome.submission is None:
        problems = "; ".join(outcome.result.problems)
        raise ApiError(422, f"predictions rejected, nothing was stored: {problems}", problems=outcome.result.problems)
    return outcome.submission


@mutation.field("v2ChangeStake")
def resolve_change_stake(_obj: Any, _info: Any, **_ignored: Any) -> None:
    """Stakes are not custodial here: they are made from the staker's wallet, on chain; the
    client makes numerapi's stake changes on a rolling stake, signed with the wallet."""
    _signed_in("read")
    raise ApiError(409, f"{STAKE_HINT}; {ROLLING_HINT}")
