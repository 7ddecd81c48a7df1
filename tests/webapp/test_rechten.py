"""The yearly access review: who has which rights, as a page and a CSV, for the beheerder only."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from engine.accounts import api_tokens, oidc_identities, users
from engine.accounts.actors import Actor
from engine.db import unit_of_work
from engine.models import AuditEvent
from tests.support.oidc_provider import ISSUER

CLI = Actor.system("test")


def test_the_beheerder_downloads_who_has_which_rights_without_any_case_content(client, log_in, world, factory, at):
    with unit_of_work(factory) as session:
        api_tokens.issue(session, actor=CLI, now=at(), username="politie")
        api_tokens.issue(session, actor=CLI, now=at(), username="politie")
        oidc_identities.link_oidc(session, actor=CLI, now=at(), username="af", issuer=ISSUER, subject="s-1")
        users.user_by_username(session, "melder").active = False
        users.user_by_username(session, "zoco").display_name = "=HYPERLINK(\"http://x\")"
    log_in("beheerder")
    page = client.get("/beheer/rechten")
    assert page.status_code == 200 and "Wie heeft welke rechten" in page.get_data(as_text=True)
    response = client.get("/beheer/rechten.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="rechten-2026-03-02.csv"'
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["gebruikersnaam", "naam", "rol", "organisatie", "actief", "tweestapsverificatie",
                       "laatst_ingelogd", "oidc_gekoppeld", "api_tokens"]
    by_name = {row[0]: row for row in rows[1:]}
    assert len(by_name) == 9
    assert by_name["beheerder"][2:] == ["Beheerder", "Gemeente Eersel", "ja", "aan", "2026-03-02T10:00:00+01:00",
                                        "nee", "0"]
    assert by_name["politie"][2:] == ["Politie (AVIM)", "Politie Oost-Brabant AVIM", "ja", "uit", "", "nee", "2"]
    assert by_name["af"][7] == "ja" and by_name["melder"][4] == "nee"
    assert by_name["zoco"][1] == "'=HYPERLINK(\"http://x\")", "a formula is shown as text"
    with unit_of_work(factory) as session:
        [event] = session.scalars(select(AuditEvent).where(AuditEvent.event_type == "access_review.exported"))
        assert event.payload == {"rows": 9, "format": "CSV"} and event.actor_username == "beheerder"


@pytest.mark.parametrize("username", ["auditor", "regisseur", "af", "politie"])
def test_nobody_else_sees_the_access_review(client, log_in, world, username):
    log_in(username)
    assert client.get("/beheer/rechten").status_code == 403
    assert client.get("/beheer/rechten.csv").status_code == 403
