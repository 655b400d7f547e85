// The stake page (/stake): the wallet signs every approval, permit and transaction in the
// browser; ethers v6 (the page loads it as the global `ethers`) builds the calls and decodes
// the contracts' custom errors. The server only hands out addresses, ABIs, the revert
// messages (GET /api/v1/chain), my models with their current files (GET /api/v1/account)
// and the hash of the file the page was asked for (the page's data-* attributes).
//
// A wallet may run several models: the escrow keys a stake by (round, wallet, model number).
// The chosen model (the selector; ?model= a number, key or name; model 0 by default) is the one
// staked, topped up and withdrawn, and its current file is the hash committed; the positions
// table shows every model's stake.

import { startCountdown } from "./countdown.js";
import { describeFailure } from "./errors.js";
import { nmrText, shortAddress, usdText, utcText, wadText } from "./format.js";
import { permitTypedData } from "./permit.js";
import { TransactionLog } from "./txlog.js";
import { signIn, wallet } from "./session.js";
import { isRejection, useChain, watchTokens } from "./wallet.js";

const STATUS = ["none", "active", "settled", "withdrawn"];
const IDS = [
  "wallet-status", "connect", "switch-network", "watch-asset", "network-status", "account-warning", "balances",
  "account", "nmr-balance", "usd-balance", "eth-balance", "stake-countdown", "countdown-label", "closes-at",
  "resolves-by", "my-stake", "my-confidence", "stake-status", "stake-form", "stake-button", "outcome-section",
  "outcome-released", "outcome-burned", "outcome-usd-reward", "outcome-nmr-reward", "outcome-prize-usd",
  "outcome-prize-nmr", "outcome-prize-label", "escape-section", "withdraw-button", "withdraw-model", "tx-log",
  "model-choice", "stake-model", "model-help", "positions-box", "positions", "stake-hint", "stake-hint-who", "stake-commit",
];
const camel = (id) => id.replace(/-(\w)/g, (_, c) => c.toUpperCase());

function say(element, text, isError = false) {
  element.textContent = text;
  element.classList.toggle("error", isError);
}

// The exact amount in data-wei (NMR, ETH) or data-units (USD); the text to the cent.
function showNmr(element, wei, places = 2) {
  element.dataset.wei = wei.toString();
  element.textContent = nmrText(wei, places);
}

function showUsd(element, units, decimals) {
  element.dataset.units = units.toString();
  element.textContent = usdText(units, decimals);
}

// A model as the page names it: its name; an address (model 0 of a wallet without a display name) shortened.
function modelLabel(model) {
  return /^0x[0-9a-fA-F]{40}$/.test(model.name) ? shortAddress(model.name) : model.name;
}

class StakePage {
  constructor(root, ethers) {
    this.ethers = ethers;
    this.root = root;
    this.el = Object.fromEntries(IDS.map((id) => [camel(id), document.getElementById(id)]));
    // What the server rendered: the round, my latest accepted file's hash, who is signed in.
    this.roundId = root.dataset.round ? BigInt(root.dataset.round) : null;
    this.hash = root.dataset.hash;
    this.signedIn = root.dataset.signedIn;
    this.chainUrl = root.dataset.chainUrl;
    this.accountUrl = root.dataset.accountUrl;
    // The file the server rendered (data-hash) is this model's: the ?hash= file, else model 0's.
    this.renderedModel = root.dataset.hashModel ? Number(root.dataset.hashModel) : 0;
    this.renderedCommit = this.el.stakeCommit && this.el.stakeCommit.innerHTML;
    // My models [{key, name, number, submission}], model 0 first; the chosen one's number
    // (the escrow's uint32 model) and every model's position on chain.
    this.models = [];
    this.model = 0;
    this.positions = [];
    this.prefilledModel = null;  // whose confidence the form shows
    // The wallet: {info, provider}, its account and chain.
    this.wallet = null;
    this.account = null;
    this.chainId = null;
    // GET /api/v1/chain, and the custom errors of its ABIs.
    this.config = null;
    this.errorAbi = null;
    // Read through the wallet on the right chain: contracts, my stake, the chain's clock.
    this.contracts = null;
    this.round = null;
    this.stake = null;
    this.clockSkew = 0;
    this.busy = false;
    this.log = this.el.txLog && new TransactionLog(this.el.txLog, () => this.failureContext());
  }

