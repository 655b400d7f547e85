"""One table of revert messages: how each custom error of the contracts reads to a person.

Every custom error the token, the escrow and the local stablecoin can raise (their own and
the OpenZeppelin ones they inherit) has a template here. Python renders it
(:func:`render`, used when a revert is decoded) and ``GET /api/v1/chain`` serves the same
table (:func:`public_table`) so the pages' JS renders the same sentence::

    {"errors": {"TournamentEscrowRoundClosed": {"args": ["roundId", "closesAt"],
                                                "text": "staking for round {roundId} closed at {closesAt:time}"},
                ...},
     "error_formatters": ["time", "nmr", "wad", "usd", "pool", "pool_amount", "role"]}

``args`` are the error's argument names in ABI order; a template uses some or all of them.

A placeholder is ``{name}`` or ``{name:formatter}``; ``name`` is an argument of the error.
Without a formatter the value is written as the ABI decodes it: an integer in decimal, an
address as 0x + 40 hex digits (checksummed), bytes as 0x + hex. The formatters:

- ``time``: Unix seconds as the UTC date and time, ``2017-06-01 12:00:00 UTC``;
- ``nmr``: wei as NMR (value / 10^18), exact, trailing zeros and point dropped, thousands
  separated by commas: ``1,234.5``, ``0``, ``0.000000000000000001``;
- ``wad``: a WAD fraction such as a confidence (value / 10^18), exact, trailing zeros and
  point dropped, no separators: ``0.5``, ``1250``;
- ``usd``: stablecoin base units as dollars (value / 10^decimals, the decimals being the
  stablecoin's, ``usd.decimals`` beside the table), to the cent rounded half up, thousands
  separated: ``$1,234.57``;
- ``pool``: a pool index as its name: 0 ``USD staking pool``, 1 ``USD prize pool``,
  2 ``NMR pool``;
- ``pool_amount``: an amount in the unit of the error's ``pool`` argument (the only
  formatter that reads another argument): ``usd`` for pools 0 and 1, ``nmr`` followed by
  `` NMR`` for pool 2;
- ``role``: a role id (bytes32) as its name: ``DEFAULT_ADMIN_ROLE`` for zero, else the
  one of ``ORACLE_ROLE``, ``PAUSER_ROLE``, ``MINTER_ROLE`` whose keccak256 it is, else
  its 0x hex.

An error with no template, or whose arguments could not be decoded, reads as
``Name(arg=value, ...)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from eth_utils import keccak

WAD = 10**18
POOL_NAMES = ("USD staking pool", "USD prize pool", "NMR pool")
ROLE_NAMES = ("ORACLE_ROLE", "PAUSER_ROLE", "MINTER_ROLE")
PLACEHOLDER = re.compile(r"\{(\w+)(?::(\w+))?\}")

TEMPLATES: dict[str, str] = {
    # ---- the escrow ----------------------------------------------------------------------
    "TournamentEscrowRoundClosed": "staking for round {roundId} closed at {closesAt:time}",
    "TournamentEscrowRoundOpen": "round {roundId} is still open until {closesAt:time}",
    "TournamentEscrowUnknownRound": "round {roundId} does not exist on chain",
    "TournamentEscrowRoundExists": "round {roundId} already exists on chain",
    "TournamentEscrowConfidenceLowered":
        "confidence may only stay or rise: you staked at {current:wad}, asked {requested:wad}",
    "TournamentEscrowInvalidConfidence": (
        "confidence {confidence:wad} is out of range (more than 0, at most 18.446744073709551615)"
    ),
    "TournamentEscrowAmountTooLarge":
        "the amount {amount} (in the token's smallest units) is more than the escrow can hold",
    "TournamentEscrowSettlementWindowOver":
        "the oracle's deadline for round {roundId} passed at {resolvesBy:time}; stakers withdraw alone",
    "TournamentEscrowDeadlineNotReached": "the escape hatch of round {roundId} opens at {resolvesBy:time}",
    "TournamentEscrowAlreadySettled":
        "the stake of {staker}'s model {model} in round {roundId} is already settled or withdrawn",
    "TournamentEscrowNoStake": "{staker} has no stake on its model {model} in round {roundId}",
    "TournamentEscrowPoolExceeded": (
        "{amount:pool_amount} exceeds what is left of round {roundId}'s {pool:pool} ({remaining:pool_amount})"
    ),
    "TournamentEscrowRewardExceedsBid":
        "{staker}'s USD reward {usdReward:usd} exceeds the stake's bid ({bid:usd})",
    "TournamentEscrowRewardExceedsStake":
        "{staker}'s NMR reward {nmrReward:nmr} exceeds the stake ({stake:nmr} NMR)",
    "TournamentEscrowBurnExceedsStake": "burn of {burn:nmr} NMR exceeds {staker}'s stake of {stake:nmr} NMR",
    "TournamentEscrowPrizesAlreadyPaid": "round {roundId}'s prizes were already paid",
    "TournamentEscrowPrizesNotPaid": "round {roundId}'s prizes are not paid yet",
    "TournamentEscrowUnsettledStakes": "round {roundId} has {unsettled} unsettled stakes",
    "TournamentEscrowAlreadyFinalized": "round {roundId} is already finalized",
    "TournamentEscrowNotFunder": "round {roundId} is funded by {funder}; only it may add",
    "TournamentEscrowInvalidSchedule": (
        "invalid schedule: closes at {closesAt:time}, resolves by {resolvesBy:time} (the oracle deadline must "
        "follow the close within the escrow's maximum resolution delay)"
    ),
    "TournamentEscrowWinnersNotAscending":
        "prize winner {winner} at position {index} is out of order (winners must be strictly ascending)",
    "TournamentEscrowTooManyWinners": "{count} prize winners; at most {maximum}",
    "TournamentEscrowZeroSubmissionHash": "the submission hash is zero; stake on a file you uploaded",
    "TournamentEscrowZeroAmount": "the amount must be more than zero",
    "TournamentEscrowZeroAddress": "an address (a token or a round's funder) is the zero address; give a real one",
    "TournamentEscrowZeroRoundId": "round numbers start at 1",
    "TournamentEscrowZeroDigest": "the digest is zero; commit the SHA-256 of the published file",
    "TournamentEscrowInvalidWinner": "prize winner {winner} at position {index} is the escrow itself; pay a wallet",
    "TournamentEscrowInvalidChallengeWindow": (
        "a challenge window of {challengeWindow} s must be more than 0 and shorter than the maximum "
        "resolution delay ({maxResolutionDelay} s)"
    ),
    "TournamentEscrowAlreadyCommitted": "round {roundId}'s results are already committed",
    "TournamentEscrowBatchCount": "{count} batch hashes; commit 1 to {maximum} (the settle batches, then the prizes)",
    "TournamentEscrowCommitTooLate": (
        "too late to commit round {roundId}: its challenge window and the guardian's ruling period would end at "
        "{rulingEndsAt:time}, not before the oracle's deadline {resolvesBy:time}"
    ),
    "TournamentEscrowRulingPeriodOver":
        "the guardian's ruling period on round {roundId}'s dispute ended at {rulingEndsAt:time}; it lapses instead",
    "TournamentEscrowRulingPeriodOpen":
        "the guardian may rule on round {roundId}'s dispute until {rulingEndsAt:time}; it lapses only after that",
    "TournamentEscrowInvalidRulingPeriod": (
        "a ruling period of {rulingPeriod} s must be more than 0, and with the {challengeWindow} s challenge window "
        "shorter than the maximum resolution delay ({maxResolutionDelay} s)"
    ),
    "TournamentEscrowResolutionTooShort": (
        "the oracle's deadline follows the close by {resolutionWindow} s; it must be more than {needed} s (the "
        "challenge window and the ruling period), so a disputed round can still settle"
    ),
    "TournamentEscrowShortTransfer": (
        "token {token} delivered {received} of {expected} units (a fee-on-transfer or rebasing token); the escrow "
        "takes only tokens that arrive whole"
    ),
    "TournamentEscrowNothingToRecover":
        "the escrow holds no {token} beyond its stakes, pools, bonds and credits: nothing to recover",
    "TournamentEscrowNoCredit": "{recipient} has no USD credit in round {roundId}",
    "TournamentEscrowNotCreditClaimer": (
        "{caller} may not claim {recipient}'s credit in round {roundId}: only the recipient may, or the round's "
        "funder after its deadline"
    ),
    "TournamentEscrowNotCommitted": "round {roundId}'s results are not committed yet",
    "TournamentEscrowChallengeWindowOpen":
        "round {roundId}'s challenge window runs until {challengeEndsAt:time}; settlement starts after it",
    "TournamentEscrowChallengeWindowOver": "round {roundId}'s challenge window closed at {challengeEndsAt:time}",
    "TournamentEscrowRoundDisputed":
        "round {roundId} is disputed by {disputer}; settlement waits for the guardian's ruling",
    "TournamentEscrowAlreadyDisputed": "round {roundId} is already disputed by {disputer}",
    "TournamentEscrowNoDispute": "round {roundId} has no open dispute",
    "TournamentEscrowBatchesExhausted": "every committed settle batch of round {roundId} is posted",
    "TournamentEscrowBatchMismatch": (
        "batch {index} of round {roundId} is not the committed one (committed {committed}, posted {posted}); "
        "only the published plan can be settled"
    ),
    "TournamentEscrowRoleConflict": "{account} cannot hold both the oracle's and the guardian's role ({role:role})",
    # ---- the token ----------------------------------------------------------------------
    "NumeraireTokenMintExceedsSchedule":
        "minting {requested:nmr} NMR exceeds this week's schedule ({mintable:nmr} NMR left)",
    "ERC20InsufficientBalance": "not enough NMR: balance {balance:nmr}, needed {needed:nmr}",
    "ERC20InsufficientAllowance":
        "the escrow may spend only {allowance:nmr} NMR of yours; approve {needed:nmr} first",
    "ERC20InvalidApprover": "the approver {approver} is the zero address",
    "ERC20InvalidReceiver": "tokens cannot go to {receiver} (the zero address)",
    "ERC20InvalidSender": "tokens cannot come from {sender} (the zero address)",
    "ERC20InvalidSpender": "the spender {spender} is the zero address",
    "ERC2612ExpiredSignature": "the permit expired at {deadline:time}; sign a new one",
    "ERC2612InvalidSigner": "the permit was signed by {signer}, not by the owner {owner}",
    "InvalidAccountNonce": "the signature uses an old nonce of {account} (now {currentNonce}); sign again",
    "ECDSAInvalidSignature": "the signature is invalid",
    "ECDSAInvalidSignatureLength": "the signature is {length} bytes long; it must be 65",
    "ECDSAInvalidSignatureS": "the signature's s value {s} is out of range",
    "InvalidShortString": "the text is not a valid short string",
    "StringTooLong": "the text {str} is too long",
    "SafeCastOverflowedUintDowncast": "{value} does not fit in {bits} bits",
    "SafeERC20FailedOperation": "the token {token} refused the transfer",
    # ---- roles, ownership and pausing -----------------------------------------------------
    "EnforcedPause": "staking and funding are paused by the operator",
    "ExpectedPause": "this works only while the escrow is paused",
    "AccessControlUnauthorizedAccount": "{account} lacks the role this needs ({neededRole:role})",
    "AccessControlBadConfirmation": "renouncing a role must name the caller's own address",
    "AccessControlEnforcedDefaultAdminRules":
        "the admin role changes only by the two-step transfer (begin, then accept after the delay)",
    "AccessControlEnforcedDefaultAdminDelay": "the admin change is not due yet: it is scheduled for {schedule:time}",
    "AccessControlInvalidDefaultAdmin": "{defaultAdmin} cannot become the admin (not the pending admin, or zero)",
    "OwnableUnauthorizedAccount": "{account} is not the owner of this contract",
    "OwnableInvalidOwner": "{owner} cannot own the contract (the zero address)",
}


def _exact(value: int, separators: bool) -> str:
    whole, fraction = divmod(abs(int(value)), WAD)
    text = f"{whole:,}" if separators else str(whole)
    if fraction:
        text += "." + f"{fraction:018d}".rstrip("0")
    return ("-" if int(value) < 0 else "") + text


def _time(value: int, **_: Any) -> str:
    return datetime.fromtimestamp(int(value), tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _usd(value: int, usd_decimals: int = 6, **_: Any) -> str:
    dollars = (Decimal(int(value)) / 10**usd_decimals).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"-${-dollars:,}" if dollars < 0 else f"${dollars:,}"


def _pool_amount(value: int, args: dict[str, Any], usd_decimals: int = 6, **_: Any) -> str:
    return f"{_exact(value, True)} NMR" if int(args.get("pool", 0)) == 2 else _usd(value, usd_decimals)


def _role(value: Any, **_: Any) -> str:
    data = bytes.fromhex(str(value).removeprefix("0x")) if not isinstance(value, bytes) else value
    if not any(data):
        return "DEFAULT_ADMIN_ROLE"
    return next((name for name in ROLE_NAMES if keccak(text=name) == data), "0x" + data.hex())


# name -> f(value, args=..., usd_decimals=...) -> text
FORMATTERS: dict[str, Callable[..., str]] = {
    "time": _time,
    "nmr": lambda value, **_: _exact(value, True),
    "wad": lambda value, **_: _exact(value, False),
    "usd": _usd,
    "pool": lambda value, **_: POOL_NAMES[int(value)] if 0 <= int(value) < len(POOL_NAMES) else f"pool {value}",
    "pool_amount": _pool_amount,
    "role": _role,
}


def placeholders(template: str) -> list[tuple[str, str | None]]:
    """The (argument, formatter) pairs a template uses, in order."""
    return [(match.group(1), match.group(2)) for match in PLACEHOLDER.finditer(template)]


# The token errors carry no token address: where the caller knows the USD stablecoin
# refused (a funder's USD short), these sentences replace the NMR ones.
USD_TEMPLATES: dict[str, str] = {
    "ERC20InsufficientBalance": "not enough USD: balance {balance:usd}, needed {needed:usd}",
    "ERC20InsufficientAllowance": "the escrow may spend only {allowance:usd} of your USD; approve {needed:usd} first",
}


def render(name: str, args: dict[str, Any], usd_decimals: int = 6, token: str = "NMR") -> str:
    """The sentence for the custom error `name` with its decoded `args` (by ABI name),
    naming `token` ("NMR" or "USD") in the token errors; ``Name(arg=value, ...)`` if it
    has no template or an argument it uses is missing."""
    template = (USD_TEMPLATES if token == "USD" else {}).get(name) or TEMPLATES.get(name)
    if template is None or any(arg not in args for arg, _ in placeholders(template)):
        return f"{name}({', '.join(f'{k}={v}' for k, v in args.items())})"

    def fill(match: re.Match[str]) -> str:
        value = args[match.group(1)]
        formatter = FORMATTERS.get(match.group(2) or "")
        return formatter(value, args=args, usd_decimals=usd_decimals) if formatter else str(value)

    return PLACEHOLDER.sub(fill, template)


def public_table(abis: Iterable[list[dict[str, Any]]]) -> dict[str, Any]:
    """The table as ``GET /api/v1/chain`` serves it, for the custom errors of `abis`:
    ``{"errors": {name: {"args": [...], "text": template}}, "error_formatters": [...]}``."""
    errors: dict[str, dict[str, Any]] = {}
    for abi in abis:
        for item in abi:
            if item.get("type") == "error" and item["name"] in TEMPLATES:
                errors[item["name"]] = {"args": [i["name"] for i in item["inputs"]], "text": TEMPLATES[item["name"]]}
    return {"errors": errors, "error_formatters": list(FORMATTERS)}
