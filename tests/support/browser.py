"""Moved from tests/browser/test_accessibility.py: shared by several test modules."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from engine.config import Settings
from tests.support.accounts import SERVERS, code_for_secret, current_code
from tests.support.app import reused_app
from tests.support.base import PASSWORD, Clock
from tests.support.chain import ROOT
from webapp import db


def serious_violations(page: Page) -> list[str]:
    """axe-core's WCAG 2.1 A/AA rules on the page as it is now: the serious and critical violations.

    ``resultTypes: ['violations']``: axe still reports every node of every violation, but stops collecting
    the nodes that pass, which took two thirds of each run on our pages.
    """
    if not page.evaluate("typeof window.axe === 'object'"):  # once per document: 550 kB to send and compile
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => await axe.run(document, {resultTypes: ['violations'],
        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})""")
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])}x)" for v in result["violations"]
            if v["impact"] in ("serious", "critical")]


def log_in(page: Page, base: str, username: str, password: str = PASSWORD) -> None:
    """Log in through the form; then type the app's code, or enrol first, where the login asks for it."""
    page.goto(f"{base}/inloggen")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Inloggen").click()
    path = urlsplit(page.url).path
    if path == "/inloggen/code":
        page.get_by_label("Code").fill(current_code(SERVERS[base], username))
        with page.expect_navigation():
            page.get_by_role("button", name="Inloggen").click()
    elif path == "/account/tweestaps":
        secret = page.get_by_test_id("totp-geheim").inner_text()
        page.get_by_label("Code uit de app").fill(code_for_secret(SERVERS[base], secret))
        page.get_by_role("button", name="Bevestigen").click()
        expect(page.get_by_test_id("herstelcodes")).to_be_visible()
        page.get_by_role("link", name="Ik heb de codes bewaard, verder").click()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Uitloggen").click()


def choose(page: Page, group: str, option: str) -> None:
    page.get_by_role("group", name=group).get_by_label(option, exact=True).check()


def marked(page: Page, css: str) -> list[str]:
    return page.locator(css).evaluate_all("els => els.map(e => e.dataset.elementId)")


CHROMIUM = Path("/usr/bin/chromium")


AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync"]


class _Slot:
    """A server of this worker that serves whichever app it is lent to, on a port that stays the same.

    With one origin per server, the worker's browser context (tests/browser/conftest.py) keeps the static
    files between tests (URLs named by their content, cached for a year) instead of fetching them per test.
    """

    def __init__(self) -> None:
        self.app: Flask | None = None
        self.server = make_server("127.0.0.1", 0, self, threaded=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()  # until the worker exits
        self.base = f"http://127.0.0.1:{self.server.server_port}"

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        app = self.app
        if app is None:  # a page left open after its test asks for more
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"no app"]
        return app(environ, start_response)


_IDLE: list[_Slot] = []


def _serve(app: Flask) -> Iterator[str]:
    """Serve ``app`` on one of this worker's servers; the login helper finds it by its base URL (for TOTP codes)."""
    slot = _IDLE.pop() if _IDLE else _Slot()
    slot.app = app
    SERVERS[slot.base] = app
    yield slot.base
    SERVERS.pop(slot.base, None)
    slot.app = None
    _IDLE.append(slot)
    db.dispose(app)


@pytest.fixture
def chain_server(chain, db_url: str, tmp_path: Path, at: Clock) -> Iterator[str]:
    """The app on the real forms, processes and region profiles, over the ``chain`` fixture's database."""
    settings = Settings(instance_dir=tmp_path, database_url=db_url, secret_key="c" * 64,
                        forms_dir=ROOT / "forms", processes_dir=ROOT / "processes")
    yield from _serve(reused_app(settings, {}, at))


def open_draft(page: Page, base: str, process_name: str, version: int = 1) -> None:
    page.goto(f"{base}/modelleren/")
    page.get_by_role("button", name=f"Concept maken van versie {version} van {process_name}").click()
    expect(page.get_by_test_id("status")).to_have_text("Model geladen.")


def check(page: Page) -> None:
    page.get_by_role("button", name="Controleren").click()
    expect(page.get_by_test_id("status")).to_contain_text("Opgeslagen en gecontroleerd")


NARROW, WIDE = 320, 1280


def page_width(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def wide_elements(page: Page) -> list[str]:
    """The outermost elements that stick out past the right edge, to say what to fix."""
    return list(page.evaluate("""() => {
        const limit = document.documentElement.clientWidth;
        const wide = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > limit + 1);
        return wide.filter(e => !wide.includes(e.parentElement)).slice(0, 3)
            .map(e => [e.tagName.toLowerCase(), ...(typeof e.className === 'string' ? e.className.split(/ +/) : [])]
                .filter(Boolean).join('.'));
    }"""))


def captions_out_of_view(page: Page) -> list[str]:
    """Table captions reaching past the right edge: a wide table scrolls sideways, and its caption, as wide as the
    table, was cut off mid-sentence at 320 px ("Taken van mijn team: 1–")."""
    return list(page.evaluate("""() => [...document.querySelectorAll('caption')]
        .filter(c => c.getClientRects().length
                     && c.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .map(c => c.textContent.trim().replace(/\\s+/g, ' '))"""))


def open_the_menu_if_folded(page: Page) -> None:
    """At 320 px the menu is folded into a "Menu" button: open it, so its links are measured and checked too."""
    summary = page.locator("summary", has_text="Menu")
    if summary.count() and summary.is_visible() and page.locator("details.menu-uitklap[open]").count() == 0:
        summary.click()
        expect(page.get_by_role("navigation", name="Hoofdmenu")).to_be_visible()


def problems_at_both_widths(page: Page, name: str, *, axe: bool = True) -> list[str]:
    """What is wrong with the page now loaded: sideways scrolling at 320 px, axe findings at 320 and 1280 px."""
    problems = []
    page.set_viewport_size({"width": WIDE, "height": 900})
    if axe:
        problems += [f"{name} @ {WIDE}px: {v}" for v in serious_violations(page)]
    page.set_viewport_size({"width": NARROW, "height": 700})
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    open_the_menu_if_folded(page)
    if (width := page_width(page)) > NARROW:
        problems.append(f"{name} @ {NARROW}px: de pagina is {width}px breed door {wide_elements(page)}")
    problems += [f"{name} @ {NARROW}px: bijschrift valt buiten beeld: {c}" for c in captions_out_of_view(page)]
    if axe:
        problems += [f"{name} @ {NARROW}px: {v}" for v in serious_violations(page)]
    page.set_viewport_size({"width": WIDE, "height": 900})
    return problems
