"""The hostile-input suite: malformed and abusive requests against pages, /api/v1,
/graphql and the upload paths, on a real SQLite file and data folder.

Each request must get a 4xx (for /graphql, an error whose ``extensions.status`` is 4xx,
in the 200 response numerapi expects) with a message, fast, and leave the database and
the data folder byte-for-byte as they were (both hashed before and after). The last test
prints the counts: tried / 4xx / 500 / database or data changed.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import time
import zipfile
from collections import Counter

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from eth_account import Account

from app import store
from app.data import build_round_dataset
from tests.figures import FIGURES
from tests.support import app_with_open_round, fingerprint

ROUND = 7
UPLOAD_LIMIT = 10_000_000
TALLY: Counter = Counter()
# The slowest refusal, printed by the summary (the attacks once took 5 s to hours; a speed
# bound is a benchmark's job, not a test's, and a hang shows as a suite that never ends).
SLOWEST: dict = {"case": None, "seconds": 0.0}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """One app on a real SQLite file with round 7 open, and alice's API token."""
    folder = tmp_path_factory.mktemp("hostile")
    dataset = build_round_dataset(seed=3, key="hostile", round_number=ROUND, n_features=8, rows_per_era=60,
                                  n_train_eras=3, n_validation_eras=3)  # fmt: skip
    app = app_with_open_round(folder, dataset, SIWE_DOMAIN="localhost", MAX_UPLOAD_BYTES=UPLOAD_LIMIT,
                              UPLOAD_RATE_LIMIT=100_000)  # fmt: skip
    alice = Account.from_key(hashlib.sha256(b"hostile-alice").digest())
    with app.app_context():
        _row, token = store.create_api_token(alice.address, "hostile")
    return {"app": app, "folder": folder, "auth": {"Authorization": f"Token {token}"}, "ids": list(dataset.tournament["id"])}


# --- building blocks ----------------------------------------------------------------------


def parquet_bytes(table: pa.Table, **options) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer, **options)
    return buffer.getvalue()


def parquet_bomb(rows: int, id_length: int) -> bytes:
    """A few hundred KB that decode to ``rows`` copies of one ``id_length``-character id."""
    ids = pa.DictionaryArray.from_arrays(pa.array(np.zeros(rows, dtype=np.int32)), pa.array(["n" * id_length]))
    return parquet_bytes(pa.table({"id": ids, "probability": np.full(rows, 0.5)}), compression="zstd")


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("predictions.csv", b"0" * 50_000_000)
    return buffer.getvalue()


FILES = {
    "csv with a million columns (8.9 MB)": lambda w: ("id,probability," + ",".join(f"c{i}" for i in range(1_000_000))).encode()[:UPLOAD_LIMIT - 1] + b"\n",
    "csv with 40k columns": lambda w: b"id,probability" + b",x" * 40_000 + b"\n" + b"a,0.5\n",
    "csv header of 300 columns": lambda w: b"id,probability" + b",x" * 300 + b"\n",
    "csv one 9 MB line": lambda w: b"i" * 9_000_000,
    "csv of 2M rows": lambda w: b"id,probability\n" + b"a,0.5\n" * 1_600_000,
    "csv data rows of 100k fields": lambda w: b"id,probability\n" + b"a" + b",0" * 100_000 + b"\n",
    "parquet bomb 3M rows x 1000 chars": lambda w: parquet_bomb(3_000_000, 1000),
    "parquet of long ids": lambda w: parquet_bomb(len(w["ids"]), 50_000),
    "parquet with 500 columns": lambda w: parquet_bytes(pa.table({f"c{i}": [0.5] for i in range(500)})),
    "parquet with a list column": lambda w: parquet_bytes(pa.table({"id": [["a"]], "probability": [0.5]})),
    "parquet with a struct column": lambda w: parquet_bytes(pa.table({"id": [{"a": 1}], "probability": [0.5]})),
    "parquet truncated": lambda w: parquet_bomb(10, 10)[:-20] + b"PAR1",
    "parquet magic only": lambda w: b"PAR1PAR1PAR1",
    "zip bomb": lambda w: zip_bomb(),
    "gzip bomb": lambda w: gzip.compress(b"0" * 50_000_000),
    "png": lambda w: b"\x89PNG\r\n\x1a\n" + b"\x00" * 100,
    "pdf": lambda w: b"%PDF-1.4\n" + b"x" * 100,
    "nul bytes": lambda w: b"id,probability\n\x00\x00\x00",
    "utf-16": lambda w: "id,probability\na,0.5\n".encode("utf-16"),
    "latin-1 id": lambda w: b"id,probability\n\xe9,0.5\n",
    "empty": lambda w: b"",
    "header only": lambda w: b"id,probability\n",
    "semicolons": lambda w: b"id;probability\na;0.5\n",
    "tabs": lambda w: b"id\tprobability\na\t0.5\n",
    "duplicate columns": lambda w: b"id,id,probability\na,a,0.5\n",
    "unknown ids": lambda w: b"id,probability\n" + b"".join(f"x{i},0.5\n".encode() for i in range(50)),
    "probabilities as text": lambda w: ("id,probability\n" + "".join(f"{i},high\n" for i in w["ids"])).encode(),
    "probabilities infinite": lambda w: ("id,probability\n" + "".join(f"{i},inf\n" for i in w["ids"])).encode(),
    "probabilities 1e308": lambda w: ("id,probability\n" + "".join(f"{i},1e308\n" for i in w["ids"])).encode(),
    "unbalanced quotes": lambda w: b'id,probability\n"a,0.5\n',
}

