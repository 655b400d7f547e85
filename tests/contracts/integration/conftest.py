"""Fixtures of the integration tests: stakers that sign EIP-2612 permits with local keys."""

import pytest


@pytest.fixture(scope="module")
def permit_accounts(permit_staker):
    """Two (local key, funded account) pairs that stake by permit only."""
    return [permit_staker(index) for index in (1, 2)]
