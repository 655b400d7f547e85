"""A round's money, from stake records and scores to the batches the escrow pays, in one
place that anyone can install and run (``pip install ./client[verify]``): the oracle
plans with it, ``nmr verify`` checks the oracle with it, and neither needs the server.

- :mod:`~client.core.money.units`: NMR, WAD and USD units, and how amounts are written;
- :mod:`~client.core.money.rules`: ln 2, consistency, controlling capital (each once);
- :mod:`~client.core.money.stakes`: the typed inputs: ``Stake`` (keyed by ``model``),
  ``Pools``, ``ParticipantScore``;
- :mod:`~client.core.money.plan`: the plan's types and its JSON form;
- :mod:`~client.core.money.policies`: one module per stake policy (``auction2017``,
  ``corr``); :mod:`~client.core.money.prizes`: the 2017 article's prizes by rank;
- :mod:`~client.core.money.reasons` and :mod:`~client.core.money.book`: the reason lines
  and what every policy reads;
- :mod:`~client.core.money.build`: ``build_plan``, checked against the escrow's bounds;
- :mod:`~client.core.money.settlement`: scored files + stakes + pools -> plan (needs the
  scoring engine, :mod:`client.core.scoring`: the ``verify`` extra);
- :mod:`~client.core.money.batches`: the batch hashes the oracle commits;
- :mod:`~client.core.money.verify`: a published round checked against the chain.

Import from the module that does the job: this package re-exports nothing, so reading
the plan's types never loads pandas or the scoring engine.
"""