  // What errors.js needs to word a failure: the ABI's custom errors and the server's table.
  failureContext() {
    return { iface: this.errorAbi, table: this.config.errors, usdDecimals: Number(this.config.usd.decimals) };
  }

  chainNow() {
    return Math.floor(Date.now() / 1000) + this.clockSkew;
  }

  onRightChain() {
    return Boolean(this.chainId) && BigInt(this.chainId) === BigInt(this.config.chain_id);
  }

  async start() {
    this.wallet = await wallet();  // the same wallet the header's session uses
    if (!this.wallet) {
      say(this.el.walletStatus,
        "No Ethereum wallet found. Install MetaMask (or another EIP-1193 wallet) and reload this page to stake.", true);
      return;
    }
    try {
      await this.loadConfig();
    } catch (error) {
      say(this.el.walletStatus, "The tournament's chain is unavailable: " + error.message, true);
      return;
    }
    this.el.connect.addEventListener("click", () => this.connect());
    this.el.switchNetwork.addEventListener("click", () => this.switchNetwork());
    this.el.watchAsset.addEventListener("click", () => this.watchAsset());
    if (this.el.stakeForm) this.el.stakeForm.addEventListener("submit", (event) => this.submitStake(event));
    if (this.el.withdrawButton) this.el.withdrawButton.addEventListener("click", () => this.withdraw());
    if (this.el.stakeModel) this.el.stakeModel.addEventListener("change", () => this.chooseModel(Number(this.el.stakeModel.value)));
    await this.loadModels();
    const provider = this.wallet.provider;
    if (provider.on) {
      provider.on("accountsChanged", (accounts) => { this.onAccounts(accounts); });
      provider.on("chainChanged", (chainId) => { this.onChain(chainId); });
    }
    if (this.el.stakeCountdown) {
      this.countdown = startCountdown(this.el.stakeCountdown, {
        deadline: () => (this.round && this.round.closesAt > 0n ? Number(this.round.closesAt) : null),
        now: () => this.chainNow(),
        onTick: (left) => { this.el.countdownLabel.textContent = left === 0 ? "Staking" : "Staking closes in"; },
      });
    }
    this.chainId = await provider.request({ method: "eth_chainId" });
    await this.onAccounts(await provider.request({ method: "eth_accounts" }));
    this.root.dataset.ready = "1";
  }

  async loadConfig() {
    const response = await fetch(this.chainUrl, { credentials: "same-origin" });
    const body = await response.json();
    if (!response.ok) throw new Error((body.error && body.error.message) || "chain information unavailable");
    this.config = body;
    const errors = [...body.token.abi, ...body.escrow.abi].filter((item) => item.type === "error");
    this.errorAbi = new this.ethers.Interface(errors);
  }

  // ---- my models -----------------------------------------------------------------------

