"""In Chromium: a coordinator hands a colleague's task to another colleague from the werkbak, who then finds
it under "Mijn taken"; an acute signal leads the werkbak, marked, above the fold."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from engine.cases import assignment
from engine.db import unit_of_work
from tests.support.browser import log_in, serious_violations
from tests.support.chain import VERRIJKT
from tests.support.helpers import colleague


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_role("button", name="Inloggen")).to_be_visible()


def test_a_coordinator_assigns_a_colleagues_task_and_the_colleague_finds_it_under_mijn_taken(page, chain,
                                                                                              chain_server):
    case = chain.report("eersel")
    reference = f"SR-2026-{case:05d}"
    anne = colleague(chain, "anne")
    colleague(chain, "bram")
    with unit_of_work(chain.factory) as session:
        assignment.claim(session, actor=anne, now=chain.at(), task_id=chain.ready(case)["verrijken"].id)

    log_in(page, chain_server, chain.person("af", "eersel").username)
    page.get_by_role("link", name="Taken van mijn team (1)").click()
    row = page.get_by_test_id("werkbak").get_by_role("row").filter(has_text=reference)
    expect(row.get_by_test_id("behandelaar")).to_have_text("Anne")
    row.get_by_role("link", name="Signaal verrijken en beoordelen").click()
    expect(page.get_by_test_id("alleen-lezen")).to_contain_text("alleen Anne kan haar afronden")
    expect(page.get_by_test_id("behandeling")).to_contain_text("In behandeling bij Anne.")
    expect(page.get_by_role("button", name="Taak afronden")).to_have_count(0)
    page.get_by_label("Toewijzen aan een andere collega").select_option(label="Bram")
    page.get_by_role("button", name="Toewijzen").click()
    expect(page.get_by_role("status")).to_have_text("Taak ‘Signaal verrijken en beoordelen’ is toegewezen aan Bram.")
    expect(page.get_by_test_id("werkbak").get_by_role("row").filter(has_text=reference)
           .get_by_test_id("behandelaar")).to_have_text("Bram")
    log_out(page)

    log_in(page, chain_server, "bram")
    expect(page.get_by_role("link", name="Mijn taken (1)")).to_have_attribute("aria-current", "page")
    expect(page.get_by_test_id("werkbak")).to_contain_text(reference)
    expect(page.get_by_test_id("werkbak")).to_contain_text("(bij u in behandeling)")
    page.get_by_role("link", name="Signaal verrijken en beoordelen").click()
    expect(page.get_by_role("button", name="Taak afronden")).to_be_visible()


def test_an_acute_signal_leads_the_werkbak_marked_and_above_the_fold(page, chain, chain_server):
    calm = chain.report("eersel")
    chain.do(calm, "verrijken", VERRIJKT)  # AVIM's hand-over, due in a few working days
    chain.at.advance(days=1)
    acute = chain.report("eersel", acuut=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, chain_server, chain.person("politie", "oost-brabant-avim").username)
    rows = page.get_by_test_id("werkbak").get_by_test_id("taakrij")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text(f"SR-2026-{acute:05d}")
    expect(rows.first.get_by_test_id("acuut")).to_have_text("Acuut")
    expect(rows.nth(1)).to_contain_text(f"SR-2026-{calm:05d}")
    expect(rows.nth(1).get_by_test_id("acuut")).to_have_count(0)
    box = rows.first.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 800, f"the first task is below the fold: {box}"
    expect(page.get_by_label("Vorm van uitbuiting")).to_be_hidden()
    rows.first.get_by_role("link").first.click()
    expect(page.get_by_test_id("acuut")).to_have_text("Acuut")


def test_a_melder_lands_on_melden_reports_an_acute_signal_and_is_told_to_call_112(axe_page, chain, chain_server):
    page = axe_page
    log_in(page, chain_server, chain.person("melder", "eersel").username)
    expect(page.get_by_role("heading", name="Signaal melden", level=1)).to_be_visible()  # the melder's start page
    page.get_by_label("Wat heeft u gezien of gehoord?").fill("Een meisje wordt nu vastgehouden in een loods.")
    page.get_by_role("group", name="Is iemand nu in acuut gevaar?").get_by_label("ja", exact=True).check()
    page.get_by_role("group", name="Van wie komt het signaal?").get_by_label("Een collega van de gemeente").check()
    page.get_by_role("group", name="Wil de melder anoniem blijven?").get_by_label("nee", exact=True).check()
    page.get_by_role("button", name="Signaal melden").click()
    warning = page.get_by_role("alert")
    expect(warning).to_contain_text("Bel direct 112")
    expect(warning).to_contain_text("meteen doorgezet naar de politie")
    expect(page.get_by_text("verrijkt het signaal")).to_have_count(0)
    assert serious_violations(page) == [], "acute confirmation"
    page.get_by_role("link", name="Mijn meldingen").first.click()
    row = page.get_by_test_id("melding")
    expect(row).to_contain_text("Een meisje wordt nu vastgehouden in een loods.")
    expect(row.get_by_test_id("acuut")).to_have_text("Acuut")
    expect(row).to_contain_text("In behandeling")
    assert serious_violations(page) == [], "Mijn meldingen"


def test_the_read_only_task_page_of_a_coordinator_passes_axe(axe_page, chain, chain_server):
    case = chain.report("eersel", acuut=True)
    anne = colleague(chain, "anne")
    colleague(chain, "bram")
    task = chain.ready(case)["verrijken"]
    with unit_of_work(chain.factory) as session:
        assignment.claim(session, actor=anne, now=chain.at(), task_id=task.id)
    log_in(axe_page, chain_server, chain.person("af", "eersel").username)
    assert serious_violations(axe_page) == [], "werkbak with an acute row"
    axe_page.goto(f"{chain_server}/?tab=team")
    assert serious_violations(axe_page) == [], "team tab with who holds each task"
    axe_page.goto(f"{chain_server}/taken/{task.id}")
    expect(axe_page.get_by_test_id("alleen-lezen")).to_be_visible()
    assert serious_violations(axe_page) == [], "read-only task page"
