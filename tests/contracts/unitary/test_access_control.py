"""Who may call what: every state-changing function against every role.

Each row sets up a state in which the role check is the only thing that can fail, then
calls as admin, oracle, pauser, staker and stranger. Permissionless functions must work
for everyone; guarded ones only for their role, reverting with OpenZeppelin's
AccessControlUnauthorizedAccount(caller, role) for everyone else.
"""

import brownie
import pytest
from brownie import chain

NMR = 10**18
WAD = 10**18
ROLES = ["admin", "oracle", "pauser", "staker", "stranger"]


@pytest.fixture
def actors(admin, oracle, pauser, alice, rando, nmr, escrow):
    people = {"admin": admin, "oracle": oracle, "pauser": pauser, "staker": alice, "stranger": rando}
    for account in (oracle, pauser, rando):
        nmr.mint(account, 1_000 * NMR, {"from": admin})
    for account in people.values():
        nmr.approve(escrow, 1_000 * NMR, {"from": account})
    return people


def _round(escrow, oracle, stakers, round_id=1):
    closes_at = chain.time() + 1_000
    escrow.createRound(round_id, closes_at, closes_at + 1_000, 100 * NMR, {"from": oracle})
    for account in stakers:
        escrow.stake(round_id, NMR, WAD, b"\x01" * 32, {"from": account})
    return closes_at


def _past(timestamp):
    chain.sleep(max(0, timestamp - chain.time()) + 1)
    chain.mine()


def create_round(ctx, caller):
    ctx.escrow.createRound(9, chain.time() + 100, chain.time() + 200, NMR, {"from": caller})


def settle(ctx, caller):
    closes_at = _round(ctx.escrow, ctx.oracle, [ctx.alice])
    _past(closes_at)
    ctx.escrow.settle(1, [ctx.alice], [0], [NMR], {"from": caller})


def finalize(ctx, caller):
    closes_at = _round(ctx.escrow, ctx.oracle, [])
    _past(closes_at)
    ctx.escrow.finalize(1, {"from": caller})


def set_treasury(ctx, caller):
    ctx.escrow.setTreasury(ctx.rando, {"from": caller})


def pause(ctx, caller):
    ctx.escrow.pause({"from": caller})


def unpause(ctx, caller):
    ctx.escrow.pause({"from": ctx.pauser})
    ctx.escrow.unpause({"from": caller})


def stake(ctx, caller):
    _round(ctx.escrow, ctx.oracle, [])
    ctx.escrow.stake(1, NMR, WAD, b"\x02" * 32, {"from": caller})


def stake_with_permit(ctx, caller):
    # The permit is signed by a local key; only the caller differs between rows, so the
    # caller stakes its own approved NMR and the (unusable) permit is skipped by design.
    _round(ctx.escrow, ctx.oracle, [])
    ctx.escrow.stakeWithPermit(1, NMR, WAD, b"\x03" * 32, 0, 27, b"\x00" * 32, b"\x00" * 32, {"from": caller})


def withdraw_stake(ctx, caller):
    closes_at = _round(ctx.escrow, ctx.oracle, [caller])
    _past(closes_at + 1_000)
    ctx.escrow.withdrawStake(1, {"from": caller})


def grant_oracle_role(ctx, caller):
    ctx.escrow.grantRole(ctx.escrow.ORACLE_ROLE(), ctx.rando, {"from": caller})


def revoke_oracle_role(ctx, caller):
    ctx.escrow.revokeRole(ctx.escrow.ORACLE_ROLE(), ctx.oracle, {"from": caller})


def begin_admin_transfer(ctx, caller):
    ctx.escrow.beginDefaultAdminTransfer(ctx.rando, {"from": caller})


def mint(ctx, caller):
    ctx.nmr.mint(ctx.rando, NMR, {"from": caller})


def grant_minter_role(ctx, caller):
    ctx.nmr.grantRole(ctx.nmr.MINTER_ROLE(), ctx.rando, {"from": caller})


# function -> the one role allowed, or None when anyone may call it.
TABLE = {
    create_round: "oracle",
    settle: "oracle",
    finalize: None,
    set_treasury: "admin",
    pause: "pauser",
    unpause: "pauser",
    stake: None,
    stake_with_permit: None,
    withdraw_stake: None,
    grant_oracle_role: "admin",
    revoke_oracle_role: "admin",
    begin_admin_transfer: "admin",
    mint: "admin",
    grant_minter_role: "admin",
}


class Context:
    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(TABLE), ids=lambda f: f.__name__)
def test_access(action, role, actors, escrow, nmr, admin, oracle, pauser, alice, rando):
    ctx = Context(escrow=escrow, nmr=nmr, admin=admin, oracle=oracle, pauser=pauser, alice=alice, rando=rando)
    caller = actors[role]
    allowed = TABLE[action]
    if allowed is None or allowed == role:
        action(ctx, caller)
        return
    pattern = rf"AccessControlUnauthorizedAccount: {caller.address.lower()}, .*"
    with brownie.reverts(revert_pattern=pattern):
        action(ctx, caller)


def test_table_covers_every_state_changing_escrow_function(escrow):
    abi_writes = {
        item["name"]
        for item in escrow.abi
        if item["type"] == "function" and item["stateMutability"] not in ("view", "pure")
    }
    covered = {
        "createRound", "settle", "finalize", "setTreasury", "pause", "unpause", "stake",
        "stakeWithPermit", "withdrawStake", "grantRole", "revokeRole", "beginDefaultAdminTransfer",
    }
    # OpenZeppelin's own admin-rules functions, tested in test_admin.py.
    inherited = {
        "renounceRole", "acceptDefaultAdminTransfer", "cancelDefaultAdminTransfer",
        "changeDefaultAdminDelay", "rollbackDefaultAdminDelay",
    }
    assert abi_writes == covered | inherited
