"""Constants and small helpers shared by the contract tests (fixtures are in conftest.py)."""

from brownie import chain

# The contract tests' units are the money core's (imported from here by the test modules).
from client.core.money.units import NMR, WAD  # noqa: F401
from client.core.money.units import USD_UNIT as USD

DAY = 24 * 3600
WEEK = 7 * DAY
ADMIN_TRANSFER_DELAY = 3 * DAY
MAX_RESOLUTION_DELAY = 14 * DAY
STAKE_WINDOW = WEEK
SETTLE_WINDOW = WEEK
HASH = b"\x11" * 32
# The escrow's challenge window and dispute bond in these tests; digests of a round's
# published dataset and of its published targets and scores.
CHALLENGE_WINDOW = DAY
RULING_PERIOD = DAY  # the guardian's time to rule after the window
DISPUTE_BOND = 100 * 10**18
DATASET_DIGEST = b"\xda" * 32
RESULTS_DIGEST = b"\x5c" * 32

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


def bid(amount, confidence):
    """The USD units a stake may win: amount / confidence dollars, rounded down."""
    return amount * USD // confidence


def role_error(account, role):
    """OpenZeppelin's AccessControlUnauthorizedAccount as Brownie decodes it (the bytes32
    role printed as a Python bytes literal)."""
    return f"AccessControlUnauthorizedAccount: {str(account).lower()}, {bytes(role)!r}"


def b32(value):
    """A bytes32 argument as Brownie prints it in a decoded revert: a Python bytes literal."""
    return repr(bytes.fromhex(hex0x(value)[2:]))


def hex0x(value):
    """`value` (bytes, HexBytes or hex str) as a 0x-prefixed lowercase hex string: HexBytes'
    .hex() drops the prefix in some versions and keeps it in others."""
    text = value.hex() if isinstance(value, bytes | bytearray) else str(value)
    return "0x" + text.removeprefix("0x").lower()


def event_topic(signature):
    """topic0 of an event, e.g. event_topic("Transfer(address,address,uint256)")."""
    from brownie import web3

    return hex0x(web3.keccak(text=signature))


def address_topic(address):
    """An indexed address as a 32-byte log topic."""
    return "0x" + str(address)[2:].lower().rjust(64, "0")


def examples(count):
    """Hypothesis settings of one property: `count` examples. data_too_large is off because
    Hypothesis 6.27's small-example phase caps a run at ten times its zero-extension, which
    a 70-to-96-bit integer drawn last overruns: a false alarm that failed runs at random."""
    from hypothesis import HealthCheck, settings

    return settings(max_examples=count, suppress_health_check=[HealthCheck.data_too_large])


def chain_now() -> int:
    """The chain's clock, read from the node: the timestamp of a block mined now. Brownie's
    ``chain.time()`` alone is the wall clock plus the offset it last saw, and after a
    snapshot revert Anvil's clock goes back to the snapshot's time while Brownie's does
    not (Ganache's agrees, so there both read the same)."""
    chain.mine()
    return chain[-1].timestamp
