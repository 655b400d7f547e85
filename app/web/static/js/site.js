// Every page's header: the wallet session (session.js: connect signs in, an account switch
// ends it, sign-out), the live round header (round_header.js), and the labels that turn
// table rows into cards on a phone (cards.js).

import { labelTables } from "./cards.js";
import { localizeTimes } from "./format.js";
import { startRoundHeader } from "./round_header.js";
import { followWallet, showLeftMessage, signIn } from "./session.js";

labelTables();
localizeTimes();
showLeftMessage();
for (const button of document.querySelectorAll("#sign-in, .sign-in-button")) {
  button.addEventListener("click", signIn);
}
followWallet();
startRoundHeader(document.getElementById("round-header"));
