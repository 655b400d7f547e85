// Every page's header: the wallet session (session.js: connect signs in, an account switch
// ends it, sign-out) and the live round header (round_header.js).

import { localizeTimes } from "./format.js";
import { startRoundHeader } from "./round_header.js";
import { followWallet, showLeftMessage, signIn } from "./session.js";

localizeTimes();
showLeftMessage();
for (const button of document.querySelectorAll("#sign-in, .sign-in-button")) {
  button.addEventListener("click", signIn);
}
followWallet();
startRoundHeader(document.getElementById("round-header"));
