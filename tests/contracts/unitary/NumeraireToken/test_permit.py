"""permit (EIP-2612): allowance and nonce set by a signature; expired or replayed ones fail."""

import brownie

from tests.contracts.helpers import NMR, chain_now, plain


def test_permit_sets_allowance_and_nonce(nmr, permit_staker, sign_permit, bob):
    key, owner = permit_staker(0)
    deadline, v, r, s = sign_permit(key, 7 * NMR, spender=bob)
    tx = nmr.permit(owner, bob, 7 * NMR, deadline, v, r, s, {"from": bob})
    assert nmr.allowance(owner, bob) == 7 * NMR
    assert nmr.nonces(owner) == 1
    assert plain(tx.events["Approval"].values()) == [owner, bob, 7 * NMR]


def test_replayed_permit_reverts(nmr, permit_staker, sign_permit, bob):
    key, owner = permit_staker(0)
    deadline, v, r, s = sign_permit(key, NMR, spender=bob)
    nmr.permit(owner, bob, NMR, deadline, v, r, s, {"from": bob})
    with brownie.reverts(revert_pattern=r"ERC2612InvalidSigner: 0x[0-9a-f]{40}, " + owner.address.lower()):
        nmr.permit(owner, bob, NMR, deadline, v, r, s, {"from": bob})


def test_expired_permit_reverts(nmr, permit_staker, sign_permit, bob):
    key, owner = permit_staker(0)
    deadline, v, r, s = sign_permit(key, NMR, spender=bob, deadline=chain_now() - 1)
    with brownie.reverts(f"ERC2612ExpiredSignature: {deadline}"):
        nmr.permit(owner, bob, NMR, deadline, v, r, s, {"from": bob})
