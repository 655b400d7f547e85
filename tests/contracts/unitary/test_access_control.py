"""Who may call what: every state-changing function of NumeraireToken and TournamentEscrow
against every role, as one table.

The module sets up one state in which the caller is the only thing that varies: round 1
open and funded, round 2 open and unfunded (its named funder the admin), round 3 closed,
committed and past its challenge window, round 4 past its deadline, round 5 closed and not
committed, round 6 committed inside its challenge window, round 7 disputed within its
ruling period, round 8 disputed past its ruling period (the dispute may lapse); every actor
holds NMR and USD and has staked in round 3 (model 0) and round 4 (models 0 and 1). Each
row calls one function from each role: permissionless functions must succeed for everyone,
guarded ones only for their role, reverting with the exact error for everyone else. Staking
and withdrawing go through a wallet's second model (1): models are nobody's privilege.
"""

from collections import namedtuple

import brownie
import pytest
from brownie import chain

from client.core.money.batches import batch_hashes
from tests.contracts.helpers import (
    CHALLENGE_WINDOW,
    DATASET_DIGEST,
    DAY,
    HASH,
    NMR,
    RESULTS_DIGEST,
    RULING_PERIOD,
    USD,
    WAD,
    chain_now,
    plain,
    role_error,
)

ROLES = ["admin", "oracle", "pauser", "minter", "guardian", "rando"]
ANYONE = frozenset(ROLES)
ADMIN_ROLE = bytes(32)

Row = namedtuple("Row", "contract function action allowed error")


@pytest.fixture(scope="module")
def actors(admin, oracle, pauser, minter, guardian, rando):
    return {"admin": admin, "oracle": oracle, "pauser": pauser, "minter": minter, "guardian": guardian, "rando": rando}


# Round 3's committed plan: the stranger's stake and prize.
def _round_3_plan(rando):
    return [[(rando.address, 0, 0, USD, NMR, False)]], [(rando.address, USD, NMR)]


@pytest.fixture(scope="module", autouse=True)
def rounds(escrow, nmr, usd, oracle, minter, admin, treasury, rando, actors, fund_round):
    for account in actors.values():
        if nmr.balanceOf(account) < 1_000 * NMR:
            nmr.mint(account, 1_000 * NMR, {"from": minter})
        usd.mint(account, 1_000 * USD, {"from": admin})
    now = chain_now()
    # Round 4 resolves as soon as a round may (the window and a ruling after its close).
    escrow.createRound(4, now + 100, now + 101 + CHALLENGE_WINDOW + RULING_PERIOD, treasury, DATASET_DIGEST,
                       {"from": oracle})
    for round_id in (3, 5, 6, 7, 8):
        escrow.createRound(round_id, now + 100, now + 100 + 14 * DAY, treasury, DATASET_DIGEST, {"from": oracle})
    escrow.createRound(1, now + 30 * DAY, now + 33 * DAY, treasury, DATASET_DIGEST, {"from": oracle})
    escrow.createRound(2, now + 30 * DAY, now + 33 * DAY, admin, DATASET_DIGEST, {"from": oracle})
    fund_round(1)
    fund_round(3)
    for account in actors.values():
        nmr.approve(escrow, 3 * NMR, {"from": account})
        for round_id, model in ((3, 0), (4, 0), (4, 1)):
            escrow.stake(round_id, model, NMR, WAD, HASH, {"from": account})
    chain.sleep(300)
    escrow.commitResults(3, RESULTS_DIGEST, batch_hashes(*_round_3_plan(rando)), {"from": oracle})
    escrow.commitResults(8, RESULTS_DIGEST, batch_hashes([], []), {"from": oracle})
    nmr.approve(escrow, 2 * escrow.disputeBond(), {"from": rando})
    escrow.dispute(8, {"from": rando})
    chain.sleep(CHALLENGE_WINDOW + 1)
    escrow.commitResults(7, RESULTS_DIGEST, batch_hashes([], []), {"from": oracle})
    escrow.dispute(7, {"from": rando})
    chain.sleep(RULING_PERIOD)  # round 8's ruling period is over, round 7's is not
    escrow.commitResults(6, RESULTS_DIGEST, batch_hashes([], []), {"from": oracle})
    chain.mine()


