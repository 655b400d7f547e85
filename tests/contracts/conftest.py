"""Shared fixtures of the contract suite: named accounts, both tokens, the escrow, factories.

Accounts by role (Ganache's ten unlocked accounts):
  admin     DEFAULT_ADMIN_ROLE of the token and the escrow; TestUSD's owner
  oracle    ORACLE_ROLE on the escrow (creates and settles rounds, never funds them)
  pauser    PAUSER_ROLE on the escrow
  minter    MINTER_ROLE on the token (the admin gives its own minter role up)
  treasury  funds rounds from its own NMR and USD
  sponsor   another funder
  alice, bob, carol   stakers
  rando     a stranger with tokens and no role
  guardian  GUARDIAN_ROLE on the escrow (rules on disputes): a local key beside Ganache's ten
"""

import pytest
from brownie import NumeraireToken, TestUSD, TournamentEscrow, accounts, chain, web3
from eth_account import Account

from tests.contracts import anvil_receipts
from tests.contracts.helpers import (
    ADMIN_TRANSFER_DELAY,
    CHALLENGE_WINDOW,
    DATASET_DIGEST,
    DISPUTE_BOND,
    HASH,
    MAX_RESOLUTION_DELAY,
    NMR_POOL,
    RANDO_NMR,
    RANDO_USD,
    RESULTS_DIGEST,
    RULING_PERIOD,
    SETTLE_WINDOW,
    SPONSOR_NMR,
    SPONSOR_USD,
    STAKE_WINDOW,
    STAKER_NMR,
    STAKER_USD,
    TREASURY_NMR,
    TREASURY_USD,
    USD_PRIZE_POOL,
    USD_STAKING_POOL,
    WAD,
    chain_now,
)

anvil_receipts.install()  # Brownie reads Anvil's nonce before its receipt: see the module


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
def treasury():
    return accounts[7]


@pytest.fixture(scope="module")
def sponsor():
    return accounts[8]


@pytest.fixture(scope="module")
def minter():
    return accounts[9]


@pytest.fixture(scope="module")
def guardian(admin):
    account = accounts.add(web3.keccak(text="guardian").hex())
    admin.transfer(account, "1 ether")
    return account


@pytest.fixture(scope="module")
def stakers(alice, bob, carol):
    return [alice, bob, carol]


@pytest.fixture(scope="module")
def nmr(admin, minter, treasury, sponsor, alice, bob, carol, rando):
    token = NumeraireToken.deploy(admin, ADMIN_TRANSFER_DELAY, {"from": admin})
    token.grantRole(token.MINTER_ROLE(), minter, {"from": admin})
    # Duties apart: the admin hands out roles, the minter mints.
    token.renounceRole(token.MINTER_ROLE(), admin, {"from": admin})
    for holder, amount in [
        (treasury, TREASURY_NMR),
        (sponsor, SPONSOR_NMR),
        (alice, STAKER_NMR),
        (bob, STAKER_NMR),
        (carol, STAKER_NMR),
        (rando, RANDO_NMR),
    ]:
        token.mint(holder, amount, {"from": minter})
    return token


@pytest.fixture(scope="module")
def usd(admin, treasury, sponsor, alice, bob, carol, rando):
    token = TestUSD.deploy(admin, {"from": admin})
    for holder, amount in [
        (treasury, TREASURY_USD),
        (sponsor, SPONSOR_USD),
        (alice, STAKER_USD),
        (bob, STAKER_USD),
        (carol, STAKER_USD),
        (rando, RANDO_USD),
    ]:
        token.mint(holder, amount, {"from": admin})
    return token


@pytest.fixture(scope="module")
def escrow(nmr, usd, admin, oracle, pauser, guardian):
    contract = TournamentEscrow.deploy(
        nmr, usd, admin, ADMIN_TRANSFER_DELAY, MAX_RESOLUTION_DELAY, CHALLENGE_WINDOW, DISPUTE_BOND, RULING_PERIOD,
        {"from": admin},
    )
    contract.grantRole(contract.ORACLE_ROLE(), oracle, {"from": admin})
    contract.grantRole(contract.PAUSER_ROLE(), pauser, {"from": admin})
    contract.grantRole(contract.GUARDIAN_ROLE(), guardian, {"from": admin})
    return contract


@pytest.fixture(scope="module")
def create_round(escrow, oracle, treasury):
    """Factory: the oracle creates round `round_id` closing `closes_in` seconds from now and
    resolving `window` seconds after that, funded by `funder` (the treasury by default);
    returns (closesAt, resolvesBy)."""

    def _create(round_id=1, closes_in=STAKE_WINDOW, window=SETTLE_WINDOW, funder=None, digest=DATASET_DIGEST):
        closes_at = chain_now() + closes_in
        escrow.createRound(round_id, closes_at, closes_at + window, funder or treasury, digest, {"from": oracle})
        return closes_at, closes_at + window

    return _create


@pytest.fixture(scope="module")
def commit(escrow, oracle):
    """Factory: the oracle commits round `round_id`'s plan (the settle batches in order, then
    the prize list) and, unless wait=False, time passes the challenge window. Returns the
    commitResults transaction."""

    def _commit(round_id=1, batches=(), prizes=(), wait=True):
        from client.core.money.batches import batch_hashes

        tx = escrow.commitResults(round_id, RESULTS_DIGEST, batch_hashes(batches, prizes), {"from": oracle})
        if wait:
            chain.sleep(CHALLENGE_WINDOW + 1)
            chain.mine()
        return tx

    return _commit


