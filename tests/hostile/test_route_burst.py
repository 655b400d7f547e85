"""A burst of random requests at every state-changing route of the app's route table (a
new route is attacked without a new test): random credentials (none, alice's session with
a right, wrong, non-ASCII, huge or missing CSRF token, tokens of each scope, malformed
Authorization headers), random bodies (JSON of odd shapes and strings, forms, multipart
files, raw bytes, nothing) and random path values. Never a 500, never a hang, and a
refused request changes neither the database nor the data folder.

The counts (tried / 4xx / 5xx / hangs / changed by a refusal) are printed at the end of
the run (tests/figures.py).
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import time
from collections import Counter

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct

from app import store
from app.data import build_round_dataset
from tests.figures import FIGURES
from tests.support import app_with_open_round, fingerprint

ROUND = 7
REQUESTS_PER_ROUTE = 500
HANG_SECONDS = 10.0
STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
TALLY: Counter = Counter()

NASTY_STRINGS = ["é", "\u202etxt.exe", "\x00", "\ud800", "𝕒𝕝𝕡𝕙𝕒", "аlpha", "a\u200db", "' OR 1=1 --", "<script>x</script>",
                 "%00", "../../x", "x" * 5000, "", " ", "\n", "0x" + "a" * 40, "9" * 40, "-1", "1e309", "NaN", "null",
                 "alpha", "beta_2", "Satoshi", "read", "upload", "read upload"]  # fmt: skip
NASTY_HEADER_VALUES = ["é", "ÿ" * 300, "x" * 9000, "", " ", "\t", "Token", "Token é", "Bearer $", "Token a$b",
                       "Basic YTpi", "Token " + "a" * 5000 + "$" + "b" * 5000]  # fmt: skip


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """One app on a real SQLite file with round 7 open; alice's tokens of each scope."""
    folder = tmp_path_factory.mktemp("burst")
    dataset = build_round_dataset(seed=5, key="burst", round_number=ROUND, n_features=8, rows_per_era=40,
                                  n_train_eras=2, n_validation_eras=2)  # fmt: skip
    app = app_with_open_round(folder, dataset, SIWE_DOMAIN="localhost", UPLOAD_RATE_LIMIT=100_000,
                              SIWE_NONCE_RATE_LIMIT=100_000)  # fmt: skip
    alice = Account.from_key(hashlib.sha256(b"burst-alice").digest())
    tokens = {}
    with app.app_context():
        for scopes in (["read"], ["upload"], ["upload", "read"]):
            tokens[" ".join(scopes)] = store.create_api_token(alice.address, "burst", scopes)[1]
    return {"app": app, "folder": folder, "alice": alice, "tokens": tokens}


def state_changing_routes(app) -> list[tuple[str, str]]:
    return sorted((method, rule.rule) for rule in app.url_map.iter_rules() for method in rule.methods & STATE_CHANGING)


def _signed_in_client(world):
    client = world["app"].test_client()
    alice = world["alice"]
    message = client.get(f"/api/v1/auth/nonce?address={alice.address}").get_json()["message"]
    signature = "0x" + alice.sign_message(encode_defunct(text=message)).signature.hex().removeprefix("0x")
    assert client.post("/api/v1/auth/verify", json={"message": message, "signature": signature}).status_code == 200
    with client.session_transaction() as session:
        return client, session["csrf_token"]


def _random_string(rng: random.Random) -> str:
    pick = rng.choice(NASTY_STRINGS)
    return pick if rng.random() < 0.8 else "".join(rng.choice(NASTY_STRINGS) for _ in range(rng.randint(2, 5)))


def _form_string(rng: random.Random) -> str:
    """A random string a form can carry: a lone surrogate cannot be UTF-8 on the wire
    (JSON bodies carry it escaped, as ``\\ud800``)."""
    return _random_string(rng).encode("utf-8", "replace").decode()


def _random_json(rng: random.Random, depth: int = 0):
    kind = rng.randrange(7 if depth < 3 else 4)
    if kind == 0:
        return _random_string(rng)
    if kind == 1:
        return rng.choice([0, -1, 2**70, 1.5, float("1e308"), True, None])
    if kind == 2:
        return rng.choice(["name", "display_name", "scopes", "message", "signature", "model", "query"])
    if kind == 3:
        return None
    if kind in (4, 5):
        keys = ["name", "display_name", "scopes", "model", "query", "variables", _random_string(rng)]
        return {rng.choice(keys): _random_json(rng, depth + 1) for _ in range(rng.randint(0, 4))}
    return [_random_json(rng, depth + 1) for _ in range(rng.randint(0, 4))]


def _random_path_value(rng: random.Random, name: str) -> str:
    if name == "number":
        return str(rng.choice([ROUND, 0, 1, 10**30]))
    return rng.choice([_form_string(rng) or "x", "0123456789abcdef", "x"]).replace("/", "%2F")


def _fill(rule: str, rng: random.Random) -> str:
    out, rest = "", rule
    while "<" in rest:
        before, _, after = rest.partition("<")
        variable, _, rest = after.partition(">")
        name = variable.rsplit(":", 1)[-1]
        out += before + _random_path_value(rng, name)
    return out + rest


