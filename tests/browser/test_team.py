"""In Chromium: a coordinator hands a colleague's task to another colleague from the werkbak, who then finds
it under "Mijn taken"; an acute signal leads the werkbak, marked, above the fold (issue 13, sections 4-5)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from engine.db import unit_of_work
from engine.services import assignment
from tests.browser.test_shell import log_in
from tests.chain import VERRIJKT
from tests.services.test_team_worklist import colleague


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
