"""The auditor's pages and the audit log check, as a person meets them through the browser's requests."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, text

from engine.db import unit_of_work
from engine.models import AccessLogEntry, AuditEvent
from tests.support.helpers import complete, deploy, ready, start
from tests.support.web import csrf_of


@pytest.fixture
def case(factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "drie_taken.bpmn")
    case = start(factory, world.melder, at(), "drie_taken", {"melding": "Zorgen", "organisaties": {
        "politie": "politie-ob"}})
    complete(factory, world.af, at.advance(hours=1), forms, ready(factory, case)["verrijken"].id,
             {"vorm": "SU", "samenvatting": "Eerste indruk"})
    complete(factory, world.politie, at.advance(hours=1), forms, ready(factory, case)["overdracht"].id,
             {"samenvatting": "Na gesprek bijgesteld"})
    return case


def page(response) -> str:
    """The page's text without tags, whitespace collapsed: what a reader sees."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def views(factory, case) -> int:
    with unit_of_work(factory) as session:
        return session.scalar(select(func.count()).select_from(AccessLogEntry).where(
            AccessLogEntry.instance_id == case, AccessLogEntry.action == "audit_history.viewed"))


def test_the_auditor_reads_the_history_in_dutch_with_the_diff(client, log_in, case):
    log_in("auditor")
    response = client.get(f"/audit/zaken/{case}")
    assert response.status_code == 200
    shown = page(response)
    assert "af (Aandachtsfunctionaris, Gemeente Eersel) rondde ‘Signaal verrijken’ af" in shown
    assert "Wanneer 2 maart 2026, 11.00 uur Wie af Rol Aandachtsfunctionaris Organisatie Gemeente Eersel" in shown
    assert "Procesversie Drie taken, versie 1" in shown
    assert "Samenvatting samenvatting Eerste indruk Na gesprek bijgesteld gewijzigd" in shown
    assert "Vorm van uitbuiting vorm (leeg) SU toegevoegd" in shown


def test_filters_work_as_a_plain_get_form(client, log_in, case):
    log_in("auditor")
    shown = page(client.get(f"/audit/zaken/{case}?type=task.completed&persoon=politie"))
    assert "1 van 3 gebeurtenissen (gefilterd)." in shown
    assert "politie (Politie (AVIM), Politie Oost-Brabant AVIM) rondde ‘Overdracht ontvangen’ af" in shown
    assert "rondde ‘Signaal verrijken’ af" not in shown
    html = client.get(f"/audit/zaken/{case}?type=task.completed").get_data(as_text=True)
    assert '<option value="task.completed" selected>Taak afgerond</option>' in html


def test_each_view_lands_in_the_access_log_shown_on_the_page(client, log_in, case, factory, at):
    log_in("auditor")
    client.get(f"/audit/zaken/{case}")
    at.advance(minutes=10)
    shown = page(client.get(f"/audit/zaken/{case}"))
    assert views(factory, case) == 2
    assert "2 maart 2026, 12.00 uur auditor Auditor Gemeente Eersel bekeek de auditgeschiedenis" in shown


@pytest.mark.parametrize("who", ["af", "politie", "beheerder", "melder"])
def test_other_roles_are_refused_every_auditor_page(client, log_in, case, factory, who):
    log_in(who)
    token = csrf_of(client, "/account")  # "/" sends a beheerder or melder on to their own start page
    assert client.get(f"/audit/zaken/{case}").status_code == 403
    assert client.get("/audit/zaken").status_code == 403
    assert client.get("/audit/export").status_code == 403
    assert client.post("/audit/export", data={"csrf_token": token, "van": "2026-03-01", "tot": "2026-03-02",
                                              "formaat": "csv"}).status_code == 403
    assert client.post(f"/audit/zaken/{case}/dossier", data={"csrf_token": token}).status_code == 403
    assert views(factory, case) == 0


def test_not_logged_in_goes_to_the_login_page(client, case):
    response = client.get(f"/audit/zaken/{case}")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]


def test_the_case_list_links_to_each_history_and_pages(client, log_in, factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "drie_taken.bpmn")
    ids = [start(factory, world.af, at(), "drie_taken") for _ in range(26)]
    log_in("auditor")
    first = client.get("/audit/zaken").get_data(as_text=True)
    assert f'href="/audit/zaken/{ids[-1]}"' in first and f'href="/audit/zaken/{ids[0]}"' not in first
    assert "Pagina 1 van 2" in first and 'href="/audit/zaken?pagina=2"' in first
    second = client.get("/audit/zaken?pagina=2").get_data(as_text=True)
    assert f'href="/audit/zaken/{ids[0]}"' in second
    assert "Auditlog exporteren" in first, "the menu shows the auditor's pages"


