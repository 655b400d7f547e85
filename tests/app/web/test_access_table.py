"""Which credentials reach which route, proven for every route of the app's route table
(a new route is walked without a new test), and for every GraphQL operation that acts as
an account.

Five credentials: none, a wallet session (with its CSRF token), and API tokens with the
read scope, the upload scope, or both. A route "refuses" when app.access answers 401/403
naming the level it needs (or, for a visitor on a signed-in page, the sign-in panel);
whatever else it answers (200, a 400 for the empty body, a 404 for the sample id) means
the credential got past the access check.
"""

from __future__ import annotations

import pytest

from app import store
from app.access import LEVELS, level_of
from tests.app.web.conftest import ROUND, csrf_headers, sign_in

CREDENTIALS = ("anonymous", "session", "read token", "upload token", "read+upload token")
SCOPES_OF = {"read token": ["read"], "upload token": ["upload"], "read+upload token": ["upload", "read"]}
# Who gets past each level: the access rule itself, written out.
REACHES = {
    "public": set(CREDENTIALS),
    "operations": set(CREDENTIALS),
    "read": {"session", "read token", "read+upload token"},
    "upload": {"session", "upload token", "read+upload token"},
    "session": {"session"},
}
# The access-control table: every route and who may reach it (app.access's levels). A
# route missing here, or declaring another level in its view, fails the first test below.
POLICY = {
    # Anyone: the tournament's public face, sign-in itself, and URLs that are their own
    # credential (numerapi's single-use upload ticket, a signed download link).
    ("GET", "/"): "public",
    ("GET", "/stake"): "public",
    ("GET", "/rounds"): "public",
    ("GET", "/rounds/<round:number>"): "public",
    ("GET", "/rounds/<round:number>/published/<path:name>"): "public",
    ("GET", "/leaderboard"): "public",
    ("GET", "/models/<key>"): "public",
    ("GET", "/rules"): "public",
    ("GET", "/favicon.ico"): "public",
    ("GET", "/vendor/ethers.umd.min.js"): "public",
    ("POST", "/logout"): "public",
    ("GET", "/api/v1"): "public",
    ("GET", "/api/v1/openapi.yaml"): "public",
    ("GET", "/api/v1/chain"): "public",
    ("GET", "/api/v1/rounds"): "public",
    ("GET", "/api/v1/rounds/current"): "public",
    ("GET", "/api/v1/rounds/<round:number>"): "public",
    ("GET", "/api/v1/rounds/<round:number>/dataset.<file_format>"): "public",
    ("GET", "/api/v1/leaderboard"): "public",
    ("GET", "/api/v1/rules"): "public",
    ("GET", "/api/v1/models"): "public",
    ("GET", "/api/v1/models/<key>"): "public",
    ("GET", "/api/v1/auth/nonce"): "public",
    ("POST", "/api/v1/auth/verify"): "public",
    ("POST", "/api/v1/auth/logout"): "public",
    ("GET", "/api/v1/auth/me"): "public",
    ("PUT", "/graphql/uploads/<key>"): "public",
    ("GET", "/graphql/downloads/<signed>"): "public",
    # Each operation says (GRAPHQL_OPERATIONS below).
    ("POST", "/graphql"): "operations",
    # The read scope: my account as the account page shows it.
    ("GET", "/account"): "read",
    ("GET", "/api/v1/account"): "read",
    ("GET", "/api/v1/account/tokens"): "read",
    # The upload scope: predictions.
    ("POST", "/rounds/<round:number>/upload"): "upload",
    ("POST", "/api/v1/rounds/<round:number>/submissions"): "upload",
    ("POST", "/api/v1/rounds/<round:number>/commitments"): "upload",
    ("POST", "/api/v1/rounds/<round:number>/reveals"): "upload",
    # The wallet's session only: credentials, sessions, names, models.
    ("GET", "/settings"): "session",
    ("POST", "/account/name"): "session",
    ("PATCH", "/api/v1/account"): "session",
    ("POST", "/account/models"): "session",
    ("POST", "/api/v1/account/models"): "session",
    ("POST", "/account/tokens"): "session",
    ("POST", "/api/v1/account/tokens"): "session",
    ("POST", "/account/tokens/<public_id>/revoke"): "session",
    ("DELETE", "/api/v1/account/tokens/<public_id>"): "session",
    ("POST", "/settings/sessions/<key>/end"): "session",
    ("POST", "/settings/sign-out-everywhere"): "session",
    ("POST", "/api/v1/auth/logout-all"): "session",
}
SAMPLE_VALUES = {"number": ROUND, "file_format": "csv", "public_id": "0123456789abcdef", "name": "x.csv",
                 "signed": "x", "key": None, "model": None}  # fmt: skip
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@pytest.fixture(autouse=True)
def _sign_in_at_will(app):
    """A fresh session per request here: more sign-ins a minute than one client may ask for."""
    app.config["SIWE_NONCE_RATE_LIMIT"] = 100_000


