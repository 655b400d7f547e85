"""The staking page in headless Chromium with a stand-in MetaMask, against a real Ganache
and the real app. Every test checks what the page shows and what the chain holds.
Screenshots go to artifacts/screenshots/stake-*.png."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from web3.logs import DISCARD

from app import oracle
from tests.app.oracle.conftest import NMR, advance_chain_time
from tests.app.web.test_browser import SCREENSHOTS
from tests.e2e.conftest import CLOSES_IN, RESOLVES_IN, ROUND
from tests.e2e.support import nmr_text, usd_text

ACTIVE, SETTLED, WITHDRAWN = 1, 2, 3


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"stake-{name}.png"), full_page=True)


def open_stake_page(page, server: str, sign_in: bool = False) -> None:
    """Loads /stake; with ``sign_in``, signs in through the header (which also connects the
    wallet, so the reloaded page finds the account without asking)."""
    page.goto(server + "/stake")
    if sign_in:
        page.click("#sign-in")
        page.wait_for_selector("#signed-in-as")
    page.wait_for_selector("#stake-app[data-ready='1']")


def connect(page) -> None:
    """The stake page's Connect wallet: it signs in (one session for the site), then the
    page reloads signed in and reads the chain again."""
    page.click("#connect")
    page.wait_for_selector("#signed-in-as")
    page.wait_for_selector("#stake-app[data-ready='1']")


def wait_ready_to_stake(page) -> None:
    page.wait_for_selector("#stake-button:not([disabled])")


def stake_from_page(page, amount: str, confidence: str, method: str) -> None:
    page.fill("#stake-amount", amount)
    page.fill("#stake-confidence", confidence)
    page.check(f"#method-{method}")
    page.click("#stake-button")


def step(page, name: str, state: str):
    """The transaction-log entry of step ``name`` once it reaches ``state``."""
    entry = page.locator(f"#tx-log li[data-step='{name}'][data-state='{state}']").last
    entry.wait_for()
    return entry


def confirmed_hash(page, w3, name: str) -> str:
    """The hash a confirmed step shows, checked against its receipt on chain."""
    text = step(page, name, "confirmed").inner_text()
    tx_hash = re.search(r"0x[0-9a-f]{64}", text).group(0)
    assert w3.eth.get_transaction_receipt(tx_hash)["status"] == 1
    return tx_hash


def shown_wei(page, selector: str, places: int = 2) -> int:
    """The exact wei an element holds (data-wei), checked against its text (2 decimals)."""
    element = page.locator(selector)
    wei = int(element.get_attribute("data-wei"))
    assert element.inner_text() == nmr_text(wei, places)
    return wei


def shown_units(page, selector: str) -> int:
    """The exact USD units an element holds (data-units), checked against its text."""
    element = page.locator(selector)
    units = int(element.get_attribute("data-units"))
    assert element.inner_text() == usd_text(units)
    return units


def wallet_calls(page, method: str) -> list:
    return page.evaluate("(m) => window.__wallet.calls.filter((c) => c.method === m).map((c) => c.params)", method)


def utc_words(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def local_words(page, timestamp: int) -> str:
    """The moment as this browser writes local times (its zone and language)."""
    return page.evaluate("(s) => new Date(s * 1000).toLocaleString(undefined, {dateStyle: 'medium', timeStyle: 'short'})",
                         timestamp)


def test_no_wallet_says_how_to_get_one(server, open_page, round_open):
    page = open_page(wallet=False)
    page.goto(server + "/stake")
    page.locator("#wallet-status", has_text="To stake").wait_for()
    status = page.locator("#wallet-status")
    assert "connect a wallet: install MetaMask" in status.inner_text() and "nmr stake" in status.inner_text()
    assert "error" not in (status.get_attribute("class") or "")  # guidance, not a red error
    assert page.locator("#connect").is_hidden()
    countdown = page.inner_text("#stake-countdown")
    assert countdown not in ("…", "", "–") and "S" in countdown  # ticking without a wallet: 0D 23H 59M 58S
    shot(page, "00-no-wallet")


def test_connect_shows_balances_round_stake_and_follows_the_wallet(
    server, open_page, round_open, staker, other, w3, contracts, usd, deployment,
):
    token, escrow = contracts
    page = open_page()
    open_stake_page(page, server)
    assert "Test wallet found" in page.inner_text("#wallet-status")  # announced by EIP-6963
    connect(page)
    page.wait_for_function("(a) => document.getElementById('account').textContent === a", arg=staker.address)

    eth = w3.eth.get_balance(staker.address)
    assert shown_wei(page, "#eth-balance", places=4) == eth
    assert shown_wei(page, "#nmr-balance") == token.functions.balanceOf(staker.address).call() == 1_000 * NMR
    assert page.inner_text("#nmr-balance") == "1,000.00"
    assert shown_units(page, "#usd-balance") == usd.functions.balanceOf(staker.address).call() == 1_000 * 10**6
    assert page.inner_text("#usd-balance") == "$1,000.00"
    assert "Balances" in page.inner_text("#balances") and "Numeraire" in page.inner_text("#balances")
    assert "$100.00 staking pool, $50.00 and 100.00 NMR" in page.inner_text("#round-pools")
    assert page.inner_text("#round-number") == str(ROUND)
    closes_at = escrow.functions.getRound(ROUND).call()[0]
    assert page.get_attribute("#closes-at", "title") == utc_words(closes_at)  # UTC on hover
    assert page.inner_text("#closes-at") == local_words(page, closes_at)  # the reader's own time
    countdown = page.inner_text("#stake-countdown")
    assert re.fullmatch(r"0D 0H (9|10)M \d+S", countdown), countdown
    page.wait_for_function("(t) => document.getElementById('stake-countdown').textContent !== t", arg=countdown)
    assert shown_wei(page, "#my-stake") == escrow.functions.getStake(ROUND, staker.address, 0).call()[0] == 0
    assert page.inner_text("#stake-status") == "none"
    assert page.locator("#stake-button").is_disabled()  # signed in, but no submission hash to commit
    assert "You have no accepted submission in tournament 1" in page.inner_text("#stake-hint")

    page.click("#watch-asset")
    symbol = deployment[1]["USD"]["symbol"]
    page.wait_for_selector(f"text=NMR and {symbol} added to your wallet.")
    assert wallet_calls(page, "wallet_watchAsset") == [
        {"type": "ERC20", "options": {"address": token.address, "symbol": "NMR", "decimals": 18}},
        {"type": "ERC20", "options": {"address": usd.address, "symbol": symbol, "decimals": 6}},
    ]
    shot(page, "01-connected")

    page.evaluate("window.__wallet.setAccount(1)")  # the user picks another account in MetaMask
    page.wait_for_selector("#sign-in")  # the session of the first account ended; the page reloaded
    page.wait_for_selector("#stake-app[data-ready='1']")
    page.wait_for_function("(a) => document.getElementById('account').textContent === a", arg=other.address)
    assert shown_wei(page, "#nmr-balance") == token.functions.balanceOf(other.address).call()
    assert other.address[:6] in page.inner_text("#wallet-status")
    page.wait_for_function("() => document.getElementById('sign-in-status').textContent.includes('your wallet switched to')")


def test_wrong_chain_then_switch_adds_the_network(server, open_page, round_open, staker, ganache_url, contracts):
    token, _ = contracts
    # An older wallet: only window.ethereum (no EIP-6963), on mainnet, not knowing chain 1337.
    page = open_page(chain_id=1, known_chains=(1,), announce=False)
    open_stake_page(page, server)
    assert "window.ethereum found" in page.inner_text("#wallet-status")
    connect(page)
    page.wait_for_selector("#switch-network:visible")
    assert "Your wallet is on chain 1; this tournament runs on chain 1337" in page.inner_text("#network-status")
    assert page.locator("#balances").is_hidden() and page.locator("#stake-button").is_disabled()
    shot(page, "02-wrong-chain")

    page.click("#switch-network")
    page.wait_for_selector("#balances:visible")
    assert wallet_calls(page, "wallet_switchEthereumChain") == [[{"chainId": "0x539"}]]
    [[added]] = wallet_calls(page, "wallet_addEthereumChain")
    assert added["chainId"] == "0x539" and added["rpcUrls"] == [ganache_url]
    assert page.inner_text("#network-status") == "On chain 1337."
    assert shown_wei(page, "#nmr-balance") == token.functions.balanceOf(staker.address).call()

    page.evaluate("window.__wallet.setChain('0x1')")  # chainChanged from the wallet
    page.wait_for_selector("#switch-network:visible")
    page.click("#switch-network")  # now known to the wallet: a plain switch
    page.wait_for_selector("#balances:visible")
    assert len(wallet_calls(page, "wallet_addEthereumChain")) == 1
    shot(page, "03-switched")


def test_stake_via_approve(server, open_page, submission, staker, w3, contracts):
    token, escrow = contracts
    page = open_page()
    to_server = []
    page.on("request", lambda r: to_server.append((r.method, r.url)) if r.url.startswith(server) else None)
    open_stake_page(page, server, sign_in=True)
    wait_ready_to_stake(page)
    assert page.inner_text("#stake-hash") == submission
    stake_from_page(page, "10", "0.5", "approve")

    approve_hash = confirmed_hash(page, w3, "approve")
    stake_hash = confirmed_hash(page, w3, "stake")
    assert approve_hash != stake_hash
    page.wait_for_function("() => document.getElementById('my-stake').dataset.wei === '10000000000000000000'")
    assert page.inner_text("#my-confidence") == "0.5"
    assert page.inner_text("#stake-status") == "active"

    assert escrow.functions.getStake(ROUND, staker.address, 0).call() == (10 * NMR, NMR // 2, ACTIVE, False)
    [event] = escrow.events.Staked().process_receipt(w3.eth.get_transaction_receipt(stake_hash), errors=DISCARD)
    assert "0x" + event["args"]["submissionHash"].hex().removeprefix("0x") == submission
    assert token.functions.balanceOf(staker.address).call() == 990 * NMR
    assert shown_wei(page, "#nmr-balance") == 990 * NMR
    shot(page, "04-staked-approve")
    # The server only saw page loads and the sign-in signature: nothing secret, no transaction.
    assert [url for method, url in to_server if method != "GET"] == [server + "/api/v1/auth/verify"]

    page.evaluate("window.__wallet.setAccount(1)")  # not the signed-in account: the hash is not theirs
    page.wait_for_selector("#sign-in")  # so the session ends and the page says why
    page.wait_for_function("() => document.getElementById('sign-in-status').textContent.includes('your wallet switched to')")
    page.wait_for_selector("#stake-app[data-ready='1']")
    assert page.locator("#stake-button").is_disabled() and page.locator("#stake-hash").count() == 0


def test_keep_it_rolling_then_take_it_off(server, open_page, submission, staker, w3, contracts):
    """The form's box adds setRolling after the stake; the Rolling row's button takes it off."""
    _, escrow = contracts
    page = open_page()
    open_stake_page(page, server, sign_in=True)
    wait_ready_to_stake(page)
    assert page.inner_text("#stake-rolling") == "–" and page.locator("#rolling-button").is_hidden()
    page.check("#stake-roll")
    stake_from_page(page, "10", "0.5", "approve")
    confirmed_hash(page, w3, "stake")
    confirmed_hash(page, w3, "setRolling")
    page.wait_for_selector("#stake-rolling[data-rolls='1']")
    assert page.inner_text("#stake-rolling").startswith("yes: when this tournament settles")
    assert escrow.functions.getStake(ROUND, staker.address, 0).call() == (10 * NMR, NMR // 2, ACTIVE, True)
    shot(page, "05-rolling")
    assert page.inner_text("#rolling-button") == "Take off rolling"
    page.click("#rolling-button")
    page.wait_for_selector("#stake-rolling[data-rolls='0']:has-text('no: it comes back')")
    assert escrow.functions.getStake(ROUND, staker.address, 0).call() == (10 * NMR, NMR // 2, ACTIVE, False)
    assert page.inner_text("#rolling-button") == "Roll into the next tournament"


def test_stake_via_permit_is_one_signature_and_one_transaction(server, open_page, submission, staker, w3, contracts):
    token, escrow = contracts
    page = open_page()
    open_stake_page(page, server, sign_in=True)
    wait_ready_to_stake(page)
    sent_before = len(wallet_calls(page, "eth_sendTransaction"))
    stake_from_page(page, "25.5", "0.8", "permit")

    step(page, "permit", "confirmed")
    confirmed_hash(page, w3, "stakeWithPermit")
    page.wait_for_function("() => document.getElementById('stake-status').textContent === 'active'")
    assert shown_wei(page, "#my-stake") == 25 * NMR + NMR // 2
    assert page.inner_text("#my-confidence") == "0.8"
    [[signer, typed]] = wallet_calls(page, "eth_signTypedData_v4")
    assert signer.lower() == staker.address.lower() and '"primaryType":"Permit"' in typed
    assert len(wallet_calls(page, "eth_sendTransaction")) == sent_before + 1
    assert page.locator("#tx-log li[data-step='approve']").count() == 0

    assert escrow.functions.getStake(ROUND, staker.address, 0).call() == (25 * NMR + NMR // 2, 8 * NMR // 10, ACTIVE, False)
    assert token.functions.allowance(staker.address, escrow.address).call() == 0  # the permit was spent
    assert token.functions.nonces(staker.address).call() == 1
    shot(page, "05-staked-permit")


def test_top_up_adds_to_the_stake_and_refuses_a_lower_confidence(
    server, open_page, staked, staker, w3, contracts,
):
    token, escrow = contracts
    page = open_page()
    open_stake_page(page, server, sign_in=True)
    wait_ready_to_stake(page)
    assert shown_wei(page, "#my-stake") == staked
    assert page.input_value("#stake-confidence") == "0.5"  # prefilled: confidence may only stay or rise

    stake_from_page(page, "5", "0.4", "approve")
    failed = step(page, "stake", "failed").inner_text()
    assert "confidence may only stay or rise: you staked at 0.5, asked 0.4" in failed
    assert "TournamentEscrowConfidenceLowered" in failed
    assert escrow.functions.getStake(ROUND, staker.address, 0).call() == (staked, NMR // 2, ACTIVE, False)

    wait_ready_to_stake(page)
    stake_from_page(page, "5", "0.6", "approve")  # the 5 NMR approved above are still allowed
    confirmed_hash(page, w3, "stake")
    assert page.locator("#tx-log li[data-step='approve']").count() == 1
    page.wait_for_function("() => document.getElementById('my-confidence').textContent === '0.6'")
    assert shown_wei(page, "#my-stake") == 15 * NMR
    assert escrow.functions.getStake(ROUND, staker.address, 0).call() == (15 * NMR, 6 * NMR // 10, ACTIVE, False)
    assert token.functions.balanceOf(staker.address).call() == 985 * NMR
    shot(page, "06-topped-up")


def test_user_rejection_is_shown_as_such_and_nothing_moves(server, open_page, submission, staker, contracts):
    token, escrow = contracts
    page = open_page()
    open_stake_page(page, server, sign_in=True)
    wait_ready_to_stake(page)

    page.evaluate("window.__wallet.reject.eth_signTypedData_v4 = 1")
    stake_from_page(page, "10", "0.5", "permit")
    assert step(page, "permit", "rejected").inner_text() == "permit: rejected in your wallet (nothing was sent)"
    assert page.locator("#tx-log li[data-step='stakeWithPermit']").count() == 0

    wait_ready_to_stake(page)
    page.evaluate("window.__wallet.reject.eth_sendTransaction = 1")
    stake_from_page(page, "10", "0.5", "approve")
    assert step(page, "approve", "rejected").inner_text() == "approve: rejected in your wallet (nothing was sent)"
    assert page.locator("#tx-log li[data-step='stake']").count() == 0
    shot(page, "07-rejected")

    assert escrow.functions.getStake(ROUND, staker.address, 0).call() == (0, 0, 0, False)
    assert token.functions.allowance(staker.address, escrow.address).call() == 0
    assert token.functions.nonces(staker.address).call() == 0
    assert token.functions.balanceOf(staker.address).call() == 1_000 * NMR


def test_staking_after_close_shows_the_decoded_reason(server, open_page, submission, staker, w3, contracts):
    token, escrow = contracts
    page = open_page()
    open_stake_page(page, server, sign_in=True)
    wait_ready_to_stake(page)
    advance_chain_time(w3, CLOSES_IN + 1)  # the round closes while the form is open

    stake_from_page(page, "10", "0.5", "permit")
    failed = step(page, "stakeWithPermit", "failed").inner_text()
    closes_at = escrow.functions.getRound(ROUND).call()[0]
    assert f"staking for round {ROUND} closed at {utc_words(closes_at)}" in failed
    assert "[TournamentEscrowRoundClosed]" in failed
    shot(page, "08-closed")
    assert escrow.functions.getStake(ROUND, staker.address, 0).call() == (0, 0, 0, False)
    assert token.functions.balanceOf(staker.address).call() == 1_000 * NMR

    open_stake_page(page, server)  # a fresh look knows the round is closed
    page.wait_for_function("() => document.getElementById('stake-countdown').textContent === 'closed'")
    assert page.inner_text("#countdown-label") == "Staking"
    assert page.locator("#stake-button").is_disabled()


def test_outcome_after_the_oracle_settles(server, app, open_page, upload, stake_from_python, staker, w3, contracts):
    from app import store

    token, escrow = contracts
    staked = stake_from_python(upload(toward=False))  # a model that gets the live era backwards
    balance_before = token.functions.balanceOf(staker.address).call()
    supply_before = token.functions.totalSupply().call()
    advance_chain_time(w3, CLOSES_IN + 1)
    with app.app_context():
        oracle.close_round(ROUND, report=lambda _: None)
        oracle.resolve_round(ROUND, report=lambda _: None)
        oracle.settle_round(ROUND, report=lambda _: None)

        [score] = store.round_scores(ROUND)
    [settled] = escrow.events.StakeSettled().get_logs(from_block=0, argument_filters={"staker": staker.address})
    burned, rewarded = settled["args"]["burned"], settled["args"]["nmrReward"]
    assert burned == staked // 4 and rewarded == 0 and settled["args"]["usdReward"] == 0  # corr: CORR < 0, capped at 25 %

    page = open_page()
    open_stake_page(page, server, sign_in=True)
    page.wait_for_selector("#outcome-section:visible")
    assert page.inner_text("#stake-status") == "settled"
    assert shown_wei(page, "#outcome-released") == staked - burned
    assert shown_wei(page, "#outcome-nmr-reward") == rewarded
    assert shown_units(page, "#outcome-usd-reward") == 0
    assert shown_wei(page, "#outcome-burned") == burned
    assert (shown_units(page, "#outcome-prize-usd"), shown_wei(page, "#outcome-prize-nmr")) == (0, 0)
    assert score.reason.startswith("corr -") and page.inner_text("#outcome-why") == score.reason
    assert page.locator("#escape-section").is_hidden()
    assert escrow.functions.getStake(ROUND, staker.address, 0).call()[2] == SETTLED
    assert token.functions.balanceOf(staker.address).call() == balance_before + staked - burned + rewarded
    assert shown_wei(page, "#nmr-balance") == balance_before + staked - burned + rewarded
    assert token.functions.totalSupply().call() == supply_before - burned
    shot(page, "09-settled")


def test_escape_hatch_withdraw_after_the_deadline(server, open_page, staked, staker, w3, contracts):
    token, escrow = contracts
    page = open_page()
    open_stake_page(page, server)
    connect(page)
    page.wait_for_function("() => document.getElementById('stake-status').textContent === 'active'")
    assert page.locator("#escape-section").is_hidden()  # the oracle still has time

    advance_chain_time(w3, RESOLVES_IN + 1)  # the oracle missed its deadline
    open_stake_page(page, server)
    page.wait_for_selector("#withdraw-button:visible")
    shot(page, "10-escape-hatch")
    balance_before = token.functions.balanceOf(staker.address).call()
    page.click("#withdraw-button")

    confirmed_hash(page, w3, "withdrawStake")
    page.wait_for_function("() => document.getElementById('stake-status').textContent === 'withdrawn'")
    assert page.locator("#escape-section").is_hidden()
    assert shown_wei(page, "#outcome-released") == staked
    assert escrow.functions.getStake(ROUND, staker.address, 0).call()[2] == WITHDRAWN
    assert token.functions.balanceOf(staker.address).call() == balance_before + staked
    assert shown_wei(page, "#nmr-balance") == balance_before + staked
    shot(page, "11-withdrawn")

