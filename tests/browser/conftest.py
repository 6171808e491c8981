"""Fixtures of the browser tests: the real server process over the small test corpus (with
the admin token set, so the report page is served), a portal on another origin that embeds
the widget, one headless Chromium (Debian's, at /usr/bin/chromium) per session, and a fresh
browser context per test that fails the test on any console error, page error or dialog — a
citizen's, or a cadre's that answers the report page's HTTP Basic challenge with the token."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx2 as httpx
import pytest

from retrieval import build, load_settings
from support import (
    Live,
    ServerDied,
    free_port,
    make_corpus,
    seed_embedding_cache,
    start_live_server,
    stop,
    write_config,
)
from support.needs import require_model
from tests.browser.support import CHROMIUM, CHROMIUM_ARGS, HostSite
from web.routes.admin import TOKEN_ENV as ADMIN_TOKEN_ENV

SETUP_HINT = "run `bash scripts/test.sh` once: it installs Chromium (apt-get) and Playwright (requirements-dev.txt)"
ADMIN_TOKEN = "kiem-thu-trinh-duyet-0123456789abcdef"


def _require_model() -> None:
    require_model()


@dataclass
class Site:
    api: str  # the server: API, pages and widget.js, e.g. http://127.0.0.1:P
    host: HostSite  # the portal, http://localhost:H (allowed) or http://127.0.0.1:H (not allowed)
    live: Live
    records_path: Path  # the server's question log (the report's source)
    admin_token: str = ADMIN_TOKEN

    @property
    def portal(self) -> str:
        """The portal's page with the widget, on the origin in allowed_origins."""
        return self.host.url("localhost")

    @property
    def foreign_portal(self) -> str:
        """The same page on an origin that is not in allowed_origins (another host name)."""
        return self.host.url("127.0.0.1")

    def post(self, path: str, body: dict) -> dict:
        """What the API itself answers, to compare with what a page shows."""
        response = httpx.post(f"{self.api}{path}", json=body, timeout=60)
        response.raise_for_status()
        return response.json()


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    _require_model()
    root = tmp_path_factory.mktemp("browser")
    make_corpus(root)  # the bundled documents and the one carrying HTML in its text and title
    port = free_port()
    api = f"http://127.0.0.1:{port}"
    host = HostSite(api)
    try:
        # a December 2026 day: the widget's check shows the standard in force and the one from 2027
        config = write_config(root, port, allowed_origins=[f"http://localhost:{host.port}"], as_of="2026-12-15")
        settings = load_settings(config)
        seed_embedding_cache(settings.index_dir)
        build(settings)
        try:
            live = start_live_server(config, port, root / "server.log", env={ADMIN_TOKEN_ENV: ADMIN_TOKEN})
        except ServerDied as exc:
            pytest.fail(str(exc))
        try:
            yield Site(api, host, live, settings.records_path)
        finally:
            stop(live.process)
    finally:
        host.close()


# Per module, not per session: Playwright's sync API keeps an event loop running in this thread
# while it is open, and a test of another package that the same worker runs next (pytest-xdist)
# could not call asyncio.run(). Chromium starts in about a second.
@pytest.fixture(scope="module")
def browser():
    _require_model()
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium is missing ({CHROMIUM}): {SETUP_HINT}.", pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(f"Playwright is not installed: {SETUP_HINT}.", pytrace=False)
    with sync_playwright() as playwright:
        # launch() gives every run a fresh temporary profile; never `playwright install`.
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Browsing:
    """One browser context and what went wrong in any of its pages."""

    context: object
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def new_page(self, width: int = 1280, height: int = 800):
        page = self.context.new_page()
        page.set_viewport_size({"width": width, "height": height})
        return page

    def take_errors(self, pattern: str) -> list[str]:
        """Remove and return the expected errors (matching ``pattern``)."""
        taken = [e for e in self.errors if re.search(pattern, e)]
        self.errors[:] = [e for e in self.errors if e not in taken]
        return taken


@contextmanager
def _watched_context(browser, **options) -> Iterator[Browsing]:
    """A fresh context whose console errors, page errors and dialogs fail the test."""
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 800}, **options)
    context.set_default_timeout(20_000)
    result = Browsing(context)

    def on_console(message) -> None:
        if message.type == "error":
            where = message.page.url if message.page else "?"
            result.errors.append(f"console error on {where}: {message.text}")

    def on_dialog(dialog) -> None:
        result.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    context.on("console", on_console)
    context.on("weberror", lambda error: result.errors.append(f"page error: {error.error}"))
    context.on("dialog", on_dialog)
    try:
        yield result
    finally:
        context.close()
    assert not result.errors, "errors in the browser:\n" + "\n".join(result.errors)
    assert not result.dialogs, f"dialogs opened: {result.dialogs}"


@pytest.fixture
def browsing(browser, site):
    with _watched_context(browser) as result:
        yield result


@pytest.fixture
def cadre_browsing(browser, site):
    """A cadre's browser that has been given the admin token once, as the password of the
    report page's HTTP Basic challenge (any user name)."""
    with _watched_context(browser, http_credentials={"username": "can-bo", "password": site.admin_token}) as result:
        yield result


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every browser test is slow (Chromium and a real server): the full suite only."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.slow)
