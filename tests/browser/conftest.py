"""Browser tests: the real app served on 127.0.0.1, driven by Playwright in Debian's Chromium.

Chromium comes from the ``chromium`` package (``make test`` installs it); Playwright never
downloads a browser here. Screenshots of the pages land in ``test-artifacts/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from engine.config import Settings
from tests.support.app import reused_app
from tests.support.base import FIXTURES, Clock
from tests.support.browser import ARTIFACTS, AXE, _serve


@pytest.fixture
def live_server(db_url: str, tmp_path: Path, at: Clock) -> Iterator[str]:
    settings = Settings(instance_dir=tmp_path, database_url=db_url, secret_key="b" * 64,
                        forms_dir=FIXTURES / "forms")
    yield from _serve(reused_app(settings, {}, at))


@pytest.fixture(scope="session")
def _page_context(browser: Browser) -> Iterator[BrowserContext]:
    """One context per worker, each test a new page in it without cookies.

    A new context per test cost Chromium 0.6 s of CPU more than a new page in this one (about 0.15 s since the
    address bar's pop-ups are off, tests/support/browser_session.py), and its empty cache fetched every style
    sheet and script again.
    """
    context = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam")
    yield context
    context.close()


@pytest.fixture
def page(_page_context: BrowserContext, request: pytest.FixtureRequest) -> Iterator[Page]:
    _page_context.clear_cookies()
    page = _page_context.new_page()
    page.set_default_timeout(10_000)
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in request.node.name)
    page.screenshot(path=str(ARTIFACTS / f"{safe}.png"), full_page=True)
    page.close()


@pytest.fixture(scope="session")
def _axe_context(browser: Browser) -> Iterator[BrowserContext]:
    # Injecting axe is an inline script, which our CSP rightly forbids; only the test bypasses it.
    context = browser.new_context(locale="nl-NL", bypass_csp=True)
    yield context
    context.close()


@pytest.fixture
def axe_page(_axe_context: BrowserContext) -> Iterator[Page]:
    """A page for axe-core checks (see ``test_accessibility.serious_violations``)."""
    if not AXE.exists():
        pytest.fail("axe-core ontbreekt: 'make test' installeert het met npm ci.")
    _axe_context.clear_cookies()
    page = _axe_context.new_page()
    page.set_default_timeout(10_000)
    yield page
    page.close()
