"""Notes and files through API v1: the same read rule, the same checks, the same download headers."""

from __future__ import annotations

import hashlib
import io

import pytest
from sqlalchemy import select

from engine.db import unit_of_work
from engine.models import AccessLogEntry
from tests.support import file_samples
from tests.support.chain import TERUG, VERRIJKT
from tests.support.tokens import issue_token

PDF_HASH = hashlib.sha256(file_samples.PDF).hexdigest()


@pytest.fixture
def case(chain):
    case = chain.report("eersel")
    chain.do(case, "verrijken", VERRIJKT)
    chain.do(case, "overdracht_politie", TERUG)
    return case


def bearer(web, chain, role, organisation):
    token = issue_token(chain.factory, username=chain.person(role, organisation).username, now=chain.at(),
                        secret_key=web.config["SECRET_KEY"])
    return {"Authorization": f"Bearer {token}"}


def test_a_file_added_through_the_api_is_read_by_its_readers_only(web, chain, case):
    http = web.test_client()
    af = bearer(web, chain, "af", "eersel")
    created = http.post(f"/api/v1/instances/{case}/notes", headers=af, content_type="multipart/form-data", data={
        "text": "Aangifte ontvangen.", "readers": ["af", "zorgcoordinator"],
        "file": (io.BytesIO(file_samples.PDF), "aangifte.pdf")})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert (body["text"], body["readers"], body["author"]) == ("Aangifte ontvangen.", ["af", "zorgcoordinator"],
                                                               "af.eersel")
    assert body["file"]["sha256"] == PDF_HASH and body["file"]["type"] == "application/pdf"

    zoco = bearer(web, chain, "zorgcoordinator", "oost-brabant-lumens")
    [listed] = http.get(f"/api/v1/instances/{case}/notes", headers=zoco).get_json()["items"]
    assert listed == body
    with unit_of_work(chain.factory) as session:  # reading the notes and the file is logged like any case read
        actions = session.scalars(select(AccessLogEntry.action).where(
            AccessLogEntry.instance_id == case, AccessLogEntry.username == "zorgcoordinator.oost-brabant-lumens"))
        assert list(actions) == ["notes.viewed"]
    download = http.get(body["file"]["url"], headers=zoco)
    assert download.status_code == 200 and download.data == file_samples.PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Disposition"] == 'attachment; filename="aangifte.pdf"'

    police = bearer(web, chain, "politie", "oost-brabant-avim")
    assert http.get(f"/api/v1/instances/{case}/notes", headers=police).get_json() == {"items": []}
    assert http.get(body["file"]["url"], headers=police).status_code == 404


def test_a_file_of_the_wrong_type_is_refused_with_a_dutch_message_per_field(web, chain, case):
    response = web.test_client().post(
        f"/api/v1/instances/{case}/notes", headers=bearer(web, chain, "af", "eersel"),
        content_type="multipart/form-data",
        data={"readers": "af", "file": (io.BytesIO(file_samples.EXE), "rapport.pdf")})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "ongeldige_invoer"
    assert error["details"]["file"].startswith("Dit soort bestand kan niet worden toegevoegd.")
