"""Prediction files: a corpus of malformed uploads, each refused with the right message."""

from __future__ import annotations

import gzip
import io
import zipfile

import numpy as np
import pandas as pd
import pytest

from client.core.predictions import (
    PredictionValidator,
    canonical_hash,
    canonical_text,
    validate_predictions,
)

IDS = [f"n{i:015x}" for i in range(1, 6)]
LIMIT = 10_000


def csv(text: str) -> bytes:
    return text.encode()


def good_csv(column: str = "probability") -> str:
    return f"id,{column}\n" + "".join(f"{i},0.{k + 1}\n" for k, i in enumerate(IDS))


def parquet(frame: pd.DataFrame, **options) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, **options)
    return buffer.getvalue()


GOOD = pd.DataFrame({"id": IDS, "probability": [0.1, 0.2, 0.3, 0.4, 0.5]})

MALFORMED = {
    "empty file": (b"", "is empty (0 bytes)"),
    "too large": (b"id,probability\n" + b"x" * LIMIT, "over the 10,000 bytes limit"),
    "zip archive": (b"PK\x03\x04" + b"\x00" * 40, "ZIP archive or an Excel workbook"),
    "gzip csv": (gzip.compress(good_csv().encode()), "gzip-compressed"),
    "pdf": (b"%PDF-1.4 ...", "a PDF document"),
    "png": (b"\x89PNG\r\n\x1a\n....", "a PNG image"),
    "binary junk": (bytes(range(256)), "binary, not a CSV or Parquet"),
    "truncated parquet": (parquet(GOOD)[:-20], "truncated or corrupt"),
    "latin-1 text": ("id,probability\nné,0.5\n".encode("latin-1"), "not UTF-8"),
    "semicolons": (csv("id;probability\n" + "".join(f"{i};0.5\n" for i in IDS)), "separated by semicolons"),
    "tabs": (csv("id\tprobability\n" + "".join(f"{i}\t0.5\n" for i in IDS)), "separated by tabs"),
    "header only": (csv("id,probability\n"), "has a header but no rows"),
    "no id column": (csv("ident,probability\n" + "".join(f"{i},0.5\n" for i in IDS)), "no 'id' column"),
    "no probability column": (csv("id,prob\n" + "".join(f"{i},0.5\n" for i in IDS)), "no 'probability' column"),
    "both aliases": (csv("id,probability,prediction\n" + "".join(f"{i},0.5,0.5\n" for i in IDS)), "both 'probability' and 'prediction'"),
    "duplicate column": (csv("id,probability,probability\n" + "".join(f"{i},0.5,0.5\n" for i in IDS)), "appear more than once; keep one"),
    "pandas index column": (GOOD.to_csv().encode(), "has no name (a saved pandas index?)"),
    "extra column": (csv("id,probability,era\n" + "".join(f"{i},0.5,era1\n" for i in IDS)), "unexpected column 'era'"),
    "ragged rows": (csv(good_csv() + "n1,0.5,extra\n"), "rows are malformed"),
    "missing id value": (csv(good_csv() + ",0.5\n"), "have no id (first at row 6)"),
    "unknown id": (csv(good_csv() + "nffffffffffffff0,0.5\n"), "not in this round's tournament data (e.g. 'nffffffffffffff0')"),
    "duplicate id": (csv(good_csv() + f"{IDS[0]},0.5\n"), f"appear more than once (e.g. '{IDS[0]}')"),
    "missing ids": (csv("id,probability\n" + f"{IDS[0]},0.5\n"), "4 of the round's 5 tournament ids have no prediction"),
    "text probability": (csv(good_csv().replace("0.3", "high")), "not a number (e.g. 'high' at row 3)"),
    "empty probability": (csv(good_csv().replace("0.3", "")), "empty or NaN (first at row 3)"),
    "nan probability": (csv(good_csv().replace("0.3", "NaN")), "empty or NaN (first at row 3)"),
    "infinite probability": (csv(good_csv().replace("0.3", "inf")), "infinite (first at row 3)"),
    "negative probability": (csv(good_csv().replace("0.3", "-0.3")), "outside [0, 1] (min -0.3"),
    "probability above one": (csv(good_csv().replace("0.3", "1.7")), "outside [0, 1] (min 1.7, max 1.7"),
    "class labels": (csv("id,probability\n" + "".join(f"{i},{k}\n" for k, i in enumerate(IDS))), "outside [0, 1]"),
    "percent strings": (csv(good_csv().replace("0.3", "30%")), "not a number (e.g. '30%'"),
    "parquet wrong columns": (parquet(GOOD.rename(columns={"probability": "p"}), index=False), "no 'probability' column"),
    "parquet out of range": (parquet(GOOD.assign(probability=GOOD["probability"] * 3), index=False), "outside [0, 1]"),
    "parquet text probability": (parquet(GOOD.assign(probability=["a", "0.1", "0.2", "0.3", "0.4"]), index=False), "not a number (e.g. 'a'"),
    "parquet duplicate id": (parquet(pd.DataFrame({"id": IDS + IDS[:1], "probability": [0.5] * 6}), index=False), "appear more than once"),
    "excel workbook": (b"PK\x03\x04" + zipfile.ZIP_DEFLATED.to_bytes(2, "little") + b"\x00" * 30, "export the sheet as CSV"),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_file_is_rejected_with_the_right_message(name):
    raw, message = MALFORMED[name]
    result = validate_predictions(raw, "predictions.csv", IDS, LIMIT)
    assert not result.ok and result.frame is None and result.hash is None
    assert any(message in problem for problem in result.problems), result.problems


def test_corpus_is_large_enough():
    assert len(MALFORMED) >= 30


def test_every_problem_is_reported_at_once():
    text = "id,probability\n" + f"{IDS[0]},abc\n{IDS[0]},2\nnope,0.5\n,0.4\n"
    problems = validate_predictions(csv(text), "p.csv", IDS, LIMIT).problems
    for expected in ("not a number", "outside [0, 1]", "not in this round", "appear more than once", "have no id", "have no prediction"):
        assert any(expected in p for p in problems), (expected, problems)


@pytest.mark.parametrize("column", ["probability", "prediction", " Probability ", "PREDICTION"])
def test_accepted_csv_aligned_to_expected_order(column):
    shuffled = "id," + column + "\n" + "".join(f"{i},0.{k + 1}\n" for k, i in reversed(list(enumerate(IDS))))
    result = validate_predictions(csv(shuffled), "p.csv", IDS, LIMIT)
    assert result.ok, result.problems
    assert result.frame["id"].tolist() == IDS
    assert result.frame["probability"].tolist() == [0.1, 0.2, 0.3, 0.4, 0.5]


def test_hash_is_bytes32_hex_and_format_independent():
    from_csv = validate_predictions(csv(good_csv()), "a.csv", IDS, LIMIT)
    from_parquet = validate_predictions(parquet(GOOD.iloc[::-1].astype({"probability": "float32"})), "a.csv", IDS, LIMIT)
    from_bom = validate_predictions(b"\xef\xbb\xbf" + csv(good_csv().replace("\n", "\r\n")), "x.parquet", IDS, LIMIT)
    assert from_csv.format == "csv" and from_parquet.format == "parquet"
    assert from_csv.hash == from_parquet.hash == from_bom.hash
    assert from_csv.hash.startswith("0x") and len(from_csv.hash) == 66 and int(from_csv.hash, 16) >= 0
    assert canonical_hash(from_csv.frame) == from_csv.hash


def test_hash_changes_with_any_probability():
    other = validate_predictions(csv(good_csv().replace("0.3", "0.300001")), "a.csv", IDS, LIMIT)
    assert other.ok and other.hash != validate_predictions(csv(good_csv()), "a.csv", IDS, LIMIT).hash


def test_canonical_text_is_sorted_fixed_decimals():
    frame = pd.DataFrame({"id": ["b", "a", "c"], "probability": [1.0, 0.1234567, 0.0]})
    assert canonical_text(frame) == b"id,probability\na,0.123457\nb,1.000000\nc,0.000000\n"


def test_fast_and_general_hash_paths_agree():
    ids = [f"id{i}" for i in range(1, 120)]  # varying widths: the general path
    fixed = [f"n{i:015x}" for i in range(1, 120)]  # one width: the vectorised path
    probabilities = np.random.default_rng(1).random(119).round(6)
    for round_ids in (ids, fixed):
        frame = pd.DataFrame({"id": round_ids, "probability": probabilities})
        result = PredictionValidator(round_ids, LIMIT * 10).validate(frame.to_csv(index=False).encode())
        assert result.ok and result.hash == canonical_hash(frame)


def test_numeric_looking_ids_stay_text():
    ids = ["007", "010", "100"]
    result = validate_predictions(csv("id,probability\n007,0.5\n010,0.5\n100,0.5\n"), "p.csv", ids, LIMIT)
    assert result.ok, result.problems


# --- absurd shapes are refused before parsing, in time linear in the file ---------------


def parquet_bomb(rows: int, id_length: int) -> bytes:
    """A small Parquet file that decodes to ``rows`` copies of one ``id_length``-character id."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    ids = pa.DictionaryArray.from_arrays(pa.array(np.zeros(rows, dtype=np.int32)), pa.array(["n" * id_length]))
    table = pa.table({"id": ids, "probability": pa.array(np.full(rows, 0.5))})
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd", use_dictionary=True)
    return buffer.getvalue()


@pytest.fixture
def nothing_decoded(monkeypatch):
    """Every decoder the validator has (CSV parsers, Parquet column reads) fails the test if
    called: a file refused with this in place was refused from its header or footer alone."""
    from client.core.predictions import reading

    def decoded(*_args, **_kwargs):
        raise AssertionError("the validator decoded a file it should have refused unread")

    monkeypatch.setattr(reading.pa_csv, "read_csv", decoded)
    monkeypatch.setattr(pd, "read_csv", decoded)
    monkeypatch.setattr(reading, "read_bounded_columns", decoded)


def test_nothing_decoded_catches_a_validator_that_decodes(nothing_decoded):
    # The guard of the "refused unread" tests bites: a good file must be decoded to be checked.
    with pytest.raises(AssertionError, match="decoded a file"):
        validate_predictions(csv(good_csv()), "p.csv", IDS, LIMIT)
    frame = pd.DataFrame({"id": IDS, "probability": [0.5] * len(IDS)})
    with pytest.raises(AssertionError, match="decoded a file"):
        validate_predictions(parquet(frame, index=False), "p.parquet", IDS, LIMIT)


def test_csv_with_a_million_columns_is_refused_unparsed(nothing_decoded):
    raw = ("id,probability," + ",".join(f"c{i}" for i in range(1_000_000)) + "\n").encode()
    result = validate_predictions(raw, "p.csv", IDS, 20 * 1024 * 1024)
    assert "header line is over 1,024 bytes" in result.problems[0]


def test_csv_header_of_more_than_eight_columns_is_refused_before_parsing():
    raw = ("id,probability," + ",".join(["x"] * 300) + "\n").encode()
    assert "the header has 302 columns, over the limit of 8" in validate_predictions(raw, "p.csv", IDS, LIMIT).problems[0]
    semicolons = b"id;" * 20 + b"\n"
    assert "columns, over the limit of 8" in validate_predictions(semicolons, "p.csv", IDS, LIMIT).problems[0]


def test_header_line_without_newline_is_refused():
    problems = validate_predictions(b"i" * 5000, "p.csv", IDS, LIMIT).problems
    assert "header line is over 1,024 bytes" in problems[0]


def test_csv_of_more_rows_than_twice_the_ids_is_refused_before_parsing():
    raw = b"id,probability\n" + b"a,0.5\n" * 100
    assert "rows, over the limit of 20 (twice this round's 5 ids" in validate_predictions(raw, "p.csv", IDS, LIMIT).problems[0]


def test_parquet_bomb_is_refused_from_its_metadata(nothing_decoded):
    raw = parquet_bomb(3_000_000, 1000)
    assert len(raw) < 400_000
    result = validate_predictions(raw, "p.parquet", IDS, 20 * 1024 * 1024)
    assert "3,000,000 rows, over the limit of 20" in result.problems[0]


def test_parquet_of_long_ids_is_refused_by_decoded_size_before_decoding():
    # The ids stay dictionary-encoded (one copy of the long id) while their decoded size is
    # summed; bench_validation.py measures how fast such files are refused.
    ids = [f"n{i:015x}" for i in range(50_000)]
    raw = parquet_bomb(60_000, 2000)
    result = PredictionValidator(ids, 1_000_000).validate(raw, "p.parquet")
    assert "decodes to 120.5 MB of data, over the limit of 2.0 MB" in result.problems[0]


def test_parquet_with_too_many_columns_or_nested_columns_is_refused():
    wide = parquet(pd.DataFrame({f"c{i}": [0.5] for i in range(20)}), index=False)
    assert "20 columns, over the limit of 8" in validate_predictions(wide, "p.parquet", IDS, 10 * LIMIT).problems[0]
    nested = parquet(pd.DataFrame({"id": [["a", "b"]], "probability": [0.5]}), index=False)
    assert "is of type list<element: string>, not numbers or text" in validate_predictions(nested, "p.parquet", IDS, LIMIT).problems[0]


# --- the clean-upload path (Arrow buffers) and the thorough path agree --------------------

ROUND = [f"n{i:015x}" for i in np.random.default_rng(5).permutation(np.arange(1, 2_001) * 7_919)]
ROUND_FRAME = pd.DataFrame({"id": ROUND, "probability": np.random.default_rng(6).uniform(0, 1, len(ROUND))})


@pytest.mark.parametrize("order", ["round order", "shuffled", "sorted"])
@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_any_row_order_gives_the_round_order_frame_and_one_hash(order, kind):
    frame = {"round order": ROUND_FRAME, "shuffled": ROUND_FRAME.sample(frac=1, random_state=2),
             "sorted": ROUND_FRAME.sort_values("id")}[order]  # fmt: skip
    raw = frame.to_csv(index=False).encode() if kind == "csv" else parquet(frame, index=False)
    result = PredictionValidator(ROUND, LIMIT * 1_000).validate(raw, "p")
    assert result.ok, result.problems
    assert list(result.frame["id"]) == ROUND
    np.testing.assert_array_equal(result.frame["probability"], ROUND_FRAME["probability"].round(6))
    assert result.hash == canonical_hash(ROUND_FRAME.assign(probability=ROUND_FRAME["probability"].round(6)))


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_one_id_twice_and_one_missing_in_a_shuffled_file_names_both(kind):
    frame = ROUND_FRAME.sample(frac=1, random_state=3).reset_index(drop=True)
    lost = frame.loc[7, "id"]
    frame.loc[7, "id"] = frame.loc[8, "id"]
    raw = frame.to_csv(index=False).encode() if kind == "csv" else parquet(frame, index=False)
    result = PredictionValidator(ROUND, LIMIT * 1_000).validate(raw, "p")
    assert result.problems == [
        f"1 id(s) appear more than once (e.g. {frame.loc[8, 'id']!r}); give one row per id.",
        (f"1 of the round's 2,000 tournament ids have no prediction (e.g. {lost!r}); "
         "include a row for every id in the tournament data."),
    ]


def test_padded_ids_take_the_thorough_path_and_are_accepted():
    raw = ROUND_FRAME.assign(id=" " + ROUND_FRAME["id"] + " ").to_csv(index=False).encode()
    result = PredictionValidator(ROUND, LIMIT * 1_000).validate(raw, "p")
    assert result.ok and list(result.frame["id"]) == ROUND


@pytest.mark.parametrize("bad", [np.nan, 1.5, -0.1])
def test_one_bad_probability_takes_the_thorough_path_and_is_named(bad):
    frame = ROUND_FRAME.copy()
    frame.loc[11, "probability"] = bad
    result = PredictionValidator(ROUND, LIMIT * 1_000).validate(parquet(frame, index=False), "p")
    assert len(result.problems) == 1 and "at row 12" in result.problems[0]


def test_parquet_index_named_id_is_a_column_and_an_unnamed_index_is_dropped():
    validator = PredictionValidator(ROUND, LIMIT * 1_000)
    named = validator.validate(parquet(ROUND_FRAME.set_index("id")), "p")
    unnamed = validator.validate(parquet(ROUND_FRAME.set_index(np.arange(len(ROUND)) * 3)), "p")
    assert named.ok and unnamed.ok and named.hash == unnamed.hash


def test_parquet_extra_column_is_named_without_being_decoded():
    frame = ROUND_FRAME.assign(era=[f"era{i}" for i in range(len(ROUND))])
    result = PredictionValidator(ROUND, LIMIT * 1_000).validate(parquet(frame, index=False), "p")
    assert result.problems == ["unexpected column 'era'; the file must have only id and probability."]
