"""The test session's Chromium: Playwright's own settings kept, the address bar's pop-ups never loaded."""

from __future__ import annotations

from playwright.sync_api import Browser

from tests.support.browser import CHROMIUM, FLAGS
from tests.support.browser_session import TELLS_ITS_COMMAND_LINE, UNSEEN_FEATURES, command_line, disabled_features


def test_the_session_browser_disables_what_playwright_disables_and_the_unseen_features(browser: Browser):
    plain = browser.browser_type.launch(executable_path=str(CHROMIUM), headless=True,
                                        args=[*FLAGS, TELLS_ITS_COMMAND_LINE])
    try:
        playwrights = set(disabled_features(command_line(plain)))
    finally:
        plain.close()
    ours = set(disabled_features(command_line(browser)))
    assert {"PaintHolding", "HttpsUpgrades"} <= playwrights, "Playwright's list was read"
    assert playwrights | set(UNSEEN_FEATURES) == ours


def test_a_new_page_opens_no_browser_ui_of_its_own(browser: Browser):
    context = browser.new_context()
    try:
        context.new_page().goto("about:blank")
        targets = browser.new_browser_cdp_session().send("Target.getTargets", {"filter": [{}]})["targetInfos"]
    finally:
        context.close()
    assert [t["url"] for t in targets if t["type"] == "browser_ui"] == []
