// The current round page (/): the countdown to the close of uploads and stakes.

import { startCountdown } from "./countdown.js";

const element = document.getElementById("countdown");
if (element) {
  const closesAt = Date.parse(element.dataset.closesAt) / 1000;
  startCountdown(element, { deadline: () => closesAt });
}
