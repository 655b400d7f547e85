// Every page's round header, live: "Tournament N · 2D 9H 53M 17S remain", ticking each
// second; at zero "closed — resolving"; once the round resolves, a link to its results
// (and, when the next round opens, that round with the last results beside it). It asks
// GET /api/v1/rounds/current for its "header" every data-poll-seconds and at zero, so
// nothing needs a reload. Pages follow it through the "roundheader" event on document
// (detail: {number, phase, secondsLeft}).

import { remainingText } from "./countdown.js";

const WORDS = { resolving: "closed — resolving", resolved: "resolved" };

export function startRoundHeader(root) {
  if (!root) return;
  const el = (id) => root.querySelector("#" + id);
  const link = el("round-header-link");
  const state = el("round-header-state");
  const results = el("round-header-results");
  const resultsLink = el("round-header-results-link");
  const pollMs = Math.max(1, Number(root.dataset.pollSeconds) || 20) * 1000;
  let header = { number: Number(root.dataset.number), phase: root.dataset.phase, phase_text: null };
  let deadline = Date.now() / 1000 + Number(root.dataset.secondsLeft || 0);
  let shownLeft = null;
  let polling = false;

  const draw = () => {
    const left = Math.max(0, Math.floor(deadline - Date.now() / 1000));
    const phase = header.phase === "open" && left === 0 ? "resolving" : header.phase;
    state.textContent = phase === "open" ? remainingText(left) + " remain"
      : (phase === header.phase && header.phase_text) || WORDS[phase] || phase;
    root.dataset.phase = phase;
    document.dispatchEvent(new CustomEvent("roundheader", { detail: { number: header.number, phase, secondsLeft: left } }));
    if (shownLeft !== null && shownLeft > 0 && left === 0) poll();  // at zero: what does the server say now?
    shownLeft = left;
  };

  const apply = (next) => {
    header = next;
    deadline = Date.now() / 1000 + next.seconds_left;
    root.dataset.number = String(next.number);
    link.textContent = "Tournament " + next.number;
    link.href = next.results_url || next.round_url;
    const shown = next.results_url ? { number: next.number, url: next.results_url }
      : next.previous ? { number: next.previous.number, url: next.previous.results_url } : null;
    results.hidden = !shown;
    if (shown) {
      resultsLink.textContent = `Tournament ${shown.number} results`;
      resultsLink.href = shown.url;
    }
    draw();
  };

  async function poll() {
    if (polling) return;
    polling = true;
    try {
      const response = await fetch(root.dataset.url, { credentials: "same-origin" });
      if (response.ok) {
        const body = await response.json();
        if (body.header) apply(body.header);
      }
    } catch (_) {
      // offline for a moment: the clock keeps ticking, the next poll tries again
    } finally {
      polling = false;
    }
  }

  const tick = () => {
    draw();
    setTimeout(tick, 1000 - (Date.now() % 1000));
  };
  tick();
  setInterval(poll, pollMs);
}
