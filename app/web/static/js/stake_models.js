// My models on the stake page: the selector (?model= a number, key or name; else the model of
// the file the server rendered, else model 0), the chosen model's file (the hash committed)
// and the words about it, and the positions table (every model's stake, the chosen one marked).

import { nmrText, wadText } from "./format.js";
import { modelLabel, say } from "./stake_dom.js";

// The signed-in wallet's models, each with its current file ({key, name, number, submission}),
// from GET /api/v1/rounds/current (the view model the stake page itself is rendered from); a
// server without models (or an answer without them) means the one model 0.
async function fetchModels(url, signedIn) {
  let models = null;
  try {
    const response = await fetch(url, { credentials: "same-origin" });
    const body = response.ok ? await response.json() : null;
    if (body && Array.isArray(body.models) && body.models.length) models = body.models;
  } catch (_) {
    // the page still stakes on model 0
  }
  return (models || [{ key: signedIn, name: signedIn, number: 0, submission: null }])
    .map((m) => ({ ...m, number: Number(m.number) }));
}

export class ModelChooser {
  // `page.root` carries what the server rendered: data-hash (the file the form commits to)
  // and data-hash-model (whose file that is: the ?hash= file's model, else model 0).
  constructor(page) {
    this.page = page;
    this.el = page.el;
    this.root = page.root;
    this.renderedModel = this.root.dataset.hashModel ? Number(this.root.dataset.hashModel) : 0;
    this.renderedCommit = this.el.stakeCommit && this.el.stakeCommit.innerHTML;
    this.list = [];  // my models, model 0 first
    this.number = 0;  // the chosen one's number (the escrow's uint32 model)
    this.hash = this.root.dataset.hash;  // the chosen one's current file
  }

  // Loads my models (signed in only), fills the selector and chooses the first model to show.
  async load(url, signedIn) {
    if (!signedIn) return;
    this.list = await fetchModels(url, signedIn);
    const select = this.el.stakeModel;
    if (!select) return;
    select.replaceChildren(...this.list.map((m) => {
      const option = document.createElement("option");
      option.value = String(m.number);
      option.textContent = modelLabel(m);
      return option;
    }));
    this.el.modelChoice.hidden = false;
    const raw = new URLSearchParams(window.location.search).get("model") || "";
    const wanted = raw.trim().toLowerCase();
    const asked = wanted && this.list.find((m) =>
      String(m.number) === wanted || m.key.toLowerCase() === wanted || m.name.toLowerCase() === wanted);
    const first = asked || this.numbered(this.renderedModel) || this.list[0];
    select.value = String(first.number);
    if (wanted && !asked) {
      const names = this.list.map(modelLabel).join(", ");
      say(this.el.modelHelp, `You have no model ${JSON.stringify(raw.slice(0, 60))} (?model= takes a name, key or number: `
        + `${names}); showing ${modelLabel(first)}.`, true);
    }
    this.choose(first.number);
  }

  numbered(number) {
    return this.list.find((m) => m.number === number);
  }

  // The model numbers to read positions of (model 0 alone while my models are unknown, e.g. signed out).
  numbers() {
    return this.list.length ? this.list.map((m) => m.number) : [0];
  }

  // With several models the log and the buttons say which one; with one the page reads as before.
  word() {
    const model = this.numbered(this.number);
    return this.list.length > 1 && model ? modelLabel(model) : "";
  }

  // Chooses the model to stake on: its number, its current file's hash, the words about it.
  // Returns whether `number` is one of my models.
  choose(number) {
    const model = this.numbered(number);
    if (!model) return false;
    this.number = number;
    const el = this.el;
    const several = this.list.length > 1;
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
    if (el.withdrawModel) el.withdrawModel.textContent = this.word() ? ` on ${this.word()}` : "";
    if (el.outcomePrizeLabel) el.outcomePrizeLabel.textContent = several ? "Prize (to the wallet, all models)" : "Prize";
    this.root.dataset.model = String(number);
    return true;
  }

  // The positions table: one row per model (`positions` in the same order), the chosen one
  // marked (shown for two or more); `status` names a getStake status number.
  showPositions(positions, status) {
    const { positions: table, positionsBox } = this.el;
    if (!table || !this.list.length) return;
    const rows = this.list.map((model, i) => {
      const stake = positions[i];
      const row = document.createElement("tr");
      row.dataset.model = String(model.number);
      if (model.number === this.number) row.setAttribute("aria-current", "true");
      const cells = [modelLabel(model), nmrText(stake.amount), stake.amount > 0n ? wadText(stake.confidence) : "–",
        status(stake.status)];
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
    table.tBodies[0].replaceChildren(...rows);
    positionsBox.hidden = rows.length < 2;  // one model: "My stake" above says it all
  }
}
