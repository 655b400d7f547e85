// The stake page's view of the chain: GET /api/v1/chain (addresses, ABIs, the revert-message
// table, the stake status names and the deployment block), and the contracts read through
// the wallet's provider.

// GET /api/v1/chain, checked for what the page relies on; `errorAbi` is an ethers Interface
// of the contracts' custom errors (errors.js decodes reverts with it).
export async function loadChainConfig(url, ethers) {
  const response = await fetch(url, { credentials: "same-origin" });
  const body = await response.json();
  if (!response.ok) throw new Error((body.error && body.error.message) || "chain information unavailable");
  if (!Array.isArray(body.stake_statuses) || !body.stake_statuses.length) {
    throw new Error("the chain information has no stake statuses");
  }
  const fromBlock = Number(body.deployed_at_block);
  if (!Number.isSafeInteger(fromBlock) || fromBlock < 0) throw new Error("the chain information has no deployment block");
  const errors = [...body.token.abi, ...body.escrow.abi].filter((item) => item.type === "error");
  return { config: { ...body, deployed_at_block: fromBlock }, errorAbi: new ethers.Interface(errors) };
}

// The name of a getStake status number ("none", "active", ...), as the server lists them.
export function statusName(config, status) {
  return config.stake_statuses[Number(status)] ?? `status ${status}`;
}

// A new provider per chain and account: ethers pins a provider to the network it first saw.
export function connectContracts(ethers, walletProvider, config) {
  const { Contract, BrowserProvider } = ethers;
  const provider = new BrowserProvider(walletProvider, undefined, { pollingInterval: 250 });
  const { token, usd, escrow } = config;
  return {
    provider,
    token: new Contract(token.address, token.abi, provider),
    usd: new Contract(usd.address, usd.abi, provider),
    escrow: new Contract(escrow.address, escrow.abi, provider),
  };
}

// The account's ETH, NMR and USD and the chain's latest block.
export async function readBalances({ provider, token, usd }, account) {
  const [eth, nmr, dollars, block] = await Promise.all([
    provider.getBalance(account), token.balanceOf(account), usd.balanceOf(account), provider.getBlock("latest"),
  ]);
  return { eth, nmr, dollars, block };
}

// The round and the account's stake of each model number in `numbers` (in that order).
export async function readPositions({ escrow }, roundId, account, numbers) {
  const [round, ...positions] = await Promise.all([
    escrow.getRound(roundId), ...numbers.map((n) => escrow.getStake(roundId, account, n)),
  ]);
  return { round, positions };
}

// The events `filter` matches, oldest first, from the block the contracts were deployed at.
export function scanEvents({ escrow }, config, filter) {
  return escrow.queryFilter(filter, config.deployed_at_block);
}
