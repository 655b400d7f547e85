"""Obfuscation ("encryption") of a raw market table with the operator's secret key.

What a data scientist receives must be learnable yet reveal neither the raw features nor
the stocks or dates behind the rows. Driven by the key (never published):

1. eras: the raw ``era``/``date`` values are sorted and renamed ``era1``, ``era2``, ...;
2. features: z-scored within each era, then mixed by a random orthogonal matrix drawn
   from the key, so each published feature blends many raw ones; then ranked within each
   era and mapped to (0, 1) with 5 decimals, ``(rank - 0.5) / n`` (ties share a rank);
3. ids: ``"n" + HMAC-SHA256(key, salt | raw id)`` truncated to 15 hex digits, so ids are
   random-looking, stable for one (key, salt, raw id), and unlinkable without the key;
4. rows are shuffled within each era, so file order leaks nothing.

The same function serves the synthetic generator and an operator's own data file.
"""

from __future__ import annotations

import hashlib
import hmac

import numpy as np
import pandas as pd

RESERVED_COLUMNS = ("id", "era", "date", "data_type", "target")
RANK_DECIMALS = 5
_ORTHOGONAL_DRAWS = 64


def key_bytes(key: bytes | str) -> bytes:
    """The key as bytes (strings are UTF-8 encoded); an empty key is refused."""
    raw = key.encode() if isinstance(key, str) else bytes(key)
    if not raw:
        raise ValueError("the obfuscation key must not be empty")
    return raw


def keyed_rng(key: bytes | str, purpose: str, *extra: object) -> np.random.Generator:
    """A numpy generator seeded from (key, purpose, extra): independent streams per use."""
    material = hmac.new(key_bytes(key), "|".join([purpose, *map(str, extra)]).encode(), "sha256")
    return np.random.default_rng(int.from_bytes(material.digest(), "big"))


def mixing_matrix(key: bytes | str, n_raw: int, n_out: int) -> np.ndarray:
    """The (n_raw x n_out) orthonormal-column mixing matrix for this key.

    Of several random orthogonal draws the one whose largest entry is smallest is kept,
    so that no published feature leans on a single raw feature.
    """
    if not 1 <= n_out <= n_raw:
        raise ValueError(f"cannot publish {n_out} features from {n_raw} raw features")
    rng = keyed_rng(key, "mixing", n_raw, n_out)
    best, best_peak = None, np.inf
    for _ in range(_ORTHOGONAL_DRAWS):
        q, r = np.linalg.qr(rng.standard_normal((n_raw, n_raw)))
        q = (q * np.sign(np.diag(r)))[:, :n_out]  # sign fix makes the draw Haar-uniform
        peak = float(np.abs(q).max())
        if peak < best_peak:
            best, best_peak = q, peak
    return best


def era_rank(values: pd.DataFrame, eras: pd.Series, decimals: int = RANK_DECIMALS) -> pd.DataFrame:
    """Rank each column within each era, mapped to (0, 1): ``(rank - 0.5) / n``, rounded.

    Rounding is clipped away from 0 and 1 so a published value is never exactly either.
    """
    grouped = values.groupby(eras.to_numpy(), sort=False)
    ranks = grouped.rank(method="average")
    sizes = grouped[values.columns[0]].transform("size").to_numpy()[:, None]
    scaled = ((ranks.to_numpy() - 0.5) / sizes).round(decimals)
    tick = 10.0**-decimals
    return pd.DataFrame(np.clip(scaled, tick, 1 - tick), index=values.index, columns=values.columns)


def feature_columns(raw: pd.DataFrame) -> list[str]:
    """The raw feature columns of an operator table: every column not reserved.

    Raises ValueError naming any such column that is not numeric.
    """
    columns = [c for c in raw.columns if str(c).lower() not in RESERVED_COLUMNS]
    bad = [c for c in columns if not pd.api.types.is_numeric_dtype(raw[c])]
    if bad:
        raise ValueError(f"raw feature columns must be numeric; these are not: {bad}")
    if not columns:
        raise ValueError("the raw table has no feature columns")
    return columns


