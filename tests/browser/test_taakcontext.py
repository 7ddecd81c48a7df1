"""The README tour as its people see it : the signal on every task, within need-to-know,
the kenmerk as the case's name, labels instead of keys, and the diagram with the open step marked."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.support.browser import choose, log_in, log_out, serious_violations
from tests.support.chain import TERUG, VERRIJKT

MELDING = "Drie jonge vrouwen in een bovenwoning, 's nachts veel bezoek van mannen."
WAAR = "Markt 1, Eersel"
WIE = "Drie vrouwen rond de twintig, spreken geen Nederlands."
RAW = re.compile(r"\b(True|False|bron_melding|omschrijving|soort_signaal|oost-brabant-avim|signaal_oost_brabant)\b")


def _no_raw_keys(page: Page) -> None:
    """No key, JSON boolean or slug in what the page says (the test accounts' usernames hold slugs: the
    history names people by those, so it is checked on its own below)."""
    text = page.locator("main").inner_text()
    for named_by_username in ("tijdlijn", "behandeling"):  # the history and the colleagues' list name accounts
        if page.get_by_test_id(named_by_username).count():
            text = text.replace(page.get_by_test_id(named_by_username).inner_text(), "")
    assert not RAW.search(text), RAW.search(text)


def test_the_tour_shows_each_person_the_signal_they_need_and_nothing_more(page, chain, chain_server):
    melder = chain.person("melder", "eersel")
    af = chain.person("af", "eersel")
    avim = chain.person("politie", "oost-brabant-avim")
    zoco = chain.person("zorgcoordinator", "oost-brabant-lumens")

    log_in(page, chain_server, melder.username)
    page.get_by_role("link", name="Signaal melden").click()
    page.get_by_label("Wat heeft u gezien of gehoord?").fill(MELDING)
    page.get_by_label("Waar? (niet verplicht)").fill(WAAR)
    page.get_by_label("Wie zijn erbij betrokken, als u dat weet? (niet verplicht)").fill(WIE)
    choose(page, "Is iemand nu in acuut gevaar?", "nee")
    choose(page, "Van wie komt het signaal?", "Een collega van de gemeente")
    choose(page, "Wil de melder anoniem blijven?", "nee")
    page.get_by_role("button", name="Signaal melden").click()
    reference = page.get_by_test_id("kenmerk").inner_text()
    log_out(page)

    # The AF reads the melding and who reported it, under the kenmerk.
    log_in(page, chain_server, af.username)
    page.get_by_role("link", name="Signaal verrijken en beoordelen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    context = page.get_by_test_id("zaak-context")
    expect(context.get_by_test_id("stap-melding")).to_contain_text(MELDING)
    expect(context.get_by_test_id("stap-melding")).to_contain_text("Een collega van de gemeente")
    expect(context.get_by_test_id("melder")).to_contain_text(melder.username.split(".")[0] and "Gemeente Eersel")
    _no_raw_keys(page)
    choose(page, "Vorm van uitbuiting", "Seksuele uitbuiting (SU)")
    choose(page, "Waar gaat het signaal over?", "Een (mogelijk) slachtoffer")
    choose(page, "Is het slachtoffer bekend?", "ja")
    choose(page, "Is het (mogelijke) slachtoffer minderjarig?", "nee")
    choose(page, "Beoordeling na verrijken", "Helder signaal")
    choose(page, "Is iemand nu in acuut gevaar?", "nee")
    choose(page, "Zijn er tekenen van ondermijning of georganiseerde criminaliteit?", "nee")
    page.get_by_label("Samenvatting van het signaal").fill("Vermoedelijk SU in een bovenwoning.")
    page.get_by_label("Adresgegevens (BRP)").fill("Markt 1, 5521 AJ Eersel: drie inschrijvingen")
    page.get_by_role("button", name="Taak afronden").click()
    log_out(page)

    # The police read what was seen, who and where, and the AF's enrichment; not the melder.
    log_in(page, chain_server, avim.username)
    page.get_by_role("link", name="Signaal overnemen (politie)").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    context = page.get_by_test_id("zaak-context")
    expect(context).to_contain_text(MELDING)
    expect(context).to_contain_text(WAAR)
    expect(context).to_contain_text(WIE)
    expect(context.get_by_test_id("stap-verrijking")).to_contain_text("Seksuele uitbuiting (SU)")
    expect(context.get_by_test_id("stap-verrijking")).to_contain_text("Markt 1, 5521 AJ Eersel")
    expect(context.get_by_test_id("melder")).to_have_count(0)
    _no_raw_keys(page)
    choose(page, "Wat gebeurt er met het signaal?", "Onderzoek gestart")
    page.get_by_label("Terugkoppeling aan de AF").fill("Verhoor gepland op het bureau.")
    page.get_by_role("button", name="Taak afronden").click()
    log_out(page)

    # The zorgcoördinator reads the signal, but the police's feedback is for the AF only.
    log_in(page, chain_server, zoco.username)
    page.get_by_role("link", name="Zorg en opvang regelen").click()
    context = page.get_by_test_id("zaak-context")
    expect(context).to_contain_text(MELDING)
    expect(context.get_by_test_id("stap-verrijking")).to_be_visible()
    expect(context).not_to_contain_text("Verhoor gepland op het bureau.")
    expect(context.get_by_test_id("niet-zichtbaar")).to_be_visible()
    expect(context.get_by_test_id("melder")).to_have_count(0)
    log_out(page)

    # The AF's case page: the dossier, the open task with its holder, the diagram with the open step marked.
    log_in(page, chain_server, af.username)
    case = int(reference.rsplit("-", 1)[1])
    page.goto(f"{chain_server}/zaken/{case}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    expect(page.get_by_test_id("samenvatting")).to_contain_text("Gemeente Eersel")
    expect(page.get_by_test_id("samenvatting")).to_contain_text("Van signaal naar aanpak (Oost-Brabant), versie 1")
    expect(page.get_by_test_id("stap-werk_politie")).to_contain_text("Verhoor gepland op het bureau.")
    open_tasks = page.get_by_test_id("openstaand")
    expect(open_tasks).to_contain_text("Zorg en opvang regelen")
    expect(open_tasks).to_contain_text("Nog niemand (het team)")
    _no_raw_keys(page)
    expect(page.get_by_test_id("tijdlijn")).to_contain_text("Politie, team AVIM")
    open_step = page.locator('.zaak-deelproces [data-element-id="zorg_en_opvang"].zaak-open')
    expect(open_step).to_have_count(1)
    expect(page.locator('#zaak-diagram [data-element-id="overdracht"].zaak-open')).to_have_count(1)
    expect(page.locator('#zaak-diagram [data-element-id="verrijken"].zaak-bezocht')).to_have_count(1)


def test_the_case_diagram_scrolls_inside_its_box_at_320_px(page, chain, chain_server):
    case = chain.report("eersel")
    af = chain.person("af", "eersel")
    page.set_viewport_size({"width": 320, "height": 640})
    log_in(page, chain_server, af.username)
    page.goto(f"{chain_server}/zaken/{case}")
    expect(page.locator('#zaak-diagram [data-element-id="verrijken"].zaak-open')).to_have_count(1)
    # The navigation belongs to the page shell; this page's own content must fit or scroll in its box.
    sticking_out = page.evaluate("""[...document.querySelectorAll('main *')]
        .filter(e => !e.closest('.tabel-container, .zaak-diagram') && e.getBoundingClientRect().right > 321)
        .map(e => e.tagName + '.' + e.className)""")
    assert sticking_out == []
    assert page.locator("#zaak-diagram").bounding_box()["width"] <= 320


def test_the_task_page_and_the_case_page_with_its_diagrams_pass_axe_at_both_widths(axe_page, chain, chain_server):
    case = chain.report("eersel")
    chain.do(case, "verrijken", VERRIJKT)
    chain.do(case, "overdracht_politie", TERUG)
    log_in(axe_page, chain_server, chain.person("af", "eersel").username)
    for width in (1280, 320):
        axe_page.set_viewport_size({"width": width, "height": 800})
        axe_page.goto(f"{chain_server}/zaken/{case}")
        expect(axe_page.locator(".zaak-deelproces .zaak-diagram[data-geladen='ja']")).to_have_count(2)
        assert serious_violations(axe_page) == [], f"case page at {width} px"
    axe_page.set_viewport_size({"width": 1280, "height": 800})  # at 320 px logging out sits in the folded menu
    log_out(axe_page)
    log_in(axe_page, chain_server, chain.person("zorgcoordinator", "oost-brabant-lumens").username)
    axe_page.goto(f"{chain_server}/taken/{chain.ready(case)['zorg_en_opvang'].id}")
    expect(axe_page.get_by_test_id("zaak-context")).to_contain_text("Seksuele uitbuiting (SU)")
    assert serious_violations(axe_page) == [], "task page with the case's context"
