"""The auditor steps through a case in the browser shell (server side, without JavaScript)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from tests.support.chain import TERUG, VERRIJKT, ZORG
from tests.support.werkbak import logged_in


def test_the_auditor_steps_through_a_case_with_the_data_of_each_step(web, chain):
    case = chain.report("eersel")
    chain.do(case, "verrijken", VERRIJKT)
    chain.do(case, "overdracht_politie", TERUG)
    auditor = logged_in(web, chain, "auditor", "eersel")
    first = auditor.get(f"/audit/zaken/{case}/afspelen").get_data(as_text=True)
    assert "Stap 1 van 3" in first and "signaal_oost_brabant:verrijken" in first and "Volgende stap" in first
    third = auditor.get(f"/audit/zaken/{case}/afspelen?stap=3").get_data(as_text=True)
    assert "Verhoor gepland." in third and "zorg_en_opvang_opvolging:zorg_en_opvang" in third
    assert "komt na elke stap uit op de vastgelegde toestand" in third
    trace = auditor.get(f"/audit/zaken/{case}/afspelen.json").get_json()
    assert trace["process_id"] == "signaal_oost_brabant" and len(trace["steps"]) == 3
    model = auditor.get(f"/audit/zaken/{case}/model.bpmn")
    assert model.mimetype == "application/xml" and b'id="signaal_oost_brabant"' in model.data


def test_nobody_else_steps_through_a_case(web, chain):
    case = chain.report("eersel")
    af = logged_in(web, chain, "af", "eersel")
    for path in ("afspelen", "afspelen.json", "model.bpmn"):
        assert af.get(f"/audit/zaken/{case}/{path}").status_code == 403


def test_a_step_before_a_migration_draws_the_version_then_in_force(web, chain):
    from sqlalchemy import select

    from engine.db import unit_of_work
    from engine.modelling import deployments, migration
    from engine.models import ProcessDefinition
    from engine.workflow.bundle import SourceFile
    from tests.support.chain import FORMS, ROOT

    case = chain.report("eersel")
    chain.do(case, "verrijken", VERRIJKT)
    renamed = (ROOT / "processes" / "signaal_oost_brabant.bpmn").read_bytes().replace(
        b'name="Van signaal naar aanpak (Oost-Brabant)"', b'name="Van signaal naar aanpak (Oost-Brabant, v2)"').replace(
        b'name="Signaal verrijken en beoordelen"', b'name="Signaal verrijken (v2)"')
    regisseur = chain.person("procesregisseur", "eersel")
    with unit_of_work(chain.factory) as session:
        deployments.deploy(session, actor=regisseur, now=chain.at(), comment="v2", forms=FORMS,
                           files=[SourceFile("signaal_oost_brabant.bpmn", renamed)])
    with unit_of_work(chain.factory) as session:
        migration.migrate(session, actor=regisseur, now=chain.at(), instance_id=case, to_version=2)
        v1, v2 = session.scalars(select(ProcessDefinition.id).where(
            ProcessDefinition.process_id == "signaal_oost_brabant").order_by(ProcessDefinition.version)).all()
        other = session.scalar(select(ProcessDefinition.id).where(ProcessDefinition.process_id == "zorg_regelen"))
    auditor = logged_in(web, chain, "auditor", "eersel")
    first = auditor.get(f"/audit/zaken/{case}/afspelen?stap=1").get_data(as_text=True)
    last = auditor.get(f"/audit/zaken/{case}/afspelen?stap=3").get_data(as_text=True)
    assert f"model.bpmn?versie={v1}" in first and f"model.bpmn?versie={v2}" in last
    assert "rondde ‘Signaal verrijken en beoordelen’ af" in visible(
        auditor.get(f"/audit/zaken/{case}/afspelen?stap=2").get_data(as_text=True)), "the name in version 1"
    assert RAW.findall(visible(last)) == [] and "zette de zaak over van versie 1 naar versie 2" in visible(last)
    assert "Signaal verrijken (v2)\n1" in visible(last), "after the migration: the name in version 2"
    assert b"(Oost-Brabant)" in auditor.get(f"/audit/zaken/{case}/model.bpmn?versie={v1}").data
    assert b"(Oost-Brabant, v2)" in auditor.get(f"/audit/zaken/{case}/model.bpmn").data
    assert auditor.get(f"/audit/zaken/{case}/model.bpmn?versie={other}").status_code == 404, "only this process"


def test_a_step_inside_a_called_process_names_the_call_activity_that_holds_it(web, chain):
    case = chain.report("eersel")
    chain.do(case, "verrijken", VERRIJKT)
    auditor = logged_in(web, chain, "auditor", "eersel")
    step = auditor.get(f"/audit/zaken/{case}/afspelen.json").get_json()["steps"][1]
    assert "overdracht_politie_opvolging:overdracht_politie" in step["active"]
    assert "overdracht_politie_opvolging:overdracht_politie" in step["containers"]["signaal_oost_brabant:overdracht"]
    assert step["labels"]["signaal_oost_brabant:overdracht"].startswith("hier binnen: ‘Signaal overnemen (politie)’")
    assert step["calls"]["signaal_oost_brabant:overdracht"] == "overdracht_partners"
    inner = auditor.get(step["models"]["overdracht_partners"])
    assert inner.status_code == 200 and b'<bpmn:process id="overdracht_partners"' in inner.data
    first = auditor.get(f"/audit/zaken/{case}/afspelen.json").get_json()["steps"][0]
    assert first["containers"] == {}, "before the handover nothing waits inside a call activity"
    page = auditor.get(f"/audit/zaken/{case}/afspelen?stap=2").get_data(as_text=True)
    assert ("Stap 2: in ‘Overdracht aan ketenpartners’ → ‘Signaal overnemen (politie) met opvolging’ → "
            "‘Signaal overnemen (politie)’ wacht") in page
    sentence = ("Stap 2: in ‘Overdracht aan ketenpartners’ → ‘Zorg regelen’ → ‘Zorg en opvang regelen met opvolging’ "
                "→ ‘Zorg en opvang regelen’ wacht")
    assert visible(page).count(sentence) == 1, "three boxes call the same process: one sentence, not three"


def test_called_models_are_for_auditors_only_and_only_of_the_case(web, chain):
    case = chain.report("eersel")
    af = logged_in(web, chain, "af", "eersel")
    assert af.get(f"/audit/zaken/{case}/modellen/overdracht_partners.bpmn").status_code == 403
    auditor = logged_in(web, chain, "auditor", "eersel")
    assert auditor.get(f"/audit/zaken/{case}/modellen/signaal_limburg.bpmn").status_code == 404
    assert auditor.get(f"/audit/zaken/{case}/modellen/zorg_regelen.bpmn").status_code == 200


class _Visible(HTMLParser):
    """The text a person reads on a page: no tags, attributes, scripts or styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style") and self._skip > 0

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(" ".join(data.split()))


