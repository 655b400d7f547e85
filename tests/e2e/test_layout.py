"""Every table and chart of every page fits its box (issue 22's measure): the lived-in site of
tests/e2e/site_tour.py in headless Chromium at 1400 and 360 px, light and dark, signed in and
out. On each page:

- no element's content is wider than its box (``scrollWidth`` over ``clientWidth``): nothing
  scrolls sideways, nothing is cut off;
- at 1400 px every column of every table is in view (inside its table's box and the window);
- at 360 px every row of a data table is a card: its cells are labelled with their column, and
  the rank, the name and the money come before the other figures;
- every chart is inside its box, and every text in it is drawn at 10 px or more, inside the chart.

A screenshot of each page is written to reports/screenshots/layout-<page>-<width>-<scheme>.png
(gitignored); a failure lists every finding at once. The pages: site_tour.PAGES, a model's
page, a page not found, and the upload result (reached through the upload form).
"""

from __future__ import annotations

from app import store
from app.models import key_of
from tests.e2e import site_tour
from tests.e2e.site_tour import deployment, toured_site  # noqa: F401  (fixtures)
from tests.e2e.support import leaning_predictions
from tests.e2e.test_accessibility import READY, upload_through_the_form

# The smallest chart text a reader can read at arm's length, in CSS pixels.
MIN_CHART_TEXT_PX = 10
MEASURE = """(phone) => {
  const found = [];
  const name = (el) => el.id ? `#${el.id}` : el.tagName.toLowerCase()
    + (typeof el.className === "string" && el.className ? "." + el.className.trim().split(/\\s+/).join(".") : "")
    + (el.dataset.label ? `[${el.dataset.label}]` : "");
  const where = (el) => {
    const parts = [];
    for (let e = el; e && e !== document.body && parts.length < 3; e = e.parentElement) parts.unshift(name(e));
    return parts.join(" > ");
  };
  const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth) found.push(`the page is ${root.scrollWidth} px wide in ${root.clientWidth} px`);
  for (const el of document.body.querySelectorAll("*")) {
    // A box of 1 px or none: inline text, or the visually hidden idiom (a table's headers on a phone).
    if (el instanceof SVGElement || !shown(el) || el.clientWidth <= 1) continue;
    if (el.scrollWidth > el.clientWidth + 1) found.push(`${where(el)}: ${el.scrollWidth} px of content in a ${el.clientWidth} px box`);
  }
  const tables = [...document.querySelectorAll("main table")].filter(shown);
  for (const table of tables) {
    const box = (table.closest(".table-scroll") || table.parentElement).getBoundingClientRect();
    const right = Math.min(box.right, window.innerWidth) + 1;
    const headers = [...table.querySelectorAll("thead th")];
    if (!phone) {
      for (const th of headers) {
        const r = th.getBoundingClientRect();
        if (!shown(th) || r.width < 1) found.push(`${where(table)}: column "${th.textContent.trim()}" is hidden`);
        else if (r.right > right) found.push(`${where(table)}: column "${th.textContent.trim()}" ends at ${Math.round(r.right)} px, its box at ${Math.round(right)} px`);
      }
    } else if (table.classList.contains("board")) {
      for (const row of table.querySelectorAll("tbody tr")) {
        const cells = [...row.children].filter(shown);
        if (getComputedStyle(row).display === "table-row") { found.push(`${where(table)}: rows are not cards at ${window.innerWidth} px`); break; }
        const unlabelled = cells.filter((c) => !c.dataset.label && !c.classList.contains("name") && !c.classList.contains("rank"));
        if (unlabelled.length) { found.push(`${where(table)}: ${unlabelled.length} cells without their column's label`); break; }
        const top = (c) => c.getBoundingClientRect().top;
        const lead = cells.filter((c) => c.matches(".rank, .name, .money"));
        const rest = cells.filter((c) => !c.matches(".rank, .name, .money"));
        if (lead.length && rest.length && Math.max(...lead.map(top)) > Math.min(...rest.map(top))) {
          found.push(`${where(table)}: rank, name and money are not first in the card`); break;
        }
      }
    }
  }
  for (const svg of document.querySelectorAll("svg.chart")) {
    if (!shown(svg)) continue;
    const box = svg.getBoundingClientRect();
    const parent = svg.parentElement.getBoundingClientRect();
    if (box.right > Math.min(parent.right, window.innerWidth) + 1) found.push(`${where(svg)}: chart ends at ${Math.round(box.right)} px, its box at ${Math.round(parent.right)} px`);
    for (const text of svg.querySelectorAll("text")) {
      const m = text.getScreenCTM();  // the scale survives a rotation (the y axis label)
      const size = parseFloat(getComputedStyle(text).fontSize) * Math.hypot(m.a, m.b);
      const r = text.getBoundingClientRect();
      if (size < 10) found.push(`${where(svg)}: "${text.textContent}" drawn at ${size.toFixed(1)} px`);
      if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1) {
        found.push(`${where(svg)}: "${text.textContent}" is cut off by the chart's edge`);
      }
    }
  }
  return found;
}"""


def layout_findings(page, phone: bool) -> list[str]:
    """What does not fit on the page as shown, one line each (see the module's docstring)."""
    return page.evaluate(MEASURE, phone)


def test_every_table_and_chart_fits_at_1400_and_360_px(
    server, app, browser, ganache_url, toured_site, tmp_path,  # noqa: F811  (fixtures)
):
    staker = toured_site[site_tour.PLAYERS[0][0]]
    with app.app_context():
        assert store.round_scores(1), "the model page has scored rounds to draw"
        predictions = tmp_path / "model.csv"
        predictions.write_bytes(leaning_predictions(store.get_round(2), seed=5, **site_tour.FILE))
    pages = [*site_tour.PAGES, ("model", f"/models/{key_of(staker, 0)}", False), ("not-found", "/rounds/999", False)]
    # Signed out: every public page; signed in: every page but those that show the signed-out view.
    visits = {False: [p for p in pages if not p[2]], True: [p for p in pages if not p[0].endswith("-signed-out")]}
    findings = []
    for viewport in site_tour.VIEWPORTS:
        for scheme in site_tour.SCHEMES:
            with site_tour.tab(browser, ganache_url, staker, viewport, scheme) as page:

                def measure(name: str, signed_in: bool, page=page, viewport=viewport, scheme=scheme) -> None:
                    label = f"{name} at {site_tour.VIEWPORTS[viewport]['width']} px, {scheme}, {'signed in' if signed_in else 'signed out'}"
                    findings.extend(f"{label}: {line}" for line in layout_findings(page, viewport == "phone"))
                    shot = site_tour.screenshot_path(f"layout-{name}", viewport, scheme)
                    page.screenshot(path=str(shot), full_page=True)

                for signed_in, visited in visits.items():
                    if signed_in:
                        site_tour.sign_in(page, server)
                    for name, path, needs_session in visited:
                        page.goto(server + path)
                        page.wait_for_load_state("networkidle")
                        if name in READY:
                            page.wait_for_selector(READY[name], state="attached")
                        measure(f"{name}-signed-in" if signed_in and not needs_session else name, signed_in)
                upload_through_the_form(page, server, predictions)()  # the upload result page
                measure("upload-result", True)
    assert not findings, f"{len(findings)} findings:\n" + "\n".join(findings)
