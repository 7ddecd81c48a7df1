"""The werkbak as its users read it: two tabs with counts, filters, sorting, paging, due markers and search."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from engine.cases import assignment, intake
from engine.db import unit_of_work
from tests.support.chain import VERRIJKT
from tests.support.werkbak import logged_in, ref, references, rows


def test_the_werkbak_opens_on_my_tasks_when_i_hold_some_and_counts_both_tabs(web, chain):
    cases = [chain.report("eersel") for _ in range(3)]
    af = chain.person("af", "eersel")
    with unit_of_work(chain.factory) as session:
        assignment.claim(session, actor=af, now=chain.at(), task_id=chain.ready(cases[1])["verrijken"].id)
    client = logged_in(web, chain, "af", "eersel")
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'aria-current="page">Mijn taken \(1\)</a>', html)
    assert "Taken van mijn team (3)" in html, "the team's tab holds every open task, mine too"
    assert references(html) == [ref(cases[1])]
    assert "(bij u in behandeling)" in rows(html)[0]
    team = client.get("/?tab=team").get_data(as_text=True)
    assert re.search(r'aria-current="page">Taken van mijn team \(3\)</a>', team)
    assert sorted(references(team)) == [ref(c) for c in cases]


def test_a_new_user_without_claimed_tasks_lands_on_the_team_tab(web, chain):
    case = chain.report("eersel")
    html = logged_in(web, chain, "af", "eersel").get("/").get_data(as_text=True)
    assert re.search(r'aria-current="page">Taken van mijn team \(1\)</a>', html)
    assert references(html) == [ref(case)]


def test_avim_filters_on_gemeente_and_vorm_and_sees_the_process_by_name(web, chain, handed_over):
    eersel, bergeijk = handed_over
    avim = logged_in(web, chain, "politie", "oost-brabant-avim")
    everything = avim.get("/").get_data(as_text=True)
    assert references(everything) == [ref(eersel), ref(bergeijk)], "earliest due first"
    assert "Van signaal naar aanpak (Oost-Brabant)" in rows(everything)[0]
    assert "Seksuele uitbuiting (SU)" in rows(everything)[0]
    assert '<option value="bergeijk"' in everything, "the region's gemeenten to choose from"
    assert references(avim.get("/?gemeente=bergeijk").get_data(as_text=True)) == [ref(bergeijk)]
    only_su = avim.get("/?tab=team&vorm=SU").get_data(as_text=True)
    assert references(only_su) == [ref(eersel)]
    assert "Taken van mijn team (1)" in only_su, "the counts follow the filters"
    assert "(gefilterd)" in only_su
    assert references(avim.get("/?vorm=AU").get_data(as_text=True)) == []
    assert "Geen taken gevonden met deze filters." in avim.get("/?vorm=AU").get_data(as_text=True)


def test_due_markers_say_binnenkort_and_te_laat_in_words(web, chain, handed_over):
    eersel, bergeijk = handed_over  # due Monday 9 and Tuesday 10 March, 10.00 uur
    chain.at.now = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)  # Monday 11.00 uur in Amsterdam
    html = logged_in(web, chain, "politie", "oost-brabant-avim").get("/").get_data(as_text=True)
    late, soon = rows(html)
    assert ref(eersel) in late and "9 maart 2026, 10.00 uur te laat" in late
    assert ref(bergeijk) in soon and "10 maart 2026, 10.00 uur binnenkort" in soon


def test_the_due_filter_finds_overdue_due_within_working_days_and_without_due_date(web, chain, handed_over):
    eersel, bergeijk = handed_over
    chain.at.now = datetime(2026, 3, 6, 9, 0, tzinfo=UTC)  # Friday 10.00 uur
    avim = logged_in(web, chain, "politie", "oost-brabant-avim")
    assert references(avim.get("/?termijn=binnenkort").get_data(as_text=True)) == [ref(eersel)]
    assert references(avim.get("/?termijn=binnenkort&werkdagen=2").get_data(as_text=True)) == [
        ref(eersel), ref(bergeijk)]
    assert references(avim.get("/?termijn=te_laat").get_data(as_text=True)) == []
    chain.at.now = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)
    assert references(avim.get("/?termijn=te_laat").get_data(as_text=True)) == [ref(eersel)]
    with unit_of_work(chain.factory) as session:  # an advice question has no term; enriching a signal does
        waiting = intake.ask_advice(session, actor=chain.person("melder", "eersel"), now=chain.at(),
                                    regions=chain.regions, vraag="Mag ik dit melden?", gemeente="eersel").id
    af = logged_in(web, chain, "af", "eersel")
    assert references(af.get("/?termijn=geen").get_data(as_text=True)) == [ref(waiting)]


def test_the_af_filters_on_process_and_sorts_by_it(web, chain):
    signal = chain.report("eersel")
    chain.at.advance(hours=1)
    with unit_of_work(chain.factory) as session:
        advice = intake.ask_advice(session, actor=chain.person("melder", "eersel"), now=chain.at(),
                                   regions=chain.regions, vraag="Mag ik dit melden?", gemeente="eersel").id
    af = logged_in(web, chain, "af", "eersel")
    html = af.get("/").get_data(as_text=True)
    assert '<option value="adviesvraag">Adviesvraag aan de aandachtsfunctionaris</option>' in html
    assert references(af.get("/?proces=adviesvraag").get_data(as_text=True)) == [ref(advice)]
    assert references(af.get("/?proces=signaal_oost_brabant").get_data(as_text=True)) == [ref(signal)]
    assert references(af.get("/?sorteer=proces").get_data(as_text=True)) == [ref(advice), ref(signal)]
    assert references(af.get("/?sorteer=nieuwste").get_data(as_text=True)) == [ref(advice), ref(signal)]
    assert references(af.get("/?sorteer=oudste").get_data(as_text=True)) == [ref(signal), ref(advice)]


def test_my_completed_tasks_are_found_with_the_status_filter(web, chain):
    case = chain.report("eersel")
    chain.do(case, "verrijken", VERRIJKT)
    af = logged_in(web, chain, "af", "eersel")
    done = af.get("/?tab=mijn&status=afgerond").get_data(as_text=True)
    [row] = rows(done)
    assert "Signaal verrijken en beoordelen (afgerond)" in row
    assert 'href="/taken/' not in done, "a completed task links to its case, not to a form"
    assert references(af.get("/?tab=mijn&status=afgerond&zaakstatus=afgesloten").get_data(as_text=True)) == []
    assert references(af.get("/?tab=mijn&status=afgerond&zaakstatus=loopt").get_data(as_text=True)) == [ref(case)]


def test_paging_shows_page_x_of_y_with_previous_and_next_links_that_keep_the_filters(web, chain):
    cases = [chain.report("eersel") for _ in range(5)]
    af = logged_in(web, chain, "af", "eersel")
    first = af.get("/?tab=team&sorteer=oudste&per_pagina=2").get_data(as_text=True)
    assert references(first) == [ref(cases[0]), ref(cases[1])]
    assert "Pagina 1 van 3" in first and "Vorige pagina" not in first
    following = re.search(r'<a href="([^"]+)" rel="next">Volgende pagina</a>', first).group(1).replace("&amp;", "&")
    assert "sorteer=oudste" in following and "per_pagina=2" in following
    second = af.get(following).get_data(as_text=True)
    assert references(second) == [ref(cases[2]), ref(cases[3])]
    assert "Pagina 2 van 3" in second and 'rel="prev">Vorige pagina' in second
    last = af.get("/?tab=team&sorteer=oudste&per_pagina=2&pagina=9").get_data(as_text=True)
    assert references(last) == [ref(cases[4])] and "Pagina 3 van 3" in last


def test_twenty_five_tasks_make_a_page(web, chain):
    for _ in range(26):
        chain.report("eersel")
    html = logged_in(web, chain, "af", "eersel").get("/").get_data(as_text=True)
    assert len(rows(html)) == 25
    assert "1–25 van 26" in html and "Pagina 1 van 2" in html


def without_csrf(response) -> str:
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]+"', r'\1…"', response.get_data(as_text=True))


def test_search_by_reference_finds_only_cases_the_user_may_see(web, chain, handed_over):
    eersel, _bergeijk = handed_over
    own = logged_in(web, chain, "af", "eersel")
    found = own.get(f"/?kenmerk={ref(eersel).lower()}").get_data(as_text=True)
    assert f'<a href="/zaken/{eersel}">{ref(eersel)}</a> gevonden' in found
    other = logged_in(web, chain, "af", "bergeijk")
    nothing = other.get(f"/?kenmerk={ref(eersel)}").get_data(as_text=True)
    assert f"Geen zaak gevonden met kenmerk {ref(eersel)}" in nothing
    assert f"/zaken/{eersel}" not in nothing
    wrong_year = own.get(f"/?kenmerk=SR-2025-{eersel:05d}").get_data(as_text=True)
    assert "Geen zaak gevonden" in wrong_year
    forbidden = other.get(f"/zaken/{eersel}")
    assert forbidden.status_code == 403
    assert "Geen toegang" in forbidden.get_data(as_text=True)
    missing = other.get("/zaken/99999")
    assert missing.status_code == 403
    # The pages differ only in their CSRF token, which carries a timestamp (seconds) of its own.
    assert without_csrf(missing) == without_csrf(forbidden), "existence does not leak"


def test_a_malformed_filter_gets_a_dutch_message_and_a_usable_werkbak(web, chain):
    chain.report("eersel")
    response = logged_in(web, chain, "af", "eersel").get("/?kenmerk=zaak42&vorm=XX")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Kenmerk van de zaak: Vul een kenmerk in zoals SR-2026-00042." in html
    assert "Vorm van uitbuiting: Kies een van: SU, AU, CU, OV, onbekend." in html
    assert len(rows(html)) == 1, "the werkbak itself still shows"


def test_an_unknown_vorm_counts_as_onbekend_until_the_af_records_one(web, chain):
    waiting = chain.report("eersel")
    af = logged_in(web, chain, "af", "eersel")
    assert references(af.get("/?vorm=onbekend").get_data(as_text=True)) == [ref(waiting)]
    assert references(af.get("/?vorm=SU").get_data(as_text=True)) == []


def test_beyond_the_count_limit_the_page_says_more_than_and_its_links_reach_every_task_once(web, chain, monkeypatch):
    """Issue 19: above worklist.COUNT_LIMIT the werkbak stops counting and pages by position, not by number."""
    from engine.cases import worklist

    monkeypatch.setattr(worklist, "COUNT_LIMIT", 3)
    cases = [chain.report("eersel") for _ in range(7)]
    af = logged_in(web, chain, "af", "eersel")
    html = af.get("/?tab=team&sorteer=oudste&per_pagina=2").get_data(as_text=True)
    assert "Taken van mijn team (3+)" in html and "1–2 van meer dan 3" in html and "Pagina 1" in html
    seen = references(html)
    while (following := re.search(r'<a href="([^"]+)" rel="next">Volgende pagina</a>', html)) is not None:
        html = af.get(following.group(1).replace("&amp;", "&")).get_data(as_text=True)
        seen += references(html)
    assert seen == [ref(c) for c in cases], "next links meet every task once, in order"
    assert "Pagina 4" in html and "7–7 van meer dan 3" in html
    first = af.get("/?tab=team&sorteer=oudste&per_pagina=2").get_data(as_text=True)
    last_link = re.search(r'<a href="([^"]+)">Laatste pagina</a>', first).group(1).replace("&amp;", "&")
    last = af.get(last_link).get_data(as_text=True)
    assert references(last) == [ref(cases[5]), ref(cases[6])] and "Einde van de lijst" in last
    assert "de laatste 2 van meer dan 3" in last
    back = re.search(r'<a href="([^"]+)" rel="prev">Vorige pagina</a>', last).group(1).replace("&amp;", "&")
    assert references(af.get(back).get_data(as_text=True)) == [ref(cases[3]), ref(cases[4])]
