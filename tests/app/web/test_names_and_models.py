"""One namespace for display names and model names (look-alikes folded), the per-wallet
model cap, numbering that cannot fail under concurrency, an account page whose queries do
not grow with the number of models, and profiles only for wallets that exist (SQLite and
PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from eth_utils import to_checksum_address
from sqlalchemy import event

from app import store
from app.db import get_session
from app.names import skeleton
from tests.app.web.conftest import csrf_headers, sign_in

BOTH_DATABASES = True
# Checksummed, as the store writes every address.
A = to_checksum_address("0x" + "a" * 40)
B = to_checksum_address("0x" + "b" * 40)


@pytest.mark.parametrize(("one", "other"), [
    ("Alice", "alice"), ("Alice", "ALICE"), ("alice", "\u0430lice"),  # Cyrillic а
    ("alice", "\uff41\uff4c\uff49\uff43\uff45"),  # full-width
    ("model0", "modelO"), ("satoshi", "\u0455atoshi"),  # Cyrillic ѕ
    ("ab", "a\u200db"),  # a zero-width joiner
    ("HOT", "\u041d\u041e\u0422"),  # Cyrillic НОТ
    ("arn", "am"),
])
def test_names_that_read_alike_share_a_skeleton(one, other):
    assert skeleton(one) == skeleton(other)


@pytest.mark.parametrize(("one", "other"), [("alpha", "beta"), ("bob", "bab"), ("alpha_2", "alpha-2"), ("numerai", "numeral")])
def test_names_that_read_differently_keep_their_own(one, other):
    assert skeleton(one) != skeleton(other)


def test_a_display_name_cannot_take_a_model_name_nor_a_look_alike_of_one(app):
    with app.app_context():
        store.add_model(A, "victim")
        for squat in ("victim", "VICTIM", "v\u0456ctim"):  # Cyrillic і
            with pytest.raises(store.NameTaken, match="a model is already named 'victim'"):
                store.set_display_name(B, squat)
        assert store.get_user(B).display_name is None
        store.set_display_name(A, "Satoshi")
        with pytest.raises(store.NameTaken, match="'Satoshi' is a wallet's display name"):
            store.add_model(B, "satoshi")
        with pytest.raises(store.NameTaken, match="read alike"):
            store.set_display_name(B, "\u0405atoshi")  # Cyrillic Ѕ
        # The victim's name still names one model: numerapi's profile finds it.
        assert store.models_named("victim") == [f"{A}-1"]


def test_a_wallet_keeps_renaming_itself_and_frees_the_old_name(app):
    with app.app_context():
        store.set_display_name(A, "first")
        store.set_display_name(A, "FIRST")  # its own name, in another case
        store.set_display_name(A, "second")
        store.set_display_name(B, "first")  # freed
        store.set_display_name(A, None)
        store.set_display_name(B, "second")  # A's old one, freed; B's "first" is freed in turn
        with pytest.raises(store.StoreError, match="may not look like a wallet address"):
            store.set_display_name(B, A)
        with pytest.raises(store.NameTaken, match="'second' is a wallet's display name"):
            store.add_model(A, "second")
        assert store.add_model(A, "first")["name"] == "first"


def test_the_api_says_why_a_name_is_taken(client, alice, bob):
    assert sign_in(client, bob).status_code == 200
    assert client.post("/api/v1/account/models", json={"name": "alpha"}, headers=csrf_headers(client)).status_code == 201
    other = client.application.test_client()
    assert sign_in(other, alice).status_code == 200
    taken = other.patch("/api/v1/account", json={"display_name": "\u0430lpha"}, headers=csrf_headers(other))
    assert taken.status_code == 409
    assert "a model is already named 'alpha'" in taken.get_json()["error"]["message"]
    page = other.post("/account/name", data={"display_name": "ALPHA", "csrf_token": csrf_headers(other)["X-CSRF-Token"]})
    assert page.status_code == 409 and 'id="name-error"' in page.get_data(as_text=True)


def test_a_wallet_has_at_most_the_cap_of_models(app):
    app.config["MODELS_PER_WALLET"] = 4
    with app.app_context():
        from app.web import services

        for number in (1, 2, 3):
            assert services.add_model(A, f"m{number}")["number"] == number
        with pytest.raises(Exception, match="has 4 models, the most one wallet may have") as refused:
            services.add_model(A, "m4")
        assert refused.value.status == 409
        assert [m["number"] for m in store.list_models(A)] == [0, 1, 2, 3]
        assert services.add_model(B, "m4")["number"] == 1  # the name was not taken by the refusal


def test_six_clients_adding_models_at_once_never_fail_and_take_distinct_numbers(app, record_property):
    threads, per_thread = 6, 25
    barrier = threading.Barrier(threads)
    added, failed = [], []

    def add_many(index: int) -> None:
        with app.app_context():
            barrier.wait()
            for n in range(per_thread):
                try:
                    added.append(store.add_model(A, f"t{index}x{n}")["number"])
                except Exception as exc:  # noqa: BLE001 (the test reports any failure)
                    failed.append(repr(exc))
                get_session().close()

    workers = [threading.Thread(target=add_many, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert failed == []
    assert sorted(added) == list(range(1, threads * per_thread + 1))


def test_the_account_page_costs_the_same_queries_for_two_models_or_forty(app, alice):
    from app.web import views

    def queries_for_account() -> int:
        statements = []
        engine = get_session().get_bind()
        listener = lambda *args: statements.append(args[2])
        event.listen(engine, "before_cursor_execute", listener)
        try:
            views.account_page(alice.address)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    with app.app_context():
        store.ensure_user(alice.address)
        store.add_model(alice.address, "only")
        queries_for_account()  # the first call also loads what a process caches
        few = queries_for_account()
        for n in range(39):
            store.add_model(alice.address, f"more{n}")
        many = queries_for_account()
    assert many == few


def test_a_profile_exists_only_for_a_wallet_that_does(client, alice):
    query = {"query": "query($m: String!) { v3UserProfile(modelName: $m) { id } }", "variables": {"m": alice.address}}
    missing = client.post("/graphql", json=query).get_json()
    assert missing["data"] is None or missing["data"]["v3UserProfile"] is None
    assert "no model has the id" in missing["errors"][0]["message"]
    assert sign_in(client.application.test_client(), alice).status_code == 200  # the wallet now exists
    found = client.post("/graphql", json=query).get_json()
    assert found["data"]["v3UserProfile"]["id"] == alice.address
