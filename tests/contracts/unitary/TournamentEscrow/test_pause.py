"""pause and unpause: only the pauser; stops new stakes and funding, never the settlement,
the prizes, finalize or the escape hatch (those are tested beside each function)."""

import brownie

from tests.contracts.helpers import plain, role_error


def test_pause_and_unpause_emit(escrow, pauser):
    tx = escrow.pause({"from": pauser})
    assert escrow.paused()
    assert plain(tx.events["Paused"].values()) == [pauser]
    tx = escrow.unpause({"from": pauser})
    assert not escrow.paused()
    assert plain(tx.events["Unpaused"].values()) == [pauser]


def test_pause_twice_reverts(escrow, pauser):
    escrow.pause({"from": pauser})
    with brownie.reverts("EnforcedPause: "):
        escrow.pause({"from": pauser})


def test_unpause_when_running_reverts(escrow, pauser):
    with brownie.reverts("ExpectedPause: "):
        escrow.unpause({"from": pauser})


def test_only_the_pauser_pauses_and_unpauses(escrow, admin, oracle, pauser):
    for caller in (admin, oracle):
        with brownie.reverts(role_error(caller, escrow.PAUSER_ROLE())):
            escrow.pause({"from": caller})
    escrow.pause({"from": pauser})
    for caller in (admin, oracle):
        with brownie.reverts(role_error(caller, escrow.PAUSER_ROLE())):
            escrow.unpause({"from": caller})
