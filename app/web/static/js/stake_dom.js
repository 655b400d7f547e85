// The stake page's elements and the few ways it writes them (textContent only): a status
// line, an exact amount (data-wei, data-units) with its text, a model's name.

import { nmrText, shortAddress, usdText } from "./format.js";

const IDS = [
  "wallet-status", "connect", "switch-network", "watch-asset", "network-status", "account-warning", "balances",
  "account", "nmr-balance", "usd-balance", "eth-balance", "stake-countdown", "countdown-label", "closes-at",
  "resolves-by", "my-stake", "my-confidence", "stake-status", "stake-form", "stake-button", "outcome-section",
  "outcome-released", "outcome-burned", "outcome-usd-reward", "outcome-nmr-reward", "outcome-prize-usd",
  "outcome-prize-nmr", "outcome-prize-label", "escape-section", "withdraw-button", "withdraw-model", "tx-log",
  "model-choice", "stake-model", "model-help", "positions-box", "positions", "stake-hint", "stake-hint-who", "stake-commit",
  "stake-rolling", "rolling-button", "stake-roll",
];
const camel = (id) => id.replace(/-(\w)/g, (_, c) => c.toUpperCase());

// The page's elements by camel-cased id ("stake-button" is el.stakeButton); null when absent.
export function pageElements() {
  return Object.fromEntries(IDS.map((id) => [camel(id), document.getElementById(id)]));
}

export function say(element, text, isError = false) {
  element.textContent = text;
  element.classList.toggle("error", isError);
}

// The exact amount in data-wei (NMR, ETH) or data-units (USD); the text to the cent.
export function showNmr(element, wei, places = 2) {
  element.dataset.wei = wei.toString();
  element.textContent = nmrText(wei, places);
}

export function showUsd(element, units, decimals) {
  element.dataset.units = units.toString();
  element.textContent = usdText(units, decimals);
}

// A model as the page names it: its name; an address (model 0 of a wallet without a display name) shortened.
export function modelLabel(model) {
  return /^0x[0-9a-fA-F]{40}$/.test(model.name) ? shortAddress(model.name) : model.name;
}
