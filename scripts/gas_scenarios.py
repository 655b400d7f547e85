"""The gas scenarios of the escrow, shared by the gas tests and scripts/gas_report.py.

Each function sets up one situation on whatever chain Brownie is connected to and returns
the gas of the measured transaction, so the report prints exactly what the tests assert.
"""

from brownie import accounts, chain, web3

from app.chain import sign_permit

NMR = 10**18
WAD = 10**18
HASH = b"\x5a" * 32
PERMIT_DEADLINE = 4_102_444_800  # 2100-01-01

# Targets from the contracts issue; an OpenZeppelin ERC20 transfer is the yardstick.
TARGETS = {
    "first stake (round already has stakers)": 75_000,
    "top-up": 55_000,
    "stakeWithPermit": 115_000,
    "settle, per staker (200-staker batch)": 25_000,
}


def funded_local_accounts(nmr, minter, count, nmr_each, offset=0):
    """`count` fresh local-key accounts with 0.1 ETH and `nmr_each` NMR each."""
    created = []
    for i in range(count):
        account = accounts.add(web3.keccak(text=f"gas-scenario-{offset + i}").hex())
        minter.transfer(account, "0.1 ether", silent=True)
        nmr.mint(account, nmr_each, {"from": minter, "silent": True})
        created.append(account)
    return created


def open_round(escrow, oracle, round_id, budget=1_000 * NMR, window=7 * 24 * 3600):
    """Creates a round closing `window` seconds from now."""
    closes_at = chain.time() + window
    escrow.createRound(round_id, closes_at, closes_at + 2 * window, budget, {"from": oracle})
    return closes_at


def approve_and_stake(escrow, nmr, staker, round_id, amount, confidence=WAD):
    """Exact-amount approve, then stake; returns the stake transaction."""
    nmr.approve(escrow, amount, {"from": staker, "silent": True})
    return escrow.stake(round_id, amount, confidence, HASH, {"from": staker, "silent": True})


def first_stake_gas(escrow, nmr, oracle, stakers, round_id=101):
    """Gas of a staker's first stake into a round that already has a staker."""
    open_round(escrow, oracle, round_id)
    approve_and_stake(escrow, nmr, stakers[0], round_id, 10 * NMR)
    return approve_and_stake(escrow, nmr, stakers[1], round_id, 10 * NMR).gas_used


def top_up_gas(escrow, nmr, oracle, staker, round_id=102):
    """Gas of a second stake by the same staker, same confidence, exact approve."""
    open_round(escrow, oracle, round_id)
    approve_and_stake(escrow, nmr, staker, round_id, 10 * NMR)
    return approve_and_stake(escrow, nmr, staker, round_id, 5 * NMR).gas_used


def permit_stake_gas(escrow, nmr, oracle, key, staker, round_id=103):
    """Gas of a first stake made with an EIP-2612 permit (no approve transaction)."""
    open_round(escrow, oracle, round_id)
    # A fixed deadline keeps the signature, and so its calldata gas, the same every run.
    amount, deadline = 10 * NMR, PERMIT_DEADLINE
    v, r, s = sign_permit(key, nmr.address, chain.id, escrow.address, amount, nmr.nonces(staker), deadline)
    tx = escrow.stakeWithPermit(round_id, amount, WAD, HASH, deadline, v, r, s, {"from": staker, "silent": True})
    return tx.gas_used


def settle_batch_gas(escrow, nmr, oracle, stakers, round_id=104, stake=10 * NMR):
    """Gas per staker of one settle() over all `stakers`: even indexes released with a
    reward, odd ones burned whole. Stakers keep NMR in their wallets (as real ones do)."""
    closes_at = open_round(escrow, oracle, round_id, budget=len(stakers) * stake)
    for staker in stakers:
        approve_and_stake(escrow, nmr, staker, round_id, stake)
    chain.sleep(closes_at - chain.time() + 1)
    chain.mine()
    burns = [0 if i % 2 == 0 else stake for i in range(len(stakers))]
    rewards = [stake // 2 if i % 2 == 0 else 0 for i in range(len(stakers))]
    tx = escrow.settle(round_id, stakers, burns, rewards, {"from": oracle, "silent": True})
    return tx.gas_used / len(stakers), tx.gas_used


def transfer_gas(nmr, sender, receiver):
    """Reference: an OpenZeppelin ERC20 transfer between two funded wallets."""
    return nmr.transfer(receiver, NMR, {"from": sender, "silent": True}).gas_used
