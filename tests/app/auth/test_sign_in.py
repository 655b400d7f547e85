"""Sign-in as an attacker would try it, against a real served app: a forged Host, replays
in parallel, sessions after logout, out-of-bounds messages, nonce floods."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import requests
from eth_account.messages import encode_defunct
from sqlalchemy import select

from app import store
from app.auth import SECP256K1_HALF_N
from tests.support import serve

BOTH_DATABASES = True  # tests/postgres.py
N = 2 * SECP256K1_HALF_N + 1


@pytest.fixture
def server(app):
    """The app served on a loopback port, sign-in pinned to that URL (tests/support.serve)."""
    app.config["SIWE_DOMAIN"] = ""
    with serve(app) as url:
        yield url


def nonce_message(url: str, account, **headers) -> dict:
    response = requests.get(f"{url}/api/v1/auth/nonce", params={"address": account.address}, headers=headers, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def sign(account, message: str) -> str:
    return "0x" + account.sign_message(encode_defunct(text=message)).signature.hex().removeprefix("0x")


def post_verify(url: str, message: str, signature: str, web=None, **headers) -> requests.Response:
    return (web or requests).post(f"{url}/api/v1/auth/verify", json={"message": message, "signature": signature},
                                  headers=headers, timeout=30)  # fmt: skip


def signed_in_session(url: str, account) -> requests.Session:
    web = requests.Session()
    message = nonce_message(url, account)["message"]
    response = post_verify(url, message, sign(account, message), web)
    assert response.status_code == 200, response.text
    web.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    return web


def test_host_header_never_chooses_the_domain(server, alice):
    info = nonce_message(server, alice, Host="evil.example.com")
    assert info["domain"] == server.removeprefix("http://") and info["uri"] == server
    forged = info["message"].replace(info["domain"], "evil.example.com", 1)
    response = post_verify(server, forged, sign(alice, forged), Host="evil.example.com")
    assert response.status_code == 401
    assert "for domain 'evil.example.com'" in response.json()["error"]["message"]


def test_another_sites_uri_is_refused(server, alice):
    message = nonce_message(server, alice)["message"].replace(f"URI: {server}", "URI: https://evil.example.com")
    response = post_verify(server, message, sign(alice, message))
    assert response.status_code == 401 and "for URI 'https://evil.example.com'" in response.json()["error"]["message"]


def test_another_chain_is_refused(server, alice):
    message = nonce_message(server, alice)["message"].replace("Chain ID: 1337", "Chain ID: 1")
    response = post_verify(server, message, sign(alice, message))
    assert response.status_code == 401 and "chain id 1;" in response.json()["error"]["message"]


def test_unconfigured_server_refuses_sign_in(app, alice):
    app.config["SIWE_DOMAIN"] = ""
    response = app.test_client().get(f"/api/v1/auth/nonce?address={alice.address}")
    assert response.status_code == 503 and "set SIWE_DOMAIN" in response.get_json()["error"]["message"]


def test_one_message_posted_16_times_at_once_makes_one_session(server, alice):
    message = nonce_message(server, alice)["message"]
    signature = sign(alice, message)
    barrier = threading.Barrier(16)
    codes: list[int] = []

    def post() -> None:
        barrier.wait()
        codes.append(post_verify(server, message, signature).status_code)

    threads = [threading.Thread(target=post) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(codes) == [200] + [401] * 15


def test_logout_ends_the_session_at_once(server, alice):
    web = signed_in_session(server, alice)
    stolen = dict(web.cookies)
    assert web.post(f"{server}/api/v1/auth/logout", timeout=10).status_code == 200
    replay = requests.Session()
    replay.cookies.update(stolen)
    replay.headers["X-CSRF-Token"] = web.headers["X-CSRF-Token"]
    assert replay.get(f"{server}/api/v1/auth/me", timeout=10).json()["address"] is None
    assert replay.post(f"{server}/api/v1/account/tokens", json={"name": "x"}, timeout=10).status_code == 401


def test_log_out_everywhere_ends_every_session(server, alice):
    first, second = signed_in_session(server, alice), signed_in_session(server, alice)
    response = first.post(f"{server}/api/v1/auth/logout-all", timeout=10)
    assert response.status_code == 200 and response.json()["sessions_ended"] == 2
    for web in (first, second):
        assert web.get(f"{server}/api/v1/auth/me", timeout=10).json()["address"] is None


def test_revoked_api_token_stops_working_at_once(server, alice):
    web = signed_in_session(server, alice)
    created = web.post(f"{server}/api/v1/account/tokens", json={"name": "bot"}, timeout=10).json()
    header = {"Authorization": f"Token {created['token']}"}
    assert requests.get(f"{server}/api/v1/auth/me", headers=header, timeout=10).json()["auth"] == "token"
    assert web.delete(f"{server}/api/v1/account/tokens/{created['public_id']}", timeout=10).status_code == 200
    assert requests.get(f"{server}/api/v1/auth/me", headers=header, timeout=10).status_code == 401


@pytest.mark.parametrize(("prefix", "line", "said"), [
    ("Issued At: ", "Issued At: 2099-01-01T00:00:00.000Z", "Issued At is in the future"),
    ("Issued At: ", "Issued At: 2001-01-01T00:00:00.000Z", "issued too long ago"),
    ("Expiration Time: ", "Expiration Time: 2001-01-01T00:00:00.000Z", "has expired"),
])  # fmt: skip
def test_messages_out_of_time_bounds_are_refused(server, alice, prefix, line, said):
    message = nonce_message(server, alice)["message"]
    if prefix == "Issued At: ":
        message = "\n".join(x for x in message.splitlines() if not x.startswith("Expiration Time: "))  # no expiry
    message = message.replace(next(x for x in message.splitlines() if x.startswith(prefix)), line)
    response = post_verify(server, message, sign(alice, message))
    assert response.status_code == 401 and said in response.json()["error"]["message"], response.text


def test_high_s_signature_is_refused(server, alice):
    message = nonce_message(server, alice)["message"]
    raw = bytes.fromhex(sign(alice, message)[2:])
    r, s, v = raw[:32], int.from_bytes(raw[32:64], "big"), raw[64]
    flipped = r + (N - s).to_bytes(32, "big") + bytes([55 - v if v in (27, 28) else v ^ 1])
    response = post_verify(server, message, "0x" + flipped.hex())
    assert response.status_code == 401 and "high s" in response.json()["error"]["message"]
    # the nonce is still good for the honest signature
    assert post_verify(server, message, sign(alice, message)).status_code == 200


def test_nonce_requests_are_rate_limited_per_client(app, server):
    app.config["SIWE_NONCE_RATE_LIMIT"] = 5
    codes = [requests.get(f"{server}/api/v1/auth/nonce", timeout=10).status_code for _ in range(7)]
    assert codes == [200] * 5 + [429] * 2


def test_outstanding_nonces_are_capped_and_expired_ones_swept(app, server):
    app.config["SIWE_MAX_OUTSTANDING_NONCES"] = 3
    assert [requests.get(f"{server}/api/v1/auth/nonce", timeout=10).status_code for _ in range(4)] == [200] * 3 + [503]
    with app.app_context():
        for row in store.get_session().scalars(select(store.SiweNonce)):
            row.expires_at = store.utcnow() - timedelta(seconds=1)
        store.get_session().commit()
    assert requests.get(f"{server}/api/v1/auth/nonce", timeout=10).status_code == 200
    with app.app_context():
        assert len(list(store.get_session().scalars(select(store.SiweNonce)))) == 1
