"""Browser tests: the real app served on 127.0.0.1, driven by Playwright in Debian's Chromium.

Chromium comes from the ``chromium`` package (``make test`` installs it); Playwright never
downloads a browser here. Screenshots of the pages land in ``test-artifacts/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from engine.config import Settings
from tests.support.app import reused_app
from tests.support.base import FIXTURES, Clock
from tests.support.browser import ARTIFACTS, AXE, _serve


@pytest.fixture
def live_server(db_url: str, tmp_path: Path, at: Clock) -> Iterator[str]:
    settings = Settings(instance_dir=tmp_path, database_url=db_url, secret_key="b" * 64,
                        forms_dir=FIXTURES / "forms")
    yield from _serve(reused_app(settings, {}, at))


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in request.node.name)
    page.screenshot(path=str(ARTIFACTS / f"{safe}.png"), full_page=True)
    context.close()


@pytest.fixture
def axe_page(browser: Browser) -> Iterator[Page]:
    """A page for axe-core checks (see ``test_accessibility.serious_violations``)."""
    if not AXE.exists():
        pytest.fail("axe-core ontbreekt: 'make test' installeert het met npm ci.")
    # Injecting axe is an inline script, which our CSP rightly forbids; only the test bypasses it.
    context = browser.new_context(locale="nl-NL", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