  // The signed-in wallet's models from GET /api/v1/account; a server without models (or an
  // answer without them) means the one model 0, whose file is the one the page rendered.
  async loadModels() {
    if (!this.signedIn) return;
    let models = null;
    try {
      const response = await fetch(this.accountUrl, { credentials: "same-origin" });
      const body = response.ok ? await response.json() : null;
      if (body && Array.isArray(body.models) && body.models.length) models = body.models;
    } catch (_) {
      // the page still stakes on model 0
    }
    this.models = (models || [{ key: this.signedIn, name: this.signedIn, number: 0, submission: null }])
      .map((m) => ({ ...m, number: Number(m.number) }));
    const select = this.el.stakeModel;
    if (!select) return;
    select.replaceChildren(...this.models.map((m) => {
      const option = document.createElement("option");
      option.value = String(m.number);
      option.textContent = modelLabel(m);
      return option;
    }));
    this.el.modelChoice.hidden = false;
    const raw = new URLSearchParams(window.location.search).get("model") || "";
    const wanted = raw.trim().toLowerCase();
    const asked = wanted && this.models.find((m) =>
      String(m.number) === wanted || m.key.toLowerCase() === wanted || m.name.toLowerCase() === wanted);
    const first = asked || this.models.find((m) => m.number === this.renderedModel) || this.models[0];
    select.value = String(first.number);
    if (wanted && !asked) {
      const names = this.models.map(modelLabel).join(", ");
      say(this.el.modelHelp, `You have no model ${JSON.stringify(raw.slice(0, 60))} (?model= takes a name, key or number: `
        + `${names}); showing ${modelLabel(first)}.`, true);
    }
    this.chooseModel(first.number, { read: false });
  }

  modelNumbered(number) {
    return this.models.find((m) => m.number === number);
  }

  // With several models the log and the buttons say which one; with one the page reads as before.
  modelWord() {
    const model = this.modelNumbered(this.model);
    return this.models.length > 1 && model ? modelLabel(model) : "";
  }

  // Chooses the model to stake on: its number, its current file's hash, the words about it.
  chooseModel(number, { read = true } = {}) {
    const model = this.modelNumbered(number);
    if (!model) return;
    this.model = number;
    const el = this.el;
    const several = this.models.length > 1;
    if (number === this.renderedModel) {
      this.hash = this.root.dataset.hash;
      if (el.stakeCommit) el.stakeCommit.innerHTML = this.renderedCommit;
    } else {
      this.hash = model.submission ? model.submission.hash : "";
      if (model.submission && el.stakeCommit) {
        const part = (id) => document.getElementById(id);
        part("stake-file-what").textContent = `the latest accepted file of ${modelLabel(model)}`;
        part("stake-file").textContent = model.submission.filename;
        part("stake-file-when").textContent = `${Number(model.submission.rows).toLocaleString("en-US")} rows`;
        part("stake-hash").textContent = model.submission.hash;
      }
    }
    if (el.stakeCommit) el.stakeCommit.hidden = !this.hash;
    if (el.stakeHint && el.stakeHintWho) {
      el.stakeHint.hidden = Boolean(this.hash);
      el.stakeHintWho.textContent = several ? `Model ${modelLabel(model)} has` : "You have";
    }
    if (el.withdrawModel) el.withdrawModel.textContent = this.modelWord() ? ` on ${this.modelWord()}` : "";
    if (el.outcomePrizeLabel) el.outcomePrizeLabel.textContent = several ? "Prize (to the wallet, all models)" : "Prize";
    this.root.dataset.model = String(number);
    if (read) this.refresh();
  }

  // The positions table: one row per model, the chosen one marked (shown for two or more).
  showPositions() {
    const { positions, positionsBox } = this.el;
    if (!positions) return;
    const rows = this.models.map((model, i) => {
      const stake = this.positions[i];
      const row = document.createElement("tr");
      row.dataset.model = String(model.number);
      if (model.number === this.model) row.setAttribute("aria-current", "true");
      const cells = [modelLabel(model), nmrText(stake.amount), stake.amount > 0n ? wadText(stake.confidence) : "–",
        STATUS[Number(stake.status)]];
      cells.forEach((text, j) => {
        const cell = document.createElement(j === 0 ? "th" : "td");
        if (j === 0) {
          cell.scope = "row";
          if (model.name !== text) cell.title = model.name;
        }
        if (j === 1 || j === 2) cell.className = "num";
        if (j === 1) cell.dataset.wei = stake.amount.toString();
        if (j === 3) cell.dataset.status = text;
        cell.textContent = text;
        row.appendChild(cell);
      });
      return row;
    });
    positions.tBodies[0].replaceChildren(...rows);
    positionsBox.hidden = rows.length < 2;  // one model: "My stake" above says it all
  }

