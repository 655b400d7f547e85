"""The shared core: what the tournament server (``app/``) and the data scientist's client
both need, so the two can never disagree.

- :mod:`client.core.predictions`: prediction files, validated and hashed;
- :mod:`client.core.tables`: CSV or Parquet tables, told apart by content;
- :mod:`client.core.files`: the names of a round's dataset files;
- :mod:`client.core.chain`: the token and escrow contracts (connection, reads and writes,
  signing, errors and their sentences).

It imports neither Flask nor SQLAlchemy nor the scoring engine, and nothing from ``app``:
``app`` imports it, never the other way round.
"""
