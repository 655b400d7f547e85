// The stake page's transaction log: one entry per wallet step (approve, permit, stake,
// withdrawStake), each shown as pending, then confirmed, rejected or failed, with the
// transaction hash or the reason (errors.js).

import { describeFailure } from "./errors.js";

export class TransactionLog {
  // `list` is the <ol>; failureContext() gives errors.js what it needs to word a revert
  // ({iface, table, usdDecimals}).
  constructor(list, failureContext) {
    this.list = list;
    this.failureContext = failureContext;
  }

  // A new entry for `step`; returns show(state, text).
  entry(step) {
    const li = document.createElement("li");
    li.dataset.step = step;
    this.list.appendChild(li);
    return (state, text) => { li.dataset.state = state; li.textContent = `${step}: ${text}`; };
  }

  // Runs one wallet step, a transaction (send() resolves to an ethers transaction) or a
  // signature (send() resolves to it), and shows how it went. Returns the receipt or the
  // signature, or null when it was rejected or failed.
  async run(step, send, { signature = false } = {}) {
    const show = this.entry(step);
    show("pending", signature ? "waiting for your signature in the wallet…" : "confirm in your wallet…");
    try {
      if (signature) {
        const result = await send();
        show("confirmed", "signed");
        return result;
      }
      const tx = await send();
      show("pending", `pending ${tx.hash}`);
      const receipt = await tx.wait();
      if (!receipt || receipt.status !== 1) {
        show("failed", `failed in block ${receipt && receipt.blockNumber} (${tx.hash})`);
        return null;
      }
      show("confirmed", `confirmed in block ${receipt.blockNumber}: ${tx.hash}`);
      return receipt;
    } catch (error) {
      const { state, text } = describeFailure(error, this.failureContext());
      show(state, text);
      return null;
    }
  }
}
