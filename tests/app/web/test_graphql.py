"""GraphQL beyond what numerapi asks (tests/app/numerapi runs numerapi itself): the work a
request does does not grow with its rows, and numerapi's PUT upload refuses in JSON."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event

from app import store
from app.db import get_session

SCORES_QUERY = """query($modelId: ID!) {
  submissionScores(modelId: $modelId) { roundNumber displayName value percentile roundUsd reason } }"""


@contextmanager
def counted_queries(app):
    """Counts the SQL statements run inside (on the app's engine)."""
    statements: list[str] = []
    with app.app_context():
        engine = get_session().get_bind()

    def listener(_conn, _cursor, statement, *_rest) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def scored_rounds(app, addresses: list[str], numbers: range) -> None:
    """Rounds ``numbers``, each resolved with a score for every address."""
    with app.app_context():
        now = store.utcnow()
        for number in numbers:
            store.create_round(number, closes_at=now - timedelta(days=2), resolves_by=now - timedelta(days=1),
                               status="closed")  # fmt: skip
            store.save_scores(number, [
                {"address": a, "live_logloss": 0.69 - i / 1000, "consistency": 0.75, "corr": 0.01 * i,
                 "reason": f"rank {i + 1} of {len(addresses)}"}
                for i, a in enumerate(addresses)
            ])  # fmt: skip
            store.set_round_status(number, "resolved", resolved_at=now)


def test_submission_scores_reads_the_same_few_tables_for_any_number_of_rounds(app, client, alice, bob):
    def scores_query() -> tuple[list, int]:
        with counted_queries(app) as statements:
            body = client.post("/graphql", json={"query": SCORES_QUERY, "variables": {"modelId": alice.address}})
        assert "errors" not in body.get_json(), body.get_json()
        return body.get_json()["data"]["submissionScores"], len(statements)

    scored_rounds(app, [alice.address, bob.address], range(100, 101))
    one_round, queries_for_one = scores_query()
    scored_rounds(app, [alice.address, bob.address], range(101, 105))
    five_rounds, queries_for_five = scores_query()

    assert {e["roundNumber"] for e in one_round} == {100}
    assert {e["roundNumber"] for e in five_rounds} == set(range(100, 105))
    assert len(five_rounds) == 5 * len(one_round) == 5 * 6  # six metrics a round
    assert queries_for_five == queries_for_one <= 4
    logloss = [e for e in five_rounds if e["displayName"] == "logloss" and e["roundNumber"] == 104]
    assert logloss == [{"roundNumber": 104, "displayName": "logloss", "value": 0.69, "percentile": 0.5,
                        "roundUsd": "0", "reason": "rank 1 of 2"}]  # fmt: skip


def test_numerapi_upload_url_refusals_are_json(client):
    response = client.put("/graphql/uploads/forged", data=b"id,probability\n")
    assert response.status_code == 404
    assert response.get_json() == {"error": {"status": 404, "message": "unknown upload; call upload_predictions again"}}
