// Every page's header: Sign-In with Ethereum (EIP-4361). The server prepares the message
// (GET nonce?address=...), the wallet signs it with personal_sign, the server checks it
// (POST verify) and starts the session; then the page reloads signed in.

import { discoverWallet, isRejection, personalSign } from "./wallet.js";

const button = document.getElementById("sign-in");
const status = document.getElementById("sign-in-status");
const say = (text) => { status.textContent = text; };

async function signIn() {
  try {
    const found = await discoverWallet();
    if (!found) { say("No Ethereum wallet found: install MetaMask (or another EIP-1193 wallet)."); return; }
    const wallet = found.provider;
    const [address] = await wallet.request({ method: "eth_requestAccounts" });
    const nonceUrl = button.dataset.nonceUrl + "?address=" + encodeURIComponent(address);
    const info = await (await fetch(nonceUrl, { credentials: "same-origin" })).json();
    if (!info.message) { say((info.error && info.error.message) || "Could not start sign-in."); return; }
    say("Confirm the sign-in message in your wallet…");
    const signature = await personalSign(wallet, address, info.message);
    const csrf = document.querySelector('meta[name="csrf-token"]').content;
    const response = await fetch(button.dataset.verifyUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ message: info.message, signature }),
    });
    const body = await response.json();
    if (!response.ok) { say("Sign-in refused: " + body.error.message); return; }
    say("Signed in as " + body.address);
    window.location.reload();
  } catch (error) {
    say(isRejection(error) ? "Sign-in cancelled in the wallet." : "Sign-in failed: " + (error.message || error));
  }
}

if (button) button.addEventListener("click", signIn);