def route_table(app) -> list[tuple[str, str, str]]:
    """(endpoint, method, rule) of every route of the app but static files."""
    return sorted((rule.endpoint, method, rule.rule) for rule in app.url_map.iter_rules()
                  for method in rule.methods & set(METHODS) if rule.endpoint != "static")  # fmt: skip


def _url(app, endpoint: str, method: str, address: str) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint and method in r.methods)
    values = {name: SAMPLE_VALUES.get(name) or address for name in rule.arguments}
    with app.test_request_context():
        return app.url_map.bind("localhost").build(endpoint, values, method=method)


def _send(app, credential: str, method: str, url: str, alice):
    client = app.test_client()
    headers = {"Accept": "application/json"}
    if credential == "session":
        assert sign_in(client, alice).status_code == 200
        headers.update(csrf_headers(client))
    elif credential != "anonymous":
        with app.app_context():
            _row, token = store.create_api_token(alice.address, credential, SCOPES_OF[credential])
        headers["Authorization"] = f"Token {token}"
    return client.open(url, method=method, headers=headers)


def refused_for_access(response) -> str | None:
    """The level app.access said the request needs, or None if access let it through."""
    if response.status_code not in (401, 403):
        return None
    if response.is_json:
        return (response.get_json().get("error") or {}).get("needs")
    return "sign-in panel" if "<h1>Sign in</h1>" in response.get_data(as_text=True) else None


def test_every_route_declares_the_level_the_table_gives_it(app):
    with app.test_request_context():
        declared = {(method, rule): level_of(endpoint) for endpoint, method, rule in route_table(app)}
    assert set(LEVELS) >= set(POLICY.values())
    assert declared == POLICY


def test_the_route_table_proves_which_credentials_reach_every_route(app, alice):
    proven, wrong = 0, []
    for endpoint, method, rule in route_table(app):
        level = POLICY[method, rule]
        url = _url(app, endpoint, method, alice.address)
        for credential in CREDENTIALS:
            response = _send(app, credential, method, url, alice)
            assert response.status_code != 500, (method, rule, credential, response.get_data(as_text=True)[:300])
            reached = refused_for_access(response) is None
            if reached != (credential in REACHES[level]):
                wrong.append((method, rule, level, credential, response.status_code))
            proven += 1
    assert wrong == []
    assert proven >= 200


@pytest.mark.parametrize(("rule", "method"), [("/account/tokens", "POST"), ("/api/v1/account/tokens", "POST")])
def test_a_token_cannot_mint_tokens(app, alice, rule, method):
    response = _send(app, "read+upload token", method, rule, alice)
    assert response.status_code == 403
    assert "not an API token" in response.get_json()["error"]["message"]
    with app.app_context():
        assert len(store.list_api_tokens(alice.address)) == 1  # only the one that asked


# GraphQL operations that act as the token's account, with the scope each needs.
GRAPHQL_OPERATIONS = {
    "query { account { username } }": "read",
    "query { model { id } }": "read",
    "query { submissions { id } }": "read",
    'query { submissionDownloadAuth(id: "1") { url } }': "read",
    "query { pendingModelPayouts { actual { roundNumber } } }": "read",
    'query { submission_upload_auth(filename: "p.csv", tournament: 8) { url } }': "upload",
    'mutation { create_submission(filename: "x", tournament: 8) { id } }': "upload",
}


@pytest.mark.parametrize("query", list(GRAPHQL_OPERATIONS))
def test_each_graphql_operation_takes_only_its_scope(app, alice, query):
    needed = GRAPHQL_OPERATIONS[query]
    for credential in ("anonymous", "read token", "upload token", "read+upload token"):
        client = app.test_client()
        headers = {}
        if credential != "anonymous":
            with app.app_context():
                _row, token = store.create_api_token(alice.address, credential, SCOPES_OF[credential])
            headers["Authorization"] = f"Token {token}"
        errors = client.post("/graphql", json={"query": query}, headers=headers).get_json().get("errors") or []
        refused = [e for e in errors if (e.get("extensions") or {}).get("needs") == needed]
        allowed = credential != "anonymous" and needed in SCOPES_OF[credential]
        assert bool(refused) != allowed, (credential, errors)
