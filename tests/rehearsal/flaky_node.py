"""A JSON-RPC proxy in front of a real node that can be told to fail for a while: every
request answered ``503`` (a node or load balancer that errs), or held unanswered until the
client times out (a node that hangs). What an operator's RPC provider does on a bad day."""

from __future__ import annotations

import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FlakyNode:
    """Serves on a free loopback port (``url``) and forwards to `upstream` unless failing."""

    def __init__(self, upstream: str):
        self.upstream = upstream
        self._errors_until = self._hangs_until = 0.0
        self.refused = 0  # requests answered with a failure
        node = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                now = time.monotonic()
                if now < node._errors_until:
                    node.refused += 1
                    self._answer(503, b"upstream unavailable")
                    return
                if now < node._hangs_until:
                    node.refused += 1
                    time.sleep(node._hangs_until - now)  # the client's timeout comes first, or this
                    self.close_connection = True
                    return
                request = urllib.request.Request(node.upstream, body, {"Content-Type": "application/json"})
                with urllib.request.urlopen(request, timeout=30) as answer:
                    self._answer(answer.status, answer.read())

            def _answer(self, status: int, payload: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *_args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def outage(self, errors: float, hangs: float) -> None:
        """From now: `errors` seconds of 503 answers, then `hangs` seconds of silence."""
        now = time.monotonic()
        self._errors_until = now + errors
        self._hangs_until = now + errors + hangs

    def close(self) -> None:
        """Stops serving."""
        self._server.shutdown()
        self._server.server_close()
