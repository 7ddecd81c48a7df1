"""A team works together in the web UI: the coordinator sees and (re)assigns a colleague's task, everyone
else takes a free task or gives theirs back; each role lands on its own page; acute is marked and first."""

from __future__ import annotations

import re

from sqlalchemy import select

from engine.cases import assignment
from engine.db import unit_of_work
from engine.models import AuditEvent, HumanTask
from tests.support.accounts import log_in_client
from tests.support.base import PASSWORD
from tests.support.chain import VERRIJKT
from tests.support.helpers import colleague
from tests.support.web import csrf_of
from tests.support.werkbak import logged_in, ref, references, rows


def client_for(web, username: str):
    client = web.test_client()
    log_in_client(client, username, PASSWORD)
    return client


def post(client, path: str, **data: str):
    return client.post(path, data={**data, "csrf_token": csrf_of(client, "/")})


def holder_of(chain, task_id: int) -> int | None:
    with unit_of_work(chain.factory) as session:
        return session.get(HumanTask, task_id).assignee_id


def team_with_a_held_task(chain):
    """Anne (not a coordinator) has the Eersel case's enrichment in hand; Bram is her colleague."""
    case = chain.report("eersel")
    anne, bram = colleague(chain, "anne"), colleague(chain, "bram")
    task = chain.ready(case)["verrijken"]
    with unit_of_work(chain.factory) as session:
        assignment.claim(session, actor=anne, now=chain.at(), task_id=task.id)
    return case, task, anne, bram


def test_the_coordinator_opens_a_colleagues_task_read_only_and_sees_who_holds_it(web, chain):
    case, task, _anne, _bram = team_with_a_held_task(chain)
    coordinator = logged_in(web, chain, "af", "eersel")
    team = coordinator.get("/?tab=team").get_data(as_text=True)
    assert "In behandeling bij" in team
    [row] = rows(team)
    assert "Anne" in row and ref(case) in row
    assert f'href="/taken/{task.id}"' in team, "the coordinator can open it"
    response = coordinator.get(f"/taken/{task.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "In behandeling bij Anne." in page and 'data-testid="alleen-lezen"' in page
    assert "Taak afronden" not in page, "read-only: completing stays with Anne"
    assert 'data-testid="zaak-context"' in page and "Drie jonge vrouwen op één adres" in page, "the signal, to judge"
    assert '<option value="bram">Bram</option>' in page and '<option value="anne">' not in page
    completing = post(coordinator, f"/taken/{task.id}", omschrijving="x")
    assert completing.status_code == 409 and "Niet opgeslagen" in completing.get_data(as_text=True)
    assert chain.ready(case)["verrijken"].id == task.id, "nothing was completed"


def test_the_coordinator_reassigns_and_the_colleague_finds_it_under_mijn_taken(web, chain):
    case, task, anne, bram = team_with_a_held_task(chain)
    coordinator = logged_in(web, chain, "af", "eersel")
    done = post(coordinator, f"/taken/{task.id}/toewijzen", collega="bram")
    assert done.status_code == 302 and done.headers["Location"] == "/?tab=team"
    assert "Taak ‘Signaal verrijken en beoordelen’ is toegewezen aan Bram." in coordinator.get(
        "/?tab=team").get_data(as_text=True)
    assert holder_of(chain, task.id) == bram.user_id
    mine = client_for(web, "bram").get("/?tab=mijn").get_data(as_text=True)
    assert references(mine) == [ref(case)]
    back = post(coordinator, f"/taken/{task.id}/toewijzen", collega="anne")
    assert back.status_code == 302 and holder_of(chain, task.id) == anne.user_id
    with unit_of_work(chain.factory) as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.task_id == task.id)
                                 .order_by(AuditEvent.seq)).all()
    assert [(e.event_type, e.actor_username, e.payload["assignee"]) for e in events] == [
        ("task.claimed", "anne", "anne"), ("task.assigned", "af.eersel", "bram"),
        ("task.assigned", "af.eersel", "anne")]


def test_assigning_to_someone_outside_the_team_is_refused_in_dutch_and_changes_nothing(web, chain):
    _case, task, anne, _bram = team_with_a_held_task(chain)
    coordinator = logged_in(web, chain, "af", "eersel")
    chain.person("af", "bergeijk")
    for wrong in ("af.bergeijk", "", "bestaat-niet"):
        refused = post(coordinator, f"/taken/{task.id}/toewijzen", collega=wrong)
        assert refused.status_code == 302
        page = coordinator.get(refused.headers["Location"]).get_data(as_text=True)
        assert "Niet toegewezen: Kies een collega met dezelfde rol binnen dezelfde organisatie." in page, wrong
        assert holder_of(chain, task.id) == anne.user_id


