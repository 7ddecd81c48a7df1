"""The dashboard page, its CSV tables, the yearly report (PDF, XLSX) and the CoMensha export over HTTP."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.support.chain import VERRIJKT
from tests.support.werkbak import logged_in, web  # noqa: F401 - the app over the chain


def twelve_signals(chain):
    """Six enriched in Eersel, six not yet enriched in Helmond: no count below 5, so nothing is hidden."""
    for i in range(6):
        case = chain.report("eersel", omschrijving=f"Anna de Vries {i}, Markt 1")
        chain.do(case, "verrijken", VERRIJKT, hours=1)
    for _ in range(6):
        chain.report("helmond", bron_melding="inwoner")


def test_the_ketenregisseur_reads_the_region_with_charts_tables_and_downloads(web, chain):  # noqa: F811
    twelve_signals(chain)
    keten = logged_in(web, chain, "ketenregisseur", "oost-brabant-ketenregisseur")
    page = keten.get("/dashboard?jaar=2026").get_data(as_text=True)
    assert "Dashboard Regio Oost-Brabant" in page
    assert page.count('src="data:image/svg+xml;base64,') == 4  # per month, per year, per gemeente, lead times
    assert "Signalen per gemeente naar vorm van uitbuiting, 2026" in page and "Gemeente Helmond" in page
    assert "Anna" not in page and "SR-2026" not in page

    table = keten.get("/dashboard/tabel/vorm-per-maand.csv?jaar=2026")
    text = table.get_data(as_text=True)
    assert table.mimetype == "text/csv"
    total = next(line for line in text.splitlines() if line.startswith('"Totaal"'))
    assert total.split(";")[-1] == '"12"'
    march = next(line for line in text.splitlines() if line.startswith('"mrt"')).split(";")
    header = text.splitlines()[0].lstrip("\ufeff").split(";")
    assert march[header.index('"Seksuele uitbuiting"')] == '"6"' and march[header.index('"Nog niet verrijkt"')] == '"6"'
    assert keten.get("/dashboard/tabel/bestaat-niet.csv").status_code == 404

    book = load_workbook(io.BytesIO(keten.get("/dashboard/jaarverslag.xlsx?jaar=2026").data))
    assert "Toelichting" in book.sheetnames and "vorm-per-maand" in book.sheetnames
    sheet = book["vorm-per-maand"]
    assert [c.value for c in sheet[3]][0] == "jan" and [c.value for c in sheet[15]][0] == "Totaal"
    assert [c.value for c in sheet[15]][-1] == 12
    report = keten.get("/dashboard/jaarverslag.pdf?jaar=2026")
    assert report.mimetype == "application/pdf" and report.data.startswith(b"%PDF")

    comensha = keten.get("/dashboard/comensha.csv?jaar=2026").get_data(as_text=True)
    assert comensha.splitlines()[0].lstrip("\ufeff") == "jaar;gebied;veld;categorie;aantal"
    assert '2026;"Regio Oost-Brabant";geslacht;"Niet ingevuld";12' in comensha
    assert '2026;"Regio Oost-Brabant";bron;"Inwoner";6' in comensha


def test_a_gemeente_sees_its_own_figures_and_a_melder_none(web, chain):  # noqa: F811
    twelve_signals(chain)
    af = logged_in(web, chain, "af", "eersel")
    page = af.get("/dashboard?jaar=2026").get_data(as_text=True)
    assert "Dashboard Gemeente Eersel" in page and "Helmond" not in page
    assert "per gemeente" not in page
    assert logged_in(web, chain, "melder", "eersel").get("/dashboard").status_code == 403
    assert logged_in(web, chain, "politie", "oost-brabant-avim").get("/dashboard/comensha.csv").status_code == 403
