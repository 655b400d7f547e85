"""Property test of NMR's mint schedule: random mints over random weeks against a model of
the 2017 rule (week 0: initial + weekly, then weekly; unminted allowance lapses; cap)."""

from brownie import NumeraireToken, chain
from brownie.test import given, strategy

from tests.contracts.helpers import NMR, WEEK, chain_now, examples

CAP = 21_000_000 * NMR
INITIAL = 1_000_000 * NMR
WEEKLY = 96_153_846153846153846153


def allowance(week):
    return INITIAL + WEEKLY if week == 0 else WEEKLY


@examples(12)
@given(
    st_advances=strategy("uint8[6]", max_value=3),
    st_fractions=strategy("uint16[6]", max_value=1_250),
    st_seconds=strategy("uint32", max_value=WEEK - 7_200),
)
def test_mints_follow_the_weekly_schedule(admin, alice, observe, st_advances, st_fractions, st_seconds):
    token = NumeraireToken.deploy(admin, 0, {"from": admin})
    deployed_at = token.deployedAt()
    week, minted, used, used_week = 0, 0, 0, 0
    for advance, fraction in zip(st_advances, st_fractions):
        week += advance
        chain.sleep(max(0, deployed_at + week * WEEK + st_seconds + 60 - chain_now()))
        left = min(allowance(week) - (used if used_week == week else 0), CAP - minted)
        # Fractions above 1,000 ask for more than is left: those mints must fail.
        amount = left * fraction // 1_000 if fraction != 1_001 else left + 1

        _tx, error, mined_at = observe(token.mint, alice, amount, {"from": admin})

        assert (mined_at - deployed_at) // WEEK == week
        if amount <= left:
            assert error is None
            used = (used if used_week == week else 0) + amount
            used_week, minted = week, minted + amount
            assert token.mintable() == min(allowance(week) - used, CAP - minted)
        else:
            assert error == f"NumeraireTokenMintExceedsSchedule: {amount}, {left}"
        assert token.totalMinted() == token.totalSupply() == token.balanceOf(alice) == minted <= CAP
