"""The dashboard read in a browser: charts with their tables, axe at 320 and 1280 px, no sideways scrolling."""

from __future__ import annotations

import os

from playwright.sync_api import expect

from tests.support.browser import log_in, problems_at_both_widths
from tests.support.chain import VERRIJKT


def test_the_ketenregisseur_reads_the_dashboard_and_axe_finds_nothing_serious(axe_page, chain, chain_server):
    for gemeente, n in (("eersel", 7), ("helmond", 6), ("oss", 2)):
        for _ in range(n):
            case = chain.report(gemeente)
            chain.do(case, "verrijken", VERRIJKT, hours=5)
    keten = chain.person("ketenregisseur", "oost-brabant-ketenregisseur")
    log_in(axe_page, chain_server, keten.username)
    axe_page.goto(f"{chain_server}/dashboard?jaar=2026")
    expect(axe_page.get_by_role("heading", level=1)).to_have_text("Dashboard Regio Oost-Brabant")
    monthly = axe_page.get_by_role("table", name="Signalen per maand naar vorm van uitbuiting, 2026")
    expect(monthly.get_by_role("row", name="mrt")).to_contain_text("15")
    expect(axe_page.get_by_role("img", name="Grafiek: Signalen per maand naar vorm van uitbuiting, 2026. "
                                             "De cijfers staan in de tabel hierbij.")).to_be_visible()
    expect(axe_page.get_by_role("link", name="Signalen per maand naar vorm van uitbuiting, 2026 downloaden als CSV"))\
        .to_be_visible()
    per_gemeente = axe_page.get_by_role("table", name="Signalen per gemeente naar vorm van uitbuiting, 2026")
    expect(per_gemeente.get_by_role("row", name="Gemeente Oss")).to_contain_text("x")  # two signals: hidden
    problems = problems_at_both_widths(axe_page, "dashboard")
    if os.environ.get("DASHBOARD_SCREENSHOTS"):  # for a person to look at: DASHBOARD_SCREENSHOTS=/tmp/x
        for width in (1280, 320):
            axe_page.set_viewport_size({"width": width, "height": 900})
            axe_page.screenshot(path=f"{os.environ['DASHBOARD_SCREENSHOTS']}-{width}.png", full_page=True)
    assert problems == []

    axe_page.get_by_label("Indeling").select_option("bron")
    axe_page.get_by_role("button", name="Tonen").click()
    expect(axe_page.get_by_role("table", name="Signalen per maand naar bron van de melding, 2026")).to_be_visible()
    assert problems_at_both_widths(axe_page, "dashboard bron") == []
