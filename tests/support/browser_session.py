"""One Chromium for the whole test session, shared by tests/browser and tests/security.

Playwright's sync API allows one running instance per process, so the fixture must be defined once,
at the root (a plugin in tests/conftest.py), not per directory.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.support.browser import CHROMIUM, FLAGS


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("Chromium ontbreekt: installeer Debian's pakket 'chromium' (make test doet dat).")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        yield instance
        instance.close()
