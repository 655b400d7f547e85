"""Server-rendered pages. Each renders the view model that the matching API route returns.

Every page carries the round header (:mod:`app.web.round_header`) and the menu; each
view declares who may reach it (:mod:`app.access`: the signed-in participant's pages show
a sign-in panel to a visitor, 401, a page rather than an error)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)

from app import auth, paths, store
from app.access import SCOPES, access, parse_scopes
from app.chain import reads
from app.errors import ApiError
from app.web import leaderboard as boards
from app.web import participant, round_header, rules, services, views
from app.web.inputs import (
    DISPLAY_NAME_MAX,
    display_name,
    model_arg,
    uploaded_file,
    use_round_converter,
)

bp = Blueprint("pages", __name__)
use_round_converter(bp)

# ethers v6 from the npm install (package-lock.json), served locally: the pages use no CDN.
ETHERS_DIST = Path(__file__).resolve().parents[2] / "node_modules" / "ethers" / "dist"


# The menu's community links: (config key, label), shown when the operator sets them.
COMMUNITY_LINKS = (("BLOG_URL", "Blog"), ("FORUM_URL", "Forum"), ("CHAT_URL", "Chat"))


def _server_url() -> str:
    """This server's public URL for the pages' copy-paste lines: the pinned sign-in URI
    (never the request's Host header), else the URL the page was asked for."""
    return (current_app.config.get("SIWE_URI") or request.url_root).rstrip("/")


@bp.app_context_processor
def _header() -> dict[str, Any]:
    """What base.html's header needs on every page: the live round header and the menu."""
    config = current_app.config
    return {
        # The 2017 site kept Balances in view on every page: read from the chain, for a signed-in wallet.
        "header_balances": reads.balances(g.address) if g.get("address") else None,
        "round_header": round_header.round_header(),
        "remaining_text": round_header.remaining_text,
        "community_links": [(label, config[key]) for key, label in COMMUNITY_LINKS if config.get(key)],
    }


@bp.get("/")
@access("public")
def current_round() -> str:
    """Current round: countdown, downloads, upload form, my submission's hash, metrics and
    the Performance panel."""
    return render_template("current_round.html", page=views.current_round_page(g.address),
                           page_server_url=_server_url())


@bp.get("/stake")
@access("public")
def stake() -> str:
    """Stake NMR from the wallet (static/js/stake.js); keys stay in the wallet, never sent
    here. ``?hash=0x...`` fills the form with that one of my files ("stake on this file")."""
    return render_template("stake.html", page=participant.stake_page(g.address, request.args.get("hash")))


@bp.get("/vendor/ethers.umd.min.js")
@access("public")
def ethers_js() -> Response:
    """ethers v6 (UMD build, global ``ethers``) for the staking page."""
    return send_from_directory(ETHERS_DIST, "ethers.umd.min.js", mimetype="text/javascript", max_age=3600)


@bp.post("/rounds/<round:number>/upload")
@access("upload")
def upload(number: int) -> tuple[str, int]:
    """The upload form (``model``: which of my models, default model 0): shows the
    problems, or the hash and validation metrics."""
    raw, filename = uploaded_file()
    outcome = services.upload_predictions(number, g.address, raw, filename, model_arg())
    payload, status = views.upload_view(outcome, number)
    return render_template("upload_result.html", result=payload, round_number=number), 200 if status == 201 else 422


@bp.get("/rounds")
@access("public")
def past_rounds() -> str:
    """Past tournaments."""
    return render_template("rounds.html", page=views.past_rounds_page())


@bp.get("/rounds/<round:number>")
@access("public")
def round_results(number: int) -> str:
    """Tournament N results."""
    page = views.round_results_page(number, address=g.address)
    if page is None:
        raise ApiError(404, f"round {number} does not exist")
    return render_template("round_results.html", page=page)


@bp.get("/rounds/<round:number>/published/<path:name>")
@access("public")
def published(number: int, name: str) -> Response:
    """A file the oracle published for the round (send_from_directory refuses ../)."""
    if name not in services.published_files(number):
        abort(404)
    return send_from_directory(paths.published_dir(number), name, as_attachment=True)


@bp.get("/models/<key>")
@access("public")
def model(key: str) -> str:
    """A model's page: its name, wallet, career and every tournament it was scored in."""
    page = views.model_page(key)
    if page is None:
        raise ApiError(404, f"no model has the key {key[:80]!r}; a model key is a wallet address (its first model) "
                            "or <address>-<n>, as the leaderboard links them")  # fmt: skip
    return render_template("model.html", page=page)


@bp.get("/leaderboard")
@access("public")
def leaderboard() -> str:
    """The leaderboard: ``?round=N`` or ``round=all``, ``sort``, ``order``, ``page`` (app/web/leaderboard.py)."""
    return render_template("leaderboard.html", page=boards.leaderboard_view(), sort_link=boards.sort_link_args,
                           page_link=boards.page_link_args)


@bp.get("/rules", endpoint="rules")
@access("public")
def rules_page() -> str:
    """The rules, with the current round's pools, thresholds and deadlines."""
    return render_template("rules.html", page=rules.rules_page())


@bp.get("/account")
@access("read")
def account() -> str:
    """My account: balances, career, one row per tournament (submission, stake, outcome, why)."""
    return render_template("account.html", page=views.account_page(g.address))


@bp.get("/settings")
@access("session")
def settings() -> str:
    """My settings: display name, API tokens, browser sessions."""
    return _settings_page(new_token=None)


def _settings_page(new_token: str | None, **refusal: str) -> str:
    """Settings; ``refusal`` (model_error and model_name, or name_error) says why a form was refused."""
    page = participant.settings_page(g.address, auth.current_session_key())
    return render_template("settings.html", page=page, new_token=new_token, token_scopes=SCOPES,
                           models_per_wallet=current_app.config["MODELS_PER_WALLET"], **refusal)


@bp.post("/account/models")
@access("session")
def add_model() -> Any:
    """Register a new model by name; a bad or taken name shows Settings again with why (400/409)."""
    name = request.form.get("name", "")
    try:
        services.add_model(g.address, name)
    except ApiError as exc:
        return _settings_page(new_token=None, model_error=exc.message, model_name=name[:store.MODEL_NAME_MAX]), exc.status
    return redirect(url_for("pages.settings", _anchor="models"), code=303)


@bp.post("/account/name")
@access("session")
def set_name() -> Any:
    """Set or clear my display name; a taken or look-alike one shows Settings again with why."""
    try:
        services.set_display_name(g.address, display_name(request.form.get("display_name", "")))
    except ApiError as exc:
        return _settings_page(new_token=None, name_error=exc.message), exc.status
    return redirect(url_for("pages.settings"), code=303)


@bp.post("/account/tokens")
@access("session")
def create_token() -> str:
    """Create an API token with the ticked scopes (none sent: both) and show its secret this once."""
    name = request.form.get("name", "").strip()[:DISPLAY_NAME_MAX]
    scopes = request.form.getlist("scopes")
    if not scopes and request.form.get("scopes_offered"):  # the form, every box unticked
        raise ApiError(400, f"tick what the token may do ({' and/or '.join(SCOPES)}); a token that may do nothing "
                            "is of no use")  # fmt: skip
    _row, token = store.create_api_token(g.address, name, parse_scopes(scopes))
    return _settings_page(new_token=token)


@bp.post("/account/tokens/<public_id>/revoke")
@access("session")
def revoke_token(public_id: str) -> Response:
    """Revoke one of my tokens."""
    if not store.revoke_api_token(g.address, public_id):
        raise ApiError(404, f"you have no live token {public_id!r}")
    return redirect(url_for("pages.settings"), code=303)


@bp.post("/settings/sessions/<key>/end")
@access("session")
def end_session(key: str) -> Response:
    """Sign one of my browser sessions out (this one too: then back to the round)."""
    mine = key == auth.current_session_key()
    if not auth.end_session_by_key(g.address, key):
        raise ApiError(404, "that session is not one of your live sessions (already signed out?)")
    return redirect(url_for("pages.current_round" if mine else "pages.settings"), code=303)


@bp.post("/settings/sign-out-everywhere")
@access("session")
def sign_out_everywhere() -> Response:
    """End every browser session of my address, this one included."""
    auth.end_all_sessions(g.address)
    return redirect(url_for("pages.current_round"), code=303)


@bp.post("/logout")
@access("public")
def logout() -> Response:
    """Sign out."""
    auth.end_session()
    return redirect(url_for("pages.current_round"), code=303)
