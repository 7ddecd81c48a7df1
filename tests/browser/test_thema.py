"""The look in Chromium: the NL Design System theme on every component, a municipality's own theme by setting
only, and the small things people notice (favicon, "U bent uitgelogd", focus on the error summary, 112)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from engine.config import Settings
from tests.support.base import FIXTURES, Clock
from tests.support.browser import _serve, log_in
from tests.support.helpers import deploy, ready, start
from webapp import create_app

TRANSPARENT = "rgba(0, 0, 0, 0)"
# A municipality's own tokens: another primary colour and another sans-serif, switched on by its class.
GEMEENTE_THEMA = """.gemeente-proef-theme {
  --utrecht-button-primary-action-background-color: rgb(0, 102, 51);
  --utrecht-button-primary-action-color: rgb(255, 255, 255);
  --utrecht-document-font-family: "DejaVu Sans", sans-serif;
}
"""
LOOK = """() => {
  const style = selector => { const s = getComputedStyle(document.querySelector(selector));
    return {background: s.backgroundColor, color: s.color, font: s.fontFamily, border: s.borderTopWidth,
            cursor: s.cursor}; };
  return {body: style('body'), h1: style('h1'), input: style('input[type=text]'),
          primary: style('.utrecht-button--primary-action'), bodyClass: document.body.className};
}"""


@pytest.fixture
def gemeente_server(db_url: str, tmp_path: Path, at: Clock) -> Iterator[str]:
    """The app with the municipality's theme: a tokens file, a font beside it and a file that must stay private."""
    folder = tmp_path / "huisstijl"
    (folder / "fonts").mkdir(parents=True)
    (folder / "gemeente.css").write_text(GEMEENTE_THEMA)
    (folder / "fonts" / "gemeente.woff2").write_bytes(b"wOF2 proef")
    (folder / "geheim.txt").write_text("niet voor de buitenwereld")
    settings = Settings(instance_dir=tmp_path, database_url=db_url, secret_key="t" * 64, forms_dir=FIXTURES / "forms",
                        thema_css=folder / "gemeente.css", thema_klasse="gemeente-proef-theme")
    yield from _serve(create_app(settings, {"CLOCK": at}))


def look_of_the_login_page(page: Page, base: str) -> dict[str, Any]:
    page.goto(f"{base}/inloggen")
    page.evaluate("document.fonts.ready.then(() => true)")
    return dict(page.evaluate(LOOK))


def is_serif(font_family: str) -> bool:
    """True for a serif stack: 'Times New Roman', or a generic serif that is not sans-serif."""
    return bool(re.search(r"times|(^|,)\s*['\"]?serif\b|noto serif", font_family, re.I))


def test_buttons_fields_and_text_wear_the_theme_in_a_sans_serif(page, live_server, world):
    look = look_of_the_login_page(page, live_server)
    assert "voorbeeld-theme" in look["bodyClass"].split()
    primary = look["primary"]
    assert primary["background"] not in (TRANSPARENT, "transparent"), "the primary button has its colour"
    assert primary["color"] != primary["background"]
    for part in ("body", "h1", "input", "primary"):
        assert not is_serif(look[part]["font"]), f"{part}: {look[part]['font']}"
    assert look["body"]["font"].lstrip("'\"").startswith("Noto Sans")
    assert page.evaluate("[...document.fonts].some(f => f.family.includes('Noto Sans') && f.status === 'loaded')"), \
        "the theme's font is served from this app, not missing"
    assert look["input"]["border"] != "0px", "a text field has a visible border"
    disabled = page.evaluate("""() => {
        const button = document.querySelector('.utrecht-button--primary-action');
        const copy = button.cloneNode(true); copy.disabled = true; button.after(copy);
        const s = getComputedStyle(copy); return {background: s.backgroundColor, cursor: s.cursor};
    }""")
    assert disabled["background"] != primary["background"], "a disabled button looks disabled"
    assert disabled["cursor"] == "not-allowed"
    log_in(page, live_server, "af")
    secondary = page.get_by_role("button", name="Uitloggen").evaluate(
        "b => { const s = getComputedStyle(b); return [s.borderTopWidth, s.borderTopStyle, s.color]; }")
    assert secondary[0] != "0px" and secondary[1] == "solid", "the secondary button is outlined"


