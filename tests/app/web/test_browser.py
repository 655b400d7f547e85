"""A real browser over the pages: headless Chromium (Debian) driven by Playwright, with an
injected EIP-1193 wallet standing in for MetaMask. The wallet's key stays in this test:
the page's ``personal_sign`` calls a Playwright binding that signs with eth-account.

Sign in -> upload predictions -> see the metrics and hash -> countdown ticks -> account
chart. Screenshots go to artifacts/screenshots/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from eth_account.messages import encode_defunct

from tests.support import serve

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[3] / "artifacts" / "screenshots"
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

WALLET_JS = """
(address) => {
  const listeners = {};
  const provider = {
    isMetaMask: true,
    async request({ method, params }) {
      if (method === "eth_requestAccounts" || method === "eth_accounts") return [address];
      if (method === "eth_chainId") return "0x539";
      if (method === "personal_sign") return await window.__walletSign(params[0], params[1]);
      throw Object.assign(new Error("unsupported method " + method), { code: 4200 });
    },
    on(event, handler) { (listeners[event] = listeners[event] || []).push(handler); },
    removeListener(event, handler) { listeners[event] = (listeners[event] || []).filter((h) => h !== handler); },
  };
  window.ethereum = provider;
  const announce = () => window.dispatchEvent(new CustomEvent("eip6963:announceProvider", {
    detail: Object.freeze({ info: { uuid: "test-wallet", name: "Test wallet", icon: "data:,", rdns: "io.metamask" }, provider }),
  }));
  window.addEventListener("eip6963:requestProvider", announce);
  announce();
}
"""

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium (tools/bootstrap.sh installs it)")


@pytest.fixture
def server(app):
    """The app served by a real HTTP server on a free loopback port."""
    app.config["SIWE_DOMAIN"] = ""  # the browser's host:port is the sign-in domain
    with serve(app) as url:
        yield url


@pytest.fixture
def page(tmp_path, alice):
    """A headless Chromium page with the injected wallet for alice."""
    from playwright.sync_api import sync_playwright

    signed = []

    def wallet_sign(hex_message: str, address: str) -> str:
        assert address.lower() == alice.address.lower()
        signed.append(bytes.fromhex(hex_message.removeprefix("0x")).decode())
        return "0x" + alice.sign_message(encode_defunct(hexstr=hex_message)).signature.hex().removeprefix("0x")

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS,
            viewport={"width": 1100, "height": 900},
        )  # fmt: skip
        context.expose_function("__walletSign", wallet_sign)
        context.add_init_script(f"({WALLET_JS})({alice.address.lower()!r})")
        tab = context.pages[0] if context.pages else context.new_page()
        tab.signed_messages = signed
        yield tab
        context.close()


def test_sign_in_upload_and_see_metrics_and_countdown(server, page, tmp_path, make_predictions, alice):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(server + "/")
    countdown = page.locator("#countdown")
    first = countdown.inner_text()
    assert re.fullmatch(r"\d+D \d+H \d+M \d+S", first), first
    page.wait_for_function("(t) => document.getElementById('countdown').textContent !== t", arg=first, timeout=3000)

    page.click("#sign-in")
    page.wait_for_selector("#signed-in-as", timeout=10_000)
    assert "wants you to sign in with your Ethereum account" in page.signed_messages[0]
    assert alice.address in page.signed_messages[0]  # checksummed by the server
    page.screenshot(path=str(SCREENSHOTS / "01-signed-in.png"), full_page=True)

    bad = tmp_path / "bad.csv"
    bad.write_text("id,probability\nnot-an-id,1.5\n")
    page.set_input_files("#upload-file", str(bad))
    page.click("#upload-button")
    page.wait_for_selector("#problems li")
    assert "Predictions rejected" in page.content()
    page.screenshot(path=str(SCREENSHOTS / "02-rejected.png"), full_page=True)

    page.goto(server + "/")
    good = tmp_path / "predictions.csv"
    good.write_bytes(make_predictions())
    page.set_input_files("#upload-file", str(good))
    page.click("#upload-button")
    page.wait_for_selector("#validation-logloss")
    logloss = float(page.inner_text("#validation-logloss"))
    assert 0.6 < logloss < 0.7
    file_hash = page.inner_text("#submission-hash")
    assert re.fullmatch(r"0x[0-9a-f]{64}", file_hash)
    page.screenshot(path=str(SCREENSHOTS / "03-accepted.png"), full_page=True)

    page.goto(server + "/")
    assert page.inner_text("#submission-hash") == file_hash
    assert re.fullmatch(r"\d+D \d+H \d+M \d+S", page.inner_text("#countdown"))
    page.screenshot(path=str(SCREENSHOTS / "04-current-round.png"), full_page=True)

    page.goto(server + "/account")
    bars = page.locator("#era-chart svg.chart-wide rect", has=page.locator("title"))  # not the legend's swatches
    assert bars.count() == 3 and page.locator("#era-chart svg.chart-narrow").is_hidden()
    assert "chain unavailable" in page.inner_text("#balances")
    page.screenshot(path=str(SCREENSHOTS / "05-account.png"), full_page=True)