def test_a_colleague_sees_who_holds_a_task_but_cannot_open_or_assign_it(web, chain):
    case, task, _anne, _bram = team_with_a_held_task(chain)
    bram = client_for(web, "bram")
    team = bram.get("/?tab=team").get_data(as_text=True)
    [row] = rows(team)
    assert "Anne" in row and ref(case) in row
    assert f'href="/taken/{task.id}"' not in team, "no link to a page Bram may not open"
    assert bram.get(f"/taken/{task.id}").status_code == 403
    assert post(bram, f"/taken/{task.id}/toewijzen", collega="bram").status_code == 403
    assert post(bram, f"/taken/{task.id}/oppakken").status_code == 403
    other = client_for(web, chain.person("af", "bergeijk").username)
    assert other.get(f"/taken/{task.id}").status_code == 403, "outside the team: refused as before"
    assert post(other, f"/taken/{task.id}/toewijzen", collega="anne").status_code == 403


def test_everyone_takes_a_free_task_and_gives_it_back(web, chain):
    case = chain.report("eersel")
    bram_actor = colleague(chain, "bram")
    task = chain.ready(case)["verrijken"]
    bram = client_for(web, "bram")
    page = bram.get(f"/taken/{task.id}").get_data(as_text=True)
    assert "In behandeling nemen" in page and "Toewijzen" not in page, "Bram is no coordinator"
    assert post(bram, f"/taken/{task.id}/oppakken").status_code == 302
    assert holder_of(chain, task.id) == bram_actor.user_id
    assert "Teruggeven aan het team" in bram.get(f"/taken/{task.id}").get_data(as_text=True)
    assert post(bram, f"/taken/{task.id}/teruggeven").status_code == 302
    assert holder_of(chain, task.id) is None


def test_each_role_lands_on_the_page_it_needs(web, chain):
    melder = logged_in(web, chain, "melder", "eersel")
    assert melder.get("/").headers["Location"] == "/melden", "nothing reported yet: report"
    chain.report("eersel")
    assert melder.get("/").headers["Location"] == "/mijn-meldingen"
    assert "Werkbak" not in melder.get("/mijn-meldingen").get_data(as_text=True).split("<main")[0]
    assert logged_in(web, chain, "auditor", "eersel").get("/").headers["Location"] == "/audit/zaken"
    assert logged_in(web, chain, "beheerder", "eersel").get("/").headers["Location"] == "/beheer/post"
    for role, organisation in (("af", "eersel"), ("politie", "oost-brabant-avim")):
        assert logged_in(web, chain, role, organisation).get("/").status_code == 200, role


def test_the_werkbak_shows_names_and_the_kenmerk_never_slugs(web, chain):
    case = chain.report("eersel")
    html = logged_in(web, chain, "af", "eersel").get("/").get_data(as_text=True)
    [row] = rows(html)
    assert "Gemeente Eersel" in row and "Van signaal naar aanpak (Oost-Brabant)" in row
    assert "binnen Gemeente Eersel" in html
    main = html.split("<main", 1)[1]
    assert not re.search(r"[>\s(]eersel[<\s.)]", main), "no slug anywhere in the werkbak"
    assert f'<a href="/zaken/{case}"><span class="kenmerk">{ref(case)}</span></a>' in html
    assert f"Zaak {case}<" not in html


def test_acute_is_first_and_marked_in_the_werkbak(web, chain):
    calm = chain.report("eersel")
    chain.do(calm, "verrijken", VERRIJKT)
    chain.at.advance(days=1)
    acute = chain.report("eersel", acuut=True)
    html = logged_in(web, chain, "politie", "oost-brabant-avim").get("/?tab=team").get_data(as_text=True)
    first, second = rows(html)
    assert ref(acute) in first and "Acuut" in first
    assert ref(calm) in second and "Acuut" not in second


def test_the_melder_of_an_acute_signal_is_told_to_call_112_and_tells_reports_apart(web, chain):
    melder = logged_in(web, chain, "melder", "eersel")
    token = csrf_of(melder, "/melden")
    calm = melder.post("/melden", data={"omschrijving": "Zorgen over een bovenwoning aan de Markt.", "acuut": "nee",
                                        "bron_melding": "collega", "anoniem": "nee", "csrf_token": token})
    calm_page = melder.get(calm.headers["Location"]).get_data(as_text=True)
    assert "verrijkt het signaal" in calm_page and 'data-testid="acuut-uitleg"' not in calm_page
    acute = melder.post("/melden", data={"omschrijving": "Een meisje wordt nu vastgehouden in een loods. " * 4,
                                         "acuut": "ja", "bron_melding": "collega", "anoniem": "nee",
                                         "csrf_token": token})
    page = melder.get(acute.headers["Location"]).get_data(as_text=True)
    warning = page.split('data-testid="acuut-uitleg"', 1)[1].split("</div>", 1)[0]
    assert 'class="utrecht-alert utrecht-alert--warning" role="alert"' in page
    assert "Bel direct 112" in warning and "meteen" in warning and "politie" in warning
    assert "verrijkt het signaal" not in page, "not the ordinary text"
    overview = melder.get("/mijn-meldingen").get_data(as_text=True)
    acute_row, calm_row = rows(overview)
    assert "Een meisje wordt nu vastgehouden in een loods." in acute_row and "…" in acute_row and "Acuut" in acute_row
    assert "Zorgen over een bovenwoning aan de Markt." in calm_row and "Acuut" not in calm_row
    assert "In behandeling" in calm_row and re.search(r"SR-2026-\d{5}", calm_row)