  // ---- the wallet --------------------------------------------------------------------

  // Connecting is signing in (one session for the site): a signed-out visitor signs in
  // through the header's flow; a signed-in one whose wallet forgot this site reconnects.
  async connect() {
    if (!this.signedIn) {
      await signIn();
      return;
    }
    try {
      await this.onAccounts(await this.wallet.provider.request({ method: "eth_requestAccounts" }));
    } catch (error) {
      say(this.el.walletStatus,
        isRejection(error) ? "Connection rejected in the wallet." : "Could not connect: " + error.message, true);
    }
  }

  async onAccounts(accounts) {
    this.account = accounts && accounts.length ? this.ethers.getAddress(accounts[0]) : null;
    await this.refresh();
  }

  async onChain(chainId) {
    this.chainId = chainId;
    await this.refresh();
  }

  async switchNetwork() {
    const chain = { chainId: this.config.chain_id, name: `Numeraire Tournament (chain ${this.config.chain_id})`,
                    rpcUrl: this.config.rpc_url };
    const outcome = await useChain(this.wallet.provider, chain);
    if (outcome.error) {
      const adding = outcome.step === "add";
      const text = isRejection(outcome.error)
        ? (adding ? "Adding the network was rejected in the wallet." : "Network switch rejected in the wallet.")
        : (adding ? "Could not add the network: " : "Could not switch: ") + outcome.error.message;
      say(this.el.networkStatus, text, true);
      return;
    }
    await this.onChain(outcome.chainId);
  }

  // Offers both tokens, one wallet_watchAsset each (a wallet takes one asset per call).
  async watchAsset() {
    const { token, usd } = this.config;
    const assets = [
      { address: token.address, symbol: "NMR", decimals: 18 },
      { address: usd.address, symbol: usd.symbol, decimals: Number(usd.decimals) },
    ];
    const { added, missed, failure } = await watchTokens(this.wallet.provider, assets);
    const parts = [];
    if (added.length) parts.push(`${added.join(" and ")} added to your wallet.`);
    if (missed.length) {
      parts.push(`${missed.join(" and ")} ${missed.length > 1 ? "were" : "was"} not added${failure ? ": " + failure.message : ""}.`);
    }
    say(this.el.networkStatus, parts.join(" "), Boolean(failure));
  }

  // ---- reading the chain (through the wallet) ------------------------------------------

  async refresh() {
    const el = this.el;
    const onRightChain = this.onRightChain();
    el.connect.hidden = Boolean(this.account);
    el.switchNetwork.hidden = !this.account || onRightChain;
    el.watchAsset.hidden = !this.account || !onRightChain;
    el.balances.hidden = !this.account || !onRightChain;
    if (!this.account) {
      say(el.walletStatus, `${this.wallet.info.name} found. Connect it to stake.`);
      say(el.networkStatus, "");
      this.updateStakeButton();
      return;
    }
    say(el.walletStatus, `Connected with ${this.wallet.info.name} as ${shortAddress(this.account)}.`);
    if (!onRightChain) {
      say(el.networkStatus, `Your wallet is on chain ${BigInt(this.chainId)}; this tournament runs on chain `
        + `${this.config.chain_id}. Switch network to continue.`, true);
      this.updateStakeButton();
      return;
    }
    say(el.networkStatus, `On chain ${this.config.chain_id}.`);
    this.contracts = this.connectContracts();
    el.accountWarning.hidden = !this.signedIn || this.signedIn.toLowerCase() === this.account.toLowerCase();
    el.accountWarning.textContent = `This wallet account (${this.account}) is not the one signed in (${this.signedIn}); `
      + "the submission hash belongs to the signed-in account. Switch accounts in your wallet or sign in again.";
    try {
      await this.readChain();
    } catch (error) {
      say(el.networkStatus, "Could not read the chain: " + describeFailure(error, this.failureContext()).text, true);
    }
    this.updateStakeButton();
  }