def test_the_csv_export_downloads_the_period_and_is_audited(client, log_in, case, factory):
    log_in("auditor")
    response = client.post("/audit/export", data={"csrf_token": csrf_of(client, "/audit/export"),
                                                  "van": "2026-03-02", "tot": "2026-03-02", "formaat": "csv"})
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="auditlog-2026-03-02-tot-en-met-2026-03-02.csv"')
    lines = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig")), delimiter=";"))
    assert lines[0][0].startswith("Integriteit: intact.")
    rows = lines[lines.index([]) + 1:]
    assert [r[6] for r in rows if len(r) > 6 and r[1] == str(case)] == [
        "startte de zaak", "rondde ‘Signaal verrijken’ af", "rondde ‘Overdracht ontvangen’ af"]
    with unit_of_work(factory) as session:
        assert session.scalar(select(AuditEvent.payload).where(AuditEvent.event_type == "audit_log.exported")) == {
            "format": "CSV", "van": "2026-03-02", "tot": "2026-03-02", "rows": len(rows) - 1}


def test_the_xlsx_export_opens_as_a_workbook(client, log_in, case):
    log_in("auditor")
    response = client.post("/audit/export", data={"csrf_token": csrf_of(client, "/audit/export"),
                                                  "van": "2026-03-01", "tot": "2026-03-31", "formaat": "xlsx"})
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.get_data()))["Auditlog"]
    assert [c.value for c in next(sheet.iter_rows())][:3] == ["tijdstip", "zaak", "keten"]


def test_a_bad_period_shows_the_form_again_with_dutch_errors(client, log_in, case, factory):
    log_in("auditor")
    response = client.post("/audit/export", data={"csrf_token": csrf_of(client, "/audit/export"),
                                                  "van": "2026-03-05", "tot": "2026-03-01", "formaat": "csv"})
    assert response.status_code == 422
    assert "Tot en met: De einddatum ligt vóór de begindatum." in page(response)
    assert 'value="2026-03-05"' in response.get_data(as_text=True), "what was entered is kept"


def test_an_export_without_csrf_token_is_refused(client, log_in, case):
    log_in("auditor")
    response = client.post("/audit/export", data={"van": "2026-03-01", "tot": "2026-03-02", "formaat": "csv"})
    assert response.status_code == 400


def test_the_dossier_downloads_as_pdf(client, log_in, case):
    log_in("auditor")
    response = client.post(f"/audit/zaken/{case}/dossier", data={"csrf_token": csrf_of(client, "/audit/zaken")})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.get_data().startswith(b"%PDF")
    assert response.headers["Content-Disposition"] == f'attachment; filename="dossier-zaak-{case}.pdf"'


def test_the_beheerder_runs_a_check_and_sees_a_tampered_chain(client, log_in, case, factory):
    log_in("beheerder")
    assert "Er is nog geen controle uitgevoerd." in page(client.get("/audit/controle"))
    token = csrf_of(client, "/audit/controle")
    response = client.post("/audit/controle", data={"csrf_token": token}, follow_redirects=True)
    assert "Het auditlog is intact" in page(response)
    assert "Intact: geen problemen gevonden." in page(response)
    with unit_of_work(factory) as session:
        session.execute(text("UPDATE audit_event SET payload = :p WHERE chain = :c AND seq = 2"),
                        {"p": '{"vervalst": true}', "c": f"instance:{case}"})
    shown = page(client.post("/audit/controle", data={"csrf_token": token}, follow_redirects=True))
    assert "NIET intact: 1 probleem/problemen gevonden." in shown
    assert f"Zaak {case} 2 gewijzigd Inhoud komt niet overeen met de vastgelegde hash" in shown
    assert "Door beheerder (Beheerder), via knop in de webtoepassing" in shown
    assert "De laatste 1 controles daarvoor" in shown


def test_the_check_needs_its_csrf_token_and_the_right_role(client, log_in, case):
    log_in("beheerder")
    assert client.post("/audit/controle").status_code == 400
    log_in("af")
    assert client.get("/audit/controle").status_code == 403
    assert client.post("/audit/controle", data={"csrf_token": csrf_of(client, "/")}).status_code == 403


def test_the_auditor_sees_the_check_too_with_links_to_the_cases(client, log_in, case, factory):
    with unit_of_work(factory) as session:
        session.execute(text("DELETE FROM audit_event WHERE chain = :c AND seq = 2"), {"c": f"instance:{case}"})
    log_in("auditor")
    response = client.post("/audit/controle", data={"csrf_token": csrf_of(client, "/audit/controle")},
                           follow_redirects=True)
    assert f'<a href="/audit/zaken/{case}">Zaak {case}</a>' in response.get_data(as_text=True)
