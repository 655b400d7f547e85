// The staking page: the wallet (EIP-1193, found by EIP-6963) signs everything in the
// browser; ethers v6 (served by this app) builds calls and decodes the escrow's custom
// errors. The server only hands out addresses, ABIs and my submission's hash.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const root = $("stake-app");
  if (!root || typeof ethers === "undefined") return;

  const STATUS = ["none", "active", "settled", "withdrawn"];
  const state = {
    wallet: null, info: null, provider: null, account: null, chainId: null, config: null,
    token: null, usd: null, escrow: null, errors: null, round: null, stake: null, clockSkew: 0, busy: false,
  };
  const roundId = root.dataset.round ? BigInt(root.dataset.round) : null;

  // ---- formatting -----------------------------------------------------------------------

  const units = (wei) => ethers.formatUnits(wei, 18).replace(/\.0$/, "");
  // Integer formatting to the nearest (half up), as the server's pages write amounts: NMR
  // to 2 decimals, dollars to the cent, thousands separators. data-* keeps the exact value.
  function fixed(amount, decimals, places) {
    const value = BigInt(amount);
    const sign = value < 0n ? "-" : "";
    const scaled = ((value < 0n ? -value : value) * 10n ** BigInt(places) * 2n / 10n ** BigInt(decimals) + 1n) / 2n;
    const whole = (scaled / 10n ** BigInt(places)).toLocaleString("en-US");
    const fraction = (scaled % 10n ** BigInt(places)).toString().padStart(places, "0");
    return { sign, text: places ? `${whole}.${fraction}` : whole };
  }
  const nmrText = (wei, places = 2) => { const f = fixed(wei, 18, places); return f.sign + f.text; };
  const usdText = (amount) => { const f = fixed(amount, state.config.usd.decimals, 2); return `${f.sign}$${f.text}`; };
  const when = (seconds) => new Date(Number(seconds) * 1000).toISOString().replace("T", " ").slice(0, 19) + " UTC";
  const short = (address) => address.slice(0, 6) + "…" + address.slice(-4);
  const chainNow = () => Math.floor(Date.now() / 1000) + state.clockSkew;

  // The exact amount in data-wei (NMR, ETH) or data-units (USD); the text cut to 2
  // decimals (ETH, for gas, to 4).
  function showAmount(el, wei, places = 2) {
    el.dataset.wei = wei.toString();
    el.textContent = nmrText(wei, places);
  }

  function showUsd(el, amount) {
    el.dataset.units = amount.toString();
    el.textContent = usdText(amount);
  }

  function say(el, text, isError = false) {
    el.textContent = text;
    el.classList.toggle("error", isError);
  }

  // How each custom error of the token and escrow ABIs reads to a person (app/chain.py
  // words the same errors for the oracle's CLI).
  const SENTENCES = {
    TournamentEscrowRoundClosed: (a) => `staking for round ${a.roundId} closed at ${when(a.closesAt)}`,
    TournamentEscrowRoundOpen: (a) => `round ${a.roundId} is still open until ${when(a.closesAt)}`,
    TournamentEscrowUnknownRound: (a) => `round ${a.roundId} does not exist on chain`,
    TournamentEscrowConfidenceLowered: (a) =>
      `confidence may only stay or rise: you staked at ${units(a.current)}, asked ${units(a.requested)}`,
    TournamentEscrowInvalidConfidence: (a) => `confidence ${units(a.confidence)} is out of range`,
    TournamentEscrowZeroAmount: () => "the amount must be more than 0 NMR",
    TournamentEscrowAmountTooLarge: (a) => `${units(a.amount)} NMR is more than one stake may hold`,
    TournamentEscrowDeadlineNotReached: (a) => `the escape hatch of round ${a.roundId} opens at ${when(a.resolvesBy)}`,
    TournamentEscrowSettlementWindowOver: (a) =>
      `the oracle's deadline for round ${a.roundId} passed at ${when(a.resolvesBy)}; withdraw your stake alone`,
    TournamentEscrowAlreadySettled: (a) => `the stake of ${a.staker} in round ${a.roundId} is already settled`,
    TournamentEscrowNoStake: (a) => `${a.staker} has no active stake in round ${a.roundId}`,
    ERC20InsufficientBalance: (a) => `not enough NMR: balance ${units(a.balance)}, needed ${units(a.needed)}`,
    ERC20InsufficientAllowance: (a) =>
      `the escrow may spend only ${units(a.allowance)} NMR of yours; approve ${units(a.needed)} first`,
    ERC2612ExpiredSignature: (a) => `the permit expired at ${when(a.deadline)}; sign a new one`,
    ERC2612InvalidSigner: () => "the permit was signed by another account",
    EnforcedPause: () => "staking is paused by the operator",
  };

  // ---- errors ---------------------------------------------------------------------------

  function walk(value, visit, depth = 0, seen = new Set()) {
    if (value == null || depth > 8 || seen.has(value)) return undefined;
    const hit = visit(value);
    if (hit !== undefined) return hit;
    if (typeof value !== "object") return undefined;
    seen.add(value);
    for (const key of Object.getOwnPropertyNames(value)) {
      let child;
      try { child = value[key]; } catch (_) { continue; }
      const found = walk(child, visit, depth + 1, seen);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  function isRejection(error) {
    return walk(error, (v) => (v === "ACTION_REJECTED" || (typeof v === "object" && v.code === 4001) ? true : undefined)) === true;
  }

  // Wallets and nodes nest revert data differently (MetaMask, Ganache's data.result,
  // ethers' info.error): take the first hex string whose selector is one of our errors.
  function decodeRevert(error) {
    return walk(error, (v) => {
      if (typeof v !== "string" || !/^0x[0-9a-fA-F]{8}/.test(v)) return undefined;
      try { return state.errors.parseError(v) || undefined; } catch (_) { return undefined; }
    });
  }

  function describe(error) {
    if (isRejection(error)) return { state: "rejected", text: "rejected in your wallet (nothing was sent)" };
    const parsed = decodeRevert(error);
    if (parsed) {
      const sentence = SENTENCES[parsed.name];
      const text = sentence ? sentence(parsed.args) : `${parsed.name}(${parsed.args.join(", ")})`;
      return { state: "failed", text: `reverted: ${text} [${parsed.name}]` };
    }
    return { state: "failed", text: "failed: " + ((error && (error.shortMessage || error.message)) || String(error)) };
  }

  // ---- the transaction log --------------------------------------------------------------

  function logEntry(step) {
    const li = document.createElement("li");
    li.dataset.step = step;
    $("tx-log").appendChild(li);
    return (entryState, text) => { li.dataset.state = entryState; li.textContent = `${step}: ${text}`; };
  }

  // Runs one wallet step (a transaction or a signature) and shows how it went; returns its
  // result, or null when it was rejected or failed.
  async function runStep(step, send, { signature = false } = {}) {
    const show = logEntry(step);
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
      const { state: outcome, text } = describe(error);
      show(outcome, text);
      return null;
    }
  }

  // ---- wallet discovery and connection -------------------------------------------------

  function discoverWallet(waitMs = 300) {
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

  async function loadConfig() {
    const response = await fetch(root.dataset.chainUrl, { credentials: "same-origin" });
    const body = await response.json();
    if (!response.ok) throw new Error((body.error && body.error.message) || "chain information unavailable");
    state.config = body;
    state.errors = new ethers.Interface([...body.token.abi, ...body.escrow.abi].filter((item) => item.type === "error"));
  }

  const expectedChainHex = () => "0x" + Number(state.config.chain_id).toString(16);

  async function connect() {
    try {
      const accounts = await state.wallet.request({ method: "eth_requestAccounts" });
      await onAccounts(accounts);
    } catch (error) {
      say($("wallet-status"), isRejection(error) ? "Connection rejected in the wallet." : "Could not connect: " + error.message, true);
    }
  }

  async function onAccounts(accounts) {
    state.account = accounts && accounts.length ? ethers.getAddress(accounts[0]) : null;
    await refresh();
  }

  async function onChain(chainId) {
    state.chainId = chainId;
    await refresh();
  }

  async function switchNetwork() {
    const chainId = expectedChainHex();
    try {
      await state.wallet.request({ method: "wallet_switchEthereumChain", params: [{ chainId }] });
    } catch (error) {
      const unknown = error.code === 4902 || (error.data && error.data.originalError && error.data.originalError.code === 4902);
      if (!unknown) {
        say($("network-status"), isRejection(error) ? "Network switch rejected in the wallet." : "Could not switch: " + error.message, true);
        return;
      }
      try {
        await state.wallet.request({
          method: "wallet_addEthereumChain",
          params: [{
            chainId,
            chainName: `Numeraire Tournament (chain ${state.config.chain_id})`,
            rpcUrls: [state.config.rpc_url],
            nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
          }],
        });
      } catch (addError) {
        say($("network-status"), isRejection(addError) ? "Adding the network was rejected in the wallet." : "Could not add the network: " + addError.message, true);
        return;
      }
    }
    await onChain(await state.wallet.request({ method: "eth_chainId" }));
  }

  // Offers both tokens, one wallet_watchAsset each (a wallet takes one asset per call).
  async function watchAsset() {
    const usd = state.config.usd;
    const assets = [
      { address: state.config.token.address, symbol: "NMR", decimals: 18 },
      { address: usd.address, symbol: usd.symbol, decimals: Number(usd.decimals) },
    ];
    const added = [];
    const missed = [];
    let failure = null;
    for (const options of assets) {
      try {
        const ok = await state.wallet.request({ method: "wallet_watchAsset", params: { type: "ERC20", options } });
        (ok ? added : missed).push(options.symbol);
      } catch (error) {
        missed.push(options.symbol);
        if (!isRejection(error)) failure = error;
      }
    }
    const parts = [];
    if (added.length) parts.push(`${added.join(" and ")} added to your wallet.`);
    if (missed.length) parts.push(`${missed.join(" and ")} ${missed.length > 1 ? "were" : "was"} not added${failure ? ": " + failure.message : ""}.`);
    say($("network-status"), parts.join(" "), Boolean(failure));
  }

  // ---- reading the chain (through the wallet) -------------------------------------------

  async function refresh() {
    const onRightChain = state.chainId && BigInt(state.chainId) === BigInt(state.config.chain_id);
    $("connect").hidden = Boolean(state.account);
    $("switch-network").hidden = !state.account || onRightChain;
    $("watch-asset").hidden = !state.account || !onRightChain;
    $("balances").hidden = !state.account || !onRightChain;
    if (!state.account) {
      say($("wallet-status"), `${state.info.name} found. Connect it to stake.`);
      say($("network-status"), "");
      setStakeEnabled();
      return;
    }
    say($("wallet-status"), `Connected with ${state.info.name} as ${short(state.account)}.`);
    if (!onRightChain) {
      say($("network-status"),
        `Your wallet is on chain ${BigInt(state.chainId)}; this tournament runs on chain ${state.config.chain_id}. Switch network to continue.`, true);
      setStakeEnabled();
      return;
    }
    say($("network-status"), `On chain ${state.config.chain_id}.`);
    // A new provider per chain/account: ethers pins a provider to the network it first saw.
    state.provider = new ethers.BrowserProvider(state.wallet, undefined, { pollingInterval: 250 });
    state.token = new ethers.Contract(state.config.token.address, state.config.token.abi, state.provider);
    state.usd = new ethers.Contract(state.config.usd.address, state.config.usd.abi, state.provider);
    state.escrow = new ethers.Contract(state.config.escrow.address, state.config.escrow.abi, state.provider);
    const signedIn = root.dataset.signedIn;
    const warning = $("account-warning");
    warning.hidden = !signedIn || signedIn.toLowerCase() === state.account.toLowerCase();
    warning.textContent = `This wallet account (${state.account}) is not the one signed in (${signedIn}); `
      + "the submission hash belongs to the signed-in account. Switch accounts in your wallet or sign in again.";
    try {
      await readChain();
    } catch (error) {
      say($("network-status"), "Could not read the chain: " + describe(error).text, true);
    }
    setStakeEnabled();
  }

  async function readChain() {
    const [eth, nmr, usd, block] = await Promise.all([
      state.provider.getBalance(state.account),
      state.token.balanceOf(state.account),
      state.usd.balanceOf(state.account),
      state.provider.getBlock("latest"),
    ]);
    $("account").textContent = state.account;
    showAmount($("eth-balance"), eth, 4);
    showAmount($("nmr-balance"), nmr);
    showUsd($("usd-balance"), usd);
    // Test chains move their clock; a real chain's latest block is never ahead of now.
    state.clockSkew = Math.max(0, block.timestamp - Math.floor(Date.now() / 1000));
    if (roundId === null) return;
    const [round, stake] = await Promise.all([state.escrow.getRound(roundId), state.escrow.getStake(roundId, state.account)]);
    state.round = round;
    state.stake = stake;
    if (round.closesAt === 0n) {
      say($("stake-status"), `round ${roundId} is not on chain`, true);
      return;
    }
    $("closes-at").textContent = when(round.closesAt);
    $("resolves-by").textContent = when(round.resolvesBy);
    showAmount($("my-stake"), stake.amount);
    $("my-confidence").textContent = stake.amount > 0n ? units(stake.confidence) : "–";
    if (stake.amount > 0n) $("stake-confidence").value = units(stake.confidence);
    const status = STATUS[Number(stake.status)];
    $("stake-status").textContent = status;
    $("stake-status").dataset.status = status;
    renderCountdown();
    await showOutcome(status, stake);
    $("escape-section").hidden = !(status === "active" && chainNow() >= Number(round.resolvesBy));
  }

  // The settlement (StakeSettled) and any performance prize (PrizePaid) of my stake.
  async function showOutcome(status, stake) {
    const section = $("outcome-section");
    section.hidden = true;
    let burned = 0n;
    let usdReward = 0n;
    let nmrReward = 0n;
    if (status === "settled") {
      const events = await state.escrow.queryFilter(state.escrow.filters.StakeSettled(roundId, state.account), 0);
      if (!events.length) return;
      ({ burned, usdReward, nmrReward } = events[events.length - 1].args);
    } else if (status !== "withdrawn") {
      return;
    }
    const prizes = await state.escrow.queryFilter(state.escrow.filters.PrizePaid(roundId, state.account), 0);
    const prize = prizes.length ? prizes[prizes.length - 1].args : { usdPrize: 0n, nmrPrize: 0n };
    showAmount($("outcome-released"), stake.amount - burned);
    showAmount($("outcome-burned"), burned);
    showUsd($("outcome-usd-reward"), usdReward);
    showAmount($("outcome-nmr-reward"), nmrReward);
    showUsd($("outcome-prize-usd"), prize.usdPrize);
    showAmount($("outcome-prize-nmr"), prize.nmrPrize);
    section.hidden = false;
  }

  function setStakeEnabled() {
    if (!$("stake-button")) return;
    const open = state.round && state.round.closesAt > 0n && chainNow() < Number(state.round.closesAt);
    const ready = state.account && state.provider && root.dataset.hash && open && !state.busy;
    $("stake-button").disabled = !ready || !$("account-warning").hidden;
  }

  // ---- countdown -----------------------------------------------------------------------

  function renderCountdown() {
    const el = $("stake-countdown");
    if (el && state.round && state.round.closesAt > 0n) {
      let left = Math.max(0, Number(state.round.closesAt) - chainNow());
      $("countdown-label").textContent = left === 0 ? "Staking" : "Staking closes in";
      if (left === 0) {
        el.textContent = "closed";
      } else {
        const d = Math.floor(left / 86400); left %= 86400;
        const h = Math.floor(left / 3600); left %= 3600;
        const pad = (n) => String(n).padStart(2, "0");
        el.textContent = (d ? d + "d " : "") + pad(h) + ":" + pad(Math.floor(left / 60)) + ":" + pad(left % 60);
      }
    }
  }

  function tick() {
    renderCountdown();
    setTimeout(tick, 1000 - (Date.now() % 1000));
  }

  // ---- writing -------------------------------------------------------------------------

  async function stake(event) {
    event.preventDefault();
    const form = $("stake-form");
    let amount;
    let confidence;
    try {
      amount = ethers.parseUnits(form.elements.amount.value.trim(), 18);
      confidence = ethers.parseUnits(form.elements.confidence.value.trim(), 18);
    } catch (_) {
      logEntry("stake")("failed", "amount and confidence must be decimal numbers, e.g. 10 and 0.5");
      return;
    }
    if (amount <= 0n || confidence <= 0n) {
      logEntry("stake")("failed", "amount and confidence must be more than 0");
      return;
    }
    state.busy = true;
    setStakeEnabled();
    try {
      const signer = await state.provider.getSigner(state.account);
      const escrow = state.escrow.connect(signer);
      const token = state.token.connect(signer);
      const hash = root.dataset.hash;
      if (form.elements.method.value === "permit") {
        const permit = await signPermit(signer, amount);
        if (permit) {
          await runStep("stakeWithPermit", () =>
            escrow.stakeWithPermit(roundId, amount, confidence, hash, permit.deadline, permit.v, permit.r, permit.s));
        }
      } else {
        const allowance = await state.token.allowance(state.account, state.config.escrow.address);
        const approved = allowance >= amount
          || await runStep("approve", () => token.approve(state.config.escrow.address, amount));
        if (approved) await runStep("stake", () => escrow.stake(roundId, amount, confidence, hash));
      }
    } finally {
      state.busy = false;
      await refresh();
    }
  }

  // EIP-2612: one eth_signTypedData_v4 signature lets the escrow pull exactly `amount`.
  async function signPermit(signer, amount) {
    const domain = await state.token.eip712Domain();
    const nonce = await state.token.nonces(state.account);
    const deadline = BigInt(chainNow() + 3600);
    const signature = await runStep("permit", () => signer.signTypedData(
      { name: domain.name, version: domain.version, chainId: domain.chainId, verifyingContract: domain.verifyingContract },
      {
        Permit: [
          { name: "owner", type: "address" }, { name: "spender", type: "address" }, { name: "value", type: "uint256" },
          { name: "nonce", type: "uint256" }, { name: "deadline", type: "uint256" },
        ],
      },
      { owner: state.account, spender: state.config.escrow.address, value: amount, nonce, deadline },
    ), { signature: true });
    if (!signature) return null;
    const { v, r, s } = ethers.Signature.from(signature);
    return { v, r, s, deadline };
  }

  async function withdraw() {
    state.busy = true;
    try {
      const signer = await state.provider.getSigner(state.account);
      await runStep("withdrawStake", () => state.escrow.connect(signer).withdrawStake(roundId));
    } finally {
      state.busy = false;
      await refresh();
    }
  }

  // ---- start ---------------------------------------------------------------------------

  async function start() {
    const found = await discoverWallet();
    if (!found) {
      say($("wallet-status"),
        "No Ethereum wallet found. Install MetaMask (or another EIP-1193 wallet) and reload this page to stake.", true);
      return;
    }
    state.wallet = found.provider;
    state.info = found.info;
    try {
      await loadConfig();
    } catch (error) {
      say($("wallet-status"), "The tournament's chain is unavailable: " + error.message, true);
      return;
    }
    $("connect").addEventListener("click", connect);
    $("switch-network").addEventListener("click", switchNetwork);
    $("watch-asset").addEventListener("click", watchAsset);
    if ($("stake-form")) $("stake-form").addEventListener("submit", stake);
    if ($("withdraw-button")) $("withdraw-button").addEventListener("click", withdraw);
    if (state.wallet.on) {
      state.wallet.on("accountsChanged", (accounts) => { onAccounts(accounts); });
      state.wallet.on("chainChanged", (chainId) => { onChain(chainId); });
    }
    state.chainId = await state.wallet.request({ method: "eth_chainId" });
    await onAccounts(await state.wallet.request({ method: "eth_accounts" }));
    root.dataset.ready = "1";
    tick();
  }

  document.addEventListener("DOMContentLoaded", start);
})();
