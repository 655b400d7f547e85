"""Every custom error the contracts declare is asserted, by its exact decoded string, in
at least one unit test (a revert message is part of the interface the app decodes); an
error naming a model, with a model other than 0."""

import re
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


def test_every_error_naming_a_model_is_asserted_with_a_model_other_than_0():
    """An error that names a model (NoStake, AlreadySettled) is asserted at least once with
    every argument, the model a number other than 0, so a test would see the model dropped
    or confused with a wallet's first one."""
    with_model = [
        item for item in TournamentEscrow.abi
        if item["type"] == "error" and any(i["name"] == "model" for i in item["inputs"])
    ]
    assert {e["name"] for e in with_model} >= {"TournamentEscrowNoStake", "TournamentEscrowAlreadySettled"}
    sources = _sources()
    for error in with_model:
        asserted = re.findall(rf'"{error["name"]}: ([^"]*)"', sources)
        full = [args.split(", ") for args in asserted if len(args.split(", ")) == len(error["inputs"])]
        assert any(args[-1] != "0" for args in full), f"{error['name']} never asserted with a model other than 0"