TRAVERSAL_NAMES = ["../../test.sqlite3", "/etc/passwd", "..\\..\\x.csv", "a\x00b.csv", "x" * 5000 + ".csv",
                   "%2e%2e%2fx.csv", "CON", ".."]  # fmt: skip


def upload(w, body: bytes, name: str = "p.csv", path: str = f"/api/v1/rounds/{ROUND}/submissions"):
    return w["client"].post(path, data={"file": (io.BytesIO(body), name)}, headers=w["auth"])


def gql(w, query, variables=None, **headers):
    return w["client"].post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)


def raw_post(path: str, body: bytes | str, content_type: str, auth: bool = True, method: str = "post"):
    return lambda w: getattr(w["client"], method)(path, data=body, content_type=content_type,
                                                  headers=w["auth"] if auth else {})  # fmt: skip


HUGE_NUMBERS = ["10000000000000000000000000", str(2**63), str(2**63 - 1), str(2**31), "0", "00", "-1", "²", "٣",
                "７", "1e3", "0x7", "7.0", "%207", "7%00", "99999999999"]  # fmt: skip

CASES: dict = {}
for value in HUGE_NUMBERS:
    for template in ("/api/v1/rounds/{}", "/rounds/{}", "/api/v1/rounds/{}/dataset.csv", "/rounds/{}/published/a.csv"):
        target = template.format(value)
        CASES[f"GET {target}"] = lambda w, p=target: w["client"].get(p)
    CASES[f"upload to round {value}"] = lambda w, v=value: upload(w, b"id,probability\n", path=f"/api/v1/rounds/{v}/submissions")
for value in HUGE_NUMBERS + ["abc", "1;drop table rounds", " 7", "1" * 5000]:
    for page in ("/api/v1/leaderboard", "/leaderboard"):
        CASES[f"GET {page}?round={value[:20]}"] = lambda w, p=page, v=value: w["client"].get(p, query_string={"round": v})
for name in ("..%2F..%2Ftest.sqlite3", "../../test.sqlite3", "%2e%2e/%2e%2e/test.sqlite3", "/etc/passwd", "a%00.csv", "..",
             "x" * 3000):  # fmt: skip
    CASES[f"GET published {name[:20]}"] = lambda w, n=name: w["client"].get(f"/rounds/{ROUND}/published/{n}", follow_redirects=True)
for label, make in FILES.items():
    CASES[f"upload {label}"] = lambda w, m=make: upload(w, m(w))
    CASES[f"page upload {label}"] = lambda w, m=make: upload(w, m(w), path=f"/rounds/{ROUND}/upload")
for name in TRAVERSAL_NAMES:
    CASES[f"upload named {name[:20]!r}"] = lambda w, n=name: upload(w, b"id,probability\nnope,0.5\n", name=n)

DEEP = {
    "array nested 10^5 deep": "[" * 100_000,
    "object nested 10^5 deep": '{"a":' * 100_000,
    "nested 40 deep": "[" * 40 + "]" * 40,
    "invalid json": "{not json",
    "truncated json": '{"message": "abc',
    "top-level array": "[1, 2]",
    "top-level string": '"x"',
    "NaN literal": '{"message": NaN}',
    "over 256 KiB": json.dumps({"message": "x" * 300_000}),
    "utf-16 json": '{"a": 1}'.encode("utf-16"),
    "lone surrogate": b'{"a": "\\ud800"',
}
for label, body in DEEP.items():
    CASES[f"verify {label}"] = raw_post("/api/v1/auth/verify", body, "application/json", auth=False)
    CASES[f"patch account {label}"] = raw_post("/api/v1/account", body, "application/json", method="patch")
    CASES[f"graphql {label}"] = raw_post("/graphql", body, "application/json", auth=False)
