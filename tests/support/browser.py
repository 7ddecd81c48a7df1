"""Moved from tests/browser/test_accessibility.py: shared by several test modules."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from engine.config import Settings
from tests.support.accounts import SERVERS, code_for_secret, current_code
from tests.support.base import PASSWORD, Clock
from tests.support.chain import ROOT
from webapp import create_app, db


def serious_violations(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => await axe.run(document, {
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


def _serve(app: Flask) -> Iterator[str]:
    """Serve ``app`` on a free port; the login helper finds it by its base URL (for TOTP codes)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    SERVERS[base] = app
    yield base
    SERVERS.pop(base, None)
    server.shutdown()
    thread.join(timeout=5)
    db.dispose(app)


@pytest.fixture
def chain_server(chain, db_url: str, tmp_path: Path, at: Clock) -> Iterator[str]:
    """The app on the real forms, processes and region profiles, over the ``chain`` fixture's database."""
    settings = Settings(instance_dir=tmp_path, database_url=db_url, secret_key="c" * 64,
                        forms_dir=ROOT / "forms", processes_dir=ROOT / "processes")
    app = create_app(settings, {"CLOCK": at})
    yield from _serve(app)


def open_draft(page: Page, base: str, process_name: str, version: int = 1) -> None:
    page.goto(f"{base}/modelleren/")
    page.get_by_role("button", name=f"Concept maken van versie {version} van {process_name}").click()
    expect(page.get_by_test_id("status")).to_have_text("Model geladen.")


def check(page: Page) -> None:
    page.get_by_role("button", name="Controleren").click()
    expect(page.get_by_test_id("status")).to_contain_text("Opgeslagen en gecontroleerd")
