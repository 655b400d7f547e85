"""The JSON API, ``/api/v1``: the same view models as the pages (docs/openapi.yaml)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, g, jsonify, request, send_file

from app import auth, store
from app.access import access, parse_scopes
from app.chain import reads
from app.errors import ApiError
from app.web import leaderboard as boards
from app.web import rules, sealed, services, views
from app.web.digests import repr_digest
from app.web.inputs import (
    DISPLAY_NAME_MAX,
    display_name,
    json_body,
    model_arg,
    uploaded_file,
    use_round_converter,
)

bp = Blueprint("api", __name__, url_prefix="/api/v1")
use_round_converter(bp)


def ok(payload: Any, status: int = 200) -> Response:
    """A JSON success response (wei as strings, times as ISO 8601)."""
    response = jsonify(views.jsonable(payload))
    response.status_code = status
    return response


@bp.get("/chain")
@access("public")
def chain_info() -> Response:
    """Chain id, public RPC URL, token and escrow addresses and ABIs (for wallets and clients)."""
    info = reads.chain_info()
    if info is None:
        raise ApiError(503, f"chain unavailable: {reads.UNAVAILABLE}; try again when the node is up")
    return ok(info)


@bp.get("/rounds/current")
@access("public")
def current_round() -> Response:
    """The current round (the page /)."""
    return ok(views.current_round_page(g.address))


@bp.get("/rounds")
@access("public")
def rounds() -> Response:
    """Past tournaments (the page /rounds)."""
    return ok(views.past_rounds_page())


@bp.get("/rounds/<round:number>")
@access("public")
def round_results(number: int) -> Response:
    """Tournament N results (the page /rounds/N)."""
    page = views.round_results_page(number, address=g.address)
    if page is None:
        raise ApiError(404, f"round {number} does not exist")
    return ok(page)


@bp.get("/rounds/<round:number>/dataset.<file_format>")
@access("public")
def dataset(number: int, file_format: str) -> Response:
    """The round's dataset as CSV or Parquet."""
    path = services.dataset_path(number, file_format)
    response = send_file(path, as_attachment=True, download_name=path.name, conditional=True, max_age=300)
    response.headers["Repr-Digest"] = repr_digest(path)  # the client checks its download against it
    return response


@bp.post("/rounds/<round:number>/submissions")
@access("upload")
def upload(number: int) -> Response:
    """Upload predictions (multipart field ``file``; ``model``: a model name or key, default
    model 0); 201 with hash, metrics and the model, or 422."""
    raw, filename = uploaded_file()
    outcome = services.upload_predictions(number, g.address, raw, filename, model_arg())
    payload, status = views.upload_view(outcome, number)
    return ok(payload, status)


@bp.post("/rounds/<round:number>/commitments")
@access("upload")
def commit(number: int) -> Response:
    """Seal a file in a sealed round before its close: JSON ``{"hash", "rows", "columns",
    "filename", "model"}`` (the file stays with you); 201 with the commitment, or 422 with
    why no acceptable file has that shape."""
    outcome = sealed.commit_predictions(number, g.address, json_body())
    payload, status = views.upload_view(outcome, number)
    return ok(payload, status)


@bp.post("/rounds/<round:number>/reveals")
@access("upload")
def reveal(number: int) -> Response:
    """Reveal a sealed file after the close, until the round's reveal deadline (multipart
    ``file``, ``model``); 201 with its metrics, 422 with its problems, 409 if it matches no
    commitment."""
    row = sealed.revealing_round(number)  # before the file is read: nothing early is even parsed
    raw, filename = uploaded_file()
    outcome = sealed.reveal_predictions(row, g.address, raw, filename, model_arg())
    payload, status = views.upload_view(outcome, number)
    return ok(payload, status)


@bp.get("/leaderboard")
@access("public")
def leaderboard() -> Response:
    """The leaderboard (the page /leaderboard): ``?round=N`` (default: newest scored) or
    ``round=all`` (careers), ``sort`` (a column), ``order`` (asc, desc), ``page`` (50 rows)."""
    return ok(boards.leaderboard_view())


@bp.get("/rules", endpoint="rules")
@access("public")
def rules_page() -> Response:
    """The rules with the current round's parameters (the page /rules)."""
    return ok(rules.rules_page())


@bp.get("/account")
@access("read")
def account() -> Response:
    """My account: submissions, scores, stakes, balances and tokens (no secrets)."""
    page = views.account_page(g.address)
    page.pop("chart_svg", None)
    return ok(page)


