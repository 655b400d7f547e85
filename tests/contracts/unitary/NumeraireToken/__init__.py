"""Unit tests of NumeraireToken, one module per function."""
# ruff: noqa: N999 -- the package is named after the contract it tests (tests/unitary/<Contract>/).
