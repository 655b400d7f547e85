"""SHA-256 digests of the files the server hands out, so a client can tell a whole,
intact download from a cut or corrupted one (RFC 9530's ``Repr-Digest`` header).

A digest is computed once per file version (path, size, modification time) and kept:
dataset files are written once per round and served many times.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from pathlib import Path

CHUNK = 1024 * 1024


def repr_digest(path: Path) -> str:
    """The ``Repr-Digest`` header value of the file at ``path``: ``sha-256=:<base64>:``."""
    stat = path.stat()
    return f"sha-256=:{base64.b64encode(_sha256(str(path), stat.st_size, stat.st_mtime_ns)).decode()}:"


@lru_cache(maxsize=256)
def _sha256(path: str, _size: int, _mtime_ns: int) -> bytes:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.digest()
