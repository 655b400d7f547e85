// The stake page (/stake): the wallet signs every approval, permit and transaction in the
// browser; ethers v6 (the page loads it as the global `ethers`) builds the calls and decodes
// the contracts' custom errors. The server only hands out addresses, ABIs, the revert
// messages, the stake status names and the deployment block (GET /api/v1/chain), my models
// with their current files (GET /api/v1/rounds/current) and the hash of the file the page was
// asked for (the page's data-* attributes).
//
// A wallet may run several models: the escrow keys a stake by (round, wallet, model number).
// The chosen model (the selector; ?model= a number, key or name; model 0 by default) is the one
// staked, topped up and withdrawn, and its current file is the hash committed; the positions
// table shows every model's stake.
//
// This controller wires the sections and reads the chain; each section is its own module:
// stake_chain.js (config, contracts, reads), stake_models.js (selector, positions table),
// stake_wallet.js (wallet section), stake_form.js (approve/permit + stake) and
// stake_outcome.js (outcome, escape hatch); stake_dom.js holds the shared DOM helpers.

import { startCountdown } from "./countdown.js";
import { describeFailure } from "./errors.js";
import { showTime, wadText } from "./format.js";
import { TransactionLog } from "./txlog.js";
import { wallet } from "./session.js";
import { connectContracts, loadChainConfig, readBalances, readPositions, statusName } from "./stake_chain.js";
import { pageElements, say, showNmr, showUsd } from "./stake_dom.js";
import { StakeForm } from "./stake_form.js";
import { ModelChooser } from "./stake_models.js";
import { StakeOutcome } from "./stake_outcome.js";
import { StakeRolling } from "./stake_rolling.js";
import { WalletPanel } from "./stake_wallet.js";

class StakePage {
  constructor(root, ethers) {
    this.ethers = ethers;
    this.root = root;
    this.el = pageElements();
    // What the server rendered: the round, who is signed in, where to ask for the rest.
    this.roundId = root.dataset.round ? BigInt(root.dataset.round) : null;
    this.signedIn = root.dataset.signedIn;
    this.chainUrl = root.dataset.chainUrl;
    this.modelsUrl = root.dataset.modelsUrl;
    // The wallet: {info, provider}, its account and chain.
    this.wallet = null;
    this.account = null;
    this.chainId = null;
    // GET /api/v1/chain, and the custom errors of its ABIs.
    this.config = null;
    this.errorAbi = null;
    // Read through the wallet on the right chain: contracts, the round, the chosen model's
    // stake, the chain's clock.
    this.contracts = null;
    this.round = null;
    this.stake = null;
    this.clockSkew = 0;
    this.busy = false;
    this.log = this.el.txLog && new TransactionLog(this.el.txLog, () => this.failureContext());
    this.models = new ModelChooser(this);
    this.walletPanel = new WalletPanel(this);
    this.form = new StakeForm(this);
    this.outcome = new StakeOutcome(this);
    this.rolling = new StakeRolling(this);
  }

  // What errors.js needs to word a failure: the ABI's custom errors and the server's table.
  failureContext() {
    return { iface: this.errorAbi, table: this.config.errors, usdDecimals: Number(this.config.usd.decimals) };
  }

  // The round's close as the server wrote it on the page (Unix seconds), null without one.
  closesAtOnPage() {
    const millis = this.el.closesAt ? Date.parse(this.el.closesAt.dateTime) : NaN;
    return Number.isNaN(millis) ? null : millis / 1000;
  }

  startCountdown(deadline, now) {
    if (!this.el.stakeCountdown) return;
    this.countdown = startCountdown(this.el.stakeCountdown, {
      deadline, now,
      onTick: (left) => { this.el.countdownLabel.textContent = left === 0 ? "Staking" : "Staking closes in"; },
    });
  }

  chainNow() {
    return Math.floor(Date.now() / 1000) + this.clockSkew;
  }

  onRightChain() {
    return Boolean(this.chainId) && BigInt(this.chainId) === BigInt(this.config.chain_id);
  }

  status(number) {
    return statusName(this.config, number);
  }

