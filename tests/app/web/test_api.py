"""The JSON API and pages on the happy path: rounds, uploads, results, leaderboard, account."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from app import store


def upload(client, body: bytes, name: str = "predictions.csv", headers=None, round_number: int = 7):
    return client.post(
        f"/api/v1/rounds/{round_number}/submissions",
        data={"file": (io.BytesIO(body), name)},
        headers=headers or {},
    )


def test_current_round_page_shows_countdown_and_downloads(client):
    page = client.get("/").get_data(as_text=True)
    assert "Round 7" in page
    assert 'id="countdown" data-closes-at="' in page
    assert "/api/v1/rounds/7/dataset.csv" in page and "/api/v1/rounds/7/dataset.parquet" in page


def test_current_round_json_mirrors_page(client):
    body = client.get("/api/v1/rounds/current").get_json()
    assert body["round"]["number"] == 7
    assert body["round"]["accepts_uploads"] is True
    assert body["round"]["reward_budget_wei"] == str(1000 * 10**18)
    assert body["round"]["closes_at"].endswith("Z")


def test_dataset_downloads_are_the_written_files(client, app, dataset):
    for fmt in ("csv", "parquet"):
        response = client.get(f"/api/v1/rounds/7/dataset.{fmt}")
        assert response.status_code == 200
        with app.app_context():
            path = Path(getattr(store.get_round(7), f"dataset_{fmt}_path"))
        assert response.data == path.read_bytes()
        assert f"numerai_dataset_round7.{fmt}" in response.headers["Content-Disposition"]


def test_upload_returns_hash_and_validation_metrics(signed_in, csrf_headers, make_predictions, app):
    body = make_predictions()
    response = upload(signed_in, body, headers=csrf_headers(signed_in))
    assert response.status_code == 201
    result = response.get_json()
    assert result["accepted"] is True
    assert result["hash"].startswith("0x") and len(result["hash"]) == 66
    assert 0.6 < result["metrics"]["validation_logloss"] < 0.7
    assert 0 <= result["metrics"]["consistency"] <= 1
    assert len(result["metrics"]["per_era"]) == 3
    with app.app_context():
        sub = store.list_submissions(7)[0]
        stored = Path(sub.stored_path)
        # the stored file is the canonical text: its SHA-256 is the hash to stake on
        assert "0x" + hashlib.sha256(stored.read_bytes()).hexdigest() == result["hash"]
        assert stored.name != "predictions.csv" and stored.parent.name == "round-7"


def test_same_predictions_as_parquet_hash_the_same(signed_in, csrf_headers, make_predictions):
    import pandas as pd

    csv = make_predictions(seed=3)
    frame = pd.read_csv(io.BytesIO(csv))
    buffer = io.BytesIO()
    frame.sample(frac=1, random_state=1).to_parquet(buffer, index=False)
    first = upload(signed_in, csv, headers=csrf_headers(signed_in)).get_json()
    second = upload(signed_in, buffer.getvalue(), "whatever.bin", headers=csrf_headers(signed_in)).get_json()
    assert first["hash"] == second["hash"]
    assert second["format"] == "parquet"


def test_reupload_replaces_only_your_own_submission(app, client, alice, bob, sign_in, csrf_headers, make_predictions):
    other = app.test_client()
    assert sign_in(client, alice).status_code == 200
    assert sign_in(other, bob).status_code == 200
    upload(client, make_predictions(seed=1), headers=csrf_headers(client))
    bob_hash = upload(other, make_predictions(seed=2), headers=csrf_headers(other)).get_json()["hash"]
    new_alice = upload(client, make_predictions(seed=4), headers=csrf_headers(client)).get_json()["hash"]
    with app.app_context():
        current = {s.address: s.hash for s in store.list_submissions(7)}
        assert current == {alice.address: new_alice, bob.address: bob_hash}
        # the older upload is kept (a stake may have committed to it)
        assert store.submission_by_hash(7, alice.address, new_alice) is not None


def test_rejected_upload_lists_problems(signed_in, csrf_headers):
    response = upload(signed_in, b"id,prob\nx,2\n", headers=csrf_headers(signed_in))
    assert response.status_code == 422
    problems = response.get_json()["problems"]
    assert any("probability" in p for p in problems)


def test_upload_page_shows_metrics_and_hash(signed_in, make_predictions):
    page = signed_in.get("/").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    response = signed_in.post(
        "/rounds/7/upload",
        data={"csrf_token": token, "file": (io.BytesIO(make_predictions()), "mine.csv")},
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Predictions accepted" in text and 'id="validation-logloss"' in text and "0x" in text
    assert 'id="submission-hash"' in signed_in.get("/").get_data(as_text=True)


def test_results_leaderboard_and_account_after_scoring(app, signed_in, csrf_headers, make_predictions, alice):
    upload(signed_in, make_predictions(), headers=csrf_headers(signed_in))
    with app.app_context():
        store.set_round_status(7, "closed")
        store.save_scores(
            7,
            [
                {
                    "address": alice.address, "live_logloss": 0.689, "validation_logloss": 0.691,
                    "consistency": 0.75, "originality": True, "concordance": True,
                    "per_era": {"era18": 0.689}, "stake_wei": 10 * 10**18, "confidence": "0.5",
                    "reward_wei": 20 * 10**18, "burn_wei": 0,
                }
            ],
        )  # fmt: skip
        store.set_round_status(7, "resolved", resolved_at=store.utcnow())
        store.record_batch(7, 0, "0x" + "ab" * 32, "confirmed")
    published = Path(app.config["DATA_DIR"]) / "published" / "round-7"
    published.mkdir(parents=True)
    (published / "predictions").mkdir()
    (published / "scores.csv").write_text("address,live_logloss\n")
    (published / "predictions" / "0xabc.csv").write_text("id,probability\n")
    (published / "manifest.json").write_text('{"predictions/0xabc.csv": "00", "scores.csv": "00"}')

    results = signed_in.get("/api/v1/rounds/7").get_json()
    assert results["n_participants"] == 1 and results["n_stakers"] == 1
    assert results["staked_wei"] == str(10 * 10**18) and results["paid_wei"] == str(20 * 10**18)
    assert results["published_files"] == ["manifest.json", "predictions/0xabc.csv", "scores.csv"]
    page = signed_in.get("/rounds/7").get_data(as_text=True)
    assert "Tournament 7 results" in page and "/rounds/7/published/scores.csv" in page
    assert signed_in.get("/rounds/7/published/scores.csv").data.startswith(b"address")
    assert signed_in.get("/rounds/7/published/predictions/0xabc.csv").data.startswith(b"id,")

    board = signed_in.get("/api/v1/leaderboard").get_json()
    assert board["round"] == 7
    assert board["rows"][0]["rank"] == 1 and board["rows"][0]["career_nmr_wei"] == str(20 * 10**18)
    assert "20.00" in signed_in.get("/leaderboard").get_data(as_text=True)

    rounds = signed_in.get("/api/v1/rounds").get_json()["rounds"]
    assert rounds[0]["number"] == 7 and rounds[0]["paid_wei"] == str(20 * 10**18)

    account = signed_in.get("/api/v1/account").get_json()
    assert account["career_nmr_wei"] == str(20 * 10**18)
    assert account["chain"]["available"] is False  # no node in these tests
    assert account["chain"]["message"].startswith("chain unavailable")
    page = signed_in.get("/account").get_data(as_text=True)
    assert "<svg" in page and "bar-" in page  # the per-era chart is a picture
    assert "chain unavailable" in page


def test_account_shows_chain_balances_when_the_extension_exists(app, signed_in):
    class FakeChain:
        def balances(self, address):
            return {"nmr_wei": 5 * 10**18, "eth_wei": 10**18}

    app.extensions["chain"] = FakeChain()
    body = signed_in.get("/api/v1/account").get_json()
    assert body["chain"]["available"] is True and body["chain"]["nmr_wei"] == str(5 * 10**18)
    assert "5.0000 NMR" in signed_in.get("/account").get_data(as_text=True)


def test_account_survives_a_failing_chain(app, signed_in):
    class BrokenChain:
        def balances(self, address):
            raise ConnectionError("node down")

    app.extensions["chain"] = BrokenChain()
    assert "chain unavailable" in signed_in.get("/account").get_data(as_text=True)


def test_api_token_flow(app, signed_in, csrf_headers, make_predictions, alice):
    created = signed_in.post("/api/v1/account/tokens", json={"name": "laptop"}, headers=csrf_headers(signed_in))
    assert created.status_code == 201
    token = created.get_json()["token"]
    script = app.test_client()
    for scheme in ("Token", "Bearer"):
        me = script.get("/api/v1/auth/me", headers={"Authorization": f"{scheme} {token}"}).get_json()
        assert me == {"address": alice.address, "auth": "token"}
    response = upload(script, make_predictions(), headers={"Authorization": f"Token {token}"})
    assert response.status_code == 201  # no CSRF needed with a token
    listed = signed_in.get("/api/v1/account/tokens").get_json()["tokens"]
    assert [t["public_id"] for t in listed] == [token.split("$")[0]]
    with app.app_context():
        row = store.list_api_tokens(alice.address)[0]
        assert token.split("$")[1] not in row.secret_hash  # only a hash is stored
    public_id = token.split("$")[0]
    assert signed_in.delete(f"/api/v1/account/tokens/{public_id}", headers=csrf_headers(signed_in)).status_code == 200
    assert script.get("/api/v1/auth/me", headers={"Authorization": f"Token {token}"}).status_code == 401


def test_display_name_shows_on_leaderboard_names(app, signed_in, csrf_headers, alice):
    response = signed_in.patch("/api/v1/account", json={"display_name": "satoshi"}, headers=csrf_headers(signed_in))
    assert response.get_json() == {"address": alice.address, "display_name": "satoshi"}
    with app.app_context():
        assert store.display_names([alice.address]) == {alice.address: "satoshi"}


def test_session_cookie_is_httponly_and_samesite(client, alice, sign_in):
    response = sign_in(client, alice)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "test-secret" not in response.get_data(as_text=True)


def test_logout_ends_the_session(signed_in, csrf_headers):
    assert signed_in.post("/api/v1/auth/logout", headers=csrf_headers(signed_in)).status_code == 200
    assert signed_in.get("/api/v1/auth/me").get_json()["address"] is None


def test_data_survives_a_restart(app, signed_in, csrf_headers, make_predictions):
    from app import create_app

    upload(signed_in, make_predictions(), headers=csrf_headers(signed_in))
    again = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": app.config["DATABASE_URL"],
                        "DATA_DIR": app.config["DATA_DIR"]})  # fmt: skip
    with again.app_context():
        assert len(store.list_submissions(7)) == 1 and store.get_round(7).status == "open"
