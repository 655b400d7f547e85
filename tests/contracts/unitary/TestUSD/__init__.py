"""Unit tests of TestUSD, one module per function."""
