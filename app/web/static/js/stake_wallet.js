// The stake page's wallet section: which wallet, account and chain (and what to do about
// them), Connect wallet (signing in), Switch network (adding it when the wallet lacks it)
// and Add NMR and USD to my wallet.

import { shortAddress } from "./format.js";
import { signIn } from "./session.js";
import { say } from "./stake_dom.js";
import { isRejection, useChain, watchTokens } from "./wallet.js";

export class WalletPanel {
  // `page` is the controller (stake.js): its wallet, account, chainId, config, signedIn,
  // onAccounts() and onChain().
  constructor(page) {
    this.page = page;
    this.el = page.el;
  }

  bind() {
    this.el.connect.addEventListener("click", () => this.connect());
    this.el.switchNetwork.addEventListener("click", () => this.switchNetwork());
    this.el.watchAsset.addEventListener("click", () => this.watchAsset());
  }

  // Shows the wallet's state; returns whether it is connected on the tournament's chain.
  show() {
    const { el, page } = this;
    const onRightChain = page.onRightChain();
    el.connect.hidden = Boolean(page.account);
    el.switchNetwork.hidden = !page.account || onRightChain;
    el.watchAsset.hidden = !page.account || !onRightChain;
    el.balances.hidden = !page.account || !onRightChain;
    if (!page.account) {
      say(el.walletStatus, `${page.wallet.info.name} found. Connect it to stake.`);
      say(el.networkStatus, "");
      return false;
    }
    say(el.walletStatus, `Connected with ${page.wallet.info.name} as ${shortAddress(page.account)}.`);
    if (!onRightChain) {
      say(el.networkStatus, `Your wallet is on chain ${BigInt(page.chainId)}; this tournament runs on chain `
        + `${page.config.chain_id}. Switch network to continue.`, true);
      return false;
    }
    say(el.networkStatus, `On chain ${page.config.chain_id}.`);
    // The file to commit is the signed-in account's: another wallet account may not stake it.
    el.accountWarning.hidden = !page.signedIn || page.signedIn.toLowerCase() === page.account.toLowerCase();
    el.accountWarning.textContent = `This wallet account (${page.account}) is not the one signed in (${page.signedIn}); `
      + "the submission hash belongs to the signed-in account. Switch accounts in your wallet or sign in again.";
    return true;
  }

  // Connecting is signing in (one session for the site): a signed-out visitor signs in
  // through the header's flow; a signed-in one whose wallet forgot this site reconnects.
  async connect() {
    const page = this.page;
    if (!page.signedIn) {
      await signIn();
      return;
    }
    try {
      await page.onAccounts(await page.wallet.provider.request({ method: "eth_requestAccounts" }));
    } catch (error) {
      say(this.el.walletStatus,
        isRejection(error) ? "Connection rejected in the wallet." : "Could not connect: " + error.message, true);
    }
  }

  async switchNetwork() {
    const { config, wallet } = this.page;
    const chain = { chainId: config.chain_id, name: `Numeraire Tournament (chain ${config.chain_id})`,
                    rpcUrl: config.rpc_url };
    const outcome = await useChain(wallet.provider, chain);
    if (outcome.error) {
      const adding = outcome.step === "add";
      const text = isRejection(outcome.error)
        ? (adding ? "Adding the network was rejected in the wallet." : "Network switch rejected in the wallet.")
        : (adding ? "Could not add the network: " : "Could not switch: ") + outcome.error.message;
      say(this.el.networkStatus, text, true);
      return;
    }
    await this.page.onChain(outcome.chainId);
  }

  // Offers both tokens, one wallet_watchAsset each (a wallet takes one asset per call).
  async watchAsset() {
    const { config: { token, usd }, wallet } = this.page;
    const assets = [
      { address: token.address, symbol: "NMR", decimals: 18 },
      { address: usd.address, symbol: usd.symbol, decimals: Number(usd.decimals) },
    ];
    const { added, missed, failure } = await watchTokens(wallet.provider, assets);
    const parts = [];
    if (added.length) parts.push(`${added.join(" and ")} added to your wallet.`);
    if (missed.length) {
      parts.push(`${missed.join(" and ")} ${missed.length > 1 ? "were" : "was"} not added${failure ? ": " + failure.message : ""}.`);
    }
    say(this.el.networkStatus, parts.join(" "), Boolean(failure));
  }
}