def test_a_municipality_theme_changes_the_look_without_a_code_change(page, live_server, gemeente_server, world):
    default = look_of_the_login_page(page, live_server)
    gemeente = look_of_the_login_page(page, gemeente_server)
    assert "gemeente-proef-theme" in gemeente["bodyClass"].split()
    assert "voorbeeld-theme" not in gemeente["bodyClass"].split()
    assert gemeente["primary"]["background"] == "rgb(0, 102, 51)"
    assert gemeente["primary"]["background"] != default["primary"]["background"]
    assert gemeente["body"]["font"].startswith('"DejaVu Sans"')
    assert not is_serif(gemeente["body"]["font"])


def test_the_theme_address_serves_its_tokens_and_fonts_and_nothing_else(page, gemeente_server, world):
    page.goto(f"{gemeente_server}/inloggen")
    href = page.get_by_test_id("thema-css").get_attribute("href")
    assert href is not None and href.startswith("/thema/gemeente.css?v=")
    tokens = page.request.get(gemeente_server + href)
    assert tokens.status == 200 and tokens.headers["content-type"].startswith("text/css")
    assert "--utrecht-button-primary-action-background-color" in tokens.text()
    font = page.request.get(f"{gemeente_server}/thema/fonts/gemeente.woff2")
    assert font.status == 200 and font.body() == b"wOF2 proef"
    for refused in ("geheim.txt", "..%2Fsecret_key", "fonts/..%2F..%2Fsecret_key.woff2", "bestaat-niet.woff2"):
        assert page.request.get(f"{gemeente_server}/thema/{refused}").status == 404, refused


def test_a_favicon_and_a_message_after_logging_out(page, live_server, world):
    page.goto(f"{live_server}/inloggen")
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert icon is not None
    response = page.request.get(live_server + icon)
    assert response.status == 200 and response.headers["content-type"].startswith("image/svg+xml")
    expect(page.get_by_test_id("uitgelogd")).to_have_count(0)
    log_in(page, live_server, "af")
    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_role("heading", name="Inloggen")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("U bent uitgelogd.")
    page.reload()
    expect(page.get_by_test_id("uitgelogd")).to_have_count(0), "said once"


def test_after_a_failed_submit_focus_is_on_the_error_summary(page, live_server, factory, world, forms, at):
    page.goto(f"{live_server}/inloggen")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("alert")).to_be_focused()
    deploy(factory, world.regisseur, at(), forms, "drie_taken.bpmn")
    case = start(factory, world.af, at(), "drie_taken")
    [task] = ready(factory, case).values()
    log_in(page, live_server, "af")
    page.goto(f"{live_server}/taken/{task.id}")
    page.get_by_role("button", name="Taak afronden").click()
    summary = page.get_by_test_id("foutsamenvatting")
    expect(summary).to_be_focused()
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link").first).to_be_focused()


def test_the_112_notice_is_a_warning_and_the_menu_folds_at_320_px_without_script(browser, chain, chain_server):
    context = browser.new_context(locale="nl-NL", java_script_enabled=False, viewport={"width": 320, "height": 640})
    page = context.new_page()
    log_in(page, chain_server, chain.person("melder", "eersel").username)
    menu = page.get_by_role("navigation", name="Hoofdmenu")
    expect(menu).to_be_hidden()
    page.get_by_text("Menu", exact=True).click()
    expect(menu.get_by_role("link", name="Signaal melden")).to_be_visible()
    menu.get_by_role("link", name="Signaal melden").click()
    notice = page.get_by_test_id("112-melding")
    expect(notice).to_contain_text("Bel eerst 112")
    # The text can be there before the stylesheets are: read colours only once the page has loaded.
    page.wait_for_load_state("load")
    colours = notice.evaluate("n => { const s = getComputedStyle(n); return [s.backgroundColor, s.borderLeftColor]; }")
    warning = page.evaluate("""() => { const s = getComputedStyle(document.body);
        return s.getPropertyValue('--utrecht-alert-warning-background-color').trim(); }""")
    assert warning, "the theme has a warning colour"
    assert colours[0] not in (TRANSPARENT, "rgb(255, 255, 255)"), "the notice stands out as a warning"
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    context.close()
