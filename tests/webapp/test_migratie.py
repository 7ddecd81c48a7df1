"""The migration page without a browser: the plan, migrating chosen or all eligible cases, a revert, access."""

from __future__ import annotations

import html
import re

import pytest

from engine.db import unit_of_work
from engine.models import Case
from tests.support.helpers import complete, deploy, ready, start
from tests.support.web import csrf_of
from webapp.ui import migratie

PAGE = "/modelleren/migratie/migratie"


@pytest.fixture
def cases(factory, world, forms, at):
    """Two cases that can move to v2 (at beoordelen) and one that cannot (at intake)."""
    deploy(factory, world.regisseur, at(), forms, "migratie_v1.bpmn")
    stuck = start(factory, world.af, at(), "migratie")
    movable = []
    for _ in range(2):
        case = start(factory, world.af, at(), "migratie")
        complete(factory, world.af, at(), forms, ready(factory, case)["intake"].id)
        movable.append(case)
    deploy(factory, world.regisseur, at(), forms, "migratie_v2.bpmn")
    return stuck, movable


def text(response) -> str:
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split()))


def version_of(factory, case) -> int:
    with unit_of_work(factory) as session:
        row = session.get(Case, case)
        assert row is not None
        return row.definition.version


def row_version(factory, case) -> int:
    with unit_of_work(factory) as session:
        return session.get(Case, case).version


def test_the_page_lists_who_can_move_and_why_the_others_cannot(client, log_in, cases):
    stuck, movable = cases
    log_in("regisseur")
    response = client.get(f"{PAGE}?naar=2")
    assert response.status_code == 200
    shown = text(response)
    assert "Kunnen over (2)" in shown and "Kunnen niet over (1)" in shown
    assert f"SR-2026-{stuck:05d} 1 Intake Taak 'Intake' bestaat niet in versie 2" in shown
    assert "Alle geschikte zaken migreren (2)" in shown
    assert client.get(PAGE).status_code == 200, "without ?naar the newest version is meant"


def test_migrating_the_chosen_case_shows_the_outcome_per_case(client, log_in, factory, cases):
    stuck, (first, second) = cases
    log_in("regisseur")
    response = client.post(PAGE, data={
        "csrf_token": csrf_of(client, PAGE), "naar": "2", "actie": "geselecteerd",
        "zaak": [str(first), str(stuck)], f"versie-{first}": str(row_version(factory, first)),
        f"versie-{stuck}": str(row_version(factory, stuck)),
    })
    assert response.status_code == 200
    shown = text(response)
    assert "1 van 2 zaak/zaken overgezet naar versie 2." in shown
    assert f"SR-2026-{first:05d} Gemigreerd" in shown
    assert f"Zaak {stuck} Mislukt: Zaak SR-2026-{stuck:05d} kan niet naar versie 2: taak 'Intake'" in shown
    assert [version_of(factory, c) for c in (stuck, first, second)] == [1, 2, 1]


def test_all_eligible_cases_migrate_at_once(client, log_in, factory, cases):
    stuck, movable = cases
    log_in("beheerder")
    response = client.post(PAGE, data={"csrf_token": csrf_of(client, PAGE), "naar": "2", "actie": "alle"})
    assert "2 van 2 zaak/zaken overgezet" in text(response)
    assert [version_of(factory, c) for c in (stuck, *movable)] == [1, 2, 2]


def test_choosing_nothing_says_so(client, log_in, cases):
    log_in("regisseur")
    response = client.post(PAGE, data={"csrf_token": csrf_of(client, PAGE), "naar": "2", "actie": "geselecteerd"},
                           follow_redirects=True)
    assert "Kies minstens één zaak om over te zetten." in text(response)


def test_a_migrated_case_is_reverted_with_its_button(client, log_in, factory, cases):
    _, (first, _) = cases
    log_in("regisseur")
    client.post(PAGE, data={"csrf_token": csrf_of(client, PAGE), "naar": "2", "actie": "geselecteerd",
                            "zaak": str(first), f"versie-{first}": str(row_version(factory, first))})
    assert "Overgezette zaken" in text(client.get(PAGE))
    response = client.post(f"{PAGE}/{first}/terugdraaien", data={"csrf_token": csrf_of(client, PAGE), "naar": "2"},
                           follow_redirects=True)
    assert f"Overzetting teruggedraaid: zaak SR-2026-{first:05d} staat weer op versie 1." in text(response)
    assert version_of(factory, first) == 1
    again = client.post(f"{PAGE}/{first}/terugdraaien", data={"csrf_token": csrf_of(client, PAGE)},
                        follow_redirects=True)
    assert "geen overzetting die teruggedraaid kan worden" in text(again)


def test_only_procesregisseur_and_beheerder_get_the_page(client, log_in, cases):
    assert client.get(PAGE).status_code == 302, "log in first"
    log_in("af")
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, data={"csrf_token": csrf_of(client, "/inloggen"), "actie": "alle"}).status_code == 403


def test_posting_without_csrf_is_refused(client, log_in, factory, cases):
    _, (first, _) = cases
    log_in("regisseur")
    response = client.post(PAGE, data={"naar": "2", "actie": "alle"})
    assert response.status_code == 400
    assert version_of(factory, first) == 1


def test_a_long_plan_is_paged_per_table_and_the_counts_cover_every_page(client, log_in, cases, monkeypatch):
    stuck, movable = cases
    monkeypatch.setattr(migratie, "PAGE_SIZE", 1)
    log_in("regisseur")
    first = client.get(f"{PAGE}?naar=2")
    shown = text(first)
    assert "Kunnen over (2)" in shown and "Alle geschikte zaken migreren (2)" in shown
    assert f"SR-2026-{movable[0]:05d}" in shown and f"SR-2026-{movable[1]:05d}" not in shown
    assert "Pagina 1 van 2" in shown and "Kunnen niet over (1)" in shown
    body = first.get_data(as_text=True)
    assert 'aria-label="Paginering: kunnen over"' in body
    assert 'aria-label="Paginering: kunnen niet over"' not in body, "one page needs no navigation"
    next_link = html.unescape(re.search(r'<a href="([^"]+)" rel="next">', body).group(1))
    assert "pagina_geschikt=2" in next_link and "naar=2" in next_link
    second = text(client.get(next_link))
    assert f"SR-2026-{movable[1]:05d}" in second and f"SR-2026-{movable[0]:05d}" not in second
    assert "Pagina 2 van 2" in second and f"SR-2026-{stuck:05d}" in second
    beyond = text(client.get(f"{PAGE}?naar=2&pagina_geschikt=99&pagina_ongeschikt=abc"))
    assert "Pagina 2 van 2" in beyond, "a page past the end shows the last one"
