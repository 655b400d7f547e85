// The stake page's transaction log: one entry per wallet step (approve, permit, stake,
// withdrawStake), each shown as pending, then confirmed, rejected or failed, with the
// transaction hash or the reason (errors.js). A wallet with several models sees which model
// a step was for ("stake (alice-2): ...", data-model).

import { describeFailure } from "./errors.js";

export class TransactionLog {
  // `list` is the <ol>; failureContext() gives errors.js what it needs to word a revert
  // ({iface, table, usdDecimals}).
  constructor(list, failureContext) {
    this.list = list;
    this.failureContext = failureContext;
  }

  // A new entry for `step` (on `model`, a name, when one is given); returns show(state, text).
  entry(step, model = "") {
    const li = document.createElement("li");
    li.dataset.step = step;
    if (model) li.dataset.model = model;
    this.list.appendChild(li);
    const what = model ? `${step} (${model})` : step;
    return (state, text) => { li.dataset.state = state; li.textContent = `${what}: ${text}`; };
  }

  // Runs one wallet step, a transaction (send() resolves to an ethers transaction) or a
  // signature (send() resolves to it), and shows how it went. Returns the receipt or the
  // signature, or null when it was rejected or failed.
  async run(step, send, { signature = false, model = "" } = {}) {
    const show = this.entry(step, model);
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
