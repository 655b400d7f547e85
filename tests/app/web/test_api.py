"""The JSON API and pages on the happy path: rounds, uploads, results, leaderboard, account.

Every test runs on SQLite and on a throwaway PostgreSQL server (tests/postgres.py)."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import UTC, datetime
from pathlib import Path

from app import store
from client.core.money.units import NMR
from client.core.money.units import USD_UNIT as USD

BOTH_DATABASES = True  # tests/postgres.py



def upload(client, body: bytes, name: str = "predictions.csv", headers=None, round_number: int = 7):
    return client.post(
        f"/api/v1/rounds/{round_number}/submissions",
        data={"file": (io.BytesIO(body), name)},
        headers=headers or {},
    )


def test_current_round_page_shows_countdown_and_downloads(client):
    page = client.get("/").get_data(as_text=True)
    header = page.split('id="round-header"', 1)[1].split("</p>", 1)[0]
    shown, results = header.split('<span id="round-header-results"', 1)
    assert re.fullmatch(r"Tournament 7 · 0D 23H 59M \d+S remain", " ".join(re.sub(r"<[^>]+>", " ", shown.split(">", 1)[1]).split()))
    assert results.startswith(" hidden>")  # no results to link to yet
    assert "<h1>Tournament 7</h1>" in page
    assert 'id="countdown" data-closes-at="' in page
    assert "/api/v1/rounds/7/dataset.csv" in page and "/api/v1/rounds/7/dataset.parquet" in page


def test_current_round_json_mirrors_page(client):
    body = client.get("/api/v1/rounds/current").get_json()
    assert body["round"]["number"] == 7
    assert body["round"]["accepts_uploads"] is True
    assert body["round"]["nmr_pool"] == str(1000 * NMR)
    assert body["round"]["usd_staking_pool"] == "0" and body["round"]["usd_prize_pool"] == "0"
    assert body["round"]["closes_at"].endswith("Z")
    assert body["my_result"] is None


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


def score_round_7(app, rows, status="resolved", **chain_totals):
    """Saves ``rows`` as round 7's scores, with the round funded and moved to ``status``
    (and, given, the chain's totals recorded as when the round ended)."""
    with app.app_context():
        store.set_round_funding(7, usd_staking_pool=3_000 * USD, usd_prize_pool=3_603_030_000,
                                nmr_pool=14_412_130 * NMR // 1000, funder="0x" + "f0" * 20)
        store.set_round_status(7, "closed")
        store.save_scores(7, rows)
        if chain_totals:
            store.record_chain_totals(7, unsettled_stakes=0, **chain_totals)
        store.set_round_status(7, status, resolved_at=datetime(2017, 6, 15, 18, tzinfo=UTC))


def alice_row(address, **overrides):
    """Alice's score: staked 10 NMR at confidence 0.5, in the money for $20, rank 1's prizes."""
    return {
        "address": address, "live_logloss": 0.691331, "validation_logloss": 0.666398,
        "consistency": 1.0, "originality": True, "concordance": True, "per_era": {"era18": 0.689},
        "stake_wei": 10 * NMR, "confidence": str(NMR // 2), "burn_wei": 0, "usd_reward": 20 * USD,
        "prize_rank": 1, "prize_usd": 1_000 * USD, "prize_nmr": 4_000 * NMR,
        "reason": "in the money: stake back + $20; rank 1 of 2: $1,000 + 4,000.00 NMR", **overrides,
    }  # fmt: skip


def bob_row(address):
    """Bob's score: staked 5 NMR, live logloss above ln 2: burned, no prize."""
    return {
        "address": address, "live_logloss": 0.695, "validation_logloss": 0.692309, "consistency": 0.8333333,
        "originality": True, "concordance": True, "stake_wei": 5 * NMR, "confidence": str(NMR),
        "burn_wei": 5 * NMR, "reason": "burned: live logloss 0.6950 >= ln 2; no prize",
    }  # fmt: skip


def test_results_leaderboard_and_account_after_scoring(app, signed_in, csrf_headers, make_predictions, alice, bob):
    upload(signed_in, make_predictions(), headers=csrf_headers(signed_in))
    score_round_7(app, [alice_row(alice.address), bob_row(bob.address)])
    with app.app_context():
        store.record_transaction(7, "settle", 0, "0x" + "ab" * 32, "confirmed")
    published = Path(app.config["DATA_DIR"]) / "published" / "round-7"
    published.mkdir(parents=True)
    (published / "predictions").mkdir()
    (published / "scores.csv").write_text("address,live_logloss\n")
    (published / "predictions" / "0xabc.csv").write_text("id,probability\n")
    (published / "manifest.json").write_text('{"predictions/0xabc.csv": "00", "scores.csv": "00"}')

    results = signed_in.get("/api/v1/rounds/7").get_json()
    assert results["n_participants"] == 2 and results["n_stakers"] == 2 and results["controlling_capital"] == 1
    # Nothing is called paid that the chain did not say (no node here): the plan's are planned.
    assert (results["usd_paid"], results["nmr_paid"], results["burned"]) == (None, None, None)
    assert results["paid_source"] == "the chain did not answer" and results["planned_unpaid"] is True
    assert results["planned"] == {"usd_paid": str(1_020 * USD), "nmr_paid": str(4_000 * NMR), "burned": str(5 * NMR)}
    assert results["staked_wei"] == str(15 * NMR) and results["stakes_source"] == "scores"
    assert results["decimals"] == {"nmr": 18, "usd": 6}
    assert results["round"]["usd_prize_pool"] == "3603030000" and results["resolved_at"] == "2017-06-15T18:00:00Z"
    first, second = results["participants"]
    assert (first["address"], first["rank"], first["round_usd"], first["round_nmr"]) == (
        alice.address, 1, str(1_020 * USD), str(4_000 * NMR))
    assert (first["prize_rank"], first["prize_usd"], first["prize_nmr"]) == (1, str(1_000 * USD), str(4_000 * NMR))
    assert first["reason"] == first["why"] == "in the money: stake back + $20; rank 1 of 2: $1,000 + 4,000.00 NMR"
    assert second["reason"].startswith("burned: live logloss 0.6950") and second["burned"] == str(5 * NMR)
    assert results["published_files"] == ["manifest.json", "predictions/0xabc.csv", "scores.csv"]

    page = signed_in.get("/rounds/7").get_data(as_text=True)
    assert "Tournament 7 results" in page and "/rounds/7/published/scores.csv" in page
    assert "This tournament has resolved" in page
    assert "planned: $1,020.00 (not yet paid)" in page and "planned: 4,000.00 (not yet paid)" in page
    for words in ("Participants", "Controlling capital", "USD paid out", "NMR paid out", "Resolved",
                  "Data scientist", "Live logloss", "Val. logloss", "Round USD", "Round NMR", "Consistency", "Why",
                  "$1,020.00", "4,000.00", "Thu Jun 15 2017", "100%", "83.33%", "0.691331", "0.666398",
                  "$3,000.00", "$3,603.03", "14,412.13 NMR", "burned: live logloss 0.6950 &gt;= ln 2; no prize"):
        assert words in page, words
    assert signed_in.get("/rounds/7/published/scores.csv").data.startswith(b"address")
    assert signed_in.get("/rounds/7/published/predictions/0xabc.csv").data.startswith(b"id,")

    board = signed_in.get("/api/v1/leaderboard").get_json()
    assert board["round"] == 7 and [r["rank"] for r in board["rows"]] == [1, 2]
    top = board["rows"][0]
    assert top["career_usd"] == str(1_020 * USD) and top["career_nmr"] == str(4_000 * NMR)
    assert board["rows"][1]["career_nmr"] == str(-5 * NMR)
    page = signed_in.get("/leaderboard").get_data(as_text=True)
    for words in (">#</a></th>", "Name", "Logloss", "Career USD", "Consistency", "Originality", "Concordance",
                  "Career NMR", "$1,020.00", "4,000.00", "-5.00"):
        assert words in page, words

    rounds = signed_in.get("/api/v1/rounds").get_json()["rounds"]
    assert rounds[0]["number"] == 7 and rounds[0]["usd_paid"] is None
    assert rounds[0]["planned"]["usd_paid"] == str(1_020 * USD)

    account = signed_in.get("/api/v1/account").get_json()
    assert account["career_usd"] == str(1_020 * USD) and account["career_nmr"] == str(4_000 * NMR)
    [mine] = account["scores"]
    assert (mine["round"], mine["round_usd"], mine["round_nmr"], mine["burned"]) == (7, str(1_020 * USD),
                                                                                    str(4_000 * NMR), "0")
    assert mine["reason"].startswith("in the money")
    assert account["chain"]["available"] is False  # no node in these tests
    assert account["chain"]["message"].startswith("chain unavailable")
    page = signed_in.get("/account").get_data(as_text=True)
    assert "<svg" in page and "bar-" in page  # the per-era chart is a picture
    assert "chain unavailable" in page
    for words in ("Career USD", "$1,020.00", "<th>Outcome</th><th>Why</th>", "in the money: stake back + $20"):
        assert words in page, words
    [row] = account["rounds"]  # one row per tournament: submission, stake, outcome, why, USD, NMR
    assert (row["round"], row["round_usd"], row["round_nmr"]) == (7, str(1_020 * USD), str(4_000 * NMR))
    assert row["why"] == mine["why"] and row["outcome"].startswith("live logloss ")


def test_an_expired_round_says_what_happened(app, client, alice, bob):
    score_round_7(app, [alice_row(alice.address), bob_row(bob.address)], status="expired", paid_usd=0,
                  paid_nmr=0, burned_nmr=0, returned_usd=6_603_030_000, returned_nmr=14_412_130 * NMR // 1000)
    results = client.get("/api/v1/rounds/7").get_json()
    assert results["round"]["status"] == "expired"
    assert results["on_chain"]["usd_returned"] == "6603030000"
    assert (results["usd_paid"], results["nmr_paid"], results["burned"]) == ("0", "0", "0")  # what the chain did
    assert results["planned"]["usd_paid"] == str(1_020 * USD)
    page = client.get("/rounds/7").get_data(as_text=True)
    assert "finalized on the escape-hatch path" in page and "takes the whole stake back" in page
    assert "$6,603.03 and 14,412.13 NMR" in page  # returned to the funder
    assert "planned" in page


def test_rules_page_states_the_rounds_pools_thresholds_and_the_worked_example(app, client):
    score_round_7(app, [], status="open")
    body = client.get("/api/v1/rules").get_json()
    assert body["round"]["usd_staking_pool"] == str(3_000 * USD)
    assert body["thresholds"]["consistency"] == 0.75
    example = {row["name"]: row for row in body["example"]["rows"]}
    assert {name: (row["burn_wei"] != "0", row["usd_reward"]) for name, row in example.items()} == {
        "WSW": (True, "0"), "XIRAX": (False, str(500 * USD)), "PHIL": (False, str(2_000 * USD)),
        "DAENRIS": (True, "0"), "ABRIOSI": (False, str(500 * USD)),
    }
    prizes = {row["rank"]: row for row in body["prizes"]["table"]}
    article = [int(prizes[rank]["article_usd"]) for rank in (1, 2, 3, 4, 5, 6)]
    expected = [1_000_000_000, 435_280_000, 267_580_000, 189_460_000, 144_960_000, 116_470_000]
    assert all(abs(got - want) <= USD // 100 for got, want in zip(article, expected, strict=True))  # within a cent
    assert prizes[1]["prize_usd"] == prizes[1]["article_usd"]  # this round's pools are the article's

    page = client.get("/rules").get_data(as_text=True)
    assert 'id="rules-link"' in client.get("/").get_data(as_text=True)
    for words in ("Tournament 7: this round's parameters", "$3,000.00", "$3,603.03", "14,412.13 NMR", "75%",
                  "0.693147", "0.95", "0.03", "0.12", "top 100", "r<sup>−1.2</sup>", "≈ 3.603", "WSW",
                  "in the money: stake back + $500 (bid $600, pool exhausted)", "$1,000.00", "$435.28",
                  "4,000.00", "1,741.10", "escape hatch"):
        assert words in page, words


def test_amounts_are_formatted_exactly():
    from app.web.formatting import format_nmr, format_percent, format_usd

    assert format_usd(1_000 * USD) == "$1,000.00" and format_usd(435_274_901) == "$435.27"
    assert format_usd(999_999_127) == "$1,000.00" and format_usd(144_955_000) == "$144.96"  # half up
    assert format_usd(-5 * USD) == "-$5.00" and format_usd(None) == "–"
    assert format_nmr(14_412_130 * NMR // 1000) == "14,412.13" and format_nmr(NMR // 200 - 1) == "0.00"
    assert format_nmr(-5 * NMR) == "-5.00" and format_nmr(2**200 - 2**200 % (NMR // 100)) == f"{2**200 // NMR:,}." + \
        f"{2**200 % NMR:018d}"[:2]
    assert [format_percent(x) for x in (1.0, 0.75, 0.8333333, 0.9166, None)] == ["100%", "75%", "83.33%", "91.66%", "–"]


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
