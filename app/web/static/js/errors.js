// A failed wallet step as a person reads it: rejected in the wallet, a custom error of the
// contracts worded from the server's table, or the wallet's own message.
//
// The table is GET /api/v1/chain's "errors": {ErrorName: {args: [names in ABI order],
// text: "... {argName} or {argName:formatter} ..."}}, generated from the contracts' ABIs by
// client/core/chain/messages.py, which renders the same sentences in Python. The formatters
// here are that module's, one for one (tests/app/web/test_revert_messages.py runs both).

import { exact, usdText, utcText } from "./format.js";
import { findInError, isRejection } from "./wallet.js";

const POOL_NAMES = ["USD staking pool", "USD prize pool", "NMR pool"];
const ROLE_NAMES = ["ORACLE_ROLE", "PAUSER_ROLE", "MINTER_ROLE"];
const PLACEHOLDER = /\{(\w+)(?::(\w+))?\}/g;

function roleName(value) {
  const id = String(value).toLowerCase();
  if (/^0x0*$/.test(id)) return "DEFAULT_ADMIN_ROLE";
  // keccak256 of the role's name, from the ethers the page loads (globalThis.ethers).
  return ROLE_NAMES.find((name) => globalThis.ethers.id(name) === id) || id;
}

// name -> (value, {args, usdDecimals}) -> text
export const FORMATTERS = {
  time: (value) => utcText(value),
  nmr: (value) => exact(value),
  wad: (value) => exact(value, { separators: false }),
  usd: (value, { usdDecimals }) => usdText(value, usdDecimals),
  pool: (value) => POOL_NAMES[Number(value)] || `pool ${value}`,
  pool_amount: (value, { args, usdDecimals }) =>
    Number(args.pool || 0) === 2 ? `${exact(value)} NMR` : usdText(value, usdDecimals),
  role: (value) => roleName(value),
};

// The sentence for custom error `name` with `args` by name (in ABI order);
// "Name(arg=value, ...)" when the table has no entry or lacks an argument it uses.
export function renderRevert(table, name, args, { usdDecimals = 6 } = {}) {
  const entry = table && table[name];
  const used = entry ? Array.from(entry.text.matchAll(PLACEHOLDER), (m) => m[1]) : [];
  if (!entry || used.some((arg) => !(arg in args))) {
    return `${name}(${Object.entries(args).map(([key, value]) => `${key}=${value}`).join(", ")})`;
  }
  return entry.text.replace(PLACEHOLDER, (_, arg, formatter) => {
    const format = FORMATTERS[formatter];
    return format ? format(args[arg], { args, usdDecimals }) : String(args[arg]);
  });
}

// {name, args by name} of the first revert data (0x + selector ...) in `error` that the
// ethers Interface `iface` knows, or null.
export function decodeRevert(iface, error) {
  const parsed = findInError(error, (v) => {
    if (typeof v !== "string" || !/^0x[0-9a-fA-F]{8}/.test(v)) return undefined;
    try { return iface.parseError(v) || undefined; } catch (_) { return undefined; }
  });
  if (!parsed) return null;
  const args = {};
  parsed.fragment.inputs.forEach((input, i) => { args[input.name] = parsed.args[i]; });
  return { name: parsed.name, args };
}

// {state: "rejected" | "failed", text} for an error a wallet step threw.
export function describeFailure(error, { iface, table, usdDecimals }) {
  if (isRejection(error)) return { state: "rejected", text: "rejected in your wallet (nothing was sent)" };
  const revert = iface ? decodeRevert(iface, error) : null;
  if (revert) {
    return { state: "failed", text: `reverted: ${renderRevert(table, revert.name, revert.args, { usdDecimals })} [${revert.name}]` };
  }
  return { state: "failed", text: "failed: " + ((error && (error.shortMessage || error.message)) || String(error)) };
}
