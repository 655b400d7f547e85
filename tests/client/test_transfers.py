"""Downloads that never corrupt a file, uploads that are retried only when safe: the
client against the real served app through a proxy started here (a real socket that
forwards to the app and, on demand, cuts, corrupts, drops or loses answers)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from app import store
from client import NumeraireClient, NumeraireError
from client.transfers import DownloadInterrupted, RetryPolicy
from tests.client.conftest import STAKER, write_predictions

FAST = RetryPolicy(attempts=3, delay=0.01)


class Faults:
    """What the proxy does to the next requests: lists of actions, one per request that
    matches (``"cut"``, ``"corrupt"``, ``"drop"``: close without forwarding, ``"lose"``:
    forward, then close without answering), consumed in order; ``seen`` counts requests."""

    def __init__(self) -> None:
        self.downloads: list[str] = []
        self.uploads: list[str] = []
        self.seen = {"downloads": 0, "uploads": 0}
        self.lock = threading.Lock()

    def next(self, kind: str) -> str | None:
        with self.lock:
            self.seen[kind] += 1
            queue = getattr(self, kind)
            return queue.pop(0) if queue else None


@pytest.fixture
def proxy(server) -> Iterator[tuple[str, Faults]]:
    """``(base URL, faults)`` of a proxy in front of the served app."""
    faults = Faults()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            fault = faults.next("downloads") if "/dataset." in self.path else None
            response = requests.get(server + self.path, headers=self._headers(), timeout=30)
            body = response.content
            if fault == "cut":
                body = body[: len(body) // 2]
            elif fault == "corrupt":
                body = body[:100] + bytes([body[100] ^ 0xFF]) + body[101:]
            self._answer(response, body, full_length=len(response.content))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            fault = faults.next("uploads") if self.path.endswith("/submissions") else None
            if fault == "drop":
                self.close_connection = True
                return  # nothing read, nothing forwarded: the client sees the connection close
            body = self.rfile.read(length)
            response = requests.post(server + self.path, data=body, headers=self._headers(), timeout=30)
            if fault == "lose":
                self.close_connection = True
                return  # stored by the app, but the answer never reaches the client
            self._answer(response, response.content, full_length=len(response.content))

        def _headers(self) -> dict[str, str]:
            return {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}

        def _answer(self, response: requests.Response, body: bytes, full_length: int) -> None:
            self.send_response(response.status_code)
            for key, value in response.headers.items():
                if key.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding"):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(full_length))
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True

    http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}", faults
    http.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def client(proxy, round_number, keys) -> NumeraireClient:
    """A staker's client that talks to the app through the proxy."""
    return NumeraireClient(proxy[0], private_key=keys[STAKER], progress=False, retry=FAST, timeout=10)


def the_dataset(app, number: int) -> bytes:
    with app.app_context():
        return Path(store.get_round(number).dataset_parquet_path).read_bytes()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


# --- downloads -------------------------------------------------------------------------------


def test_a_cut_download_is_fetched_again(client, proxy, app, round_number, tmp_path):
    proxy[1].downloads = ["cut"]
    path = client.download_dataset(tmp_path)
    assert path.read_bytes() == the_dataset(app, round_number)
    assert proxy[1].seen["downloads"] == 2 and leftovers(tmp_path) == []


@pytest.mark.parametrize(("fault", "reason"), [
    ("cut", r"got [\d,]+ of [\d,]+ bytes|the connection broke after [\d,]+ bytes \(\w+\)"),
    ("corrupt", "the file's SHA-256 differs from the one the server publishes"),
])
def test_a_failed_download_leaves_the_old_file_and_says_so(client, proxy, round_number, tmp_path, fault, reason):
    old = tmp_path / f"numerai_dataset_round{round_number}.parquet"
    old.write_bytes(b"last week's good file")
    proxy[1].downloads = [fault] * FAST.attempts
    with pytest.raises(NumeraireError, match=f"failed after 3 tries \\(({reason})\\); the existing .* is unchanged"):
        client.download_dataset(tmp_path)
    assert old.read_bytes() == b"last week's good file"
    assert leftovers(tmp_path) == [] and proxy[1].seen["downloads"] == 3


