"""A signal walked through the browser: reported, enriched (after one failed try), handed over, fed back."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.support.browser import choose, log_in, log_out, serious_violations  # noqa: F401
from tests.support.chain import ZORG


def test_a_colleague_reports_the_af_routes_avim_takes_over_and_the_melder_reads_the_feedback(page, chain,
                                                                                             chain_server):
    melder = chain.person("melder", "eersel")
    af = chain.person("af", "eersel")
    avim = chain.person("politie", "oost-brabant-avim")

    log_in(page, chain_server, melder.username)
    page.get_by_role("link", name="Signaal melden").click()
    expect(page.get_by_text("Is iemand nu in gevaar? Bel eerst 112.")).to_be_visible()
    page.get_by_label("Wat heeft u gezien of gehoord?").fill("Drie jonge vrouwen, 's nachts veel bezoek.")
    page.get_by_label("Waar? (niet verplicht)").fill("Markt 1, Eersel")
    choose(page, "Is iemand nu in acuut gevaar?", "nee")
    choose(page, "Van wie komt het signaal?", "Een collega van de gemeente")
    choose(page, "Wil de melder anoniem blijven?", "nee")
    page.get_by_role("button", name="Signaal melden").click()
    reference = page.get_by_test_id("kenmerk").inner_text()
    assert reference.startswith("SR-2026-")
    log_out(page)

    log_in(page, chain_server, af.username)
    page.get_by_role("link", name="Signaal verrijken en beoordelen").click()
    expect(page.get_by_text("088-9630320")).to_be_visible()
    choose(page, "Vorm van uitbuiting", "Seksuele uitbuiting (SU)")
    page.get_by_role("button", name="Taak afronden").click()
    expect(page.get_by_test_id("foutsamenvatting")).to_contain_text("Controleer 7 velden")
    choose(page, "Waar gaat het signaal over?", "Een (mogelijk) slachtoffer")
    choose(page, "Is het slachtoffer bekend?", "ja")
    choose(page, "Is het (mogelijke) slachtoffer minderjarig?", "nee")
    choose(page, "Beoordeling na verrijken", "Helder signaal")
    choose(page, "Is iemand nu in acuut gevaar?", "nee")
    choose(page, "Zijn er tekenen van ondermijning of georganiseerde criminaliteit?", "nee")
    page.get_by_label("Samenvatting van het signaal").fill("Vermoedelijk SU in een bovenwoning.")
    page.get_by_role("button", name="Taak afronden").click()
    expect(page.get_by_role("status")).to_contain_text("Signaal overnemen (politie)")
    log_out(page)

    log_in(page, chain_server, avim.username)
    page.get_by_role("link", name="Signaal overnemen (politie)").click()
    choose(page, "Wat gebeurt er met het signaal?", "Onderzoek gestart")
    page.get_by_label("Terugkoppeling aan de AF").fill("Verhoor gepland.")
    page.get_by_role("button", name="Taak afronden").click()
    log_out(page)

    case = int(reference.rsplit("-", 1)[1])
    chain.do(case, "zorg_en_opvang", ZORG)
    log_in(page, chain_server, af.username)
    page.get_by_role("link", name="Terugkoppelen aan de melder").click()
    page.get_by_label("Bericht aan de melder").fill("Uw signaal is opgepakt door politie en zorg. Dank u.")
    page.get_by_role("button", name="Taak afronden").click()
    log_out(page)

    log_in(page, chain_server, melder.username)
    page.get_by_role("link", name="Mijn meldingen").click()
    row = page.get_by_role("row", name=reference)
    expect(row).to_contain_text("Uw signaal is opgepakt door politie en zorg. Dank u.")
    expect(row).to_contain_text("Afgerond")
    assert chain.status(case) == "completed"


def test_the_melden_pages_pass_axe(axe_page, chain, chain_server):
    melder = chain.person("melder", "eersel")
    log_in(axe_page, chain_server, melder.username)
    axe_page.goto(f"{chain_server}/melden")
    assert serious_violations(axe_page) == [], "melden"
    axe_page.get_by_role("button", name="Signaal melden").click()
    assert serious_violations(axe_page) == [], "melden met fouten"
    axe_page.goto(f"{chain_server}/mijn-meldingen")
    assert serious_violations(axe_page) == [], "mijn meldingen"
