"""The ``nmr`` commands, one module per command group; :mod:`client.cli` gathers them
under its ``main`` group (the entry point):

- :mod:`~client.commands.data`: ``download``, ``check`` and ``upload``;
- :mod:`~client.commands.staking`: ``stake``, ``withdraw`` and ``balances``;
- :mod:`~client.commands.account`: ``account``, ``models``, ``login`` and ``token``;
- :mod:`~client.commands.rounds`: ``status``, ``leaderboard``, ``results`` and ``verify``;
- :mod:`~client.commands.output`: what they share: printing (text or ``--json``) and
  the amount formatters.

Each command is a thin print of :mod:`client.api`'s answer.
"""