  async start() {
    this.wallet = await wallet();  // the same wallet the header's session uses
    if (!this.wallet) {
      // Not an error: what to do. The countdown runs on the server's closing time meanwhile.
      say(this.el.walletStatus,
        "To stake, connect a wallet: install MetaMask (or another EIP-1193 wallet) in this browser, reload this " +
        "page and press Connect wallet. Or stake from a script with nmr stake, your key kept on your machine.", false);
      this.startCountdown(() => this.closesAtOnPage(), () => Date.now() / 1000);
      return;
    }
    try {
      ({ config: this.config, errorAbi: this.errorAbi } = await loadChainConfig(this.chainUrl, this.ethers));
    } catch (error) {
      say(this.el.walletStatus, "The tournament's chain is unavailable: " + error.message, true);
      return;
    }
    this.walletPanel.bind();
    this.form.bind();
    this.outcome.bind();
    this.rolling.bind();
    const select = this.el.stakeModel;
    if (select) select.addEventListener("change", () => { if (this.models.choose(Number(select.value))) this.refresh(); });
    await this.models.load(this.modelsUrl, this.signedIn);
    const provider = this.wallet.provider;
    if (provider.on) {
      provider.on("accountsChanged", (accounts) => { this.onAccounts(accounts); });
      provider.on("chainChanged", (chainId) => { this.onChain(chainId); });
    }
    this.startCountdown(() => (this.round && this.round.closesAt > 0n ? Number(this.round.closesAt) : null),
      () => this.chainNow());
    this.chainId = await provider.request({ method: "eth_chainId" });
    await this.onAccounts(await provider.request({ method: "eth_accounts" }));
    this.root.dataset.ready = "1";
  }

  async onAccounts(accounts) {
    this.account = accounts && accounts.length ? this.ethers.getAddress(accounts[0]) : null;
    await this.refresh();
  }

  async onChain(chainId) {
    this.chainId = chainId;
    await this.refresh();
  }

  // Everything again from the wallet's account and chain.
  async refresh() {
    if (this.walletPanel.show()) {
      this.contracts = connectContracts(this.ethers, this.wallet.provider, this.config);
      try {
        await this.readChain();
      } catch (error) {
        say(this.el.networkStatus, "Could not read the chain: " + describeFailure(error, this.failureContext()).text, true);
      }
    }
    this.form.updateButton();
  }

  async readChain() {
    const el = this.el;
    const { eth, nmr, dollars, block } = await readBalances(this.contracts, this.account);
    el.account.textContent = this.account;
    showNmr(el.ethBalance, eth, 4);
    showNmr(el.nmrBalance, nmr);
    showUsd(el.usdBalance, dollars, Number(this.config.usd.decimals));
    // Test chains move their clock; a real chain's latest block is never ahead of now.
    this.clockSkew = Math.max(0, block.timestamp - Math.floor(Date.now() / 1000));
    if (this.roundId === null) return;
    const numbers = this.models.numbers();
    const { round, positions } = await readPositions(this.contracts, this.roundId, this.account, numbers);
    this.round = round;
    this.stake = positions[Math.max(0, numbers.indexOf(this.models.number))];
    this.models.showPositions(positions, (n) => this.status(n));
    if (round.closesAt === 0n) {
      say(el.stakeStatus, `tournament ${this.roundId} is not on chain`, true);
      return;
    }
    showTime(el.closesAt, round.closesAt);
    showTime(el.resolvesBy, round.resolvesBy);
    showNmr(el.myStake, this.stake.amount);
    el.myConfidence.textContent = this.stake.amount > 0n ? wadText(this.stake.confidence) : "–";
    this.form.prefill(this.stake, this.models.number);
    const status = this.status(this.stake.status);
    el.stakeStatus.textContent = status;
    el.stakeStatus.dataset.status = status;
    if (this.countdown) this.countdown.refresh();
    this.rolling.show(this.stake, status);
    // Before the slower event queries, so the status and the Withdraw button never disagree.
    this.outcome.showEscape(status);
    await this.outcome.show(status);
  }

  // Runs `steps(signer)` with the stake button and the model selector off, then reads the chain again.
  async whileBusy(steps) {
    this.busy = true;
    this.form.updateButton();
    if (this.el.stakeModel) this.el.stakeModel.disabled = true;
    try {
      await steps(await this.contracts.provider.getSigner(this.account));
    } finally {
      this.busy = false;
      if (this.el.stakeModel) this.el.stakeModel.disabled = false;
      await this.refresh();
    }
  }
}

const root = document.getElementById("stake-app");
if (root && window.ethers) new StakePage(root, window.ethers).start();
