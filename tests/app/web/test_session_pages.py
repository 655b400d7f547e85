"""The pages of one wallet session: the sign-in panel for signed-out visitors, Settings
(name, tokens, sessions), the round header's phases, "stake on this file", Past
tournaments without the open round, the menu's community links and the Performance
panel's originality and concordance (computed after upload by client.core.scoring's own code)."""

from __future__ import annotations

import io
import re
import time
from datetime import timedelta

import numpy as np
import pandas as pd

from app import store
from app.web import performance
from client.core.scoring.concordance import (
    CONCORDANCE_LIMIT,
    concordance_fractions,
    feature_clusters,
)
from client.core.scoring.originality import originality
from tests.app.web.conftest import ROUND, sign_in


def text(html: str) -> str:
    """The visible words of an HTML fragment, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def header_words(page: str) -> str:
    """The round header as a reader sees it (hidden parts left out)."""
    header = page.split('id="round-header"', 1)[1].split(">", 1)[1].split("</p>", 1)[0]
    header = re.sub(r'<span id="round-header-results" hidden>.*?</span>', "", header, flags=re.DOTALL)
    return text(header)


def upload(client, body: bytes, name: str = "model.csv"):
    return client.post(f"/rounds/{ROUND}/upload", data={"file": (io.BytesIO(body), name), "csrf_token": csrf(client)})


def csrf(client) -> str:
    with client.session_transaction() as session:
        return session["csrf_token"]


def wait_for_performance(app, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not performance.idle(ROUND, str(app.config["DATABASE_URL"])):
        assert time.monotonic() < deadline, "the performance refresh did not finish"
        time.sleep(0.05)


def test_signed_out_account_and_settings_show_the_sign_in_panel(client):
    for path in ("/account", "/settings"):
        response = client.get(path)
        page = response.get_data(as_text=True)
        assert response.status_code == 401, path
        assert 'id="sign-in-panel"' in page and "Connect wallet" in page, path
        assert 'id="error-message"' not in page, path  # a page, not an error
        assert "need no wallet" in page


def test_settings_lists_sessions_and_ends_one_or_all(app, alice):
    laptop, phone, terminal = app.test_client(), app.test_client(), app.test_client()
    phone.environ_base["HTTP_USER_AGENT"] = "Mozilla/5.0 (Linux; Android 14) Mobile Safari/537.36"
    terminal.environ_base["HTTP_USER_AGENT"] = "nmr-client/0.1.0 python-requests/2.32.5"
    assert sign_in(laptop, alice).status_code == 200
    assert sign_in(phone, alice).status_code == 200
    assert sign_in(terminal, alice).status_code == 200
    page = laptop.get("/settings").get_data(as_text=True)
    assert page.count('class="link session-sign-out"') == 3
    assert page.count("this browser") == 1 and page.count("another browser") == 1
    assert page.count("the nmr command line") == 1  # a CLI sign-in is named as such, not "another browser"
    assert "Signed-in sessions" in page and "in 7 days" in page  # a fresh 7-day session, rounded
    assert terminal.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf(terminal)}).status_code == 200
    page = laptop.get("/settings").get_data(as_text=True)
    assert page.count('class="link session-sign-out"') == 2 and "the nmr command line" not in page
    other_key = re.search(r'<tr data-current="0">.*?/settings/sessions/([0-9a-f]{64})/end', page, re.DOTALL).group(1)

    ended = laptop.post(f"/settings/sessions/{other_key}/end", data={"csrf_token": csrf(laptop)})
    assert ended.status_code == 303 and ended.headers["Location"].endswith("/settings")
    assert phone.get("/api/v1/auth/me").get_json()["address"] is None  # the phone is signed out at once
    assert laptop.get("/api/v1/auth/me").get_json()["address"] == alice.address
    again = laptop.post(f"/settings/sessions/{other_key}/end", data={"csrf_token": csrf(laptop)})
    assert again.status_code == 404 and "not one of your live sessions" in again.get_data(as_text=True)

    assert sign_in(phone, alice).status_code == 200
    everywhere = laptop.post("/settings/sign-out-everywhere", data={"csrf_token": csrf(laptop)})
    assert everywhere.status_code == 303
    assert laptop.get("/api/v1/auth/me").get_json()["address"] is None
    assert phone.get("/api/v1/auth/me").get_json()["address"] is None


def test_settings_name_and_tokens(signed_in, alice, app):
    assert signed_in.post("/account/name", data={"display_name": "satoshi", "csrf_token": csrf(signed_in)}).status_code == 303
    created = signed_in.post("/account/tokens", data={"name": "laptop", "csrf_token": csrf(signed_in)})
    page = created.get_data(as_text=True)
    token = re.search(r'id="new-token">([^<]+)<', page).group(1)
    assert 'value="satoshi"' in page and "laptop" in page
    with app.app_context():
        assert store.verify_api_token(token).address == alice.address


def test_round_header_turns_to_closed_resolving_then_links_the_results(app, client):
    assert re.fullmatch(r"Tournament 7 · 0D 23H 59M \d+S remain", header_words(client.get("/rounds").get_data(as_text=True)))
    with app.app_context():
        row = store.get_round(ROUND)
        row.closes_at = store.utcnow() - timedelta(seconds=1)  # the deadline passed; the oracle has not closed it
        store.get_session().commit()
    page = client.get("/").get_data(as_text=True)
    assert header_words(page) == "Tournament 7 · closed — resolving"
    assert re.search(r'id="round-status"[^>]*>closed — resolving<', page)  # never "open" after the close
    assert client.get("/api/v1/rounds/current").get_json()["header"]["phase"] == "resolving"

    with app.app_context():
        store.set_round_status(ROUND, "finalized", resolved_at=store.utcnow())
    page = client.get("/").get_data(as_text=True)
    assert header_words(page) == "Tournament 7 · resolved · Tournament 7 results"
    assert 'id="round-header-results-link" href="/rounds/7"' in page

    with app.app_context():
        now = store.utcnow()
        store.create_round(8, closes_at=now + timedelta(hours=2), resolves_by=now + timedelta(hours=3))
    header = client.get("/api/v1/rounds/current").get_json()["header"]
    assert (header["number"], header["phase"], header["previous"]["number"]) == (8, "open", 7)
    assert re.fullmatch(r"Tournament 8 · 0D 1H 59M \d+S remain · Tournament 7 results",
                        header_words(client.get("/").get_data(as_text=True)))


def test_a_voided_round_says_so_in_the_header_and_on_its_page(app, client):
    with app.app_context():
        store.set_round_status(ROUND, "voided")
    page = client.get("/").get_data(as_text=True)
    assert header_words(page) == "Tournament 7 · voided — every stake can be withdrawn · Tournament 7 results"
    results = client.get(f"/api/v1/rounds/{ROUND}").get_json()
    assert results["heading"] == "Tournament 7" and "was voided" in results["round"]["status_note"]


def test_the_round_list_holds_every_round_with_its_state(app, client):
    [listed] = client.get("/api/v1/rounds").get_json()["rounds"]  # the open one too, saying so
    assert (listed["number"], listed["status"], listed["state"]) == (ROUND, "open", "open")
    assert client.get(f"/api/v1/rounds/{ROUND}").get_json()["heading"] == "Tournament 7"  # no "results" while open
    page = client.get(f"/rounds/{ROUND}").get_data(as_text=True)
    assert "<h1>Tournament 7</h1>" in page and "<title>Tournament 7 · " in page and "Tournament 7 results" not in page
    with app.app_context():
        store.set_round_status(ROUND, "closed")
    [listed] = client.get("/api/v1/rounds").get_json()["rounds"]
    assert (listed["number"], listed["status"]) == (ROUND, "closed")
    with app.app_context():
        store.set_round_status(ROUND, "settled", resolved_at=store.utcnow())
    assert client.get(f"/api/v1/rounds/{ROUND}").get_json()["heading"] == "Tournament 7 results"


def test_stake_on_this_file_prefills_the_stake_form(signed_in, make_predictions):
    first = upload(signed_in, make_predictions(seed=1), "first.csv").get_data(as_text=True)
    first_hash = re.search(r'id="submission-hash">(0x[0-9a-f]{64})<', first).group(1)
    assert f'id="stake-on-this" href="/stake?hash={first_hash}"' in first
    upload(signed_in, make_predictions(seed=2), "second.csv")

    page = signed_in.get(f"/stake?hash={first_hash}").get_data(as_text=True)
    assert f'id="stake-hash">{first_hash}<' in page and f'data-hash="{first_hash}"' in page
    assert 'id="stake-file">first.csv<' in page  # the older file, not the latest
    unknown = signed_in.get("/stake?hash=0x" + "ab" * 32).get_data(as_text=True)
    assert "You uploaded no file with hash 0x" + "ab" * 32 in unknown and 'id="stake-file">second.csv<' in unknown
    assert "is not a file hash" in signed_in.get("/stake?hash=nonsense").get_data(as_text=True)


def test_menu_shows_only_the_community_links_the_operator_set(app, client):
    page = client.get("/").get_data(as_text=True)
    assert "Blog" not in page and "Forum" not in page and ">Chat<" not in page
    app.config["FORUM_URL"] = "https://forum.example.org/"
    page = client.get("/").get_data(as_text=True)
    assert 'id="forum-link" rel="noopener">Forum<' in page.replace('href="https://forum.example.org/" ', "")
    assert "Blog" not in page


def test_performance_panel_is_the_scoring_codes_originality_and_concordance(app, signed_in, alice, bob, dataset,
                                                                          make_predictions):
    copy = make_predictions(seed=3)
    assert upload(signed_in, copy).status_code == 200
    bob_client = app.test_client()
    assert sign_in(bob_client, bob).status_code == 200
    with app.app_context():
        store.set_display_name(alice.address, "alice")
    assert upload(bob_client, copy, "copied.csv").status_code == 200  # the same file again: not original
    wait_for_performance(app)

    tournament = dataset.tournament
    values = pd.read_csv(io.BytesIO(copy), dtype={"id": str}).set_index("id")["probability"]
    column = values.reindex(tournament["id"].astype(str)).to_numpy(np.float64)
    features = tournament[[c for c in tournament.columns if c.startswith("feature")]].to_numpy(np.float64)
    [expected] = concordance_fractions([column], tournament["data_type"].to_numpy(), feature_clusters(features))
    original, _ = originality([column, column])
    assert list(original) == [True, False]

    mine = signed_in.get("/api/v1/rounds/current").get_json()["performance"]
    theirs = bob_client.get("/api/v1/rounds/current").get_json()["performance"]
    assert (mine["pending"], mine["original"], mine["originality_text"]) == (False, True, "original")
    assert (theirs["original"], theirs["originality_text"]) == (False, "not original: like alice")
    for panel in (mine, theirs):
        assert panel["concordance"] == float(expected)
        assert panel["concordant"] == (expected < CONCORDANCE_LIMIT)
    page = bob_client.get("/").get_data(as_text=True)
    assert 'id="perf-originality">not original: like alice<' in page
    assert f'id="perf-concordance">{theirs["concordance_text"]}<' in page
    assert f"mean KS {float(expected):.4f}" in theirs["concordance_text"]
