"""The revert-message table: every custom error of the compiled contracts has a sentence,
rendered the same in Python as the table served to the pages describes."""

from __future__ import annotations

import pytest
from chain_support import CONTRACTS, compiled_abi, offline_chain
from eth_abi import encode
from eth_utils import function_signature_to_4byte_selector, keccak

from client.core.chain.errors import ErrorDecoder
from client.core.chain.messages import (
    FORMATTERS,
    TEMPLATES,
    placeholders,
    public_table,
    render,
)
from client.core.money.units import NMR
from client.core.money.units import USD_UNIT as USD

ALICE = "0x5B38Da6a701c568545dCfcB03FcB875f56beddC4"


def compiled_errors() -> list[tuple[str, dict]]:
    return [(contract, item) for contract in CONTRACTS for item in compiled_abi(contract) if item["type"] == "error"]


@pytest.mark.parametrize(("contract", "error"), compiled_errors(), ids=lambda v: v if isinstance(v, str) else v["name"])
def test_every_compiled_error_has_a_template_over_its_own_arguments(contract, error):
    assert error["name"] in TEMPLATES, f"{contract}'s {error['name']} has no sentence"
    used = {arg for arg, _ in placeholders(TEMPLATES[error["name"]])}
    assert used <= {i["name"] for i in error["inputs"]}


def test_every_placeholder_names_a_known_formatter():
    for name, template in TEMPLATES.items():
        for _, formatter in placeholders(template):
            assert formatter is None or formatter in FORMATTERS, (name, formatter)


def test_the_table_names_no_error_the_contracts_lack():
    assert set(TEMPLATES) == {item["name"] for _, item in compiled_errors()}


def test_time_nmr_and_wad():
    assert render("TournamentEscrowRoundClosed", {"roundId": 7, "closesAt": 1_496_318_400}) == (
        "staking for round 7 closed at 2017-06-01 12:00:00 UTC"
    )
    assert render("TournamentEscrowConfidenceLowered", {"roundId": 7, "current": NMR // 2, "requested": 2 * NMR // 5}) \
        == "confidence may only stay or rise: you staked at 0.5, asked 0.4"
    assert render("ERC20InsufficientBalance", {"sender": ALICE, "balance": 0, "needed": 5 * NMR}) == (
        "not enough NMR: balance 0, needed 5"
    )
    assert render("NumeraireTokenMintExceedsSchedule", {"requested": 1_234_567 * NMR + NMR // 2, "mintable": 1}) == (
        "minting 1,234,567.5 NMR exceeds this week's schedule (0.000000000000000001 NMR left)"
    )


def test_usd_and_the_pools():
    args = {"roundId": 3, "pool": 1, "amount": 1_234_565 * USD // 1000, "remaining": 5 * USD}
    assert render("TournamentEscrowPoolExceeded", args) == (
        "$1,234.57 exceeds what is left of round 3's USD prize pool ($5.00)"
    )
    args = {"roundId": 3, "pool": 2, "amount": 15 * NMR, "remaining": NMR // 4}
    assert render("TournamentEscrowPoolExceeded", args) == (
        "15 NMR exceeds what is left of round 3's NMR pool (0.25 NMR)"
    )
    args = {"staker": ALICE, "usdReward": 2 * 10**18, "bid": 10**18}
    assert render("TournamentEscrowRewardExceedsBid", args, usd_decimals=18) == (
        f"{ALICE}'s USD reward $2.00 exceeds the stake's bid ($1.00)"
    )


@pytest.mark.parametrize(("role", "name"), [
    ("0x" + "00" * 32, "DEFAULT_ADMIN_ROLE"),
    ("0x" + keccak(text="ORACLE_ROLE").hex(), "ORACLE_ROLE"),
    ("0x" + keccak(text="MINTER_ROLE").hex(), "MINTER_ROLE"),
    ("0x" + "ab" * 32, "0x" + "ab" * 32),
])
def test_roles_by_name(role, name):
    sentence = render("AccessControlUnauthorizedAccount", {"account": ALICE, "neededRole": role})
    assert sentence == f"{ALICE} lacks the role this needs ({name})"


def test_an_error_without_template_or_arguments_reads_as_a_call():
    assert render("SomethingElse", {"a": 1, "b": "x"}) == "SomethingElse(a=1, b=x)"
    assert render("TournamentEscrowRoundClosed", {}) == "TournamentEscrowRoundClosed()"
    assert render("EnforcedPause", {}) == "staking and funding are paused by the operator"


def test_revert_data_is_decoded_into_the_sentence():
    decoder = ErrorDecoder([compiled_abi("TournamentEscrow")])
    selector = function_signature_to_4byte_selector("TournamentEscrowNoStake(uint256,address,uint32)")
    data = "0x" + (selector + encode(["uint256", "address", "uint32"], [9, ALICE, 2])).hex()

    class Revert(Exception):
        pass

    error = Revert("execution reverted")
    error.data = data
    revert = decoder.revert(error, "withdrawStake(9, model 2)")
    assert str(revert) == (f"withdrawStake(9, model 2) reverted: {ALICE} has no stake on its model 2 in round 9 "
                           "[TournamentEscrowNoStake]")
    assert (revert.error, revert.args_by_name) == ("TournamentEscrowNoStake", {"roundId": 9, "staker": ALICE,
                                                                              "model": 2})


def test_public_table_shape():
    table = public_table([compiled_abi("TournamentEscrow")])
    assert set(table) == {"errors", "error_formatters"}
    assert table["errors"]["TournamentEscrowRoundClosed"] == {
        "args": ["roundId", "closesAt"], "text": "staking for round {roundId} closed at {closesAt:time}",
    }
    assert table["errors"]["TournamentEscrowPoolExceeded"]["args"] == ["roundId", "pool", "amount", "remaining"]
    assert table["errors"]["EnforcedPause"] == {"args": [], "text": TEMPLATES["EnforcedPause"]}
    assert table["error_formatters"] == ["time", "nmr", "wad", "usd", "pool", "pool_amount", "role"]


def test_the_chain_serves_the_table_for_its_three_contracts():
    info = offline_chain().public_info()
    assert set(info["errors"]) == set(TEMPLATES)
    assert info["errors"]["ERC2612ExpiredSignature"] == {"args": ["deadline"], "text": TEMPLATES["ERC2612ExpiredSignature"]}
    assert info["error_formatters"] == list(FORMATTERS)