  // A new provider per chain and account: ethers pins a provider to the network it first saw.
  connectContracts() {
    const { Contract, BrowserProvider } = this.ethers;
    const provider = new BrowserProvider(this.wallet.provider, undefined, { pollingInterval: 250 });
    const { token, usd, escrow } = this.config;
    return {
      provider,
      token: new Contract(token.address, token.abi, provider),
      usd: new Contract(usd.address, usd.abi, provider),
      escrow: new Contract(escrow.address, escrow.abi, provider),
    };
  }

  async readChain() {
    const el = this.el;
    const { provider, token, usd, escrow } = this.contracts;
    const [eth, nmr, dollars, block] = await Promise.all([
      provider.getBalance(this.account), token.balanceOf(this.account), usd.balanceOf(this.account),
      provider.getBlock("latest"),
    ]);
    el.account.textContent = this.account;
    showNmr(el.ethBalance, eth, 4);
    showNmr(el.nmrBalance, nmr);
    showUsd(el.usdBalance, dollars, Number(this.config.usd.decimals));
    // Test chains move their clock; a real chain's latest block is never ahead of now.
    this.clockSkew = Math.max(0, block.timestamp - Math.floor(Date.now() / 1000));
    if (this.roundId === null) return;
    // Every model's position (model 0 alone while my models are unknown, e.g. signed out).
    const numbers = this.models.length ? this.models.map((m) => m.number) : [0];
    let positions;
    [this.round, ...positions] = await Promise.all([
      escrow.getRound(this.roundId), ...numbers.map((n) => escrow.getStake(this.roundId, this.account, n)),
    ]);
    this.positions = positions;
    this.stake = positions[Math.max(0, numbers.indexOf(this.model))];
    if (this.models.length) this.showPositions();
    if (this.round.closesAt === 0n) {
      say(el.stakeStatus, `tournament ${this.roundId} is not on chain`, true);
      return;
    }
    el.closesAt.textContent = utcText(this.round.closesAt);
    el.resolvesBy.textContent = utcText(this.round.resolvesBy);
    showNmr(el.myStake, this.stake.amount);
    el.myConfidence.textContent = this.stake.amount > 0n ? wadText(this.stake.confidence) : "–";
    // Prefilled: a top-up's confidence may only stay or rise. A model without a stake starts
    // from the form's default, not from the confidence of the model chosen before.
    const confidenceField = el.stakeForm.elements.confidence;
    if (this.stake.amount > 0n) confidenceField.value = wadText(this.stake.confidence);
    else if (this.prefilledModel !== this.model) confidenceField.value = confidenceField.defaultValue;
    this.prefilledModel = this.model;
    const status = STATUS[Number(this.stake.status)];
    el.stakeStatus.textContent = status;
    el.stakeStatus.dataset.status = status;
    if (this.countdown) this.countdown.refresh();
    // Before the slower event queries, so the status and the Withdraw button never disagree.
    // The escape hatch: after the oracle's deadline, or at once in a voided round (a dispute upheld).
    const withdrawable = Boolean(this.round.voided) || this.chainNow() >= Number(this.round.resolvesBy);
    el.escapeSection.hidden = !(status === "active" && withdrawable);
    await this.showOutcome(status);
  }

