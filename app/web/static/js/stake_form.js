// The stake form: stake or top up the chosen model, committing its current file, either
// approve then stake (two transactions; no approve when the allowance already covers it) or
// an EIP-2612 permit then stakeWithPermit (one signature, one transaction); then, if "keep
// it rolling" is ticked, setRolling (stake_rolling.js).

import { wadText } from "./format.js";
import { permitTypedData } from "./permit.js";

export class StakeForm {
  // `page` is the controller (stake.js): its wallet account, contracts, chain config, round,
  // models, transaction log and whileBusy().
  constructor(page) {
    this.page = page;
    this.form = page.el.stakeForm;
    this.button = page.el.stakeButton;
    this.prefilledModel = null;  // whose confidence the form shows
  }

  bind() {
    if (this.form) this.form.addEventListener("submit", (event) => this.submit(event));
  }

  // Prefilled: a top-up's confidence may only stay or rise. A model without a stake starts
  // from the form's default, not from the confidence of the model chosen before.
  prefill(stake, model) {
    const field = this.form.elements.confidence;
    if (stake.amount > 0n) field.value = wadText(stake.confidence);
    else if (this.prefilledModel !== model) field.value = field.defaultValue;
    this.prefilledModel = model;
  }

  // On while the round is open, the wallet connected on the right chain as the signed-in
  // account, a file to commit and nothing in flight.
  updateButton() {
    if (!this.button) return;
    const page = this.page;
    const { round } = page;
    const open = round && round.closesAt > 0n && page.chainNow() < Number(round.closesAt);
    const ready = page.account && page.contracts && page.models.hash && open && !page.busy;
    this.button.disabled = !ready || !page.el.accountWarning.hidden;
  }

  async submit(event) {
    event.preventDefault();
    const page = this.page;
    const { parseUnits } = page.ethers;
    const form = this.form.elements;
    let amount;
    let confidence;
    try {
      amount = parseUnits(form.amount.value.trim(), 18);
      confidence = parseUnits(form.confidence.value.trim(), 18);
    } catch (_) {
      page.log.entry("stake")("failed", "amount and confidence must be decimal numbers, e.g. 10 and 0.5");
      return;
    }
    if (amount <= 0n || confidence <= 0n) {
      page.log.entry("stake")("failed", "amount and confidence must be more than 0");
      return;
    }
    // The model and its file as they were at the click (the selector is off until done).
    const { number, hash } = page.models;
    const model = page.models.word();
    const { roundId, log } = page;
    await page.whileBusy(async (signer) => {
      const { token } = page.contracts;
      const escrow = page.contracts.escrow.connect(signer);
      const spender = page.config.escrow.address;
      if (form.method.value === "permit") {
        const permit = await this.signPermit(signer, amount);
        const staked = permit && await log.run("stakeWithPermit", () => escrow.stakeWithPermit(
          roundId, number, amount, confidence, hash, permit.deadline, permit.v, permit.r, permit.s), { model });
        if (staked) await page.rolling.afterStake(signer, number);
        return;
      }
      const allowance = await token.allowance(page.account, spender);
      const approved = allowance >= amount
        || await log.run("approve", () => token.connect(signer).approve(spender, amount));
      const staked = approved && await log.run("stake", () => escrow.stake(roundId, number, amount, confidence, hash),
        { model });
      if (staked) await page.rolling.afterStake(signer, number);
    });
  }

  // EIP-2612: one eth_signTypedData_v4 signature lets the escrow pull exactly `amount`.
  async signPermit(signer, amount) {
    const page = this.page;
    const deadline = BigInt(page.chainNow() + 3600);
    const typed = await permitTypedData(page.contracts.token,
      { owner: page.account, spender: page.config.escrow.address, value: amount, deadline });
    const signature = await page.log.run("permit", () => signer.signTypedData(...typed), { signature: true });
    if (!signature) return null;
    const { v, r, s } = page.ethers.Signature.from(signature);
    return { v, r, s, deadline };
  }
}
