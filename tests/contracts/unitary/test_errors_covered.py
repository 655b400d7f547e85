"""Every custom error the contracts declare is asserted, by its exact decoded string, in
at least one unit test (a revert message is part of the interface the app decodes)."""

from pathlib import Path

import pytest
from brownie import NumeraireToken, TournamentEscrow

UNIT_TESTS = Path(__file__).parent


def _sources():
    return "\n".join(path.read_text() for path in UNIT_TESTS.rglob("test_*.py") if path.name != Path(__file__).name)


@pytest.mark.parametrize("contract", [TournamentEscrow, NumeraireToken], ids=lambda c: c._name)
def test_every_custom_error_is_asserted(contract):
    own = [item["name"] for item in contract.abi if item["type"] == "error" and item["name"].startswith(contract._name)]
    assert own, "the contract declares its errors in its interface"
    sources = _sources()
    missing = [name for name in own if f'"{name}:' not in sources]
    assert not missing, f"no unit test asserts {missing}"