@pytest.fixture(scope="module")
def fund_round(escrow, nmr, usd, treasury):
    """Factory: `funder` approves exactly what it pays in and funds the round's pools."""

    def _fund(round_id=1, usd_staking=USD_STAKING_POOL, usd_prize=USD_PRIZE_POOL, nmr_pool=NMR_POOL, funder=None):
        funder = funder or treasury
        if usd_staking + usd_prize:
            usd.approve(escrow, usd_staking + usd_prize, {"from": funder})
        if nmr_pool:
            nmr.approve(escrow, nmr_pool, {"from": funder})
        return escrow.fundRound(round_id, usd_staking, usd_prize, nmr_pool, {"from": funder})

    return _fund


@pytest.fixture(scope="module")
def open_round(create_round, fund_round):
    """Factory: creates round `round_id` and funds it from the funder's (by default the
    treasury's) own balance with an exact approve. Zero pools: created only."""

    def _open(
        round_id=1,
        usd_staking=USD_STAKING_POOL,
        usd_prize=USD_PRIZE_POOL,
        nmr_pool=NMR_POOL,
        closes_in=STAKE_WINDOW,
        window=SETTLE_WINDOW,
        funder=None,
    ):
        create_round(round_id, closes_in, window, funder)
        if usd_staking + usd_prize + nmr_pool:
            fund_round(round_id, usd_staking, usd_prize, nmr_pool, funder)
        return round_id

    return _open


@pytest.fixture(scope="module")
def stake(escrow, nmr):
    """Factory: approves exactly `amount` and stakes it on the staker's model `model` (0,
    a wallet's first model, unless a test is about several)."""

    def _stake(staker, amount, confidence=WAD, round_id=1, submission=HASH, model=0):
        nmr.approve(escrow, amount, {"from": staker})
        return escrow.stake(round_id, model, amount, confidence, submission, {"from": staker})

    return _stake


@pytest.fixture(scope="module")
def close_round(escrow):
    """Moves time past the round's closesAt (or, with past_deadline, to its resolvesBy)."""

    def _close(round_id=1, past_deadline=False):
        info = escrow.getRound(round_id)
        target = info["resolvesBy"] if past_deadline else info["closesAt"]
        chain.sleep(max(0, target - chain_now()) + 1)
        chain.mine()

    return _close


@pytest.fixture(scope="module")
def settle_entry():
    """(staker, model, burn, usdReward, nmrReward, release) as the escrow's StakeSettlement
    tuple; the model and release are keywords (0 and False unless given) so the amounts keep
    their positions."""

    def _entry(staker, burn=0, usd_reward=0, nmr_reward=0, model=0, release=False):
        return (str(staker), model, burn, usd_reward, nmr_reward, release)

    return _entry


@pytest.fixture(scope="module")
def prize_list():
    """Prizes as the escrow wants them: (winner, usd, nmr) by winner address ascending."""

    def _prizes(entries):
        return sorted(((str(w), u, n) for w, u, n in entries), key=lambda p: int(p[0], 16))

    return _prizes


@pytest.fixture(scope="module")
def staker_keys():
    """Local keys (not Ganache's unlocked accounts), for signing EIP-2612 permits."""
    return [Account.from_key(web3.keccak(text=f"staker-{i}")) for i in range(4)]


@pytest.fixture(scope="module")
def sign_permit(nmr, escrow):
    """Factory: an NMR EIP-2612 permit signed by a local key, as (deadline, v, r, s)."""

    def _sign(key, value, deadline=None, spender=None, nonce=None):
        # Imported here: the app's chain module is the one permit signer, and importing it
        # lazily keeps an unrelated app import error from hiding the whole contract suite.
        from client.core.chain.signing import sign_permit as permit_signature

        deadline = deadline if deadline is not None else chain_now() + 3600
        nonce = nmr.nonces(key.address) if nonce is None else nonce
        v, r, s = permit_signature(key, nmr.address, chain.id, str(spender or escrow.address), value, nonce, deadline)
        return deadline, v, r, s

    return _sign


@pytest.fixture(scope="module")
def local_account(nmr, usd, admin, minter):
    """Factory: the local-key account named `label` (its key is keccak(label)), added to
    Brownie's accounts with 1 ETH, `nmr_amount` NMR and `usd_amount` USD."""

    def _make(label, nmr_amount=STAKER_NMR, usd_amount=0):
        account = accounts.add(web3.keccak(text=label).hex())
        admin.transfer(account, "1 ether")
        if nmr_amount:
            nmr.mint(account, nmr_amount, {"from": minter})
        if usd_amount:
            usd.mint(account, usd_amount, {"from": admin})
        return account

    return _make


@pytest.fixture(scope="module")
def permit_staker(local_account, staker_keys):
    """Factory: (local key, funded account) of permit staker `index`."""

    def _fund(index=0, amount=STAKER_NMR):
        return staker_keys[index], local_account(f"staker-{index}", amount)

    return _fund
