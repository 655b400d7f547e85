"""The gas scenarios of the escrow, shared by the gas tests and scripts/gas_report.py.

`deploy()` sets the contracts up the same way on a fresh chain, and every scenario starts
from that state (the tests revert to it between tests, the report between scenarios), so
the tests and the report measure the same addresses, calldata and storage, hence the same
gas. Each scenario sets up one situation and returns the gas of what it measures.
Hundreds of distinct stakers come from a StakerSwarm (a test contract whose members are
clones holding and staking their own tokens), so a 1,000-staker round takes a few dozen
transactions to build instead of thousands.
"""

from dataclasses import dataclass

from brownie import (
    NumeraireToken,
    StakerSwarm,
    TestUSD,
    TournamentEscrow,
    accounts,
    chain,
    web3,
)
from eth_account import Account

from client.core.money.batches import batch_hashes

NMR = 10**18
USD = 10**6
WAD = 10**18
HASH = b"\x5a" * 32
PERMIT_DEADLINE = 4_102_444_800  # 2100-01-01: a fixed deadline keeps the permit's calldata fixed
WINDOW = 7 * 24 * 3600
MAX_RESOLUTION_DELAY = 14 * 24 * 3600
CHALLENGE_WINDOW = 24 * 3600
RULING_PERIOD = 24 * 3600
DISPUTE_BOND = 100 * NMR
DATASET_DIGEST = b"\xda" * 32
RESULTS_DIGEST = b"\x5c" * 32
ROUND_BATCH = 250  # stakers per settle() of the 1,000-staker round (asserted to fit the budget)
BLOCK_GAS_LIMIT = 12_000_000
BATCH_GAS_BUDGET = BLOCK_GAS_LIMIT * 3 // 4  # batches leave a quarter of a block to others
SWARM_STAKE = 10 * NMR  # each member's stake per round: a $10 bid at confidence 1
SWARM_NMR = 3 * SWARM_STAKE + NMR  # three rounds of stakes, and a wallet that keeps some NMR
SWARM_USD = USD  # ... and some USD: rewards and prizes go to wallets that already hold both
PRIZE_WINNERS = 100
STAKERS = (3, 4)  # accounts[3], accounts[4]: wallets with NMR, for the single stakes

# Targets from the contracts issue (#11); an OpenZeppelin ERC20 transfer is the yardstick.
TARGETS = {
    "first stake (round already has stakers)": 75_000,
    "first stake on a second model (model 1)": 75_000,
    "top-up": 56_000,
    "stakeWithPermit": 110_000,
    "settle, per staker (200-staker batch)": 25_000,
    # Issue #23: what rolling adds to a settle entry (the NMR moves into the next round's
    # position instead of the wallet).
    "settle, rolled position over a returned one": 10_000,
    "payPrizes, per winner (100, USD + NMR)": 30_000,
    "1,000-staker round: transactions": 5,
}


@dataclass
class Deployment:
    """The scenarios' contracts and the accounts that run them."""

    admin: object
    oracle: object
    treasury: object
    minter: object
    guardian: object
    nmr: object
    usd: object
    escrow: object
    swarm: object


def deploy():
    """NMR, TestUSD, the escrow and a staker swarm, with the roles apart and the treasury
    and two stakers (accounts 3 and 4) funded. Call it on a fresh chain (a reset one in
    the tests)."""
    admin, oracle, treasury, minter, guardian = accounts[0], accounts[1], accounts[7], accounts[9], accounts[2]
    nmr = NumeraireToken.deploy(admin, 0, {"from": admin})
    nmr.grantRole(nmr.MINTER_ROLE(), minter, {"from": admin})
    usd = TestUSD.deploy(admin, {"from": admin})
    escrow = TournamentEscrow.deploy(
        nmr, usd, admin, 0, MAX_RESOLUTION_DELAY, CHALLENGE_WINDOW, DISPUTE_BOND, RULING_PERIOD, {"from": admin}
    )
    escrow.grantRole(escrow.ORACLE_ROLE(), oracle, {"from": admin})
    escrow.grantRole(escrow.GUARDIAN_ROLE(), guardian, {"from": admin})
    nmr.mint(treasury, 100_000 * NMR, {"from": minter})
    usd.mint(treasury, 1_000_000 * USD, {"from": admin})
    swarm = StakerSwarm.deploy({"from": admin})
    for staker in STAKERS:
        nmr.mint(accounts[staker], 1_000 * NMR, {"from": minter})
    return Deployment(admin, oracle, treasury, minter, guardian, nmr, usd, escrow, swarm)