for content_type in ("text/plain", "application/x-www-form-urlencoded", "application/xml", "multipart/form-data; boundary=x"):
    CASES[f"graphql as {content_type}"] = raw_post("/graphql", '{"query": "{ rounds { number } }"}', content_type, auth=False)
    CASES[f"verify as {content_type}"] = raw_post("/api/v1/auth/verify", '{"message": "m"}', content_type, auth=False)
    CASES[f"upload as {content_type}"] = raw_post(f"/api/v1/rounds/{ROUND}/submissions", "id,probability\n", content_type)
CASES["upload bad multipart boundary"] = raw_post(f"/api/v1/rounds/{ROUND}/submissions", b"--y\r\nfoo\r\n--y--", "multipart/form-data; boundary=x")
CASES["upload multipart without boundary"] = raw_post(f"/api/v1/rounds/{ROUND}/submissions", b"--x\r\n", "multipart/form-data")
CASES["upload multipart truncated"] = raw_post(f"/api/v1/rounds/{ROUND}/submissions",
                                               b'--x\r\nContent-Disposition: form-data; name="file"; filename="p.csv"\r\n\r\nid,pro',
                                               "multipart/form-data; boundary=x")  # fmt: skip
CASES["upload field not a file"] = lambda w: w["client"].post(f"/api/v1/rounds/{ROUND}/submissions", data={"file": "id,probability"}, headers=w["auth"])
CASES["upload body over the limit"] = lambda w: upload(w, b"0" * (UPLOAD_LIMIT + 100_000))

INT_QUERY = "query($r: Int) { rounds(number: $r) { number } }"
for label, value in {"huge": 10**25, "2^63": 2**63, "2^31": 2**31, "float": 1.5, "string": "7", "bool": True, "list": [7],
                     "object": {"a": 7}, "unicode digit": "²"}.items():  # fmt: skip
    CASES[f"graphql Int variable {label}"] = lambda w, v=value: gql(w, INT_QUERY, {"r": v})
GRAPHQL = {
    "missing required variable": ("query($r: Int!) { rounds(number: $r) { number } }", {}),
    "null required variable": ("query($r: Int!) { rounds(number: $r) { number } }", {"r": None}),
    "bad enum variable": ("query($s: RoundStatus) { rounds(status: $s) { number } }", {"s": "bogus"}),
    "bad enum literal": ("{ rounds(status: bogus) { number } }", None),
    "huge Int literal": ("{ rounds(number: 10000000000000000000000000) { number } }", None),
    "10,000 aliases": ("{" + " ".join(f"a{i}: rounds {{ number }}" for i in range(10_000)) + "}", None),
    "100 aliases": ("{" + " ".join(f"a{i}: rounds {{ number }}" for i in range(100)) + "}", None),
    "5,000 repeated fields": ("{ rounds { " + "number " * 5000 + "} }", None),
    "nested 50 deep": ("{" + "rounds {" * 50 + "number" + "}" * 51, None),
    "fragment bomb": ("".join(f"fragment F{i} on Round {{ ...F{i + 1} ...F{i + 1} }} " for i in range(30))
                      + "fragment F30 on Round { number } { rounds { ...F0 } }", None),
    "fragment cycle": ("fragment A on Round { ...B } fragment B on Round { ...A } { rounds { ...A } }", None),
    "unknown field": ("{ nope }", None),
    "syntax error": ("{ rounds { ", None),
    "empty query": ("", None),
    "query of 100k characters": ("{ rounds { number } }" + " " * 100_000, None),
    "anonymous account": ("{ account { username } }", None),
    "anonymous create_submission": ('mutation { create_submission(filename: "x", tournament: 8) { id } }', None),
    "anonymous upload auth": ('{ submission_upload_auth(filename: "x.csv", tournament: 8) { filename url } }', None),
    "dataset traversal": ('{ dataset(filename: "../../test.sqlite3") }', None),
    "unknown tournament": ("{ rounds(tournament: 9) { number } }", None),
    "bad model id": ('{ submissionScores(modelId: "../x") { value } }', None),
    "introspection bomb": ("{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }", None),
}
for label, (query_text, variables) in GRAPHQL.items():
    CASES[f"graphql {label}"] = lambda w, q=query_text, v=variables: gql(w, q, v)
CASES["graphql query not a string"] = lambda w: w["client"].post("/graphql", json={"query": 5})
CASES["graphql variables not an object"] = lambda w: w["client"].post("/graphql", json={"query": INT_QUERY, "variables": [1]})
CASES["graphql upload PUT unknown key"] = lambda w: w["client"].put("/graphql/uploads/nope", data=b"id,probability\n")
CASES["graphql upload PUT traversal key"] = lambda w: w["client"].put("/graphql/uploads/..%2F..%2Ftest.sqlite3", data=b"x")


