// Numeraire Tournament pages: the live countdown and Sign-In with Ethereum (EIP-4361).
// No libraries: the server prepares the message, the wallet signs it with personal_sign.
"use strict";

function startCountdown() {
  const el = document.getElementById("countdown");
  if (!el) return;
  const closesAt = Date.parse(el.dataset.closesAt);
  const tick = () => {
    let left = Math.max(0, Math.floor((closesAt - Date.now()) / 1000));
    if (left === 0) { el.textContent = "closed"; return; }
    const d = Math.floor(left / 86400); left %= 86400;
    const h = Math.floor(left / 3600); left %= 3600;
    const m = Math.floor(left / 60); const s = left % 60;
    const pad = (n) => String(n).padStart(2, "0");
    el.textContent = (d ? d + "d " : "") + pad(h) + ":" + pad(m) + ":" + pad(s);
    setTimeout(tick, 1000 - (Date.now() % 1000));
  };
  tick();
}

function findWallet() {
  return new Promise((resolve) => {
    if (window.ethereum) { resolve(window.ethereum); return; }
    const onAnnounce = (event) => resolve(event.detail.provider);
    window.addEventListener("eip6963:announceProvider", onAnnounce, { once: true });
    window.dispatchEvent(new Event("eip6963:requestProvider"));
    setTimeout(() => resolve(null), 500);
  });
}

function toHex(text) {
  return "0x" + Array.from(new TextEncoder().encode(text), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function signIn(button) {
  const status = document.getElementById("sign-in-status");
  const say = (text) => { status.textContent = text; };
  try {
    const wallet = await findWallet();
    if (!wallet) { say("No Ethereum wallet found: install MetaMask (or another EIP-1193 wallet)."); return; }
    const [address] = await wallet.request({ method: "eth_requestAccounts" });
    const nonceUrl = button.dataset.nonceUrl + "?address=" + encodeURIComponent(address);
    const info = await (await fetch(nonceUrl, { credentials: "same-origin" })).json();
    if (!info.message) { say((info.error && info.error.message) || "Could not start sign-in."); return; }
    say("Confirm the sign-in message in your wallet…");
    const signature = await wallet.request({ method: "personal_sign", params: [toHex(info.message), address] });
    const csrf = document.querySelector('meta[name="csrf-token"]').content;
    const response = await fetch(button.dataset.verifyUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ message: info.message, signature: signature }),
    });
    const body = await response.json();
    if (!response.ok) { say("Sign-in refused: " + body.error.message); return; }
    say("Signed in as " + body.address);
    window.location.reload();
  } catch (error) {
    say(error && error.code === 4001 ? "Sign-in cancelled in the wallet." : "Sign-in failed: " + (error.message || error));
  }
}

document.addEventListener("DOMContentLoaded", () => {
  startCountdown();
  const button = document.getElementById("sign-in");
  if (button) button.addEventListener("click", () => signIn(button));
});
