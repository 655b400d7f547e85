"""The chain client both the server and the data scientist's client use, one module a job:

- :mod:`~client.core.chain.connection`: a Web3 for an RPC URL; what a node's failures mean;
- :mod:`~client.core.chain.contracts`: ``Chain``, the token, USD stablecoin and escrow,
  built from a deployments record (its constructors and public description);
- :mod:`~client.core.chain.reads`: the Chain's views, balances, stakes and event scans;
- :mod:`~client.core.chain.writes`: the Chain's transactions, each role's;
- :mod:`~client.core.chain.transactions`: ``transact``, the one transaction path (the
  Chain's writes and the deployment);
- :mod:`~client.core.chain.signing`: local keys, personal messages, EIP-2612 permits;
- :mod:`~client.core.chain.errors`: ChainError, ChainUnavailable, ContractRevert, and
  custom errors decoded from revert data;
- :mod:`~client.core.chain.messages`: the revert-message table (also served to the pages);
- :mod:`~client.core.chain.abi`: the ERC-20 ABI fragment for a stablecoin we did not deploy;

A round's state in words is :mod:`~client.core.chain.states`. A stake read from the chain is a :class:`client.core.money.stakes.Stake`, and the batch
hashes the oracle commits are :mod:`client.core.money.batches`': the money's plain data
lives with the money.

Import from the module that does the job; this package re-exports nothing, so reading
the plain-data modules never loads web3.
"""
