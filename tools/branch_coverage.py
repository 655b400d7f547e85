"""Pytest plugin behind `make coverage`: branch coverage of our contracts, printed.

    brownie test tests/contracts --coverage --network anvil-coverage -p tools.branch_coverage

Brownie's coverage needs three things it does not get here on its own:
- a node that returns opcode traces: Anvil with steps tracing (network `anvil-coverage`;
  Ganache's traces of these contracts never finish);
- the contract's pc map, which Brownie drops when the code on chain differs from the
  compiled bytecode. Solidity writes immutables (the token's EIP-712 domain and
  deployment time, the escrow's token addresses) into the code at deployment, where the
  compiled bytecode holds zeros; code that differs only inside those zeros is accepted;
- a working summary: the compiled module Brownie 1.22.2 ships for merging coverage
  rejects its own data (`dict object expected; got list`). This plugin merges the
  per-transaction data itself and prints, for each contract under contracts/, its
  branches taken both ways (each `if`/`require` condition seen true and seen false) and
  its statements, then lists every branch direction never taken and every statement never run, with
  its source line.
  OpenZeppelin's inherited code is left out of the figures (it has its own tests).
  Only transactions are traced: a view read by a plain call counts as never run.
"""

from __future__ import annotations

from pathlib import Path

import brownie.network.contract as brownie_contract
import pytest
from brownie import web3
from brownie._config import CONFIG
from brownie.project import get_loaded_projects
from brownie.test import coverage

_exact_check = brownie_contract._verify_deployed_code


def _code_without_metadata(code: bytes) -> bytes:
    """Solidity appends CBOR metadata whose length is the last two bytes."""
    return code[: -(int.from_bytes(code[-2:], "big") + 2)] if len(code) >= 2 else code


def _same_code_but_immutables(address, expected_bytecode, language) -> bool:
    if _exact_check(address, expected_bytecode, language):
        return True
    expected_hex = expected_bytecode.removeprefix("0x")
    if language != "Solidity" or "_" in expected_hex:  # libraries keep Brownie's own rules
        return False
    actual = _code_without_metadata(bytes(web3.eth.get_code(address)))
    expected = _code_without_metadata(bytes.fromhex(expected_hex))
    if len(actual) != len(expected):
        return False
    return all(e == 0 for a, e in zip(actual, expected, strict=True) if a != e)


def pytest_configure(config) -> None:
    brownie_contract._verify_deployed_code = _same_code_but_immutables


def merged_hits() -> dict:
    """{contract: {path id: (statements hit, branches fallen through, branches jumped)}}."""
    merged: dict = {}
    for per_transaction in coverage.get_coverage_eval().values():
        for name, paths in per_transaction.items():
            for path, sets in paths.items():
                into = merged.setdefault(name, {}).setdefault(str(path), (set(), set(), set()))
                for target, hits in zip(into, sets, strict=True):
                    target.update(int(i) for i in hits)
    return merged


def contract_report(build: dict, hits: dict, root: Path) -> dict:
    """Branch and statement figures of one contract's own source file, and its gaps."""
    own = next(i for i, p in build["allSourcePaths"].items() if p == build["sourcePath"])
    source = (root / build["sourcePath"]).read_text()
    statements_hit, fell_through, jumped = hits.get(own, (set(), set(), set()))
    statements = build["coverageMap"]["statements"].get(own, {})
    directions, total, gaps = 0, 0, []
    for fn, offsets in sorted(statements.items()):
        for statement, (start, stop) in offsets.items():
            if int(statement) not in statements_hit:
                line = source.count("\n", 0, start) + 1
                gaps.append(f"{build['sourcePath']}:{line} {fn}: statement `{source[start:stop]}` never run")
    for fn, branches in sorted(build["coverageMap"]["branches"].get(own, {}).items()):
        for branch, (start, stop, jump) in branches.items():
            # Brownie's convention: a JUMPI that jumps means the condition was `jump`.
            seen = {jump: int(branch) in jumped, not jump: int(branch) in fell_through}
            directions += seen[True] + seen[False]
            total += 2
            for outcome in (True, False):
                if not seen[outcome]:
                    line = source.count("\n", 0, start) + 1
                    gaps.append(f"{build['sourcePath']}:{line} {fn}: `{source[start:stop]}` never {outcome}")
    return {
        "branch_directions": (directions, total),
        "statements": (sum(int(i) in statements_hit for fn in statements.values() for i in fn),
                       sum(len(fn) for fn in statements.values())),
        "gaps": gaps,
    }


@pytest.hookimpl(tryfirst=True)
def pytest_terminal_summary(terminalreporter) -> None:
    if not CONFIG.argv.get("coverage"):
        return
    project = get_loaded_projects()[0]
    hits = merged_hits()
    terminalreporter.section("Branch coverage (contracts/, both directions of every condition)")
    for name in sorted(hits):
        build = project._build.get(name)
        if not build.get("sourcePath", "").startswith("contracts/"):
            continue
        report = contract_report(build, hits[name], Path(project._path))
        (taken, branches), (run, statements) = report["branch_directions"], report["statements"]
        terminalreporter.write_line(
            f"{name}: branches {taken}/{branches} directions ({taken / max(branches, 1):.1%}), "
            f"statements {run}/{statements} ({run / max(statements, 1):.1%})"
        )
        for gap in report["gaps"]:
            terminalreporter.write_line(f"    {gap}")
    CONFIG.argv["coverage"] = False  # Brownie's own summary crashes (see above); this replaces it
