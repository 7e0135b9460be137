"""Every page of the admin, the `/dev` page around it and the sandbox phone, on the demo store:
in English on a 1280 px desktop and in Turkish on a 390 px phone, nothing is wider than the
screen and axe-core finds no serious or critical violation (issue 20, point 10).

It also photographs each page: into test-artifacts/ as the other browser tests do, or, with
ULAK_DOCS_SCREENSHOTS=1 (`make screenshots`), into docs/img/ where the README links them —
so that `make test` does not rewrite committed images on every run."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Frame, Page, Request

from tests.browser.conftest import ROOT, SCREENSHOTS
from tests.browser.test_dashboard_and_inbox import SELIN, _seed_figures
from tests.browser.test_dev_dashboard import _open, dev_app  # noqa: F401 - the fixture

pytestmark = pytest.mark.browser


def _admin_pages() -> list[str]:
    """The admin's pages as admin_ui/src/pages/pages.ts lists them, so a new page is checked
    without anyone remembering to add it here."""
    source = (ROOT / "admin_ui" / "src" / "pages" / "pages.ts").read_text(encoding="utf-8")
    listed = re.search(r"PAGES = \[(.*?)\] as const", source, re.S)
    assert listed is not None, "pages.ts no longer lists PAGES"
    return re.findall(r'"(\w+)"', listed.group(1))


PAGES = _admin_pages()
NEXT = {"en": "Next", "tr": "İleri"}  # the campaign wizard's button
TEMPLATE_FOR = {"en": "Template (variant A)", "tr": "Şablon (varyant A)"}  # its first Select
VIEWS = {"en": (1280, 900, "en"), "tr": (390, 844, "tr-390")}  # width, height, file prefix
AXE = ROOT / "admin_ui" / "node_modules" / "axe-core" / "axe.min.js"
BAD = ("serious", "critical")
# axe.run over this document only: each frame is checked on its own, with its own axe
AXE_RUN = """async () => {
  const result = await axe.run(document, {iframes: false, resultTypes: ["violations"]});
  return result.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
    summary: (v.nodes[0] && v.nodes[0].failureSummary || "").split("\\n").slice(0, 3).join(" ")
  }));
}"""


def _pictures() -> Path:
    if os.environ.get("ULAK_DOCS_SCREENSHOTS") == "1":
        return ROOT / "docs" / "img"
    return SCREENSHOTS / "pages"


class _Quiet:
    """Counts the page's requests in flight, so a page is read once its data has arrived."""

    def __init__(self, page: Page) -> None:
        self.busy: set[Request] = set()
        page.on("request", self._started)
        page.on("requestfinished", self._ended)
        page.on("requestfailed", self._ended)

    def _started(self, request: Request) -> None:
        self.busy.add(request)

    def _ended(self, request: Request) -> None:
        self.busy.discard(request)

    def wait(self, page: Page, *, settle_ms: int = 300, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        quiet_since = time.monotonic()
        while time.monotonic() < deadline:
            page.wait_for_timeout(50)
            if self.busy:
                quiet_since = time.monotonic()
            elif (time.monotonic() - quiet_since) * 1000 >= settle_ms:
                return


def _too_wide(target: Page | Frame, name: str) -> list[str]:
    sizes: dict[str, int] = target.evaluate(
        "({scroll: document.documentElement.scrollWidth,"
        " view: document.documentElement.clientWidth})"
    )
    if sizes["scroll"] <= sizes["view"]:
        return []
    widest = target.evaluate(
        """() => [...document.querySelectorAll("body *")]
          .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth)
          .slice(-3).map((e) => e.tagName.toLowerCase() + (e.className && e.className.baseVal
            === undefined ? "." + String(e.className).split(" ").slice(0, 2).join(".") : ""))"""
    )
    return [f"{name}: {sizes['scroll']} px wide on a {sizes['view']} px screen ({widest})"]


def _axe(target: Page | Frame, name: str, *, every: bool = False) -> list[str]:
    """axe's serious and critical findings (`every`: all, for the pages we write by hand: the
    landmarks and the heading a screen reader navigates by are moderate in axe's scale)."""
    if not target.evaluate("typeof window.axe !== 'undefined'"):
        target.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = target.evaluate(AXE_RUN)
    return [
        f"{name}: axe {v['impact']} {v['id']} ({v['help']}) at {v['targets']}: {v['summary']}"
        for v in found
        if every or v["impact"] in BAD
    ]


@pytest.mark.timeout(300)  # a dozen pages, axe on each, on a shared 2-core machine
@pytest.mark.parametrize("locale", ["en", "tr"])
def test_every_page_fits_the_screen_and_passes_axe(
    browser: Browser,
    dev_app: str,  # noqa: F811
    locale: str,
) -> None:
    if not AXE.is_file():
        pytest.fail("axe-core is missing from admin_ui/node_modules: run `make ui`")
    width, height, prefix = VIEWS[locale]
    pictures = _pictures()
    pictures.mkdir(parents=True, exist_ok=True)
    # given the demo store with its customers and orders, a week of cart recovery and a
    # customer's question in the replies inbox, so that charts, cards and lists are drawn
    assert httpx.post(f"{dev_app}/dev/demo", timeout=60).status_code == 200
    _seed_figures()
    question = {"from": SELIN, "text": "Kargom ne zaman gelir?"}
    assert httpx.post(f"{dev_app}/sandbox/api/reply", json=question, timeout=30).is_success
    page, frame = _open(browser, f"{dev_app}/dev?locale={locale}&route=onboarding", width)
    page.set_viewport_size({"width": width, "height": height})
    quiet = _Quiet(page)
    problems: list[str] = []

    def check(name: str) -> None:
        quiet.wait(page)
        problems.extend(_too_wide(page, f"{name} (/dev)") + _too_wide(frame, name))
        problems.extend(_axe(frame, name))
        page.locator("iframe#app").screenshot(path=str(pictures / f"{prefix}-{name}.png"))

    # when the merchant walks through every page of the admin
    for route in PAGES:
        frame.evaluate(f"location.hash = '#/{route}'")
        frame.locator(f'nav a[aria-current="page"][href$="#/{route}"]').wait_for()
        # then none is wider than the screen and axe finds nothing serious
        check(route)
    # and the campaign wizard's template step, whose selects name whole templates
    frame.evaluate("location.hash = '#/campaigns'")
    frame.locator("#campaign-name").fill("Bahar")
    frame.get_by_role("button", name=NEXT[locale]).click()
    frame.get_by_role("combobox", name=TEMPLATE_FOR[locale]).wait_for()
    check("campaign-template")
    # and a customer's profile (#/contacts/:id), with her orders and messages
    frame.evaluate("location.hash = '#/contacts'")
    frame.locator("a.ulak-contact-link").filter(has_text="Ayşe").first.click()
    frame.wait_for_url(lambda url: "#/contacts/" in url)
    check("contact")
    # and the page playing the Saleor dashboard around it passes too
    frame.evaluate("location.hash = '#/dashboard'")
    quiet.wait(page)
    problems += _axe(page, "/dev", every=True)
    page.screenshot(path=str(pictures / f"{prefix}-dev.png"))
    # and so does the sandbox phone
    page.goto(f"{dev_app}/sandbox/phone?lang={locale}")
    quiet.wait(page)
    problems += _too_wide(page, "/sandbox/phone") + _axe(page, "/sandbox/phone", every=True)
    page.screenshot(path=str(pictures / f"{prefix}-phone.png"))
    page.context.close()
    assert not problems, "\n".join(problems)
