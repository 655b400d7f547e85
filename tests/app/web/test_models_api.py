"""A wallet's models through the JSON API and the pages: listing and adding models, the
account's models with their files, uploads to a chosen model, Settings' add-model form,
and the boards showing one row per model by name. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import io

from app import store

BOTH_DATABASES = True  # tests/postgres.py


def add(client, name, headers):
    return client.post("/api/v1/account/models", json={"name": name}, headers=headers)


def upload(client, body: bytes, headers, model=None, query=""):
    data = {"file": (io.BytesIO(body), "p.csv"), **({"model": model} if model is not None else {})}
    return client.post(f"/api/v1/rounds/7/submissions{query}", data=data, headers=headers)


def test_a_wallet_lists_model_0_then_the_models_it_adds(signed_in, csrf_headers, alice):
    key = alice.address
    assert signed_in.get(f"/api/v1/models?address={key.lower()}").get_json() == {
        "models": [{"key": key, "name": key, "number": 0, "wallet": key}]}
    created = add(signed_in, "alpha", csrf_headers(signed_in))
    assert created.status_code == 201
    assert created.get_json() == {"key": f"{key}-1", "name": "alpha", "number": 1, "wallet": key}
    assert add(signed_in, "beta_2", csrf_headers(signed_in)).get_json()["key"] == f"{key}-2"
    listed = signed_in.get(f"/api/v1/models?address={key}").get_json()["models"]
    assert [(m["number"], m["name"]) for m in listed] == [(0, key), (1, "alpha"), (2, "beta_2")]


def test_adding_a_model_refuses_bad_and_taken_names_saying_why(app, client, signed_in, csrf_headers, bob, sign_in):
    headers = csrf_headers(signed_in)
    assert add(signed_in, "alpha", headers).status_code == 201
    again = add(signed_in, "ALPHA", headers)
    assert again.status_code == 409 and "'ALPHA' is taken: a model is already named 'alpha'" in again.get_json()["error"]["message"]
    for bad in ("9lives", "two words", "x" * 41, "", 7):
        refused = add(signed_in, bad, headers)
        assert refused.status_code == 400, bad
        assert "letters, digits" in refused.get_json()["error"]["message"]
    missing = signed_in.post("/api/v1/account/models", json={}, headers=headers)
    assert missing.status_code == 400 and '{"name": "..."}' in missing.get_json()["error"]["message"]
    other = app.test_client()
    assert add(other, "gamma", {}).status_code == 401
    assert sign_in(other, bob).status_code == 200
    assert add(other, "alpha", csrf_headers(other)).status_code == 409  # unique across wallets
    assert client.get("/api/v1/models").status_code == 400
    assert "not an Ethereum address" in client.get("/api/v1/models?address=0x12").get_json()["error"]["message"]


def test_uploads_go_to_the_named_model_and_the_account_shows_each_models_file(
        app, signed_in, csrf_headers, make_predictions, alice):
    headers = csrf_headers(signed_in)
    add(signed_in, "alpha", headers)
    first = upload(signed_in, make_predictions(1), headers, model="alpha")
    assert first.status_code == 201
    body = first.get_json()
    assert body["model"] == {"key": f"{alice.address}-1", "name": "alpha", "number": 1}
    assert body["model_number"] == 1
    account = signed_in.get("/api/v1/account").get_json()
    zero, one = account["models"]
    assert zero["key"] == alice.address and zero["submission"] is None
    assert one["submission"] == {"round": 7, "hash": body["hash"], "filename": "p.csv", "rows": one["submission"]["rows"]}
    # model 0 by default; by key in the query string; neither supersedes the other
    default = upload(signed_in, make_predictions(2), headers).get_json()
    assert default["model"]["number"] == 0
    by_key = upload(signed_in, make_predictions(3), headers, query=f"?model={alice.address}-1").get_json()
    assert by_key["model"]["name"] == "alpha"
    with app.app_context():
        assert store.current_submission(7, alice.address).hash == default["hash"]
        assert store.current_submission(7, f"{alice.address}-1").hash == by_key["hash"]
    account = signed_in.get("/api/v1/account").get_json()
    assert [m["submission"]["hash"] for m in account["models"]] == [default["hash"], by_key["hash"]]
    assert {(s["model"], s["round"]) for s in account["submissions"]} == {(alice.address, 7), (f"{alice.address}-1", 7)}


def test_an_upload_to_an_unknown_model_is_refused_naming_the_wallets_models(
        app, signed_in, csrf_headers, make_predictions, alice, snapshot):
    add(signed_in, "alpha", csrf_headers(signed_in))
    before = snapshot()
    refused = upload(signed_in, make_predictions(), csrf_headers(signed_in), model="omega")
    assert refused.status_code == 400
    message = refused.get_json()["error"]["message"]
    assert "'omega' is none of your models" in message and "alpha" in message and alice.address in message
    assert snapshot() == before


def test_the_upload_form_posts_to_a_model_and_says_which(signed_in, csrf_headers, make_predictions, alice):
    add(signed_in, "alpha", csrf_headers(signed_in))
    page = signed_in.get("/").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    response = signed_in.post("/rounds/7/upload", data={"csrf_token": token, "model": "alpha",
                                                        "file": (io.BytesIO(make_predictions()), "mine.csv")})
    assert response.status_code == 200
    account = signed_in.get("/api/v1/account").get_json()
    assert account["models"][0]["submission"] is None and account["models"][1]["submission"] is not None
    refused = signed_in.post("/rounds/7/upload", data={"csrf_token": token, "model": "nope",
                                                       "file": (io.BytesIO(make_predictions()), "mine.csv")})
    assert refused.status_code == 400 and "none of your models" in refused.get_data(as_text=True)


def test_settings_lists_my_models_and_adds_one_by_name(signed_in, alice):
    page = signed_in.get("/settings").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    assert f'data-model="{alice.address}"' in page and 'id="add-model"' in page
    added = signed_in.post("/account/models", data={"csrf_token": token, "name": "alpha"})
    assert added.status_code == 303 and added.headers["Location"].endswith("/settings#models")
    page = signed_in.get("/settings").get_data(as_text=True)
    assert f'<tr data-model="{alice.address}-1"><td>1</td><td>alpha</td>' in page
    refused = signed_in.post("/account/models", data={"csrf_token": token, "name": "1bad name"})
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert 'id="model-error"' in text and "is not a valid model name" in text and 'value="1bad name"' in text
    taken = signed_in.post("/account/models", data={"csrf_token": token, "name": "Alpha"})
    assert taken.status_code == 409 and "already named" in taken.get_data(as_text=True)


def test_boards_show_one_row_per_model_by_name(app, signed_in, csrf_headers, make_predictions, alice):
    headers = csrf_headers(signed_in)
    add(signed_in, "alpha", headers)
    upload(signed_in, make_predictions(1), headers)
    upload(signed_in, make_predictions(2), headers, model="alpha")
    with app.app_context():
        store.set_display_name(alice.address, "satoshi")
        store.set_round_status(7, "closed")
        store.save_scores(7, [{"address": alice.address, "live_logloss": 0.690, "usd_reward": 3},
                              {"address": f"{alice.address}-1", "live_logloss": 0.689, "usd_reward": 5}])
        store.set_round_status(7, "resolved")
    board = signed_in.get("/api/v1/leaderboard?round=7").get_json()["rows"]
    assert [(r["name"], r["key"], r["address"]) for r in board] == [
        ("alpha", f"{alice.address}-1", alice.address), ("satoshi", alice.address, alice.address)]
    careers = signed_in.get("/api/v1/leaderboard?round=all").get_json()["rows"]
    assert [(r["name"], r["career_usd"]) for r in careers] == [("alpha", "5"), ("satoshi", "3")]
    results = signed_in.get("/api/v1/rounds/7").get_json()["participants"]
    assert [(p["name"], p["model_number"]) for p in results] == [("alpha", 1), ("satoshi", 0)]
    page = signed_in.get("/rounds/7").get_data(as_text=True)
    assert page.index(">alpha<") < page.index(">satoshi<")
    page = signed_in.get("/leaderboard?round=7").get_data(as_text=True)
    assert f'data-model="{alice.address}-1"' in page and ">alpha<" in page
    account = signed_in.get("/api/v1/account").get_json()
    assert account["career_usd"] == "8"
    assert [(m["name"], m["career_usd"]) for m in account["models"]] == [("satoshi", "3"), ("alpha", "5")]
    assert [(r["round"], r["model_name"]) for r in account["rounds"]] == [(7, "satoshi"), (7, "alpha")]
    page = signed_in.get("/account").get_data(as_text=True)
    assert ">alpha<" in page and ">satoshi<" in page


def test_a_models_page_shows_its_own_rounds_and_is_linked_from_the_boards(app, client, alice):
    key = f"{alice.address}-1"
    with app.app_context():
        store.add_model(alice.address, "alpha")
        store.set_round_status(7, "closed")
        store.save_scores(7, [{"address": alice.address, "live_logloss": 0.690, "usd_reward": 3},
                              {"address": key, "live_logloss": 0.689, "usd_reward": 5 * 10**6, "reason": "alpha's"}])
        store.set_round_status(7, "resolved")
    body = client.get(f"/api/v1/models/{key.lower()}").get_json()
    assert body["model"] == {"key": key, "name": "alpha", "number": 1, "wallet": alice.address}
    assert [(s["round"], s["live_logloss"], s["why"]) for s in body["scores"]] == [(7, 0.689, "alpha's")]
    assert body["scores"][0]["standing"] == {"rank": 1, "of": 2, "percentile": 1.0}  # beat model 0's 0.690
    assert client.get(f"/api/v1/models/{alice.address}").get_json()["scores"][0]["standing"] == {
        "rank": 2, "of": 2, "percentile": 0.0}
    assert body["career_usd"] == str(5 * 10**6)
    page = client.get(f"/models/{key}").get_data(as_text=True)
    assert '<h1 id="model-name">alpha</h1>' in page and 'id="model-rounds"' in page and "$5.00" in page
    assert '<td class="num rank">1 of 2</td>' in page and '<td class="num percentile">100%</td>' in page
    assert client.get(f"/models/{alice.address}").status_code == 200  # model 0
    board = client.get("/leaderboard?round=7").get_data(as_text=True)
    assert f'href="/models/{key}"' in board and f'href="/models/{alice.address}"' in board
    assert f'href="/models/{key}"' in client.get("/rounds/7").get_data(as_text=True)
    for unknown in (f"{alice.address}-2", "0x" + "1" * 40, "nobody", f"{alice.address}-0"):
        assert client.get(f"/models/{unknown}").status_code == 404, unknown
        assert "no model has the key" in client.get(f"/api/v1/models/{unknown}").get_json()["error"]["message"]


def test_the_stake_form_finds_a_file_of_any_of_my_models(app, signed_in, csrf_headers, make_predictions, alice):
    from app.web import participant

    headers = csrf_headers(signed_in)
    add(signed_in, "alpha", headers)
    mine = upload(signed_in, make_predictions(1), headers, model="alpha").get_json()["hash"]
    zero = upload(signed_in, make_predictions(2), headers).get_json()["hash"]
    with app.test_request_context():
        page = participant.stake_page(alice.address, mine)
        assert (page["stake_file"]["hash"], page["stake_model"], page["notice"]) == (mine, 1, None)
        assert participant.stake_page(alice.address, None)["stake_model"] == 0
        assert participant.stake_page(alice.address, zero)["stake_file"]["model"] == alice.address
        assert [m["submission"]["hash"] for m in page["models"]] == [zero, mine]
