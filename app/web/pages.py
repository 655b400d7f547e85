"""Server-rendered pages. Each renders the view model that the matching API route returns."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    g,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)

from app import auth, paths, store
from app.auth import login_required
from app.errors import ApiError
from app.web import rules, services, views
from app.web.inputs import (
    DISPLAY_NAME_MAX,
    display_name,
    round_arg,
    uploaded_file,
    use_round_converter,
)

bp = Blueprint("pages", __name__)
use_round_converter(bp)

# ethers v6 from the npm install (package-lock.json), served locally: the pages use no CDN.
ETHERS_DIST = Path(__file__).resolve().parents[2] / "node_modules" / "ethers" / "dist"


@bp.get("/")
def current_round() -> str:
    """Current round: countdown, downloads, upload form, my submission's hash and metrics."""
    return render_template("current_round.html", page=views.current_round_page(g.address))


@bp.get("/stake")
def stake() -> str:
    """Stake NMR from the wallet (static/js/stake.js); keys stay in the wallet, never sent here."""
    return render_template("stake.html", page=views.current_round_page(g.address))


@bp.get("/vendor/ethers.umd.min.js")
def ethers_js() -> Response:
    """ethers v6 (UMD build, global ``ethers``) for the staking page."""
    return send_from_directory(ETHERS_DIST, "ethers.umd.min.js", mimetype="text/javascript", max_age=3600)


@bp.post("/rounds/<round:number>/upload")
@login_required
def upload(number: int) -> tuple[str, int]:
    """The upload form: shows the problems, or the hash and validation metrics."""
    raw, filename = uploaded_file()
    outcome = services.upload_predictions(number, g.address, raw, filename)
    payload, status = views.upload_view(outcome, number)
    return render_template("upload_result.html", result=payload, round_number=number), 200 if status == 201 else 422


@bp.get("/rounds")
def past_rounds() -> str:
    """Past tournaments."""
    return render_template("rounds.html", page=views.past_rounds_page())


@bp.get("/rounds/<round:number>")
def round_results(number: int) -> str:
    """Tournament N results."""
    page = views.round_results_page(number)
    if page is None:
        raise ApiError(404, f"round {number} does not exist")
    return render_template("round_results.html", page=page)


@bp.get("/rounds/<round:number>/published/<path:name>")
def published(number: int, name: str) -> Response:
    """A file the oracle published for the round (send_from_directory refuses ../)."""
    if name not in services.published_files(number):
        abort(404)
    return send_from_directory(paths.published_dir(number), name, as_attachment=True)


@bp.get("/leaderboard")
def leaderboard() -> str:
    """The leaderboard of the newest scored round (``?round=N`` for another)."""
    return render_template("leaderboard.html", page=views.leaderboard_page(round_arg()))


@bp.get("/rules", endpoint="rules")
def rules_page() -> str:
    """The rules, with the current round's pools, thresholds and deadlines."""
    return render_template("rules.html", page=rules.rules_page())


@bp.get("/account")
@login_required
def account() -> str:
    """My account."""
    return render_template("account.html", page=views.account_page(g.address), new_token=None)


@bp.post("/account/name")
@login_required
def set_name() -> Response:
    """Set or clear my display name."""
    store.set_display_name(g.address, display_name(request.form.get("display_name", "")))
    return redirect(url_for("pages.account"), code=303)


@bp.post("/account/tokens")
@login_required
def create_token() -> str:
    """Create an API token and show its secret this once."""
    name = request.form.get("name", "").strip()[:DISPLAY_NAME_MAX]
    _row, token = store.create_api_token(g.address, name)
    return render_template("account.html", page=views.account_page(g.address), new_token=token)


@bp.post("/account/tokens/<public_id>/revoke")
@login_required
def revoke_token(public_id: str) -> Response:
    """Revoke one of my tokens."""
    if not store.revoke_api_token(g.address, public_id):
        raise ApiError(404, f"you have no live token {public_id!r}")
    return redirect(url_for("pages.account"), code=303)


@bp.post("/logout")
def logout() -> Response:
    """Sign out."""
    auth.end_session()
    return redirect(url_for("pages.current_round"), code=303)