class Ctx:
    """What a row's action needs: the contracts and the accounts by role."""

    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)


def _guarded(role_name):
    """The error OpenZeppelin's onlyRole gives `caller` for the role named `role_name`."""
    return lambda ctx, caller: role_error(caller, getattr(ctx, role_name))


# ---- TournamentEscrow ------------------------------------------------------------------


def create_round(ctx, caller):
    now = chain_now()
    ctx.escrow.createRound(9, now + 100, now + 100 + 3 * DAY, ctx.admin, DATASET_DIGEST, {"from": caller})


def fund_round(ctx, caller):
    ctx.usd.approve(ctx.escrow, 10 * USD, {"from": caller})
    ctx.escrow.fundRound(2, 10 * USD, 0, 0, {"from": caller})


def _not_round_2s_funder(ctx, caller):
    return f"TournamentEscrowNotFunder: 2, {ctx.admin.address.lower()}"


def settle(ctx, caller):
    ctx.escrow.settle(3, _round_3_plan(ctx.rando)[0][0], {"from": caller})


def pay_prizes(ctx, caller):
    ctx.escrow.payPrizes(3, _round_3_plan(ctx.rando)[1], {"from": caller})


def commit_results(ctx, caller):
    ctx.escrow.commitResults(5, RESULTS_DIGEST, batch_hashes([], []), {"from": caller})


def dispute(ctx, caller):
    ctx.nmr.approve(ctx.escrow, ctx.escrow.disputeBond(), {"from": caller})
    ctx.escrow.dispute(6, {"from": caller})


def rule(ctx, caller):
    ctx.escrow.rule(7, True, {"from": caller})


def lapse_dispute(ctx, caller):
    ctx.escrow.lapseDispute(8, {"from": caller})


def recover_unaccounted(ctx, caller):
    ctx.nmr.transfer(ctx.escrow, NMR, {"from": ctx.rando})  # sent straight, on no account
    ctx.escrow.recoverUnaccounted(ctx.nmr, ctx.admin, {"from": caller})


def finalize(ctx, caller):
    ctx.escrow.finalize(4, {"from": caller})


def pause(ctx, caller):
    ctx.escrow.pause({"from": caller})


def unpause(ctx, caller):
    ctx.escrow.pause({"from": ctx.pauser})
    ctx.escrow.unpause({"from": caller})


def stake(ctx, caller):
    ctx.nmr.approve(ctx.escrow, NMR, {"from": caller})
    ctx.escrow.stake(1, 1, NMR, WAD, HASH, {"from": caller})


def stake_with_permit(ctx, caller):
    # Only the caller varies between the rows' calls: each stakes its own approved NMR, and
    # the unusable permit is skipped by design (a valid one is tested beside the function).
    ctx.nmr.approve(ctx.escrow, NMR, {"from": caller})
    ctx.escrow.stakeWithPermit(1, 1, NMR, WAD, HASH, 0, 27, bytes(32), bytes(32), {"from": caller})


def withdraw_stake(ctx, caller):
    ctx.escrow.withdrawStake(4, 1, {"from": caller})


def set_rolling(ctx, caller):
    ctx.escrow.setRolling(4, 0, True, {"from": caller})


def escrow_grant_role(ctx, caller):
    ctx.escrow.grantRole(ctx.escrow.ORACLE_ROLE(), ctx.rando, {"from": caller})


def escrow_revoke_role(ctx, caller):
    ctx.escrow.revokeRole(ctx.escrow.ORACLE_ROLE(), ctx.oracle, {"from": caller})


def escrow_renounce_oracle_role(ctx, caller):
    ctx.escrow.renounceRole(ctx.escrow.ORACLE_ROLE(), ctx.oracle, {"from": caller})