def obfuscate(
    raw: pd.DataFrame,
    key: bytes | str,
    *,
    n_features: int | None = None,
    salt: bytes = b"",
) -> pd.DataFrame:
    """Obfuscate a raw market table into the published layout.

    ``raw`` has an ``era`` or ``date`` column, numeric raw feature columns, and optionally
    ``id`` (else the row position is the raw id), ``target`` and ``data_type``. Without
    ``data_type``, rows with a target become ``train`` and rows without one ``live``.
    ``n_features`` (default: as many as raw features) is how many features to publish;
    ``salt`` separates the ids of different rounds obfuscated with one key.

    Returns columns ``id, era, data_type, feature1..N, target`` (target NaN where unknown),
    eras in time order, rows shuffled within each era. Deterministic from its arguments.
    """
    columns = {str(c).lower(): c for c in raw.columns}
    era_column = columns.get("era", columns.get("date"))
    if era_column is None:
        raise ValueError("the raw table needs an 'era' or 'date' column")
    raw_features = feature_columns(raw)
    n_out = len(raw_features) if n_features is None else n_features

    era_values = raw[era_column]
    era_order = {value: i + 1 for i, value in enumerate(sorted(era_values.dropna().unique()))}
    if era_values.isna().any():
        raise ValueError("every row needs an era/date; some are empty")
    era_number = era_values.map(era_order).to_numpy()
    eras = pd.Series(era_number, index=raw.index)

    values = raw[raw_features].astype(np.float64)
    grouped = values.groupby(era_number, sort=False)
    std = grouped.transform("std").to_numpy()
    zscored = (values.to_numpy() - grouped.transform("mean").to_numpy()) / np.where(std > 0, std, 1)
    # Missing raw values sit at their era's mean: neutral, and the rank step stays defined.
    zscored = np.nan_to_num(zscored, nan=0.0)
    mixed = zscored @ mixing_matrix(key, len(raw_features), n_out)
    names = [f"feature{j + 1}" for j in range(n_out)]
    published = era_rank(pd.DataFrame(mixed, index=raw.index, columns=names), eras)

    target = (
        raw[columns["target"]].astype(np.float64)
        if "target" in columns
        else pd.Series(np.nan, index=raw.index)
    )
    if "data_type" in columns:
        data_type = raw[columns["data_type"]].astype(str).to_numpy()
    else:
        data_type = np.where(target.isna(), "live", "train")

    raw_ids = raw[columns["id"]].astype(str) if "id" in columns else pd.Series(range(len(raw)))
    if raw_ids.duplicated().any():
        raise ValueError("raw ids must be unique; some repeat")
    ids = obfuscated_ids(raw_ids.astype(str).tolist(), key, salt)

    out = pd.DataFrame(
        {"id": ids, "era": [f"era{n}" for n in era_number], "data_type": data_type},
        index=raw.index,
    )
    out = pd.concat([out, published], axis=1)
    out["target"] = target.to_numpy()
    # Shuffle within era (keyed), then lay eras out in time order.
    shuffle_key = keyed_rng(key, "shuffle", salt.hex()).random(len(out))
    order = np.lexsort((shuffle_key, era_number))
    return out.iloc[order].reset_index(drop=True)


def obfuscated_ids(raw_ids: list[str], key: bytes | str, salt: bytes = b"") -> list[str]:
    """Map raw ids to published ids: ``"n"`` + 15 hex digits of HMAC-SHA256."""
    secret = key_bytes(key)
    ids = [
        "n" + hmac.new(secret, salt + b"|" + rid.encode(), hashlib.sha256).hexdigest()[:15]
        for rid in raw_ids
    ]
    if len(set(ids)) != len(ids):  # 60-bit ids: a collision means duplicated raw ids
        raise ValueError("obfuscated ids collide; raw ids must be unique")
    return ids
