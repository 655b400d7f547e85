"""Unit tests of NumeraireToken, one module per function."""