# A wallet's models: names, model references on uploads, model keys in paths and queries.
HOSTILE_MODELS = ["x" * 5000, "../../test.sqlite3", "a\x00b", "ünï", " ", "0x" + "1" * 40, "0x" + "1" * 40 + "-0",
                  "0x" + "1" * 40 + "-" + "9" * 30, "0x" + "1" * 40 + "-1", "'; drop table models; --", "%00", "٣"]  # fmt: skip
for value in HOSTILE_MODELS:
    shown = repr(value[:50])
    CASES[f"add model named {shown}"] = lambda w, v=value: w["client"].post("/api/v1/account/models", json={"name": v},
                                                                           headers=w["auth"])  # fmt: skip
    CASES[f"upload to model {shown}"] = lambda w, v=value: w["client"].post(
        f"/api/v1/rounds/{ROUND}/submissions", data={"file": (io.BytesIO(b"id,probability\n"), "p.csv"), "model": v},
        headers=w["auth"])  # fmt: skip
    CASES[f"upload to ?model={shown}"] = lambda w, v=value: w["client"].post(
        f"/api/v1/rounds/{ROUND}/submissions", query_string={"model": v},
        data={"file": (io.BytesIO(b"id,probability\n"), "p.csv")}, headers=w["auth"])  # fmt: skip
    CASES[f"GET model page {shown}"] = lambda w, v=value: w["client"].get(f"/api/v1/models/{v}")
    if value != "0x" + "1" * 40:  # a well-formed address is every wallet's model 0: listed, not refused
        CASES[f"GET models of {shown}"] = lambda w, v=value: w["client"].get("/api/v1/models", query_string={"address": v})
        CASES[f"graphql profile of model {shown}"] = lambda w, v=value: gql(
            w, "query($m: String) { v3UserProfile(modelName: $m) { id } }", {"m": v})
CASES["add model name not a string"] = lambda w: w["client"].post("/api/v1/account/models", json={"name": ["a"]},
                                                                 headers=w["auth"])  # fmt: skip
CASES["add model anonymous"] = lambda w: w["client"].post("/api/v1/account/models", json={"name": "alpha"})

def outcome(response) -> tuple[int, str]:
    """The refusal's status and message (a /graphql error's status is in its extensions)."""
    text = response.get_data(as_text=True)
    if response.is_json:
        body = response.get_json()
        if isinstance(body, dict) and body.get("errors"):
            error = body["errors"][0]
            status = response.status_code if response.status_code != 200 else (error.get("extensions") or {}).get("status", 200)
            return status, error.get("message", "")
        error = (body or {}).get("error") or {}
        return response.status_code, error.get("message") or "; ".join(body.get("problems") or [])
    if 'id="error-message"' in text or "<li" in text:
        return response.status_code, text
    return response.status_code, ""


def test_there_are_at_least_150_cases():
    assert len(CASES) >= 150


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_request_is_refused_cleanly(case, world):
    app = world["app"]
    world["client"] = app.test_client()  # a fresh client: no cookie, no session
    before = fingerprint(world["folder"])
    start = time.perf_counter()
    response = CASES[case](world)
    elapsed = time.perf_counter() - start
    status, message = outcome(response)
    changed = fingerprint(world["folder"]) != before
    TALLY["tried"] += 1
    TALLY["4xx"] += 400 <= status < 500
    TALLY["500"] += status >= 500
    TALLY["changed"] += changed
    assert 400 <= status < 500, (status, response.get_data(as_text=True)[:400])
    assert message and "Traceback" not in response.get_data(as_text=True), response.get_data(as_text=True)[:400]
    assert not changed, "the database or the data folder changed"
    if elapsed > SLOWEST["seconds"]:
        SLOWEST.update(case=case, seconds=elapsed)


def test_zz_summary_of_the_hostile_suite(record_property):
    """Counts for the report (printed at the end of the run, tests/conftest.py)."""
    summary = f"hostile input: tried {TALLY['tried']} / 4xx {TALLY['4xx']} / 500 {TALLY['500']} / database or data changed {TALLY['changed']} / slowest refusal {SLOWEST['seconds']:.2f} s ({SLOWEST['case']})"
    record_property(FIGURES, summary)
    assert TALLY["tried"] == 0 or (TALLY["500"] == 0 and TALLY["changed"] == 0 and TALLY["4xx"] == TALLY["tried"])


def test_store_refuses_a_bogus_status_and_impossible_round_numbers(world):
    from app.store.errors import StoreError

    with world["app"].app_context():
        with pytest.raises(StoreError, match="unknown round status 'bogus'; use one of"):
            store.list_rounds(status="bogus")
        assert [r.number for r in store.list_rounds(status="open")] == [ROUND]
        assert store.get_round(10**25) is None and store.get_round(2**63) is None and store.get_round(0) is None
