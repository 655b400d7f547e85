"""Numeraire Tournament: the Flask tournament server and oracle.

``create_app(test_config=None)`` builds the app: configuration from
:class:`app.config.Config`, then the environment (``NMR_*`` or plain names), then
``test_config``; then the database (schema created on start), the web layer (pages,
/api/v1, error handlers) and the chain/oracle extensions when their modules exist.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import secrets
import time
from pathlib import Path
from typing import Any

from flask import Flask

from app import config as app_config


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """The application factory (used by gunicorn as ``app:create_app()``)."""
    app = Flask(
        __name__,
        instance_path=str(app_config.INSTANCE_DIR),
        instance_relative_config=True,
        template_folder="web/templates",
        static_folder="web/static",
    )
    app.config.from_object(app_config.Config)
    app.config.update(app_config.from_env())
    if test_config:
        app.config.update(test_config)
    _finish_config(app)

    from app import db, store, web

    db.init_app(app)
    with app.app_context():  # rows from before names were claimed and models numbered by row
        store.claim_existing_names()
        store.sync_model_numbers()
    web.init_app(app)

    # --- chain and oracle (owned by app/chain/ and app/oracle/cli.py) -------------------
    # Each optional module exposes init_app(app): CLI commands and, for the chain,
    # app.extensions["chain"] (balances(address) / stakes(address) for the account page).
    for name in ("app.chain", "app.oracle.cli"):
        if importlib.util.find_spec(name) is not None:
            module = importlib.import_module(name)
            if hasattr(module, "init_app"):
                module.init_app(app)
    return app


def _finish_config(app: Flask) -> None:
    """Derived settings: the body limit, folders, and a persistent secret key if none set."""
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_UPLOAD_BYTES"] + 64 * 1024
    Path(app.config["DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path) / "secret_key")


def _instance_secret(path: Path) -> str:
    """A random key kept in the instance folder (mode 600), so sessions survive restarts.

    Several gunicorn workers may start at once: the first creates the file exclusively,
    the others read what it wrote.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):
            key = path.read_text().strip()
            if key:
                return key
            time.sleep(0.05)
        raise RuntimeError(f"{path} is empty; delete it or set SECRET_KEY") from None
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
