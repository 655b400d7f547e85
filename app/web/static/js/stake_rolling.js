// Rolling: whether the chosen model's position rolls into the next tournament when this one
// settles (getStake's rolls), one button to put it on or take it off (setRolling), and the
// stake form's "keep it rolling" box, honoured right after a stake lands.

export class StakeRolling {
  // `page` is the controller (stake.js): its elements, contracts, round, stake, models, log.
  constructor(page) {
    this.page = page;
    this.el = page.el;
  }

  bind() {
    if (this.el.rollingButton) this.el.rollingButton.addEventListener("click", () => this.toggle());
  }

  // The chosen model's position: rolling or not, and the button that changes it (an active
  // position only: a settled or withdrawn one has nothing left to roll).
  show(stake, status) {
    const { el } = this;
    if (!el.stakeRolling) return;
    const active = status === "active";
    el.stakeRolling.textContent = !active ? "–" : stake.rolls
      ? "yes: when this tournament settles, what it keeps moves into the next open one"
      : "no: it comes back to your wallet when this tournament settles";
    el.stakeRolling.dataset.rolls = active && stake.rolls ? "1" : "0";
    el.rollingButton.hidden = !active;
    el.rollingButton.textContent = stake.rolls ? "Take off rolling" : "Roll into the next tournament";
    el.rollingButton.disabled = this.page.busy;
  }

  async toggle() {
    const page = this.page;
    const { number } = page.models;
    const rolls = !page.stake.rolls;
    await page.whileBusy((signer) => this.send(signer, number, rolls));
  }

  // After a stake: on rolling when the form asked for it and the position does not roll yet.
  async afterStake(signer, number) {
    const box = this.page.el.stakeRoll;
    if (!box || !box.checked) return;
    const position = await this.page.contracts.escrow.getStake(this.page.roundId, this.page.account, number);
    if (!position.rolls) await this.send(signer, number, true);
  }

  send(signer, number, rolls) {
    const page = this.page;
    return page.log.run("setRolling", () => page.contracts.escrow.connect(signer).setRolling(page.roundId, number, rolls),
      { model: page.models.word() });
  }
}
