"""numerapi's upload URL, attacked against a served app: it is bound to the account that
asked, short-lived, PUT once (nobody holding the URL can overwrite) and submitted once."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests

from app import store
from app.web import numerapi_upload
from tests.app.web.conftest import predictions_csv
from tests.support import serve

BOTH_DATABASES = True  # tests/postgres.py
AUTH = """query($filename: String!, $tournament: Int!) {
    submission_upload_auth(filename: $filename, tournament: $tournament) { filename url } }"""
CREATE = """mutation($filename: String!, $tournament: Int!) {
    create_submission(filename: $filename, tournament: $tournament) { id } }"""


@pytest.fixture
def server(app):
    with serve(app) as url:
        yield url


@pytest.fixture
def gql(app, server, alice):
    """``gql(query, variables, token=alice's) -> response JSON`` against the served /graphql."""
    with app.app_context():
        _row, token = store.create_api_token(alice.address, "numerapi")

    def run(query: str, variables: dict, presented: str | None = token) -> dict:
        headers = {"Authorization": f"Token {presented}"} if presented else {}
        return requests.post(f"{server}/graphql", json={"query": query, "variables": variables},
                             headers=headers, timeout=30).json()  # fmt: skip

    return run


def ticket_of(gql) -> dict:
    return gql(AUTH, {"filename": "p.csv", "tournament": 8})["data"]["submission_upload_auth"]


def test_upload_auth_needs_credentials(gql):
    answer = gql(AUTH, {"filename": "p.csv", "tournament": 8}, presented=None)
    assert (answer.get("data") or {}).get("submission_upload_auth") is None and answer["errors"]


def test_a_put_url_cannot_be_overwritten(gql, dataset):
    ticket = ticket_of(gql)
    assert requests.put(ticket["url"], data=predictions_csv(dataset, 1), timeout=10).status_code == 200
    again = requests.put(ticket["url"], data=b"id,probability\nx,0.5\n", timeout=10)
    assert again.status_code == 409 and "cannot be replaced" in again.json()["error"]["message"]
    created = gql(CREATE, {"filename": ticket["filename"], "tournament": 8})
    assert created["data"]["create_submission"]["id"], created


def test_one_ticket_makes_one_submission(gql, dataset):
    ticket = ticket_of(gql)
    assert requests.put(ticket["url"], data=predictions_csv(dataset, 1), timeout=10).status_code == 200
    first = gql(CREATE, {"filename": ticket["filename"], "tournament": 8})
    assert first["data"]["create_submission"]["id"]
    second = gql(CREATE, {"filename": ticket["filename"], "tournament": 8})
    assert (second.get("data") or {}).get("create_submission") is None
    assert "already used" in second["errors"][0]["message"]


def test_ticket_is_short_lived(app, gql, dataset):
    assert numerapi_upload.UPLOAD_TTL <= 15 * 60
    ticket = ticket_of(gql)
    with app.app_context():
        row = store.get_upload_ticket(ticket["filename"])
        row.expires_at = store.utcnow() - timedelta(seconds=1)
        store.get_session().commit()
    late = requests.put(ticket["url"], data=predictions_csv(dataset, 1), timeout=10)
    assert late.status_code == 410 and "expired" in late.json()["error"]["message"]


def test_the_url_holds_no_readable_claims(app, gql):
    ticket = ticket_of(gql)
    with app.app_context():
        row = store.get_upload_ticket(ticket["filename"])
        assert row.id != ticket["filename"]  # only the secret's hash is stored
