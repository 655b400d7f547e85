// The site's one wallet session. Connecting the wallet signs in with Ethereum (EIP-4361)
// once, for every page: the server prepares the message (GET nonce?address=...), the
// wallet signs it (personal_sign), the server checks it (POST verify) and keeps the
// session; the stake page, uploads, the account and settings all use it. When the wallet
// switches to another account (accountsChanged) or disconnects, the session ends and the
// header says so; "Connect wallet" then signs the new account in.

import { shortAddress } from "./format.js";
import { discoverWallet, isRejection, personalSign } from "./wallet.js";

const FLASH = "nmr:session-message";
const control = () => document.getElementById("wallet-control");
const csrf = () => document.querySelector('meta[name="csrf-token"]').content;

// The signed-in address as the server rendered it ("" when signed out).
export const signedInAddress = () => (control() ? control().dataset.signedIn : "");

// The header's status line; `persist` keeps the message across the reload that follows.
export function say(text, { persist = false, isError = false } = {}) {
  const status = document.getElementById("sign-in-status");
  if (persist) sessionStorage.setItem(FLASH, JSON.stringify({ text, isError }));
  if (!status) return;
  status.textContent = text;
  status.classList.toggle("error", isError);
}

// A message left by the page before a reload, shown once.
export function showLeftMessage() {
  const left = sessionStorage.getItem(FLASH);
  if (!left) return;
  sessionStorage.removeItem(FLASH);
  const { text, isError } = JSON.parse(left);
  say(text, { isError });
}

let found;
// The wallet ({info, provider} or null), discovered once per page (EIP-6963, then window.ethereum).
export const wallet = () => (found = found || discoverWallet());

async function postJson(url, body) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
    body: JSON.stringify(body || {}),
  });
  return { response, body: await response.json() };
}

// Connect and sign in (one account request, one signature), then reload signed in.
export async function signIn() {
  const { nonceUrl, verifyUrl } = control().dataset;
  try {
    const detected = await wallet();
    if (!detected) {
      say("No Ethereum wallet found: install MetaMask (or another EIP-1193 wallet). Browsing, downloads and "
        + "leaderboards need none.", { isError: true });
      return;
    }
    const [address] = await detected.provider.request({ method: "eth_requestAccounts" });
    const info = await (await fetch(nonceUrl + "?address=" + encodeURIComponent(address), { credentials: "same-origin" })).json();
    if (!info.message) { say((info.error && info.error.message) || "Could not start sign-in.", { isError: true }); return; }
    say("Confirm the sign-in message in your wallet…");
    const signature = await personalSign(detected.provider, address, info.message);
    const { response, body } = await postJson(verifyUrl, { message: info.message, signature });
    if (!response.ok) { say("Sign-in refused: " + body.error.message, { isError: true }); return; }
    say("Signed in as " + body.address + ".", { persist: true });
    window.location.reload();
  } catch (error) {
    say(isRejection(error) ? "Sign-in cancelled in the wallet." : "Sign-in failed: " + (error.message || error), { isError: true });
  }
}

// End the session on the server, say why, reload signed out.
export async function signOut(why) {
  await postJson(control().dataset.logoutUrl);
  say(why, { persist: true });
  window.location.reload();
}

// Ends the session when the wallet no longer signs for the signed-in address: another
// account picked (now or before this page loaded) or the wallet disconnected.
export async function followWallet() {
  const detected = await wallet();
  if (!detected || !detected.provider.on) return;
  let ending = false;
  const check = async (accounts, { emptyEnds }) => {
    const signedIn = signedInAddress();
    if (!signedIn || ending) return;
    const now = accounts && accounts[0];
    if (!now && !emptyEnds) return;
    if (now && now.toLowerCase() === signedIn.toLowerCase()) return;
    ending = true;
    await signOut(now
      ? `Signed out of ${shortAddress(signedIn)}: your wallet switched to ${shortAddress(now)}. Connect wallet to sign in as ${shortAddress(now)}.`
      : `Signed out of ${shortAddress(signedIn)}: your wallet disconnected.`);
  };
  detected.provider.on("accountsChanged", (accounts) => check(accounts, { emptyEnds: true }));
  // A locked wallet answers [] on load: that is not a switch, the session stays.
  await check(await detected.provider.request({ method: "eth_accounts" }), { emptyEnds: false });
}
