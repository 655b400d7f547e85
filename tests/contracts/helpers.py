"""Constants and small helpers shared by the contract tests (fixtures are in conftest.py)."""

from brownie import chain

NMR = 10**18
USD = 10**6
WAD = 10**18
DAY = 24 * 3600
WEEK = 7 * DAY
ADMIN_TRANSFER_DELAY = 3 * DAY
MAX_RESOLUTION_DELAY = 14 * DAY
STAKE_WINDOW = WEEK
SETTLE_WINDOW = WEEK
HASH = b"\x11" * 32

STAKER_NMR = 10_000 * NMR
STAKER_USD = 100 * USD
TREASURY_NMR = 500_000 * NMR
TREASURY_USD = 10_000_000 * USD
SPONSOR_NMR = 50_000 * NMR
SPONSOR_USD = 1_000_000 * USD
RANDO_NMR = 10_000 * NMR
RANDO_USD = 10_000 * USD

# Pools of the default round: the whitepaper's $3,000 auction, a $1,000 prize pool and
# 1,000 NMR of issuance.
USD_STAKING_POOL = 3_000 * USD
USD_PRIZE_POOL = 1_000 * USD
NMR_POOL = 1_000 * NMR

STAKING_POOL, PRIZE_POOL, NMR_POOL_INDEX = 0, 1, 2
NONE, ACTIVE, SETTLED, WITHDRAWN = range(4)
MAX_CONFIDENCE = 2**64 - 1
MAX_PRIZE_WINNERS = 100


def plain(values):
    """Event or view values as ints and strings: Brownie's ReturnValue refuses to compare
    with lists of plain ints, and addresses compare as checksummed strings."""
    return [int(v) if isinstance(v, int) else str(v) for v in values]


def sleep_until(timestamp):
    """Moves the chain clock to `timestamp` (never backwards) and mines a block there."""
    chain.sleep(max(0, timestamp - chain.time()))
    chain.mine()


def bid(amount, confidence):
    """The USD units a stake may win: amount / confidence dollars, rounded down."""
    return amount * USD // confidence


def role_error(account, role):
    """OpenZeppelin's AccessControlUnauthorizedAccount as Brownie decodes it (the bytes32
    role printed as a Python bytes literal)."""
    return f"AccessControlUnauthorizedAccount: {str(account).lower()}, {bytes(role)!r}"