def _admin_rules(name):
    """The five two-step admin functions of `name` ("escrow" or "nmr")."""

    def begin(ctx, caller):
        getattr(ctx, name).beginDefaultAdminTransfer(ctx.rando, {"from": caller})

    def cancel(ctx, caller):
        getattr(ctx, name).beginDefaultAdminTransfer(ctx.rando, {"from": ctx.admin})
        getattr(ctx, name).cancelDefaultAdminTransfer({"from": caller})

    def accept(ctx, caller):
        # The admin nominated the stranger: only the nominee may accept.
        getattr(ctx, name).beginDefaultAdminTransfer(ctx.rando, {"from": ctx.admin})
        chain.sleep(4 * DAY)
        getattr(ctx, name).acceptDefaultAdminTransfer({"from": caller})

    def change_delay(ctx, caller):
        getattr(ctx, name).changeDefaultAdminDelay(DAY, {"from": caller})

    def rollback_delay(ctx, caller):
        getattr(ctx, name).changeDefaultAdminDelay(DAY, {"from": ctx.admin})
        getattr(ctx, name).rollbackDefaultAdminDelay({"from": caller})

    admin_only = _guarded("admin_role")
    return [
        Row(name, "beginDefaultAdminTransfer", begin, {"admin"}, admin_only),
        Row(name, "cancelDefaultAdminTransfer", cancel, {"admin"}, admin_only),
        Row(
            name,
            "acceptDefaultAdminTransfer",
            accept,
            {"rando"},
            lambda ctx, caller: f"AccessControlInvalidDefaultAdmin: {caller.address.lower()}",
        ),
        Row(name, "changeDefaultAdminDelay", change_delay, {"admin"}, admin_only),
        Row(name, "rollbackDefaultAdminDelay", rollback_delay, {"admin"}, admin_only),
    ]


# ---- NumeraireToken --------------------------------------------------------------------


def mint(ctx, caller):
    ctx.nmr.mint(ctx.rando, NMR, {"from": caller})


def burn(ctx, caller):
    ctx.nmr.burn(NMR, {"from": caller})


def burn_from(ctx, caller):
    ctx.nmr.approve(caller, NMR, {"from": ctx.rando})
    ctx.nmr.burnFrom(ctx.rando, NMR, {"from": caller})


def transfer(ctx, caller):
    ctx.nmr.transfer(ctx.rando, NMR, {"from": caller})


def transfer_from(ctx, caller):
    ctx.nmr.approve(caller, NMR, {"from": ctx.rando})
    ctx.nmr.transferFrom(ctx.rando, ctx.oracle, NMR, {"from": caller})


def approve(ctx, caller):
    ctx.nmr.approve(ctx.rando, NMR, {"from": caller})


def permit(ctx, caller):
    # Anyone may relay a holder's signature.
    key, owner = ctx.permit_holder
    deadline, v, r, s = ctx.sign_permit(key, NMR, spender=ctx.rando)
    ctx.nmr.permit(owner, ctx.rando, NMR, deadline, v, r, s, {"from": caller})


def token_grant_role(ctx, caller):
    ctx.nmr.grantRole(ctx.nmr.MINTER_ROLE(), ctx.rando, {"from": caller})


def token_revoke_role(ctx, caller):
    ctx.nmr.revokeRole(ctx.nmr.MINTER_ROLE(), ctx.minter, {"from": caller})


def token_renounce_minter_role(ctx, caller):
    ctx.nmr.renounceRole(ctx.nmr.MINTER_ROLE(), ctx.minter, {"from": caller})


def _bad_confirmation(ctx, caller):
    return "AccessControlBadConfirmation: "