  // The settlement (StakeSettled) and any performance prize (PrizePaid) of my stake.
  async showOutcome(status) {
    const el = this.el;
    const { escrow } = this.contracts;
    el.outcomeSection.hidden = true;
    let settled = { burned: 0n, usdReward: 0n, nmrReward: 0n };
    if (status === "settled") {
      // model is not indexed: the wallet's settlements, then this model's
      const events = (await escrow.queryFilter(escrow.filters.StakeSettled(this.roundId, this.account), 0))
        .filter((event) => BigInt(event.args.model) === BigInt(this.model));
      if (!events.length) return;
      settled = events[events.length - 1].args;
    } else if (status !== "withdrawn") {
      return;
    }
    const prizes = await escrow.queryFilter(escrow.filters.PrizePaid(this.roundId, this.account), 0);
    const prize = prizes.length ? prizes[prizes.length - 1].args : { usdPrize: 0n, nmrPrize: 0n };
    const decimals = Number(this.config.usd.decimals);
    showNmr(el.outcomeReleased, this.stake.amount - settled.burned);
    showNmr(el.outcomeBurned, settled.burned);
    showUsd(el.outcomeUsdReward, settled.usdReward, decimals);
    showNmr(el.outcomeNmrReward, settled.nmrReward);
    showUsd(el.outcomePrizeUsd, prize.usdPrize, decimals);
    showNmr(el.outcomePrizeNmr, prize.nmrPrize);
    el.outcomeSection.hidden = false;
  }

  updateStakeButton() {
    if (!this.el.stakeButton) return;
    const open = this.round && this.round.closesAt > 0n && this.chainNow() < Number(this.round.closesAt);
    const ready = this.account && this.contracts && this.hash && open && !this.busy;
    this.el.stakeButton.disabled = !ready || !this.el.accountWarning.hidden;
  }

  // ---- writing -----------------------------------------------------------------------

  async submitStake(event) {
    event.preventDefault();
    const { parseUnits } = this.ethers;
    const form = this.el.stakeForm.elements;
    let amount;
    let confidence;
    try {
      amount = parseUnits(form.amount.value.trim(), 18);
      confidence = parseUnits(form.confidence.value.trim(), 18);
    } catch (_) {
      this.log.entry("stake")("failed", "amount and confidence must be decimal numbers, e.g. 10 and 0.5");
      return;
    }
    if (amount <= 0n || confidence <= 0n) {
      this.log.entry("stake")("failed", "amount and confidence must be more than 0");
      return;
    }
    // The model and its file as they were at the click (the selector is off until done).
    const { model: number, hash } = this;
    const model = this.modelWord();
    await this.whileBusy(async (signer) => {
      const escrow = this.contracts.escrow.connect(signer);
      const spender = this.config.escrow.address;
      if (form.method.value === "permit") {
        const permit = await this.signPermit(signer, amount);
        if (permit) {
          await this.log.run("stakeWithPermit", () => escrow.stakeWithPermit(
            this.roundId, number, amount, confidence, hash, permit.deadline, permit.v, permit.r, permit.s), { model });
        }
        return;
      }
      const allowance = await this.contracts.token.allowance(this.account, spender);
      const approved = allowance >= amount
        || await this.log.run("approve", () => this.contracts.token.connect(signer).approve(spender, amount));
      if (approved) await this.log.run("stake", () => escrow.stake(this.roundId, number, amount, confidence, hash), { model });
    });
  }

  // EIP-2612: one eth_signTypedData_v4 signature lets the escrow pull exactly `amount`.
  async signPermit(signer, amount) {
    const deadline = BigInt(this.chainNow() + 3600);
    const typed = await permitTypedData(this.contracts.token,
      { owner: this.account, spender: this.config.escrow.address, value: amount, deadline });
    const signature = await this.log.run("permit", () => signer.signTypedData(...typed), { signature: true });
    if (!signature) return null;
    const { v, r, s } = this.ethers.Signature.from(signature);
    return { v, r, s, deadline };
  }

  async withdraw() {
    const { model: number } = this;
    const model = this.modelWord();
    await this.whileBusy((signer) =>
      this.log.run("withdrawStake", () => this.contracts.escrow.connect(signer).withdrawStake(this.roundId, number),
        { model }));
  }

  // Runs `steps(signer)` with the stake button and the model selector off, then reads the chain again.
  async whileBusy(steps) {
    this.busy = true;
    this.updateStakeButton();
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
