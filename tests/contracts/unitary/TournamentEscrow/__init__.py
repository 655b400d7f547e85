"""Unit tests of TournamentEscrow, one module per function."""
