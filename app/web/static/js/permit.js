// EIP-2612 permits: the typed data a wallet signs (eth_signTypedData_v4) so that `spender`
// may pull exactly `value` of the token, in the same transaction that uses it.

const PERMIT_TYPES = {
  Permit: [
    { name: "owner", type: "address" }, { name: "spender", type: "address" }, { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" }, { name: "deadline", type: "uint256" },
  ],
};

// [domain, types, message] for ethers' signer.signTypedData, read from the token (an
// ethers Contract with eip712Domain() and nonces()).
export async function permitTypedData(token, { owner, spender, value, deadline }) {
  const [domain, nonce] = await Promise.all([token.eip712Domain(), token.nonces(owner)]);
  return [
    { name: domain.name, version: domain.version, chainId: domain.chainId, verifyingContract: domain.verifyingContract },
    PERMIT_TYPES,
    { owner, spender, value, nonce, deadline },
  ];
}
