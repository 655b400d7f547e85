"""What a visitor or a client finds first: the index of the JSON API at ``/api/v1``
(every route with its methods and the first line of its docstring, read from the app's
URL map so it can never drift from the code), the OpenAPI file it points to, and the
favicon browsers ask for at ``/favicon.ico``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    send_from_directory,
    url_for,
)

from app.access import access

bp = Blueprint("index", __name__)

DOCS = Path(__file__).resolve().parents[2] / "docs"
STATIC = Path(__file__).resolve().parent / "static"
API_PREFIX = "/api/v1"
# Doors of the API besides /api/v1 itself: numerapi's GraphQL endpoint.
OTHER_API_PREFIXES = ("/graphql",)
_IGNORED_METHODS = {"HEAD", "OPTIONS"}


def api_routes() -> list[dict[str, Any]]:
    """Every API route: ``path`` (OpenAPI style, ``{number}``), ``methods`` and ``summary``
    (the first line of the view's docstring), sorted by path."""
    routes = []
    for rule in current_app.url_map.iter_rules():
        if rule.endpoint.startswith("index.") or not rule.rule.startswith((API_PREFIX + "/", *OTHER_API_PREFIXES)):
            continue
        view = current_app.view_functions[rule.endpoint]
        summary = " ".join((view.__doc__ or "").strip().split("\n\n")[0].split())
        routes.append({
            "path": re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule),
            "methods": sorted(rule.methods - _IGNORED_METHODS),
            "summary": summary,
        })  # fmt: skip
    return sorted(routes, key=lambda route: (route["path"], route["methods"]))


@bp.get(API_PREFIX, strict_slashes=False)
@access("public")
def api_index() -> Response:
    """This index: the API's routes and where its OpenAPI description is."""
    return jsonify({
        "name": "Numeraire Tournament API",
        "version": "1",
        "openapi": url_for("index.openapi"),
        "docs": "Amounts are decimal strings of the token's base unit (NMR wei, USD 1e-6); times ISO 8601 UTC; "
                "errors {\"error\": {\"status\", \"message\"}}. Each page has its mirror here.",
        "routes": api_routes(),
    })  # fmt: skip


@bp.get(f"{API_PREFIX}/openapi.yaml")
@access("public")
def openapi() -> Response:
    """The OpenAPI 3.1 description of the API (docs/openapi.yaml)."""
    return send_from_directory(DOCS, "openapi.yaml", mimetype="application/yaml", max_age=300)


@bp.get("/favicon.ico")
@access("public")
def favicon() -> Response:
    """The site icon (an SVG; the pages link it as well)."""
    return send_from_directory(STATIC, "favicon.svg", mimetype="image/svg+xml", max_age=86400)