def test_a_failed_first_download_writes_nothing(client, proxy, round_number, tmp_path):
    proxy[1].downloads = ["corrupt"] * FAST.attempts
    with pytest.raises(NumeraireError, match="nothing was written to"):
        client.download_dataset(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_an_interrupted_download_keeps_the_old_file(client, round_number, tmp_path, monkeypatch):
    old = tmp_path / f"numerai_dataset_round{round_number}.parquet"
    old.write_bytes(b"kept")

    class CtrlCMidway:
        """A progress bar whose first update is a Ctrl-C."""

        def __enter__(self):
            return self

        def __exit__(self, *_exc):
            return False

        def update(self, _n):
            raise KeyboardInterrupt

    monkeypatch.setattr(client, "_bar", lambda *_args, **_kwargs: CtrlCMidway())
    with pytest.raises(DownloadInterrupted, match="interrupted; the existing .* is unchanged"):
        client.download_dataset(tmp_path)
    assert old.read_bytes() == b"kept" and leftovers(tmp_path) == []


def test_the_server_publishes_the_datasets_sha256(server, app, round_number):
    import base64
    import hashlib

    response = requests.get(f"{server}/api/v1/rounds/{round_number}/dataset.parquet", timeout=10)
    digest = base64.b64encode(hashlib.sha256(the_dataset(app, round_number)).digest()).decode()
    assert response.headers["Repr-Digest"] == f"sha-256=:{digest}:"


# --- uploads -------------------------------------------------------------------------------


@pytest.fixture
def predictions(client, tmp_path) -> Path:
    """A valid prediction file for the round (the dataset downloaded through the proxy)."""
    return write_predictions(client.download_dataset(tmp_path / "data"), tmp_path / "predictions.csv")


def submissions_of(app, address: str, number: int) -> list:
    with app.app_context():
        return [s for s in store.user_submissions(address) if s.round_number == number]


def test_an_upload_dropped_before_the_server_is_sent_again(client, proxy, app, round_number, predictions,
                                                         staker_address):
    proxy[1].uploads = ["drop"]
    result = client.upload_predictions(predictions)
    assert result["accepted"] is True and proxy[1].seen["uploads"] == 2
    [stored] = submissions_of(app, staker_address, round_number)
    assert stored.hash == result["hash"]


def test_an_upload_whose_answer_was_lost_is_not_sent_twice(client, proxy, app, round_number, predictions,
                                                          staker_address):
    proxy[1].uploads = ["lose"]
    result = client.upload_predictions(predictions)
    [stored] = submissions_of(app, staker_address, round_number)  # one submission, not two
    assert (result["accepted"], result["recovered"], result["hash"]) == (True, True, stored.hash)
    assert proxy[1].seen["uploads"] == 1


def test_an_upload_that_never_gets_through_says_so(client, proxy, app, round_number, predictions, staker_address):
    proxy[1].uploads = ["drop"] * FAST.attempts
    with pytest.raises(NumeraireError, match=r"upload of predictions.csv failed after 3 tries \(cannot reach the "
                                             r"server .*\); the server has not stored it"):
        client.upload_predictions(predictions)
    assert submissions_of(app, staker_address, round_number) == []


def test_a_refused_upload_is_not_retried(client, proxy, app, round_number, tmp_path, staker_address):
    """A closed round (or a bad file) is the server's answer: one try, its message."""
    dataset = client.download_dataset(tmp_path / "data")
    path = write_predictions(dataset, tmp_path / "p.csv")
    with app.app_context():
        store.set_round_status(round_number, "closed")
    with pytest.raises(NumeraireError, match=f"round {round_number} is closed to uploads"):
        client.upload_predictions(path, round_number)
    assert proxy[1].seen["uploads"] == 1
