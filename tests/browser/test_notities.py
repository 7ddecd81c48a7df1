"""Notes and files in the browser: the AF shares a photo with the zorgcoördinator only; the police do not see it."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.support import file_samples
from tests.support.browser import log_in, log_out, serious_violations
from tests.support.chain import TERUG, VERRIJKT

NOTE = "Foto van de locatie ontvangen van de wijkagent."


def open_case(page: Page, base: str, case: int) -> None:
    page.goto(f"{base}/zaken/{case}")
    expect(page.get_by_role("heading", name="Notities en bestanden")).to_be_visible()


def test_the_af_shares_a_note_and_a_photo_with_the_zorgcoordinator_and_the_police_do_not_see_them(
        page, chain, chain_server, tmp_path):
    case = chain.report("eersel")
    chain.do(case, "verrijken", VERRIJKT)
    chain.do(case, "overdracht_politie", TERUG)  # the zorgcoördinator now works on the case too
    photo = tmp_path / "locatie.png"
    photo.write_bytes(file_samples.png())

    log_in(page, chain_server, chain.person("af", "eersel").username)
    open_case(page, chain_server, case)
    expect(page.get_by_text("Nog geen notities of bestanden die u mag lezen.")).to_be_visible()
    page.get_by_text("Notitie of bestand toevoegen").click()
    page.get_by_role("button", name="Toevoegen aan de zaak").click()  # nothing typed: a Dutch error
    expect(page.get_by_test_id("foutsamenvatting")).to_contain_text("Schrijf een notitie of kies een bestand.")
    page.get_by_label("Notitie").fill(NOTE)
    page.get_by_label("Bestand (niet verplicht)").set_input_files(str(photo))
    readers = page.get_by_role("group", name="Wie mag dit lezen")
    expect(readers.get_by_label("Politie (AVIM)")).to_be_checked()
    readers.get_by_label("Politie (AVIM)").uncheck()
    page.get_by_role("button", name="Toevoegen aan de zaak").click()
    note = page.get_by_test_id("notitie")
    expect(note).to_contain_text(NOTE)
    expect(note).to_contain_text("Mag lezen: Aandachtsfunctionaris, Zorgcoördinator")
    expect(note.get_by_role("link", name="locatie.png")).to_be_visible()
    log_out(page)

    log_in(page, chain_server, chain.person("zorgcoordinator", "oost-brabant-lumens").username)
    open_case(page, chain_server, case)
    expect(page.get_by_test_id("notitie")).to_contain_text(NOTE)
    with page.expect_download() as download:
        page.get_by_role("link", name="locatie.png").click()
    assert download.value.suggested_filename == "locatie.png"
    assert Path(download.value.path()).read_bytes() == file_samples.png()
    log_out(page)

    log_in(page, chain_server, chain.person("politie", "oost-brabant-avim").username)
    open_case(page, chain_server, case)
    expect(page.get_by_text("Nog geen notities of bestanden die u mag lezen.")).to_be_visible()
    expect(page.get_by_test_id("notitie")).to_have_count(0)
    expect(page.get_by_text(NOTE)).to_have_count(0)


def test_the_notes_section_and_its_error_page_pass_axe(axe_page, chain, chain_server):
    case = chain.report("eersel")
    chain.do(case, "verrijken", VERRIJKT)
    log_in(axe_page, chain_server, chain.person("af", "eersel").username)
    open_case(axe_page, chain_server, case)
    axe_page.get_by_text("Notitie of bestand toevoegen").click()
    assert serious_violations(axe_page) == [], "zaakpagina met notities"
    axe_page.get_by_role("button", name="Toevoegen aan de zaak").click()
    expect(axe_page.get_by_test_id("foutsamenvatting")).to_be_visible()
    assert serious_violations(axe_page) == [], "foutpagina notitie"