def stakers():
    """The two wallet stakers of the single-stake scenarios."""
    return [accounts[i] for i in STAKERS]


def permit_staker(d):
    """(local key, account) of the permit scenario: 1 ETH and 100 NMR, no approval."""
    key = Account.from_key(web3.keccak(text="gas-scenario-permit"))
    staker = accounts.add(key.key.hex())
    d.admin.transfer(staker, "1 ether", silent=True)
    fund_wallets(d, [staker], 100 * NMR)
    return key, staker


def fund_wallets(d, wallets, nmr_each):
    """Mints `nmr_each` NMR to each of `wallets`."""
    for wallet in wallets:
        d.nmr.mint(wallet, nmr_each, {"from": d.minter})


def open_round(d, round_id, usd_staking=0, usd_prize=0, nmr_pool=0):
    """The oracle creates a round closing in a week; the treasury funds it (exact approves)."""
    closes_at = chain.time() + WINDOW
    d.escrow.createRound(round_id, closes_at, closes_at + WINDOW, d.treasury, DATASET_DIGEST, {"from": d.oracle})
    if usd_staking + usd_prize:
        d.usd.approve(d.escrow, usd_staking + usd_prize, {"from": d.treasury})
    if nmr_pool:
        d.nmr.approve(d.escrow, nmr_pool, {"from": d.treasury})
    if usd_staking + usd_prize + nmr_pool:
        d.escrow.fundRound(round_id, usd_staking, usd_prize, nmr_pool, {"from": d.treasury})
    return closes_at


def close(d, round_id):
    """Moves time just past the round's closesAt."""
    chain.sleep(d.escrow.getRound(round_id)["closesAt"] - chain.time() + 1)
    chain.mine()


def commit(d, round_id, batches, prizes=(), wait=True):
    """The oracle commits the round's plan; unless wait=False, time passes its challenge
    window. Returns the commitResults transaction."""
    tx = d.escrow.commitResults(round_id, RESULTS_DIGEST, batch_hashes(batches, prizes), {"from": d.oracle})
    if wait:
        chain.sleep(CHALLENGE_WINDOW + 1)
        chain.mine()
    return tx


def approve_and_stake(d, staker, round_id, amount, confidence=WAD, model=0):
    """Exact-amount approve, then stake on the staker's model `model`; returns the stake
    transaction."""
    d.nmr.approve(d.escrow, amount, {"from": staker})
    return d.escrow.stake(round_id, model, amount, confidence, HASH, {"from": staker})


def first_stake_gas(d, stakers, round_id=101):
    """Gas of a staker's first stake into a round that already has a staker."""
    open_round(d, round_id)
    approve_and_stake(d, stakers[0], round_id, 10 * NMR)
    return approve_and_stake(d, stakers[1], round_id, 10 * NMR).gas_used


def second_model_stake_gas(d, stakers, round_id=112):
    """Gas of a wallet's first stake on its model 1 into a round where it (and another
    wallet) already stake on model 0: a new position, as costly as a first stake."""
    open_round(d, round_id)
    approve_and_stake(d, stakers[1], round_id, 10 * NMR)
    approve_and_stake(d, stakers[0], round_id, 10 * NMR)
    return approve_and_stake(d, stakers[0], round_id, 10 * NMR, model=1).gas_used


