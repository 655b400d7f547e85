"""Every page of a lived-in site (tests/e2e/site_tour.py) in headless Chromium at 1400 and
360 px, light and dark: axe-core (npm, pinned in package.json) finds no WCAG 2.1 A/AA or
best-practice violation, the page is never wider than the screen (tables fit; on a phone
their rows are cards), no request fails (the favicon included), the keyboard reaches every link
and button with a visible focus ring; and a screenshot of each is written under
reports/screenshots/ (gitignored). The upload result page is reached through the upload form."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from app import store
from tests.app.oracle.conftest import ROOT
from tests.e2e.site_tour import (  # noqa: F401  (fixtures)
    FILE,
    PAGES,
    PLAYERS,
    SCHEMES,
    VIEWPORTS,
    deployment,
    screenshot_path,
    sign_in,
    tab,
    toured_site,
)
from tests.e2e.support import leaning_predictions

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# Pages that fill in from the chain after loading (through the wallet, not the network): looked at once done.
READY = {"stake": "#stake-app[data-ready='1']"}
AXE_RUN = """async () => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
    resultTypes: ["violations"],
  });
  return result.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map((n) => n.target.join(" "))}));
}"""
# Focusable things whose focus ring the keyboard check looks at (the first few of each page).
FOCUS_PROBE = """() => {
  const focusable = [...document.querySelectorAll("a[href], button:not([disabled]), input:not([type=hidden]), select, textarea, [tabindex='0']")]
    .filter((el) => el.offsetParent !== null).slice(0, 12);
  const seen = focusable.map((el) => {
    el.focus();
    const style = getComputedStyle(el);
    const ring = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
    return {what: el.outerHTML.slice(0, 80), focused: document.activeElement === el, ring};
  });
  document.activeElement?.blur();  // the screenshot comes next: no ring left from this probe
  return seen;
}"""


def audit(page, url: str, arrive: Callable[[], object] | None = None, ready: str | None = None) -> list[str]:
    """What is wrong with the page at ``url`` (reached by ``arrive()``, by default a visit,
    and looked at once ``ready`` matches, when given), one line each (empty when nothing is)."""
    failed = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 and r.url != url else None)
    (arrive or (lambda: page.goto(url)))()
    page.wait_for_load_state("networkidle")
    if ready:
        page.wait_for_selector(ready, state="attached")
    problems = [f"request failed: {line}" for line in failed]
    page.add_script_tag(path=str(AXE))
    for violation in page.evaluate(AXE_RUN):
        problems.append(f"axe {violation['id']} ({violation['impact']}): {violation['help']} at {violation['targets'][:4]}")
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    if width[0] > width[1]:
        problems.append(f"the page is {width[0]} px wide in a {width[1]} px window")
    for probe in page.evaluate(FOCUS_PROBE):
        if not (probe["focused"] and probe["ring"]):
            problems.append(f"keyboard focus not visible on {probe['what']}")
    return problems


def upload_through_the_form(page, server: str, path: Path) -> Callable[[], None]:
    """The current round page's upload form, submitted: it answers with the upload result page."""

    def arrive() -> None:
        page.goto(server + "/")
        page.set_input_files("#upload-file", str(path))
        page.click("#upload-button")
        page.wait_for_selector("#submission-hash")

    return arrive


def test_every_page_passes_axe_fits_the_screen_and_shows_keyboard_focus(
    server, app, browser, ganache_url, toured_site, tmp_path,  # noqa: F811  (fixtures)
):
    staker = toured_site[PLAYERS[0][0]]
    with app.app_context():
        predictions = tmp_path / "model.csv"
        predictions.write_bytes(leaning_predictions(store.get_round(2), seed=5, **FILE))
    findings = []
    for viewport in VIEWPORTS:
        for scheme in SCHEMES:
            with tab(browser, ganache_url, staker, viewport, scheme) as page:
                for signed_in in (False, True):
                    if signed_in:
                        sign_in(page, server)
                    for name, path, needs_session in PAGES:
                        if needs_session != signed_in:
                            continue
                        for problem in audit(page, server + path, ready=READY.get(name)):
                            findings.append(f"{name} at {VIEWPORTS[viewport]['width']} px, {scheme}: {problem}")
                        if name == "stake":  # the checks above covered the model selector and both positions
                            assert page.locator("#stake-model option").count() == 2
                            assert page.locator("#positions tbody tr").count() == 2
                        page.screenshot(path=str(screenshot_path(name, viewport, scheme)), full_page=True)
                for problem in audit(page, server + "/rounds/2/upload", upload_through_the_form(page, server, predictions)):
                    findings.append(f"upload-result at {VIEWPORTS[viewport]['width']} px, {scheme}: {problem}")
                page.screenshot(path=str(screenshot_path("upload-result", viewport, scheme)), full_page=True)
    assert not findings, "\n".join(findings)
    for name, _path, _signed_in in PAGES:
        for viewport in VIEWPORTS:
            assert all(screenshot_path(name, viewport, scheme).stat().st_size > 0 for scheme in SCHEMES)
