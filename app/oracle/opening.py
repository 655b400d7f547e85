"""Opening a round: its dataset built and stored, the round created on chain committing
the dataset's SHA-256, its pools paid by the funder. Each transaction is journaled, so
``open`` stopped anywhere (before createRound is mined, with the mint or fundRound in
flight) is finished by :func:`finish_opening`, never repeated."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from flask import current_app

from app import store
from app.chain import get_chain
from app.data import build_round_dataset
from app.oracle.common import (
    DEFAULT_POOLS,
    NMR,
    USD,
    OracleError,
    Reporter,
    round_or_error,
    timestamp,
    total,
    utc,
)
from app.oracle.journal import send_recorded
from app.paths import datasets_dir, secret_dir
from client.core.chain.contracts import Chain
from client.core.chain.signing import load_signer
from client.core.money.build import build_plan
from client.core.money.settlement import pools_on_chain
from client.core.money.stakes import Pools


def open_round(
    number: int | None = None,
    *,
    closes_in: int = 3600,
    resolves_in: int = 7200,
    live_in: int | None = None,
    pools: Pools = DEFAULT_POOLS,
    policy: str = "auction2017",
    dataset_options: dict[str, Any] | None = None,
    sealed: bool = False,
    reveal_in: int | None = None,
    report: Reporter = print,
) -> store.Round:
    """Builds round `number`'s dataset (next number by default), stores it, creates the
    round on chain closing `closes_in` s and resolving `resolves_in` s from the chain's now
    (its live targets known `live_in` s from now, by default at the close), and pays
    `pools` with the funder's key (none needed for empty pools). A round this server
    stored but did not finish opening is finished instead.

    A `sealed` round takes only each file's hash and shape until the close; its files are
    revealed from the close for `reveal_in` s (``SEALED_REVEAL_SECONDS`` by default), cut
    short at the live targets, so it needs `live_in` after `closes_in`."""
    chain = get_chain()
    if number is None:
        number = next_round_number()
    stored = store.get_round(number)
    if stored is not None and stored.status == "opening":
        return finish_opening(number, report=report)
    if stored is not None:
        raise OracleError(f"round {number} is already open on this server")
    live_in = closes_in if live_in is None else live_in
    if resolves_in <= closes_in:
        raise OracleError("the oracle deadline (resolves_in) must come after the close (closes_in)")
    if not closes_in <= live_in < resolves_in:
        raise OracleError("the live targets (live_in) must be known between the close and the oracle deadline")
    reveal_in = int(current_app.config["SEALED_REVEAL_SECONDS"]) if reveal_in is None else reveal_in
    if sealed and (live_in <= closes_in or reveal_in <= 0):
        raise OracleError("a sealed round's files are revealed after the close and before the live targets are "
                          "known: give it a live period (live_in after closes_in) and a positive reveal_in")
    limit = chain.max_resolution_delay()
    if resolves_in - closes_in > limit:
        raise OracleError(f"the oracle deadline may follow the close by at most {limit} s (the escrow's bound); "
                          f"asked {resolves_in - closes_in} s")
    lead = chain.commit_lead()
    if resolves_in - closes_in <= lead:
        raise OracleError(f"the oracle deadline must follow the close by more than the challenge window and the "
                          f"ruling period ({lead} s), so a disputed round can still settle; asked "
                          f"{resolves_in - closes_in} s")
    try:  # an unknown policy is refused before anything is written
        build_plan(policy, [], {}, Pools(0, 0, 0))
    except ValueError as exc:
        raise OracleError(str(exc)) from None
    if total(pools):
        funder_chain()  # a missing funder key is said before anything is written

    dataset = build_round_dataset(
        seed=_round_seed(number), key=current_app.config["DATASET_KEY"], round_number=number,
        **(dataset_options or {}),
    )
    paths = dataset.write(datasets_dir(number))
    dataset.write_live_targets(secret_dir(number))
    report(f"round {number}: dataset written ({len(dataset.public):,} rows)")

    on_chain = chain.round(number)
    if on_chain["exists"] and (on_chain["finalized"] or on_chain["closes_at"] <= chain.now()):
        raise OracleError(
            f"round {number} already exists on chain and is closed; open another number "
            "(or point the server at the database that belongs with this chain)"
        )
    digest = dataset_digest(paths["parquet"])
    if chain.chain_id == 1337:
        # A development chain mines only on demand: its latest block can be minutes old, and a
        # close reckoned from it could already be past when createRound is mined (gas is
        # estimated on that old block, so nothing would say so until the revert).
        chain.mine_empty_block()
    now = chain.now()
    if on_chain["exists"]:
        if on_chain["dataset_digest"] != digest:
            raise OracleError(f"round {number} is on chain with another dataset (digest {on_chain['dataset_digest']}, "
                              f"this one {digest}); open another number")
        report(f"round {number}: already on chain and still open, adopting its schedule")
        closes_at, resolves_by = on_chain["closes_at"], on_chain["resolves_by"]
        live_until = min(max(closes_at, now + live_in), resolves_by - 1)
    else:
        closes_at, resolves_by, live_until = now + closes_in, now + resolves_in, now + live_in
    # Reveals end when the live targets are known, or sooner: a staker who could still
    # reveal then could keep a bad file back and take its stake home unburned.
    reveal_until = min(closes_at + reveal_in, live_until) if sealed else None
    if reveal_until is not None and reveal_until <= closes_at:
        raise OracleError(f"round {number}'s schedule on chain leaves no time between its close and its live "
                          "targets to reveal sealed files; open it unsealed, or open another number")
    # Stored as "opening" with the pools asked for: a rerun finishes what this one starts.
    store.create_round(
        number, closes_at=utc(closes_at), resolves_by=utc(resolves_by), live_until=utc(live_until),
        reveal_until=utc(reveal_until) if reveal_until else None, dataset_paths=paths, policy=policy,
        opened_at=utc(now), status="opening",
        usd_staking_pool=pools.usd_staking, usd_prize_pool=pools.usd_prize, nmr_pool=pools.nmr,
    )
    return finish_opening(number, report=report)


def next_round_number() -> int:
    """The number the next round opened on this server takes."""
    return max((r.number for r in store.list_rounds()), default=0) + 1


def finish_opening(number: int, report: Reporter = print) -> store.Round:
    """createRound, the mint and fundRound of a round stored as "opening", each journaled:
    one left in flight is waited for, one done is skipped; then the round is open."""
    row = round_or_error(number)
    if row.status != "opening":
        return row
    chain = get_chain()
    wanted = Pools(row.usd_staking_pool or 0, row.usd_prize_pool or 0, row.nmr_pool or 0)
    funder = funder_chain() if total(wanted) else None
    funder_address = funder.signer.address if funder is not None else _treasury_address(chain)
    digest = dataset_digest(row.dataset_parquet_path)
    closes_at, resolves_by = timestamp(row.closes_at), timestamp(row.resolves_by)
    tx = send_recorded(chain, number, "create", "createRound", lambda: chain.round(number)["exists"],
                       lambda on_sent: chain.create_round(number, closes_at, resolves_by, funder_address, digest,
                                                          on_sent=on_sent), report)
    if tx is not None:
        report(f"round {number}: created on chain in {tx['tx_hash']} (dataset digest {digest})")
    if funder is not None:
        _pay_pools(number, wanted, funder, report)
    _sync_pools(number)
    return store.set_round_status(number, "open")


def _pay_pools(number: int, pools: Pools, funder: Chain, report: Reporter, position: int = 0) -> None:
    """The funder mints this week's share of the NMR issuance (if it may), then pays the
    pools; both journaled at `position` (0: the opening's funding)."""
    address = funder.signer.address
    minted = store.get_transaction(number, "mint", position)
    if pools.nmr and funder.has_role("token", "MINTER_ROLE", address) and (minted is None or minted.status != "confirmed"):
        amount = min(pools.nmr, funder.mintable())
        if amount or minted is not None:
            tx = send_recorded(funder, number, "mint", "mint", lambda: False,
                               lambda on_sent: funder.mint(address, amount, on_sent=on_sent), report, position)
            if tx is not None and not tx.get("resumed"):
                report(f"round {number}: minted {amount / NMR:,.2f} NMR of this week's issuance")
    funded = store.get_transaction(number, "fund", position)
    if funded is None or funded.status != "confirmed":
        balances = funder.balances(address)
        usd_needed = pools.usd_staking + pools.usd_prize
        in_flight = funded is not None and funded.status in ("sent", "unknown")
        if not in_flight and (balances["usd_units"] < usd_needed or balances["nmr_wei"] < pools.nmr):
            raise OracleError(
                f"the funder {address} holds ${balances['usd_units'] / USD:,.2f} and "
                f"{balances['nmr_wei'] / NMR:,.2f} NMR; round {number}'s pools need ${usd_needed / USD:,.2f} and "
                f"{pools.nmr / NMR:,.2f} NMR"
            )
        # The opening's funding is done once the escrow holds pools; a top-up by its own row.
        done = (lambda: bool(total(pools_on_chain(funder.round(number))))) if position == 0 else (lambda: False)
        tx = send_recorded(funder, number, "fund", f"fundRound({number})", done,
                           lambda on_sent: funder.fund_round(number, pools.usd_staking, pools.usd_prize, pools.nmr,
                                                             on_sent=on_sent), report, position)
        if tx is not None:
            report(f"round {number}: funded by {address} in {tx['tx_hash']}: staking pool "
                   f"${pools.usd_staking / USD:,.2f}, prize pool ${pools.usd_prize / USD:,.2f}, "
                   f"{pools.nmr / NMR:,.2f} NMR")


def fund_round(number: int, pools: Pools, report: Reporter = print, funder: Chain | None = None) -> store.Round:
    """Pays `pools` (more) into round `number` from the funder's own balances. Funding left
    in flight by an earlier run is finished first and nothing more is sent: the operator
    sees the pools the chain holds before deciding to add."""
    row = round_or_error(number)
    funder = funder or funder_chain()
    in_flight = [t for t in store.list_transactions(number)
                 if t.kind in ("mint", "fund") and t.status in ("pending", "sent", "unknown")]
    if row.status == "opening":
        finish_opening(number, report)
        return _report_pools(number, "its opening was finished", report)
    if in_flight:
        position = in_flight[-1].position
        row_pools = Pools(row.usd_staking_pool or 0, row.usd_prize_pool or 0, row.nmr_pool or 0)
        _pay_pools(number, row_pools, funder, report, position)
        return _report_pools(number, "funding left in flight by an earlier run was finished", report)
    position = 1 + max((t.position for t in store.list_transactions(number) if t.kind == "fund"), default=0)
    _pay_pools(number, pools, funder, report, position)
    return _sync_pools(number)


def _report_pools(number: int, what: str, report: Reporter) -> store.Round:
    row = _sync_pools(number)
    report(f"round {number}: {what}; the escrow holds staking pool ${row.usd_staking_pool / USD:,.2f}, prize pool "
           f"${row.usd_prize_pool / USD:,.2f}, {row.nmr_pool / NMR:,.2f} NMR. Nothing more was sent: run fund "
           "again to add to these")
    return row


def dataset_digest(path: str | Path) -> str:
    """The SHA-256 of the published dataset file (Parquet; no live or test targets in it),
    committed on chain at createRound: the data cannot change after stakes."""
    return "0x" + hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _treasury_address(chain: Chain) -> str:
    treasury = chain.deployments.get("treasury")
    if not treasury:
        raise OracleError("the deployments file names no treasury to fund the round; pass pools with the funder's key")
    return treasury


def funder_chain() -> Chain:
    """The chain as the round funder (the treasury or a sponsor): its key from config."""
    config = current_app.config
    signer = load_signer(config.get("TREASURY_PRIVATE_KEY") or None, config.get("TREASURY_KEYSTORE") or None,
                         config.get("TREASURY_KEYSTORE_PASSWORD") or None, owner="funder")
    if signer is None:
        raise OracleError(
            "paying a round's pools needs the funder's key (NMR_TREASURY_PRIVATE_KEY or NMR_TREASURY_KEYSTORE); "
            "the oracle's key cannot move the treasury's tokens. Open with empty pools, or let the funder "
            "call fundRound itself"
        )
    chain = get_chain()
    return Chain(chain.w3, chain.deployments, signer, owner="funder")


def _sync_pools(number: int) -> store.Round:
    """Copies the round's pools and funder from the chain (the escrow's word binds)."""
    view = get_chain().round(number)
    if not view["exists"]:
        return round_or_error(number)
    return store.set_round_funding(number, usd_staking_pool=view["usd_staking_pool"],
                                   usd_prize_pool=view["usd_prize_pool"], nmr_pool=view["nmr_pool"],
                                   funder=None if int(view["funder"], 16) == 0 else view["funder"])


def _round_seed(number: int) -> int:
    digest = hashlib.sha256(f"{current_app.config['DATASET_KEY']}:{number}".encode()).digest()
    return int.from_bytes(digest[:4], "big")