def top_up_gas(d, staker, round_id=102):
    """Gas of a second stake by the same staker, same confidence, exact approve."""
    open_round(d, round_id)
    approve_and_stake(d, staker, round_id, 10 * NMR)
    return approve_and_stake(d, staker, round_id, 5 * NMR).gas_used


def permit_stake_gas(d, key, staker, round_id=103):
    """Gas of a first stake made with an EIP-2612 permit (no approve transaction), into a
    round that already has a staker."""
    from client.core.chain.signing import sign_permit  # the one permit signer

    open_round(d, round_id)
    approve_and_stake(d, d.treasury, round_id, NMR)
    amount = 10 * NMR
    v, r, s = sign_permit(key, d.nmr.address, chain.id, d.escrow.address, amount, d.nmr.nonces(staker), PERMIT_DEADLINE)
    tx = d.escrow.stakeWithPermit(round_id, 0, amount, WAD, HASH, PERMIT_DEADLINE, v, r, s, {"from": staker})
    return tx.gas_used


def grow_swarm(d, count, chunk=50):
    """Adds swarm members until there are `count`, each with SWARM_NMR and SWARM_USD."""
    missing = count - d.swarm.memberCount()
    if missing <= 0:
        return
    d.nmr.mint(d.swarm, missing * SWARM_NMR, {"from": d.minter})
    d.usd.mint(d.swarm, missing * SWARM_USD, {"from": d.admin})
    while d.swarm.memberCount() < count:
        size = min(chunk, count - d.swarm.memberCount())
        d.swarm.spawn(size, d.nmr, SWARM_NMR, d.usd, SWARM_USD, {"from": d.admin})


def swarm_members(d, count):
    """The first `count` members, in creation order."""
    return list(d.swarm.members(0, count))


def swarm_stake(d, round_id, count, chunk=60):
    """Members 0..count-1 each stake SWARM_STAKE at confidence 1."""
    for start in range(0, count, chunk):
        end = min(start + chunk, count)
        d.swarm.stake(d.escrow, d.nmr, round_id, SWARM_STAKE, WAD, HASH, start, end, {"from": d.admin})


def auction_settlements(members):
    """The 2017 auction's two outcomes, alternating: even members released with a $5 reward
    (half their $10 bid), odd members burned whole."""
    return [
        (str(m), 0, 0, 5 * USD, 0, False) if i % 2 == 0 else (str(m), 0, SWARM_STAKE, 0, 0, False)
        for i, m in enumerate(members)
    ]


def settle_batch_gas(d, count=200, round_id=104):
    """(gas per staker, gas) of one settle() over `count` swarm stakers: half released with
    a USD reward, half burned."""
    grow_swarm(d, count)
    open_round(d, round_id, usd_staking=count * 5 * USD)
    swarm_stake(d, round_id, count)
    close(d, round_id)
    batch = auction_settlements(swarm_members(d, count))
    commit(d, round_id, [batch])
    tx = d.escrow.settle(round_id, batch, {"from": d.oracle})
    return tx.gas_used / count, tx.gas_used


def roll_batch_gas(d, count=200, rolling=True, round_id=113):
    """(gas per staker, gas) of one settle() over `count` swarm stakers, each released with
    a $5 reward, while round `round_id + 1` is open: their NMR rolls into it (`rolling`) or,
    off rolling, goes back to their wallets (which hold NMR and USD already)."""
    grow_swarm(d, count)
    open_round(d, round_id, usd_staking=count * 5 * USD)
    swarm_stake(d, round_id, count)
    if rolling:
        for start in range(0, count, 60):
            d.swarm.setRolling(d.escrow, round_id, True, start, min(start + 60, count), {"from": d.admin})
    close(d, round_id)
    batch = [(str(m), 0, 0, 5 * USD, 0, False) for m in swarm_members(d, count)]
    commit(d, round_id, [batch])
    open_round(d, round_id + 1)
    tx = d.escrow.settle(round_id, batch, {"from": d.oracle})
    return tx.gas_used / count, tx.gas_used


