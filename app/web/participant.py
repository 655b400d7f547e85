"""View models of the signed-in participant's own pages: Settings and the stake form.

Beside :mod:`app.web.views` (the pages everyone sees and the account page the API
mirrors) because these two read only the participant's own rows: sessions, tokens, name,
models, and which of their models' files a stake commits to.
"""

from __future__ import annotations

import re
from typing import Any

from app import store
from app.web import views

HASH = re.compile(r"0x[0-9a-f]{64}")


def settings_page(address: str, current_session_key: str | None) -> dict[str, Any]:
    """Display name, my models, live API tokens (public ids only) and live browser
    sessions, this one marked."""
    user = store.get_user(address)
    return {
        "address": address,
        "display_name": user.display_name if user else None,
        "models": store.list_models(address),
        "tokens": views.token_rows(address),
        "sessions": [
            {"key": s.id, "created_at": s.created_at, "expires_at": s.expires_at, "current": s.id == current_session_key,
             "client": s.client}
            for s in store.list_web_sessions(address)
        ],
    }


def stake_page(address: str | None, requested_hash: str | None) -> dict[str, Any]:
    """The current round page's model plus the file the stake form commits to: the one
    ``requested_hash`` names (``/stake?hash=``, the "stake on this file" link) when it is
    one of my uploads to the round, else my current submission; ``notice`` says why a
    requested hash was not used; ``stake_model`` is the model number of the stake file (a
    requested hash is looked for among all my models' files)."""
    page = views.current_round_page(address)
    page["stake_file"], page["notice"], page["stake_model"] = page["my_submission"], None, 0
    row = page["round"]
    if not requested_hash or row is None:
        return page
    wanted = requested_hash.strip().lower()
    if not HASH.fullmatch(wanted):
        page["notice"] = f"{requested_hash[:80]!r} is not a file hash (0x and 64 hex digits); showing your latest file."
        return page
    if not address:
        page["notice"] = "Sign in to stake on that file."
        return page
    matches = (store.submission_by_hash(row["number"], model["key"], wanted) for model in store.list_models(address))
    match = next((found for found in matches if found is not None), None)
    if match is None:
        page["notice"] = f"You uploaded no file with hash {wanted} to tournament {row['number']}; showing your latest file."
    else:
        page["stake_file"], page["stake_model"] = views.submission_view(match), match.model_number or 0
    return page
