"""Shared fixtures of the contract suite: named accounts, deployed contracts, factories."""

import brownie
import pytest
from brownie import NumeraireToken, TournamentEscrow, accounts, chain, web3
from eth_account import Account

from app.chain import sign_permit as permit_signature

NMR = 10**18
WAD = 10**18
ADMIN_TRANSFER_DELAY = 3 * 24 * 3600
STAKE_WINDOW = 7 * 24 * 3600
SETTLE_WINDOW = 14 * 24 * 3600
STAKER_FUNDS = 10_000 * NMR
TREASURY_FUNDS = 500_000 * NMR


@pytest.fixture(autouse=True)
def isolate(fn_isolation):
    """Every test starts from the module's deployed state."""


@pytest.fixture(scope="module")
def admin():
    return accounts[0]


@pytest.fixture(scope="module")
def oracle():
    return accounts[1]


@pytest.fixture(scope="module")
def pauser():
    return accounts[2]


@pytest.fixture(scope="module")
def treasury(admin):
    return admin


@pytest.fixture(scope="module")
def alice():
    return accounts[3]


@pytest.fixture(scope="module")
def bob():
    return accounts[4]


@pytest.fixture(scope="module")
def carol():
    return accounts[5]


@pytest.fixture(scope="module")
def rando():
    return accounts[6]


@pytest.fixture(scope="module")
def stakers(alice, bob, carol):
    return [alice, bob, carol]


@pytest.fixture(scope="module")
def nmr(admin, alice, bob, carol):
    token = NumeraireToken.deploy(admin, {"from": admin})
    token.mint(admin, TREASURY_FUNDS, {"from": admin})
    for staker in (alice, bob, carol):
        token.mint(staker, STAKER_FUNDS, {"from": admin})
    return token


@pytest.fixture(scope="module")
def escrow(nmr, admin, oracle, pauser, treasury):
    contract = TournamentEscrow.deploy(nmr, admin, treasury, ADMIN_TRANSFER_DELAY, {"from": admin})
    contract.grantRole(contract.ORACLE_ROLE(), oracle, {"from": admin})
    contract.grantRole(contract.PAUSER_ROLE(), pauser, {"from": admin})
    nmr.approve(contract, 2**256 - 1, {"from": treasury})
    return contract


@pytest.fixture(scope="module")
def open_round(escrow, oracle):
    """Factory: creates round `round_id` closing `closes_in` seconds from now."""

    def _open(round_id=1, budget=1_000 * NMR, closes_in=STAKE_WINDOW, settle_window=SETTLE_WINDOW):
        closes_at = chain.time() + closes_in
        escrow.createRound(round_id, closes_at, closes_at + settle_window, budget, {"from": oracle})
        return round_id

    return _open


@pytest.fixture(scope="module")
def stake(escrow, nmr):
    """Factory: approves exactly `amount` and stakes it."""

    def _stake(staker, amount, confidence=WAD, round_id=1, submission=b"\x11" * 32):
        nmr.approve(escrow, amount, {"from": staker})
        return escrow.stake(round_id, amount, confidence, submission, {"from": staker})

    return _stake


@pytest.fixture(scope="module")
def close_round(escrow):
    """Moves time past the round's closesAt (and optionally past resolvesBy)."""

    def _close(round_id=1, past_deadline=False):
        info = escrow.getRound(round_id)
        target = info["resolvesBy"] if past_deadline else info["closesAt"]
        chain.sleep(max(0, target - chain.time()) + 1)
        chain.mine()

    return _close


@pytest.fixture(scope="module")
def staker_keys():
    """Local keys (not Ganache's unlocked accounts), for signing EIP-2612 permits."""
    keys = [Account.from_key(web3.keccak(text=f"staker-{i}")) for i in range(4)]
    return keys


@pytest.fixture(scope="module")
def sign_permit(nmr, escrow):
    """Factory: an EIP-2612 permit signed by a local key, as (deadline, v, r, s)."""

    def _sign(key, value, deadline=None, spender=None, nonce=None):
        deadline = deadline if deadline is not None else chain.time() + 3600
        nonce = nmr.nonces(key.address) if nonce is None else nonce
        v, r, s = permit_signature(key, nmr.address, chain.id, str(spender or escrow.address), value, nonce, deadline)
        return deadline, v, r, s

    return _sign


@pytest.fixture(scope="module")
def permit_staker(nmr, admin, staker_keys):
    """Factory: a local-key account funded with ETH and NMR, added to Brownie's accounts."""

    def _fund(index=0, amount=STAKER_FUNDS):
        key = staker_keys[index]
        account = accounts.add(key.key.hex())
        admin.transfer(account, "1 ether")
        nmr.mint(account, amount, {"from": admin})
        return key, account

    return _fund


__all__ = ["brownie"]