def visible(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return "\n".join(parser.parts)


RAW = re.compile(r"\b[a-z_]+:[a-z_]+\b|\b(?:instance|task|timer)\.[a-z_]+\b")


def test_each_step_reads_in_dutch_with_element_names_and_form_labels(web, chain):
    case = chain.report("eersel")
    chain.do(case, "verrijken", VERRIJKT)
    chain.do(case, "zorg_en_opvang", ZORG)
    assert chain.fire_timers(days=30) >= 1
    auditor = logged_in(web, chain, "auditor", "eersel")
    steps = auditor.get(f"/audit/zaken/{case}/afspelen.json").get_json()["steps"]
    pages = [visible(auditor.get(f"/audit/zaken/{case}/afspelen?stap={n}").get_data(as_text=True))
             for n in range(1, len(steps) + 1)]
    started, enriched, cared, timer = pages
    assert "startte de zaak" in started and "Wat heeft u gezien of gehoord?" in started
    assert ("Signaal verrijken en beoordelen\ntermijn ‘Termijn verstreken’ bij ‘Signaal verrijken en beoordelen’"
            in started), "a task and the term on it, by name"
    assert "rondde ‘Signaal verrijken en beoordelen’ af" in enriched
    assert "Vorm van uitbuiting\nSeksuele uitbuiting (SU)" in enriched, "the field's title and the choice's title"
    assert "Is het slachtoffer bekend?\nja" in enriched
    assert "Signaal overnemen (politie) in deelproces ‘Signaal overnemen (politie) met opvolging’" in enriched
    assert "Signaal verrijken en beoordelen\n1" in enriched and "exclusieve gateway na ‘Acuut gevaar?’\n1" in enriched
    assert "Element\nZorg en opvang regelen in deelproces ‘Zorg en opvang regelen met opvolging’" in cared
    assert "Termijn verstreken: ‘Signaal overnemen (politie)’" in timer
    assert ("Element\ntermijn ‘Terugkoppeling blijft uit’ bij ‘Signaal overnemen (politie)’ in deelproces "
            "‘Signaal overnemen (politie) met opvolging’") in timer
    assert "Terugkoppeling opvragen bij de politie in deelproces" in timer and "Systeem (planner)" in timer
    assert "parallelle gateway na ‘Signaal overnemen (politie) met opvolging’ en ‘Zorg regelen’ in deelproces" in timer
    assert "(Zorgcoördinator, Lumens)" in cared, "an organisation by its name, not its slug"
    for text in pages:
        assert RAW.findall(text) == [], "no process:element key or raw event type"
        assert "verrijken_termijn" not in text and "sporen_samen" not in text
        assert "omschrijving" not in text and "soort_signaal" not in text, "field labels, not field names"


def test_the_step_that_withdrew_the_afs_chase_says_why_in_dutch(web, chain):
    case = chain.report("eersel")
    chain.do(case, "verrijken", VERRIJKT)
    chain.fire_timers(days=10)
    chain.do(case, "overdracht_politie", {**TERUG, "strafrechtelijk_onderzoek": True})
    auditor = logged_in(web, chain, "auditor", "eersel")
    steps = auditor.get(f"/audit/zaken/{case}/afspelen.json").get_json()["steps"]
    last = auditor.get(f"/audit/zaken/{case}/afspelen?stap={len(steps)}").get_data(as_text=True)
    assert "Vervallen bij deze stap" in last
    assert "‘Terugkoppeling opvragen bij de politie’ vervalt: partner meldt een strafrechtelijk onderzoek" in last
    before = auditor.get(f"/audit/zaken/{case}/afspelen?stap={len(steps) - 1}").get_data(as_text=True)
    assert "Vervallen bij deze stap" not in before
