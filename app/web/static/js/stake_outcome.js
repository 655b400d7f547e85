// After staking: the outcome of the chosen model's stake (its StakeSettled, and the wallet's
// PrizePaid), and the escape hatch (withdrawStake once the oracle's deadline passed, or at
// once in a voided round: a dispute upheld).

import { scanEvents } from "./stake_chain.js";
import { showNmr, showUsd } from "./stake_dom.js";

export class StakeOutcome {
  // `page` is the controller (stake.js): its account, contracts, config, round, stake, models.
  constructor(page) {
    this.page = page;
    this.el = page.el;
  }

  bind() {
    if (this.el.withdrawButton) this.el.withdrawButton.addEventListener("click", () => this.withdraw());
  }

  // The escape hatch shows for an active stake the oracle may no longer settle.
  showEscape(status) {
    const { round } = this.page;
    const withdrawable = Boolean(round.voided) || this.page.chainNow() >= Number(round.resolvesBy);
    this.el.escapeSection.hidden = !(status === "active" && withdrawable);
  }

  // The settlement (StakeSettled) and any performance prize (PrizePaid) of my stake.
  async show(status) {
    const { el, page } = this;
    const { escrow } = page.contracts;
    const model = BigInt(page.models.number);
    el.outcomeSection.hidden = true;
    let settled = { burned: 0n, usdReward: 0n, nmrReward: 0n };
    if (status === "settled") {
      // model is not indexed: the wallet's settlements, then this model's
      const events = (await scanEvents(page.contracts, page.config, escrow.filters.StakeSettled(page.roundId, page.account)))
        .filter((event) => BigInt(event.args.model) === model);
      if (!events.length) return;
      settled = events[events.length - 1].args;
    } else if (status !== "withdrawn") {
      return;
    }
    const prizes = await scanEvents(page.contracts, page.config, escrow.filters.PrizePaid(page.roundId, page.account));
    const prize = prizes.length ? prizes[prizes.length - 1].args : { usdPrize: 0n, nmrPrize: 0n };
    const decimals = Number(page.config.usd.decimals);
    showNmr(el.outcomeReleased, page.stake.amount - settled.burned);
    showNmr(el.outcomeBurned, settled.burned);
    showUsd(el.outcomeUsdReward, settled.usdReward, decimals);
    showNmr(el.outcomeNmrReward, settled.nmrReward);
    showUsd(el.outcomePrizeUsd, prize.usdPrize, decimals);
    showNmr(el.outcomePrizeNmr, prize.nmrPrize);
    el.outcomeSection.hidden = false;
  }

  // Takes the chosen model's whole stake back.
  async withdraw() {
    const page = this.page;
    const { number } = page.models;
    const model = page.models.word();
    await page.whileBusy((signer) =>
      page.log.run("withdrawStake", () => page.contracts.escrow.connect(signer).withdrawStake(page.roundId, number),
        { model }));
  }
}