def _random_request(rng: random.Random, world, method: str, rule: str) -> tuple:
    """(client, method, path, kwargs) of one random request."""
    headers: dict[str, str] = {}
    credential = rng.choice(["none", "session", "session", "session bad csrf", "token", "bad authorization"])
    client = world["app"].test_client()
    csrf = None
    if credential.startswith("session"):
        client, csrf = world["session"]
        csrf = csrf if credential == "session" else rng.choice(NASTY_HEADER_VALUES)
    elif credential == "token":
        headers["Authorization"] = f"Token {rng.choice(list(world['tokens'].values()))}"
    elif credential == "bad authorization":
        headers["Authorization"] = rng.choice(NASTY_HEADER_VALUES)
    if rng.random() < 0.3:
        headers["X-CSRF-Token"] = rng.choice(NASTY_HEADER_VALUES)
    elif csrf is not None and rng.random() < 0.6:
        headers["X-CSRF-Token"] = csrf
    body_kind = rng.choice(["json", "json", "form", "multipart", "raw", "none"])
    kwargs: dict = {"headers": headers}
    if body_kind == "json":
        value = _random_json(rng)
        text = json.dumps(value, ensure_ascii=rng.random() < 0.5)
        kwargs["data"] = text if text.encode("utf-8", "replace").decode() == text else json.dumps(value)
        kwargs["content_type"] = "application/json"
    elif body_kind == "form":
        fields = {rng.choice(["name", "display_name", "scopes", "scopes_offered", "model", "csrf_token"]): _form_string(rng)
                  for _ in range(rng.randint(0, 4))}  # fmt: skip
        if csrf is not None and rng.random() < 0.5:
            fields["csrf_token"] = csrf
        kwargs["data"] = fields
    elif body_kind == "multipart":
        content = rng.choice([b"", b"id,probability\n", b"id,probability\n" + b"a,0.5\n" * 50, b"\xff\xfe\x00", b"PAR1" * 10])
        kwargs["data"] = {"file": (io.BytesIO(content), _form_string(rng) or "p.csv"), "model": _form_string(rng)}
        if csrf is not None and rng.random() < 0.5:
            kwargs["data"]["csrf_token"] = csrf
    elif body_kind == "raw":
        kwargs["data"] = rng.randbytes(rng.choice([0, 10, 1000, 100_000]))
        kwargs["content_type"] = rng.choice(["application/json", "text/plain", "multipart/form-data; boundary=x",
                                             "application/x-www-form-urlencoded", "application/json; charset=utf-16"])
    return client, method, _fill(rule, rng), kwargs


def test_every_state_changing_route_survives_a_random_burst(world):
    app = world["app"]
    routes = state_changing_routes(app)
    assert len(routes) >= 18, routes
    failures = []
    world["session"] = _signed_in_client(world)
    state = fingerprint(world["folder"])
    for method, rule in routes:
        rng = random.Random(f"{method} {rule}")
        for _ in range(REQUESTS_PER_ROUTE):
            client, verb, path, kwargs = _random_request(rng, world, method, rule)
            start = time.perf_counter()
            response = client.open(path, method=verb, **kwargs)
            elapsed = time.perf_counter() - start
            refused = _status(response) >= 400
            after = fingerprint(world["folder"])
            changed, state = refused and after != state, after
            if not refused and _session_ended(world):  # a sign-out that worked: sign in again
                world["session"] = _signed_in_client(world)
                state = fingerprint(world["folder"])
            TALLY["tried"] += 1
            TALLY["4xx"] += 400 <= _status(response) < 500
            TALLY["5xx"] += response.status_code >= 500 and response.status_code != 503
            TALLY["hangs"] += elapsed > HANG_SECONDS
            TALLY["changed"] += changed
            if (response.status_code >= 500 and response.status_code != 503) or elapsed > HANG_SECONDS or changed:
                failures.append((verb, path[:80], response.status_code, round(elapsed, 1), changed,
                                 response.get_data(as_text=True)[:200]))  # fmt: skip
    assert failures == [], failures[:10]


def _status(response) -> int:
    """The HTTP status, or for GraphQL (always 200, as numerapi reads it) its error's."""
    if response.status_code == 200 and response.is_json:
        errors = (response.get_json() or {}).get("errors") if isinstance(response.get_json(), dict) else None
        if errors:
            return (errors[0].get("extensions") or {}).get("status", 400)
    return response.status_code


def _session_ended(world) -> bool:
    client, _csrf = world["session"]
    return client.get("/api/v1/auth/me").get_json()["address"] is None


@pytest.mark.parametrize("csrf", ["é", "ÿ" * 300, "x" * 9000, " "], ids=["e-acute", "300 y-umlauts", "9000 chars", "a space"])
def test_a_malformed_csrf_token_is_a_403_on_every_state_changing_route(world, csrf):
    app = world["app"]
    client, _good = _signed_in_client(world)
    for method, rule in state_changing_routes(app):
        path = _fill(rule, random.Random(0))
        for kwargs in ({"headers": {"X-CSRF-Token": csrf}}, {"data": {"csrf_token": csrf}}):
            before = fingerprint(world["folder"])
            response = client.open(path, method=method, **kwargs)
            assert _status(response) == 403, (method, rule, response.status_code, response.get_data(as_text=True)[:200])
            assert "missing or wrong CSRF token" in response.get_data(as_text=True), (method, rule)
            assert fingerprint(world["folder"]) == before, (method, rule)


def test_zz_counts_of_the_burst(record_property):
    record_property(FIGURES, "route burst: tried {tried} / 4xx {4xx} / 5xx {5xx} / hangs {hangs} / "
                             "database or data changed by a refusal {changed}".format(**{k: TALLY[k] for k in
                                                                                        ("tried", "4xx", "5xx", "hangs", "changed")}))
    assert TALLY["tried"] == 0 or (TALLY["5xx"] == 0 and TALLY["hangs"] == 0 and TALLY["changed"] == 0)
