"""The web layer: pages, the /api/v1 JSON API, error handlers and template helpers.

``init_app(app)`` registers everything; the blueprints are thin (parse, call
:mod:`app.web.services` / :mod:`app.web.views`, render or return JSON).
"""

from __future__ import annotations

from flask import Flask, g

from app import access, auth
from app.web import (
    api,
    chart_views,
    errors,
    formatting,
    graphql,
    index,
    numerapi_upload,
    pages,
)


def init_app(app: Flask) -> None:
    """Register blueprints, per-request identity, CSRF and access checks, errors and template helpers."""
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(graphql.bp)
    app.register_blueprint(numerapi_upload.bp)
    app.register_blueprint(index.bp)
    errors.register(app)

    @app.before_request
    def _identify_check_csrf_and_access():
        auth.identify()
        auth.check_csrf()
        return access.enforce()  # None, or the sign-in panel for a visitor

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
        )
        return response

    @app.context_processor
    def _template_globals() -> dict:
        return {
            "current_address": g.get("address"),
            "csrf_token": auth.csrf_token,
            "chain_id": app.config["CHAIN_ID"],
        }

    formatting.register(app)
    chart_views.register(app)
