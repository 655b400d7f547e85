"""Where the server keeps its files under ``DATA_DIR`` (config): one home for the folder
names the oracle writes and the web layer serves, so neither imports the other for a path.

- ``datasets/round-N/``: the round's public dataset files (served for download)
- ``oracle/round-N/``: the held-back live targets, never under a served folder
- ``published/round-N/``: what the oracle publishes for :mod:`client.core.money.verify` (served by the pages)
- ``uploads/round-N/``: accepted prediction files, under server-chosen names
- ``numerapi-uploads/``: files numerapi PUT, kept until its ``create_submission``
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app


def data_dir() -> Path:
    """The app's ``DATA_DIR``."""
    return Path(current_app.config["DATA_DIR"])


def datasets_dir(number: int) -> Path:
    """The folder of round ``number``'s public dataset files."""
    return data_dir() / "datasets" / f"round-{number}"


def secret_dir(number: int) -> Path:
    """The folder of round ``number``'s held-back live targets (never served)."""
    return data_dir() / "oracle" / f"round-{number}"


def published_dir(number: int) -> Path:
    """The folder of round ``number``'s published files."""
    return data_dir() / "published" / f"round-{number}"


def uploads_dir(number: int) -> Path:
    """The folder of round ``number``'s accepted prediction files."""
    return data_dir() / "uploads" / f"round-{number}"


def numerapi_uploads_dir() -> Path:
    """The folder of files PUT by numerapi that no ``create_submission`` has taken yet."""
    return data_dir() / "numerapi-uploads"