def prize_list(winners, usd_each=10 * USD, nmr_each=10 * NMR):
    """Prizes of both tokens, by winner address ascending."""
    return [(str(w), usd_each, nmr_each) for w in sorted(winners, key=lambda a: int(str(a), 16))]


def pay_prizes_gas(d, count=PRIZE_WINNERS, round_id=105):
    """(gas per winner, gas) of payPrizes to `count` swarm members (who hold both tokens)."""
    grow_swarm(d, count)
    open_round(d, round_id, usd_prize=count * 10 * USD, nmr_pool=count * 10 * NMR)
    close(d, round_id)
    prizes = prize_list(swarm_members(d, count))
    commit(d, round_id, [], prizes)
    tx = d.escrow.payPrizes(round_id, prizes, {"from": d.oracle})
    return tx.gas_used / count, tx.gas_used


def commit_gas(d, hashes, round_id=108):
    """Gas of commitResults with `hashes` batch hashes (the prize list's included)."""
    open_round(d, round_id)
    close(d, round_id)
    return commit(d, round_id, [[]] * (hashes - 1), wait=False).gas_used


def dispute_gas(d, round_id=109):
    """Gas of a dispute (exact approve of the bond first) by a wallet holding NMR."""
    open_round(d, round_id, nmr_pool=1_000 * NMR)
    close(d, round_id)
    commit(d, round_id, [], wait=False)
    disputer = stakers()[0]
    d.nmr.approve(d.escrow, DISPUTE_BOND, {"from": disputer})
    return d.escrow.dispute(round_id, {"from": disputer}).gas_used


def rule_gas(d, upheld, round_id=110):
    """Gas of the guardian's ruling on a disputed round with all three pools: upheld
    (void, reward, pools back) or rejected (the bond burned)."""
    open_round(d, round_id, usd_staking=1_000 * USD, usd_prize=1_000 * USD, nmr_pool=1_000 * NMR)
    close(d, round_id)
    commit(d, round_id, [], wait=False)
    disputer = stakers()[0]
    d.nmr.approve(d.escrow, DISPUTE_BOND, {"from": disputer})
    d.escrow.dispute(round_id, {"from": disputer})
    return d.escrow.rule(round_id, upheld, {"from": d.guardian}).gas_used


def round_settlement_gas(d, count=1_000, round_id=106):
    """Gas of every transaction that resolves a `count`-staker round: the commitment, the
    settle batches of ROUND_BATCH stakers and the 100 prizes; a list of (label, stakers,
    winners or hashes, gas)."""
    grow_swarm(d, count)
    open_round(d, round_id, usd_staking=count * 5 * USD, usd_prize=PRIZE_WINNERS * 10 * USD,
               nmr_pool=PRIZE_WINNERS * 10 * NMR)
    swarm_stake(d, round_id, count)
    close(d, round_id)
    members = swarm_members(d, count)
    entries = auction_settlements(members)
    batches = [entries[i:i + ROUND_BATCH] for i in range(0, count, ROUND_BATCH)]
    prizes = prize_list(members[:PRIZE_WINNERS])
    sent = [("commit", len(batches) + 1, commit(d, round_id, batches, prizes).gas_used)]
    for batch in batches:
        sent.append(("settle", len(batch), d.escrow.settle(round_id, batch, {"from": d.oracle}).gas_used))
    sent.append(("payPrizes", PRIZE_WINNERS, d.escrow.payPrizes(round_id, prizes, {"from": d.oracle}).gas_used))
    return sent


def transfer_gas(d, sender, receiver):
    """Reference: an OpenZeppelin ERC20 transfer between two wallets that hold NMR."""
    return d.nmr.transfer(receiver, NMR, {"from": sender}).gas_used