TABLE = [
    Row("escrow", "createRound", create_round, {"oracle"}, _guarded("oracle_role")),
    Row("escrow", "fundRound", fund_round, {"admin"}, _not_round_2s_funder),
    Row("escrow", "commitResults", commit_results, {"oracle"}, _guarded("oracle_role")),
    Row("escrow", "dispute", dispute, ANYONE, None),
    Row("escrow", "rule", rule, {"guardian"}, _guarded("guardian_role")),
    Row("escrow", "settle", settle, {"oracle"}, _guarded("oracle_role")),
    Row("escrow", "payPrizes", pay_prizes, {"oracle"}, _guarded("oracle_role")),
    Row("escrow", "lapseDispute", lapse_dispute, ANYONE, None),
    Row("escrow", "recoverUnaccounted", recover_unaccounted, {"admin"}, _guarded("admin_role")),
    Row("escrow", "finalize", finalize, ANYONE, None),
    Row("escrow", "pause", pause, {"pauser"}, _guarded("pauser_role")),
    Row("escrow", "unpause", unpause, {"pauser"}, _guarded("pauser_role")),
    Row("escrow", "stake", stake, ANYONE, None),
    Row("escrow", "stakeWithPermit", stake_with_permit, ANYONE, None),
    Row("escrow", "withdrawStake", withdraw_stake, ANYONE, None),
    Row("escrow", "setRolling", set_rolling, ANYONE, None),
    Row("escrow", "grantRole", escrow_grant_role, {"admin"}, _guarded("admin_role")),
    Row("escrow", "revokeRole", escrow_revoke_role, {"admin"}, _guarded("admin_role")),
    Row("escrow", "renounceRole", escrow_renounce_oracle_role, {"oracle"}, _bad_confirmation),
    *_admin_rules("escrow"),
    Row("nmr", "mint", mint, {"minter"}, _guarded("minter_role")),
    Row("nmr", "burn", burn, ANYONE, None),
    Row("nmr", "burnFrom", burn_from, ANYONE, None),
    Row("nmr", "transfer", transfer, ANYONE, None),
    Row("nmr", "transferFrom", transfer_from, ANYONE, None),
    Row("nmr", "approve", approve, ANYONE, None),
    Row("nmr", "permit", permit, ANYONE, None),
    Row("nmr", "grantRole", token_grant_role, {"admin"}, _guarded("admin_role")),
    Row("nmr", "revokeRole", token_revoke_role, {"admin"}, _guarded("admin_role")),
    Row("nmr", "renounceRole", token_renounce_minter_role, {"minter"}, _bad_confirmation),
    *_admin_rules("nmr"),
]


# claimCredit needs a stablecoin that refuses a payee (only the payee, or the funder after
# resolvesBy, may claim): test_usd_credits.py tries it from every other caller.
TESTED_APART = {"escrow": {"claimCredit"}}


@pytest.fixture(scope="module")
def ctx(escrow, nmr, usd, actors, permit_staker, sign_permit):
    return Ctx(
        escrow=escrow,
        nmr=nmr,
        usd=usd,
        permit_holder=permit_staker(0),
        sign_permit=sign_permit,
        oracle_role=escrow.ORACLE_ROLE(),
        pauser_role=escrow.PAUSER_ROLE(),
        guardian_role=escrow.GUARDIAN_ROLE(),
        minter_role=nmr.MINTER_ROLE(),
        admin_role=ADMIN_ROLE,
        **actors,
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("row", TABLE, ids=lambda row: f"{row.contract}.{row.function}")
def test_access(row, role, ctx, actors):
    caller = actors[role]
    if role in row.allowed:
        row.action(ctx, caller)
        return
    with brownie.reverts(row.error(ctx, caller)):
        row.action(ctx, caller)


@pytest.mark.parametrize("name", ["escrow", "nmr"])
def test_table_covers_every_state_changing_function(name, escrow, nmr):
    contract = {"escrow": escrow, "nmr": nmr}[name]
    writes = {
        item["name"]
        for item in contract.abi
        if item["type"] == "function" and item["stateMutability"] not in ("view", "pure")
    }
    assert writes == {row.function for row in TABLE if row.contract == name} | TESTED_APART.get(name, set())


def test_withdraw_moves_only_the_callers_own_position(escrow, nmr, actors):
    """withdrawStake names a model of the caller's wallet, never another's: the stranger's
    withdrawal of model 1 returns its own stake and leaves everyone else's (and its own
    model 0) staked."""
    rando = actors["rando"]
    before = nmr.balanceOf(rando)
    tx = escrow.withdrawStake(4, 1, {"from": rando})
    assert nmr.balanceOf(rando) == before + NMR
    assert [plain(e.values()) for e in tx.events["StakeWithdrawn"]] == [[4, rando, 1, NMR]]
    assert escrow.getStake(4, rando, 0)["status"] == 1
    assert all(escrow.getStake(4, a, m)["status"] == 1 for r, a in actors.items() if r != "rando" for m in (0, 1))
