"""The shared core: what the tournament server (``app/``) and the data scientist's client
both need, so the two can never disagree.

- :mod:`client.core.predictions`: prediction files, validated and hashed;
- :mod:`client.core.tables`: CSV or Parquet tables, told apart by content;
- :mod:`client.core.files`: the names of a round's dataset files;
- :mod:`client.core.chain`: the token and escrow contracts (connection, reads and writes,
  signing, errors and their sentences);
- :mod:`client.core.money`: a round's money, from stakes and scores to the plan, the
  committed batches and ``verify``;
- :mod:`client.core.scoring`: the scoring engine the oracle runs and ``verify`` replays
  (its scikit-learn and scipy come with the client's ``verify`` extra).

It imports neither Flask nor SQLAlchemy, and nothing from ``app``: ``app`` imports it,
never the other way round. ``import client`` loads neither the scoring engine nor its
libraries; only the modules that need them do.
"""
