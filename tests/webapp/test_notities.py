"""The case page's notes and files through the web: upload, download headers, and every bad input."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from sqlalchemy import func, select

from engine.db import unit_of_work
from engine.models import CaseNote
from tests.support import file_samples
from tests.support.chain import TERUG, VERRIJKT
from tests.support.werkbak import csrf_of, logged_in

AF, ZOCO, POLICE = ("af", "eersel"), ("zorgcoordinator", "oost-brabant-lumens"), ("politie", "oost-brabant-avim")


@pytest.fixture
def case(chain):
    case = chain.report("eersel")
    chain.do(case, "verrijken", VERRIJKT)
    chain.do(case, "overdracht_politie", TERUG)
    return case


def post_note(client, case, *, text="Brief van de verhuurder ontvangen.", readers=("af", "zorgcoordinator"),
              file=None, csrf=True):
    data = {"tekst": text, "lezers": list(readers)}
    if csrf:
        data["csrf_token"] = csrf_of(client, f"/zaken/{case}")
    if file is not None:
        name, content = file
        data["bestand"] = (io.BytesIO(content), name)
    return client.post(f"/zaken/{case}/notities", data=data, content_type="multipart/form-data")


def download_link(html: str) -> str:
    return re.search(r'href="(/zaken/\d+/notities/\d+/bestand)"', html).group(1)


def stored_files(web) -> list[str]:
    root = web.extensions["signaalroute.settings"].file_store_dir
    return [p.name for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_the_af_adds_a_file_for_the_zorgcoordinator_who_downloads_it_and_the_police_do_not_see_it(web, chain, case):
    af = logged_in(web, chain, *AF)
    response = post_note(af, case, file=("Proces-verbaal één.pdf", file_samples.PDF))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/zaken/{case}#notities")
    page = logged_in(web, chain, *ZOCO).get(f"/zaken/{case}").get_data(as_text=True)
    assert "Brief van de verhuurder ontvangen." in page and "Proces-verbaal één.pdf" in page
    assert "Mag lezen: Aandachtsfunctionaris, Zorgcoördinator" in page
    zoco = logged_in(web, chain, *ZOCO)
    link = download_link(zoco.get(f"/zaken/{case}").get_data(as_text=True))
    download = zoco.get(link)
    assert download.status_code == 200 and download.data == file_samples.PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Disposition"] == (
        "attachment; filename=\"Proces-verbaal_een.pdf\"; filename*=UTF-8''Proces-verbaal%20%C3%A9%C3%A9n.pdf")
    police = logged_in(web, chain, *POLICE)
    police_page = police.get(f"/zaken/{case}")
    assert police_page.status_code == 200  # the police see the case ...
    assert "Brief van de verhuurder" not in police_page.get_data(as_text=True)  # ... not the note
    assert police.get(link).status_code == 403
    assert stored_files(web) == [hashlib.sha256(file_samples.PDF).hexdigest()]


def test_a_text_file_is_served_as_text_with_its_charset_whatever_its_name_says(web, chain, case):
    af = logged_in(web, chain, *AF)
    post_note(af, case, file=("verslag.html", file_samples.TEXT))
    download = af.get(download_link(af.get(f"/zaken/{case}").get_data(as_text=True)))
    assert download.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Disposition"] == 'attachment; filename="verslag.html"'


BAD = [
    ("empty", dict(text=" "), "Schrijf een notitie of kies een bestand."),
    ("empty file", dict(file=("leeg.pdf", b"")), "Het bestand is leeg."),
    ("too big", dict(file=("groot.txt", b"a" * (10 * 1024 * 1024 + 1))), "Het bestand is te groot"),
    ("wrong type", dict(file=("foto.jpg", file_samples.EXE)), "Dit soort bestand kan niet worden toegevoegd"),
    ("path in the name", dict(file=("../../aangifte.pdf", file_samples.PDF)),
     "De bestandsnaam mag geen map of pad bevatten"),
    ("control character in the name", dict(file=("aangifte\x07.pdf", file_samples.PDF)), "onzichtbare stuurtekens"),
    ("over-long text", dict(text="x" * 10_001), "De notitie is te lang"),
    ("no readers", dict(readers=()), "Kies wie dit mag lezen."),
]


@pytest.mark.parametrize(("name", "given", "message"), BAD, ids=[b[0] for b in BAD])
def test_each_bad_input_gets_a_dutch_error_and_stores_nothing(web, chain, case, name, given, message):
    af = logged_in(web, chain, *AF)
    response = post_note(af, case, **given)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html and 'data-testid="foutsamenvatting"' in html and "Er is niets opgeslagen" in html
    with unit_of_work(chain.factory) as session:
        assert session.scalar(select(func.count()).select_from(CaseNote)) == 0
    assert stored_files(web) == []


def test_a_post_without_its_csrf_token_is_refused(web, chain, case):
    response = post_note(logged_in(web, chain, *AF), case, csrf=False)
    assert response.status_code == 400
    with unit_of_work(chain.factory) as session:
        assert session.scalar(select(func.count()).select_from(CaseNote)) == 0


def test_someone_who_cannot_see_the_case_cannot_add_to_it(web, chain, case):
    other_af = logged_in(web, chain, "af", "bergeijk")
    response = post_note(other_af, case)
    assert response.status_code == 403
    with unit_of_work(chain.factory) as session:
        assert session.scalar(select(func.count()).select_from(CaseNote)) == 0
