"""In the browser: an auditor enrols in TOTP at the first login, logs in with a code later; the pages pass axe."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.support.accounts import SERVERS, code_for_secret, current_code
from tests.support.base import PASSWORD
from tests.support.browser import log_in, serious_violations


def test_an_auditor_enrols_with_the_first_code_and_later_logs_in_with_a_code(axe_page, live_server, world):
    page, app = axe_page, SERVERS[live_server]
    page.goto(f"{live_server}/inloggen")
    page.get_by_label("Gebruikersnaam").fill("auditor")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", name="Tweestapsverificatie instellen")).to_be_visible()
    expect(page.get_by_role("img", name="QR-code met de sleutel voor uw authenticator-app")).to_be_visible()
    expect(page.get_by_role("button", name="Uitloggen")).to_have_count(0), "not logged in yet: no menu"
    assert serious_violations(page) == [], "instellen"
    secret = page.get_by_test_id("totp-geheim").inner_text()
    page.get_by_label("Code uit de app").fill("000000")
    page.get_by_role("button", name="Bevestigen").click()
    expect(page.get_by_role("alert")).to_contain_text("Deze code klopt niet")
    assert serious_violations(page) == [], "instellen met fout"
    page.get_by_label("Code uit de app").fill(code_for_secret(app, secret))
    page.get_by_role("button", name="Bevestigen").click()
    expect(page.get_by_role("heading", name="Uw herstelcodes")).to_be_visible()
    expect(page.get_by_test_id("herstelcodes").get_by_role("listitem")).to_have_count(10)
    assert serious_violations(page) == [], "herstelcodes"
    page.get_by_role("link", name="Ik heb de codes bewaard, verder").click()
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()

    page.goto(f"{live_server}/account")
    expect(page.get_by_test_id("tweestaps-stand")).to_contain_text("aan sinds 2 maart 2026")
    assert serious_violations(page) == [], "mijn account"
    page.get_by_role("button", name="Uitloggen").click()

    page.get_by_label("Gebruikersnaam").fill("auditor")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", name="Code invullen")).to_be_visible()
    assert serious_violations(page) == [], "code"
    page.get_by_label("Code").fill("123456")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("alert")).to_contain_text("De code is onjuist of verlopen.")
    assert serious_violations(page) == [], "code met fout"
    page.get_by_label("Code").fill(current_code(app, "auditor"))
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()


def test_the_access_review_passes_axe(axe_page, live_server, world):
    log_in(axe_page, live_server, "beheerder")
    axe_page.goto(f"{live_server}/beheer/rechten")
    expect(axe_page.get_by_test_id("rechten").get_by_role("row")).to_have_count(10)
    expect(axe_page.get_by_role("link", name="Download als CSV")).to_be_visible()
    assert serious_violations(axe_page) == [], "rechten"
