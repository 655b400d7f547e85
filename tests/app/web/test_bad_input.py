"""Malformed and abusive requests: each gets a 4xx with a message, never a 500, and the
database is exactly as it was before (every table's rows hashed before and after)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from eth_account.messages import encode_defunct

from app import store
from app.web.services import upload_limiter

ALICE_TOKEN = "alice-token"
BOB_TOKEN = "bob-token"


@pytest.fixture
def world(app, client, alice, bob, sign_in, csrf_headers, make_predictions):
    """alice signed in on ``client`` with a token; bob has a token; a closed round 6."""
    assert sign_in(client, alice).status_code == 200
    headers = csrf_headers(client)
    tokens = {}
    with app.app_context():
        tokens[ALICE_TOKEN] = store.create_api_token(alice.address, "a")[1]
        bob_row, tokens[BOB_TOKEN] = store.create_api_token(bob.address, "b")
        tokens["bob_public_id"] = bob_row.public_id
        now = store.utcnow()
        store.create_round(6, closes_at=now - timedelta(hours=1), resolves_by=now + timedelta(days=1), status="closed")
        store.create_round(5, closes_at=now - timedelta(minutes=1), resolves_by=now + timedelta(days=1))
    return {"client": client, "csrf": headers, "tokens": tokens, "good": make_predictions()}


def token(world, name=ALICE_TOKEN):
    return {"Authorization": f"Token {world['tokens'][name]}"}


def up(world, body, *, name="p.csv", round_number=7, headers=None, field="file"):
    return world["client"].post(
        f"/api/v1/rounds/{round_number}/submissions",
        data={field: (io.BytesIO(body), name)},
        headers=token(world) if headers is None else headers,
    )


def signed(account, message: str) -> str:
    return "0x" + account.sign_message(encode_defunct(text=message)).signature.hex().removeprefix("0x")


def fresh_message(world, account, **replace) -> str:
    message = world["client"].get(f"/api/v1/auth/nonce?address={account.address}").get_json()["message"]
    for old, new in replace.items():
        message = message.replace(old.replace("_", " "), new)
    return message


def verify(world, message, signature, **kw):
    return world["client"].post(
        "/api/v1/auth/verify", json={"message": message, "signature": signature}, headers=world["csrf"], **kw
    )


# Each case: (id, expected status, request). A request that needs setup writes (like a
# fresh nonce) does it in ``prepare`` so the snapshot is taken after it.
CASES = {
    "upload json body": (415, lambda w: w["client"].post("/api/v1/rounds/7/submissions", json={"file": "x"}, headers=token(w))),
    "upload text/plain": (415, lambda w: w["client"].post("/api/v1/rounds/7/submissions", data=b"id,probability", content_type="text/plain", headers=token(w))),
    "upload without file field": (400, lambda w: up(w, w["good"], field="predictions")),
    "upload empty file": (422, lambda w: up(w, b"")),
    "upload png image": (422, lambda w: up(w, b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, name="p.png")),
    "upload zip archive": (422, lambda w: up(w, b"PK\x03\x04" + b"\x00" * 100, name="p.zip")),
    "upload truncated parquet": (422, lambda w: up(w, b"PAR1" + b"\x00" * 50, name="p.parquet")),
    "upload wrong columns": (422, lambda w: up(w, b"a,b\n1,2\n")),
    "upload header only": (422, lambda w: up(w, b"id,probability\n")),
    "upload unknown ids": (422, lambda w: up(w, b"id,probability\nnope,0.5\n")),
    "upload probabilities out of range": (422, lambda w: up(w, w["good"].replace(b",0.", b",7.", 5))),
    "upload semicolons": (422, lambda w: up(w, w["good"].replace(b",", b";"))),
    "upload not utf-8": (422, lambda w: up(w, b"id,probability\n\xff\xfe,0.5\n")),
    "upload over MAX_UPLOAD_BYTES": (422, lambda w: up(w, b"id,probability\n" + b"x" * 210_000)),
    "upload body over MAX_CONTENT_LENGTH": (413, lambda w: up(w, b"0" * 400_000)),
    "upload to unknown round": (404, lambda w: up(w, w["good"], round_number=999)),
    "upload to closed round": (409, lambda w: up(w, w["good"], round_number=6)),
    "upload after close time": (409, lambda w: up(w, w["good"], round_number=5)),
    "upload anonymous": (401, lambda w: up(w, w["good"], headers={}) if False else w["app_client"]().post("/api/v1/rounds/7/submissions", data={"file": (io.BytesIO(w["good"]), "p.csv")})),
    "upload with unknown token": (401, lambda w: up(w, w["good"], headers={"Authorization": "Token abc$def"})),
    "upload with malformed authorization": (401, lambda w: up(w, w["good"], headers={"Authorization": "Basic YWxpY2U6cHc="})),
    "upload with token missing secret": (401, lambda w: up(w, w["good"], headers={"Authorization": "Bearer " + w["tokens"][ALICE_TOKEN].split("$")[0]})),
    "upload by cookie without csrf": (403, lambda w: up(w, w["good"], headers={})),
    "upload by cookie with wrong csrf": (403, lambda w: up(w, w["good"], headers={"X-CSRF-Token": "forged"})),
    "page upload form without csrf": (403, lambda w: w["client"].post("/rounds/7/upload", data={"file": (io.BytesIO(w["good"]), "p.csv")})),
    "round id not an integer": (404, lambda w: w["client"].get("/api/v1/rounds/abc")),
    "unknown round results": (404, lambda w: w["client"].get("/api/v1/rounds/424242")),
    "unknown round page": (404, lambda w: w["client"].get("/rounds/424242")),
    "dataset unknown format": (400, lambda w: w["client"].get("/api/v1/rounds/7/dataset.xlsx")),
    "dataset unknown round": (404, lambda w: w["client"].get("/api/v1/rounds/99/dataset.csv")),
    "dataset of round without files": (404, lambda w: w["client"].get("/api/v1/rounds/6/dataset.csv")),
    "leaderboard round not a number": (400, lambda w: w["client"].get("/api/v1/leaderboard?round=1;drop")),
    "published path traversal": (404, lambda w: w["client"].get("/rounds/7/published/..%2F..%2Ftest.sqlite3")),
    "method not allowed": (405, lambda w: w["client"].delete("/api/v1/leaderboard", headers=w["csrf"])),
    "verify form body": (415, lambda w: w["client"].post("/api/v1/auth/verify", data={"message": "m"}, headers=w["csrf"])),
    "verify json array": (400, lambda w: w["client"].post("/api/v1/auth/verify", json=["m", "s"], headers=w["csrf"])),
    "verify missing signature": (400, lambda w: verify(w, "hello", "")),
    "verify garbage message": (400, lambda w: verify(w, "hello world", "0x1234")),
    "verify wrong domain": (401, lambda w: verify(w, w["msg_wrong_domain"], signed(w["alice"], w["msg_wrong_domain"]))),
    "verify wrong chain id": (401, lambda w: verify(w, w["msg_wrong_chain"], signed(w["alice"], w["msg_wrong_chain"]))),
    "verify unknown nonce": (401, lambda w: verify(w, w["msg_unknown_nonce"], signed(w["alice"], w["msg_unknown_nonce"]))),
    "verify replayed message": (401, lambda w: verify(w, w["msg_used"], signed(w["alice"], w["msg_used"]))),
    "verify expired nonce": (401, lambda w: verify(w, w["msg_expired"], signed(w["alice"], w["msg_expired"]))),
    "verify expired message": (401, lambda w: verify(w, w["msg_expiry_passed"], signed(w["alice"], w["msg_expiry_passed"]))),
    "verify signed by another key": (401, lambda w: verify(w, w["msg_fresh"], signed(w["bob"], w["msg_fresh"]))),
    "verify malformed signature": (401, lambda w: verify(w, w["msg_fresh"], "0xzz")),
    "nonce for a bad address": (400, lambda w: w["client"].get("/api/v1/auth/nonce?address=0x123")),
    "revoke another user's token": (404, lambda w: w["client"].delete(f"/api/v1/account/tokens/{w['tokens']['bob_public_id']}", headers=w["csrf"])),
    "create token with a token": (403, lambda w: w["client"].post("/api/v1/account/tokens", json={}, headers=token(w))),
    "account anonymous": (401, lambda w: w["app_client"]().get("/api/v1/account")),
    "account page anonymous": (401, lambda w: w["app_client"]().get("/account")),
    "patch account form body": (415, lambda w: w["client"].patch("/api/v1/account", data={"display_name": "x"}, headers=w["csrf"])),
    "patch account name too long": (400, lambda w: w["client"].patch("/api/v1/account", json={"display_name": "x" * 41}, headers=w["csrf"])),
    "patch account name not a string": (400, lambda w: w["client"].patch("/api/v1/account", json={"display_name": 5}, headers=w["csrf"])),
    "patch account control characters": (400, lambda w: w["client"].patch("/api/v1/account", json={"display_name": "a\nb"}, headers=w["csrf"])),
    "page name form without csrf": (403, lambda w: w["client"].post("/account/name", data={"display_name": "x"})),
    "a token cannot revoke tokens (bob's, alice's)": (403, lambda w: w["client"].delete(f"/api/v1/account/tokens/{w['tokens'][ALICE_TOKEN].split('$')[0]}", headers=token(w, BOB_TOKEN))),
}


def _prepare_messages(world, app, alice, bob):
    """Signed-message cases need nonces issued (a write) before the snapshot."""
    world["alice"], world["bob"] = alice, bob
    world["app_client"] = app.test_client
    world["msg_wrong_domain"] = fresh_message(world, alice).replace("localhost wants", "evil.example wants", 1)
    world["msg_wrong_chain"] = fresh_message(world, alice).replace("Chain ID: 1337", "Chain ID: 1")
    world["msg_unknown_nonce"] = fresh_message(world, alice)
    nonce = world["msg_unknown_nonce"].split("Nonce: ")[1].split("\n")[0]
    world["msg_unknown_nonce"] = world["msg_unknown_nonce"].replace(nonce, "f" * 24)
    world["msg_used"] = fresh_message(world, alice)
    assert verify(world, world["msg_used"], signed(alice, world["msg_used"])).status_code == 200
    world["csrf"] = {"X-CSRF-Token": world["client"].get("/api/v1/auth/me") and _csrf(world["client"])}
    world["msg_expired"] = fresh_message(world, alice)
    expired_nonce = world["msg_expired"].split("Nonce: ")[1].split("\n")[0]
    world["msg_fresh"] = fresh_message(world, alice)
    lines = fresh_message(world, alice).split("\n")
    world["msg_expiry_passed"] = "\n".join(
        "Expiration Time: 2020-01-01T00:00:00.000Z" if line.startswith("Expiration Time") else line for line in lines
    )
    with app.app_context():
        row = store.get_nonce(expired_nonce)
        row.expires_at = store.utcnow() - timedelta(seconds=1)
        from app.db import get_session

        get_session().commit()


def _csrf(client):
    with client.session_transaction() as session:
        return session["csrf_token"]


def test_there_are_at_least_thirty_cases():
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", list(CASES))
def test_bad_request_is_refused_cleanly(case, world, app, alice, bob, snapshot):
    _prepare_messages(world, app, alice, bob)
    expected, send = CASES[case]
    before = snapshot()
    response = send(world)
    assert response.status_code == expected, response.get_data(as_text=True)[:500]
    if response.is_json:
        error = response.get_json().get("error") or {}
        problems = response.get_json().get("problems")
        assert error.get("message") or problems, response.get_json()
    else:  # an error page's sentence, or (a participant's page, signed out) the sign-in panel
        page = response.get_data(as_text=True)
        assert 'id="error-message"' in page or (expected == 401 and 'id="sign-in-panel"' in page), page[:500]
    assert "Traceback" not in response.get_data(as_text=True)
    assert snapshot() == before


def test_too_large_body_is_json_413(world):
    response = up(world, b"0" * 400_000)
    assert response.status_code == 413
    assert "limit" in response.get_json()["error"]["message"]


def test_upload_rate_limit_per_identity(app, world):
    app.config["UPLOAD_RATE_LIMIT"] = 2
    upload_limiter.reset()
    assert up(world, b"").status_code == 422
    assert up(world, b"").status_code == 422
    limited = up(world, world["good"])
    assert limited.status_code == 429 and "Retry-After" in limited.headers
    # another identity has its own window
    assert up(world, b"", headers=token(world, BOB_TOKEN)).status_code == 422


def test_unexpected_error_is_json_500_without_traceback(app, client, monkeypatch):
    from app.web import views

    def boom(*_a, **_k):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(views, "past_rounds_page", boom)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/api/v1/rounds")
    assert response.status_code == 500
    assert "secret internals" not in response.get_data(as_text=True)
    assert response.get_json()["error"]["status"] == 500
