// The current round page (/): its countdown and status follow the round header (so at
// zero the page says "closed — resolving", never "open"), and the Performance panel fills
// in originality and concordance once the server has computed them after an upload.

import { remainingText } from "./countdown.js";

const STATUS_WORDS = { resolving: "closed — resolving", resolved: "resolved" };
const countdown = document.getElementById("countdown");
const status = document.getElementById("round-status");
const pageRound = status ? Number(status.dataset.round) : null;

const newer = document.getElementById("newer-round");

document.addEventListener("roundheader", ({ detail }) => {
  if (detail.number !== pageRound) {
    // A newer round is open: say so plainly, with a link, instead of a stale body.
    if (newer && detail.number > pageRound && detail.phase === "open") {
      newer.hidden = false;
      newer.querySelector("a").textContent = `Tournament ${detail.number} is open now: go to it`;
    }
    return;
  }
  if (countdown && detail.phase !== "open") {
    // "Closes in 0D 0H 0M 0S" becomes "Closed", never "Closes in closed".
    const line = countdown.closest(".countdown");
    if (line) line.textContent = "Staking closed; the round resolves after its live period.";
  } else if (countdown) {
    countdown.textContent = remainingText(detail.secondsLeft);
  }
  if (status) status.textContent = detail.phase === "open" ? "open" : STATUS_WORDS[detail.phase] || detail.phase;
});

const panel = document.getElementById("performance");
const FIELDS = { "perf-originality": "originality_text", "perf-concordance": "concordance_text" };

async function refreshPanel() {
  try {
    const response = await fetch(panel.dataset.url, { credentials: "same-origin" });
    const body = response.ok ? await response.json() : null;
    const view = body && body.round && body.round.number === pageRound ? body.performance : null;
    if (view) {
      for (const [id, key] of Object.entries(FIELDS)) document.getElementById(id).textContent = view[key];
      panel.dataset.pending = view.pending ? "1" : "0";
    }
  } catch (_) {
    // try again at the next turn
  }
  setTimeout(refreshPanel, panel.dataset.pending === "1" ? 2000 : 30000);
}

if (panel) setTimeout(refreshPanel, panel.dataset.pending === "1" ? 1000 : 30000);
