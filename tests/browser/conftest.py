"""Browser fixtures: the real app under uvicorn (test mode, sandbox mounted, admin_ui/dist
built), a store installed through the fake Saleor, Debian's Chromium driven by Playwright, and
a small page that plays the Saleor dashboard's part: it frames the app and answers the
AppBridge with a handshake carrying a dashboard token signed by the test key."""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from playwright.sync_api import Browser, Frame, Page, sync_playwright
from sqlmodel import Session, select

from plugin.whatsapp.accounts import WhatsAppAccount
from tests.admin_api_support import dashboard_claims
from tests.conftest import make_settings
from tests.support import REAL_APP_ID, FakeSaleor, ServerThread, SigningKey, free_port, wait_for

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def admin_ui_built() -> None:
    """The app serves admin_ui/dist; build it once if this checkout has no build yet."""
    if not (ROOT / "admin_ui" / "dist" / "index.html").is_file():
        subprocess.run(["make", "--no-print-directory", "ui"], cwd=ROOT, check=True)


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One Chromium for the browser tests, closed after them: Playwright's sync API keeps an
    event loop running in this thread, which would break later tests' asyncio.run()."""
    if not Path(CHROMIUM).is_file():
        pytest.fail("Debian's Chromium is missing: run `make browser`")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def live_app(db_url: str, fake_saleor: FakeSaleor, admin_ui_built: None) -> Iterator[str]:
    """The real app on a loopback port, lifespan and embedded worker on, a store installed."""
    from plugin.app import create_app

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = create_app(make_settings(db_url, app_url=url), embedded_worker=True)
    with ServerThread(app, port, lifespan="on"):
        fake_saleor.app_url = url  # Saleor installed Ulak from this app's manifest
        yield _install(url, fake_saleor)


def _install(url: str, fake_saleor: FakeSaleor) -> str:
    """Installs a store through the real register call and waits for its sandbox number."""
    from plugin.db import get_engine

    register = httpx.post(
        f"{url}/api/register",
        headers={"saleor-api-url": fake_saleor.api_url, "saleor-domain": fake_saleor.domain},
        json={"auth_token": "good-app-token"},
    )
    assert register.status_code == 200, register.text

    def sandbox_connected() -> bool:
        with Session(get_engine()) as s:
            return s.exec(select(WhatsAppAccount)).first() is not None

    wait_for(sandbox_connected)
    return url


class _DashboardPage(BaseHTTPRequestHandler):
    html = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(self.html)

    def log_message(self, format: str, *args: Any) -> None:
        return


DASHBOARD_HTML = (Path(__file__).parent / "dashboard.html").read_text(encoding="utf-8")


@dataclass
class Dashboard:
    """Opens Ulak's pages inside the test dashboard page."""

    page: Page
    app_url: str
    api_url: str
    key: SigningKey
    server_url: str
    server: ThreadingHTTPServer

    def token(self) -> str:
        claims = dashboard_claims(
            self.api_url, permissions=["MANAGE_APPS", "MANAGE_USERS", "MANAGE_ORDERS"]
        )
        return self.key.token(claims)

    def open(self, route: str = "onboarding", *, locale: str = "en", theme: str = "light") -> Frame:
        params = urlencode(
            {
                "domain": "127.0.0.1",
                "saleorApiUrl": self.api_url,
                "id": REAL_APP_ID,
                "theme": theme,
                "locale": locale,
            }
        )
        src = f"{self.app_url}/?{params}#/{route}"
        config = {"token": self.token(), "appOrigin": self.app_url}
        _DashboardPage.html = (
            DASHBOARD_HTML.replace("__SRC__", src).replace("__CONFIG__", json.dumps(config))
        ).encode()
        self.page.goto(self.server_url)
        frame = self.page.frame_locator("iframe#app")
        frame.locator("main h2").first.wait_for()
        app_frame = self.page.frame(url=lambda u: u.startswith(self.app_url))
        assert app_frame is not None
        return app_frame

    def screenshot(self, name: str, frame: Frame) -> Path:
        """Grows the iframe to its content, then saves the whole page."""
        height = frame.evaluate("document.documentElement.scrollHeight")
        self.page.evaluate(f"document.getElementById('app').style.height = '{height}px'")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.page.evaluate("document.getElementById('app').style.height = '100vh'")
        return path


@pytest.fixture()
def dashboard(
    browser: Browser, live_app: str, fake_saleor: FakeSaleor, saleor_key: SigningKey
) -> Iterator[Dashboard]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _DashboardPage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield Dashboard(
        page=page,
        app_url=live_app,
        api_url=fake_saleor.api_url,
        key=saleor_key,
        server_url=f"http://127.0.0.1:{server.server_address[1]}/",
        server=server,
    )
    context.close()
    server.shutdown()
