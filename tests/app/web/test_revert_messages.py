"""The pages and Python word a revert the same: for every custom error of the token, the
escrow and the stablecoin, the same revert data decoded and rendered by Python
(client/core/chain: ErrorDecoder + messages.render) and by the pages' JS (static/js/errors.js
under node, with the npm ethers decoding, as on the stake page) gives the same sentence."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from eth_abi import encode
from eth_utils import function_signature_to_4byte_selector, keccak, to_checksum_address

from client.core.chain.errors import ErrorDecoder
from client.core.chain.messages import FORMATTERS, placeholders, public_table, render
from tests.support import ROOT

ERRORS_JS = ROOT / "app" / "web" / "static" / "js" / "errors.js"
CONTRACTS = ("NumeraireToken", "TournamentEscrow", "TestUSD")
USD_DECIMALS = 6
ADDRESS = to_checksum_address("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed")
# Arguments by the formatter a template applies to them (several values where a formatter
# has cases), else by ABI type.
BY_FORMATTER = {
    "time": [1_496_318_400],  # 2017-06-01 12:00:00 UTC
    "nmr": [1_234_500_000_000_000_000_000, 1, 0],
    "wad": [5 * 10**17, 1_250 * 10**18],
    "usd": [1_234_565, 435_280_000, 0],
    "pool": [0, 1, 2, 7],
    "pool_amount": [3_603_030_000],
    "role": [b"\0" * 32, keccak(text="ORACLE_ROLE"), keccak(text="MINTER_ROLE"), b"\x01" * 32],
}
BY_TYPE = {"uint256": 7, "uint64": 7, "uint32": 2, "uint8": 7, "address": ADDRESS, "bytes32": b"\x02" * 32, "string": "x" * 40,
           "bytes": b"\x03" * 5}  # fmt: skip

RENDER_JS = """
import { ethers } from "ethers";
globalThis.ethers = ethers;
const { FORMATTERS, decodeRevert, renderRevert } = await import(process.argv[1]);
const input = JSON.parse(await new Promise((done) => {
  let text = ""; process.stdin.on("data", (chunk) => { text += chunk; }); process.stdin.on("end", () => done(text));
}));
const iface = new ethers.Interface(input.abi);
const sentences = input.reverts.map((data) => {
  const revert = decodeRevert(iface, { data });
  return revert && renderRevert(input.table.errors, revert.name, revert.args, { usdDecimals: input.usdDecimals });
});
const bare = renderRevert(input.table.errors, "NoSuchError", { roundId: 7n, staker: input.address });
console.log(JSON.stringify({ sentences, bare, formatters: Object.keys(FORMATTERS) }));
"""


@pytest.fixture(scope="module")
def abis() -> list[list[dict]]:
    """The compiled ABIs the chain client serves (build/contracts)."""
    folder = ROOT / "build" / "contracts"
    if not (folder / "TournamentEscrow.json").is_file():
        pytest.fail("contracts not compiled: run `make compile` (make test does it first)")
    return [json.loads((folder / f"{name}.json").read_text())["abi"] for name in CONTRACTS]


def error_items(abis: list[list[dict]]) -> dict[str, dict]:
    """Each custom error once, by name."""
    return {item["name"]: item for abi in abis for item in abi if item.get("type") == "error"}


def samples(item: dict, template: str) -> list[list]:
    """Argument lists for one error: one per sample value of each formatted argument."""
    formatter_of = dict(placeholders(template))
    inputs = item["inputs"]
    base = [BY_FORMATTER[formatter_of[i["name"]]][0] if formatter_of.get(i["name"]) else BY_TYPE[i["type"]]
            for i in inputs]  # fmt: skip
    rows = [base]
    for position, i in enumerate(inputs):
        for value in BY_FORMATTER.get(formatter_of.get(i["name"]) or "", [])[1:]:
            rows.append([*base[:position], value, *base[position + 1 :]])
    if "pool_amount" in formatter_of.values():  # the amounts' unit follows the pool
        pool = next(p for p, i in enumerate(inputs) if i["name"] == "pool")
        rows += [[*row[:pool], 2, *row[pool + 1 :]] for row in list(rows)]
    return rows


def revert_data(item: dict, values: list) -> str:
    types = [i["type"] for i in item["inputs"]]
    selector = function_signature_to_4byte_selector(f"{item['name']}({','.join(types)})")
    return "0x" + (selector + encode(types, values)).hex()


def js_render(abis: list[list[dict]], reverts: list[str]) -> dict:
    node = shutil.which("node")
    if node is None:
        pytest.skip("needs node (tools/bootstrap.sh installs it)")
    payload = {
        "abi": list(error_items(abis).values()), "reverts": reverts, "table": public_table(abis),
        "usdDecimals": USD_DECIMALS, "address": ADDRESS,
    }  # fmt: skip
    done = subprocess.run(
        [node, "--input-type=module", "-e", RENDER_JS, ERRORS_JS.as_uri()], input=json.dumps(payload),
        capture_output=True, text=True, cwd=ROOT, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_pages_know_every_formatter_the_table_names(abis):
    served = public_table(abis)["error_formatters"]
    assert sorted(js_render(abis, [])["formatters"]) == sorted(served) == sorted(FORMATTERS)


def test_pages_and_python_say_the_same_sentence_for_every_revert(abis):
    decoder = ErrorDecoder(abis, USD_DECIMALS)
    table = public_table(abis)["errors"]
    reverts, expected = [], []
    for name, item in error_items(abis).items():
        if name not in table:
            continue
        for values in samples(item, table[name]["text"]):
            data = revert_data(item, values)
            decoded_name, args = decoder.decode(data)
            reverts.append(data)
            expected.append(render(decoded_name, args, USD_DECIMALS))
    assert len(reverts) > len(table)  # every error, and the formatters' cases

    rendered = js_render(abis, reverts)

    assert [(data, s) for data, s in zip(reverts, rendered["sentences"])] == list(zip(reverts, expected))
    assert rendered["bare"] == render("NoSuchError", {"roundId": 7, "staker": ADDRESS}) == f"NoSuchError(roundId=7, staker={ADDRESS})"


def test_sample_sentences_read_as_the_stake_page_shows_them(abis):
    items = error_items(abis)
    closed = revert_data(items["TournamentEscrowRoundClosed"], [1, 1_496_318_400])
    lowered = revert_data(items["TournamentEscrowConfidenceLowered"], [1, 5 * 10**17, 4 * 10**17])
    balance = revert_data(items["ERC20InsufficientBalance"], [ADDRESS, 1_234_500_000_000_000_000_000, 2 * 10**21])
    assert js_render(abis, [closed, lowered, balance])["sentences"] == [
        "staking for round 1 closed at 2017-06-01 12:00:00 UTC",
        "confidence may only stay or rise: you staked at 0.5, asked 0.4",
        "not enough NMR: balance 1,234.5, needed 2,000",
    ]


def test_errors_js_is_served_as_a_module(client):
    response = client.get("/static/js/errors.js")
    assert response.status_code == 200
    assert response.mimetype in ("text/javascript", "application/javascript")
    assert b"export function renderRevert" in response.data
    assert Path(ERRORS_JS).read_bytes() == response.data
