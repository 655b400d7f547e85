// The browser wallet (EIP-1193): found in one order for every page, asked to sign in and to
// switch to (or add) the tournament's chain; a "rejected in the wallet" answer told apart
// from a failure in one place. Keys never leave the wallet.

// Walks a wallet's or node's error, whose shape differs by wallet (MetaMask's data.originalError,
// Ganache's data.result, ethers' info.error), and returns the first value `visit` maps to
// something other than undefined.
export function findInError(value, visit, depth = 0, seen = new Set()) {
  if (value == null || depth > 8 || seen.has(value)) return undefined;
  const hit = visit(value);
  if (hit !== undefined) return hit;
  if (typeof value !== "object") return undefined;
  seen.add(value);
  for (const key of Object.getOwnPropertyNames(value)) {
    let child;
    try { child = value[key]; } catch (_) { continue; }
    const found = findInError(child, visit, depth + 1, seen);
    if (found !== undefined) return found;
  }
  return undefined;
}

// True when the person clicked Reject (EIP-1193 code 4001, ethers' ACTION_REJECTED).
export function isRejection(error) {
  const rejected = (v) => (v === "ACTION_REJECTED" || (typeof v === "object" && v.code === 4001) ? true : undefined);
  return findInError(error, rejected) === true;
}

// The wallet to use, {info: {name, rdns}, provider}, or null. One order everywhere: a
// wallet announced by EIP-6963 (MetaMask first, else the first to answer), then the legacy
// window.ethereum.
export function discoverWallet(waitMs = 300) {
  return new Promise((resolve) => {
    const found = [];
    const onAnnounce = (event) => {
      const detail = event.detail;
      if (detail && detail.provider && !found.some((f) => f.info.uuid === detail.info.uuid)) found.push(detail);
    };
    window.addEventListener("eip6963:announceProvider", onAnnounce);
    window.dispatchEvent(new Event("eip6963:requestProvider"));
    setTimeout(() => {
      window.removeEventListener("eip6963:announceProvider", onAnnounce);
      if (found.length) resolve(found.find((f) => f.info.rdns === "io.metamask") || found[0]);
      else if (window.ethereum) resolve({ info: { name: "window.ethereum", rdns: "" }, provider: window.ethereum });
      else resolve(null);
    }, waitMs);
  });
}

const hex = (text) => "0x" + Array.from(new TextEncoder().encode(text), (b) => b.toString(16).padStart(2, "0")).join("");

// personal_sign of `text` by `address` (the sign-in message the server prepared).
export const personalSign = (provider, address, text) =>
  provider.request({ method: "personal_sign", params: [hex(text), address] });

const unknownChain = (error) =>
  error.code === 4902 || (error.data && error.data.originalError && error.data.originalError.code === 4902);

// Asks the wallet to switch to chain {chainId, name, rpcUrl}, adding it first when the wallet
// does not know it. Returns {chainId} (the wallet's chain afterwards) or {step, error}: the
// step ("switch" or "add") the wallet refused or failed.
export async function useChain(provider, { chainId, name, rpcUrl }) {
  const hexId = "0x" + Number(chainId).toString(16);
  try {
    await provider.request({ method: "wallet_switchEthereumChain", params: [{ chainId: hexId }] });
  } catch (error) {
    if (!unknownChain(error)) return { step: "switch", error };
    try {
      await provider.request({
        method: "wallet_addEthereumChain",
        params: [{ chainId: hexId, chainName: name, rpcUrls: [rpcUrl], nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 } }],
      });
    } catch (addError) {
      return { step: "add", error: addError };
    }
  }
  return { chainId: await provider.request({ method: "eth_chainId" }) };
}

// Offers ERC-20 `assets` ({address, symbol, decimals}) to the wallet, one wallet_watchAsset
// each (a wallet takes one asset per call). Returns the symbols {added, missed} and the
// first failure that was not a rejection (or null).
export async function watchTokens(provider, assets) {
  const added = [];
  const missed = [];
  let failure = null;
  for (const options of assets) {
    try {
      const ok = await provider.request({ method: "wallet_watchAsset", params: { type: "ERC20", options } });
      (ok ? added : missed).push(options.symbol);
    } catch (error) {
      missed.push(options.symbol);
      if (!isRejection(error)) failure = failure || error;
    }
  }
  return { added, missed, failure };
}
