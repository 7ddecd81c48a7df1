"""One Chromium for the whole test session, shared by tests/browser and tests/security.

Playwright's sync API allows one running instance per process, so the fixture must be defined once,
at the root (a plugin in tests/conftest.py), not per directory.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

from tests.support.browser import CHROMIUM, FLAGS

# Every new page is a new Chromium window, and each window preloaded its address bar's suggestion pop-ups (WebUI
# pages in a renderer process of their own): 0.6 s of CPU per page, more than a page of ours costs. Headless, no
# test ever sees an address bar.
UNSEEN_FEATURES = ("WebUIOmniboxPopup", "WebUIOmniboxAimPopup")

# Lets the browser tell its own command line (CDP Browser.getBrowserCommandLine). Pages see no difference: under
# Playwright navigator.webdriver is true with or without it.
TELLS_ITS_COMMAND_LINE = "--enable-automation"


def command_line(browser: Browser) -> list[str]:
    return list(browser.new_browser_cdp_session().send("Browser.getBrowserCommandLine")["arguments"])


def disabled_features(arguments: list[str]) -> list[str]:
    """The features Chromium disables: it keeps only the last ``--disable-features`` switch."""
    switches = [a.removeprefix("--disable-features=") for a in arguments if a.startswith("--disable-features=")]
    return [name for name in switches[-1].split(",") if name] if switches else []


def launch(playwright: Playwright) -> Browser:
    """Debian's Chromium, headless, with Playwright's own disabled features and ``UNSEEN_FEATURES``.

    Playwright passes its list of disabled features first and ours would replace it (the last switch wins), so a
    first launch reads Playwright's list off the browser's command line and the second passes both.
    """
    def start(extra: list[str]) -> Browser:
        return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                          args=[*FLAGS, TELLS_ITS_COMMAND_LINE, *extra])

    probe = start([])
    try:
        playwrights = disabled_features(command_line(probe))
    finally:
        probe.close()
    return start([f"--disable-features={','.join([*playwrights, *UNSEEN_FEATURES])}"])


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("Chromium ontbreekt: installeer Debian's pakket 'chromium' (make test doet dat).")
    with sync_playwright() as playwright:
        instance = launch(playwright)
        yield instance
        instance.close()