@bp.patch("/account")
@access("session")
def update_account() -> Response:
    """Set my display name: ``{"display_name": "..."}`` (empty or null clears it)."""
    user = services.set_display_name(g.address, display_name(json_body().get("display_name")))
    return ok({"address": user.address, "display_name": user.display_name})


@bp.get("/models")
@access("public")
def models() -> Response:
    """A wallet's models (``?address=0x...``): model 0 first, then the ones it named."""
    raw = request.args.get("address")
    if not raw:
        raise ApiError(400, "name the wallet: /api/v1/models?address=0x... (its checksummed or lowercase address)")
    return ok({"models": store.list_models(auth.checksum_address(raw))})


@bp.get("/models/<key>")
@access("public")
def model_page(key: str) -> Response:
    """A model's page (the page /models/KEY): the model, its career and scored rounds."""
    page = views.model_page(key)
    if page is None:
        raise ApiError(404, f"no model has the key {key[:80]!r}; GET /api/v1/models?address=0x... lists a wallet's")
    page.pop("models", None)
    return ok(page)


@bp.post("/account/models")
@access("session")
def add_model() -> Response:
    """Register a new model of my wallet: ``{"name": "..."}``; 201 with the model."""
    name = request.form.get("name") if request.mimetype != "application/json" else json_body().get("name")
    if name is None:
        raise ApiError(400, f'send {{"name": "..."}}: {store.wallet_models.NAME_RULE}')
    return ok(services.add_model(g.address, name), 201)


@bp.get("/account/tokens")
@access("read")
def tokens() -> Response:
    """My live API tokens (public ids only)."""
    return ok({"tokens": views.account_page(g.address)["tokens"]})


@bp.post("/account/tokens")
@access("session")
def create_token() -> Response:
    """Create an API token (``{"name", "scopes": ["upload", "read"]}``, both by default);
    the secret is in this response only (``token``). A wallet session only (app.access)."""
    if request.mimetype == "application/json":
        body = json_body()
        name, scopes = body.get("name", ""), body.get("scopes")
    else:
        name, scopes = request.form.get("name", ""), request.form.getlist("scopes") or None
    if not isinstance(name, str) or len(name) > DISPLAY_NAME_MAX:
        raise ApiError(400, f"name must be a string of at most {DISPLAY_NAME_MAX} characters")
    row, token = store.create_api_token(g.address, name.strip(), parse_scopes(scopes))
    return ok({"public_id": row.public_id, "name": row.name, "scopes": row.scope_list, "token": token,
               "header": "Authorization: Token <token>"}, 201)  # fmt: skip


@bp.delete("/account/tokens/<public_id>")
@access("session")
def revoke_token(public_id: str) -> Response:
    """Revoke one of my tokens (someone else's is 'not found')."""
    if not store.revoke_api_token(g.address, public_id):
        raise ApiError(404, f"you have no live token {public_id!r}")
    return ok({"revoked": public_id})


@bp.get("/auth/nonce")
@access("public")
def nonce() -> Response:
    """A sign-in nonce; with ``?address=0x...`` also the EIP-4361 message to sign."""
    raw = request.args.get("address")
    address = auth.checksum_address(raw) if raw is not None else None  # checked before any write
    info = auth.issue_nonce()
    if address:
        info["message"] = auth.prepare_message(address, info)
    return ok(info)


@bp.post("/auth/verify")
@access("public")
def verify() -> Response:
    """Check a signed sign-in message and start a session (cookie)."""
    body = json_body()
    message, signature = body.get("message"), body.get("signature")
    if not isinstance(message, str) or not isinstance(signature, str) or not message or not signature:
        raise ApiError(400, "send {\"message\": <the EIP-4361 text>, \"signature\": <0x hex>}")
    address = auth.verify_sign_in(message, signature)
    auth.start_session(address, auth.session_client(request.headers.get("User-Agent")))
    return ok({"address": address, "csrf_token": auth.csrf_token()})


@bp.post("/auth/logout")
@access("public")
def logout() -> Response:
    """End the session."""
    auth.end_session()
    return ok({"signed_out": True})


@bp.post("/auth/logout-all")
@access("session")
def logout_all() -> Response:
    """End every browser session of my address (log out everywhere)."""
    return ok({"signed_out": True, "sessions_ended": auth.end_all_sessions(g.address)})


@bp.get("/auth/me")
@access("public")
def me() -> Response:
    """Who this request is signed in as (null when anonymous)."""
    return ok({"address": g.address, "auth": g.auth_method})
