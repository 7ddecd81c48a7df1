"""A story with a script payload in every text field people can type, and the pages that show them back.

Used by test_xss.py (the HTML answers: escaped, never raw) and by the browser test (nothing executes).
Each field gets its own label before the payload, so a failure names the field.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from sqlalchemy import select

from engine.cases import intake, lifecycle, saved_filters, worklist
from engine.db import unit_of_work
from engine.meetings import meetings
from engine.modelling import deployments, drafts, form_editing
from engine.models import Meeting, MeetingItem
from engine.workflow.bundle import SourceFile
from tests.support.chain import FORMS, VERRIJKT, ZORG, Chain
from tests.support.meetings import BASE, CALENDAR, PLANNED

PAYLOAD = ("<script>alert('xss')</script><img src=x onerror=alert('xss')>"
           "<svg onload=alert('xss')>\"'><a href=\"javascript:alert('xss')\">{{7*7}}</a>")
RAW = ("<script>alert(", "<img src=x", "<svg onload", 'href="javascript:')
ESCAPED = "&lt;script&gt;alert("


def p(field: str) -> str:
    return f"[{field}] {PAYLOAD}"


MODEL = Path(__file__).resolve().parents[1] / "fixtures" / "models" / "drie_taken.bpmn"


def hostile_model() -> bytes:
    """drie_taken.bpmn with the payload in the process name, a task name, documentation and instructions."""
    text = MODEL.read_text(encoding="utf-8")
    text = text.replace('<spiffworkflow:property name="formJsonSchemaFilename" value="test-verrijken.json" />', "")
    text = text.replace('name="Drie taken"', f'name="{escape(p("procesnaam"), {chr(34): "&quot;"})}"')
    text = text.replace('name="Signaal verrijken"', f'name="{escape(p("taaknaam"), {chr(34): "&quot;"})}"')
    text = text.replace("Verzamel adresgegevens en eerdere meldingen.", escape(p("instructies")))
    text = text.replace('<bpmn:laneSet id="LaneSet_1">',
                        f'<bpmn:documentation>{escape(p("documentatie"))}</bpmn:documentation>'
                        '<bpmn:laneSet id="LaneSet_1">')
    return text.encode("utf-8")


@dataclass
class XssStory:
    case: int          # the Fryslân signal, every melding and task field hostile
    model_case: int    # a case of the hostile model: its task shows the hostile instructions
    model_task: int
    meeting: int
    item: int
    draft: int
    form: str


def build(chain: Chain) -> XssStory:
    melder = chain.person("melder", "leeuwarden")
    af = chain.person("af", "leeuwarden")
    chair = chain.person("procesregisseur", "fryslan-zvhf")
    chain.person("politie", "fryslan-politie-tmm")
    chain.person("ketenregisseur", "fryslan-ketenregisseur")
    case = chain.report("leeuwarden", by=("melder", "leeuwarden"), omschrijving=p("omschrijving"),
                        locatie=p("locatie")[:200], betrokkenen=p("betrokkenen"))
    chain.do(case, "verrijken", {**VERRIJKT, "samenvatting": p("samenvatting"), "adresgegevens": p("adres"),
                                 "eerdere_sancties": p("sancties")})
    chain.do(case, "agenderen_procesregisseur", {"persoonsgegevens_gedeeld": True, "toelichting": p("agenderen")})
    # The Drieluik decides before partners act (001 Bijlage 2.1), and the decision page must stay open: the
    # partners' and the melder's texts travel on a second signal of the same melder that the Drieluik pluses.
    second = chain.report("leeuwarden", by=("melder", "leeuwarden"), omschrijving=p("omschrijving"))
    chain.do(second, "verrijken", {**VERRIJKT, "samenvatting": p("samenvatting")})
    chain.do(second, "agenderen_procesregisseur", {"persoonsgegevens_gedeeld": True})
    chain.do(second, "besluit_overleg", {"besluit": "opplussen", "toelichting": p("besluit")})
    chain.do(second, "casus_starten", {"casusregisseur": p("casusregisseur")[:200], "stoppen_uitbuiting": p("plan"),
                                       "strafrechtelijk_spoor": True, "eerste_contact": p("eerste_contact")})
    chain.do(second, "politie_na_drieluik", {"actie": "onderzoek gestart", "terugkoppeling": p("terugkoppeling")})
    chain.do(second, "zorg_en_opvang", {**ZORG, "terugkoppeling": p("zorg")})
    chain.do(second, "terugkoppelen_melder", {"bericht_aan_melder": p("bericht_aan_melder")})
    with unit_of_work(chain.factory) as session:
        meetings.run_cycle(session, regions=PLANNED, calendar=CALENDAR, now=chain.at(), base_url=BASE)
    chain.at.advance(days=7)
    with unit_of_work(chain.factory) as session:
        meetings.run_cycle(session, regions=PLANNED, calendar=CALENDAR, now=chain.at(), base_url=BASE)
        item = session.scalars(select(MeetingItem).where(MeetingItem.instance_id == case)).one()
        meeting = session.get(Meeting, item.meeting_id)
        assert meeting is not None
        meetings.save_minutes(session, actor=chair, now=chain.at(), meeting_id=meeting.id, text=p("verslag"))
        saved_filters.save_filter(session, actor=af, now=chain.at(), name=p("filter")[:80],
                                  query=worklist.query_from_params({"vorm": "SU"}))
        draft = drafts.create_empty(session, actor=chair, now=chain.at(), kind="bpmn", element_id="xss_proces",
                                    name=p("concept"), max_bytes=5 * 1024 * 1024)
        form = "xss-formulier.json"
        form_editing.save_form(session, actor=chair, now=chain.at(), repository=FORMS, name=form, new=True,
                                comment=p("formulier-toelichting"), text=json.dumps({
                                    "title": p("formuliertitel"), "description": p("formulieruitleg"),
                                    "type": "object", "properties": {"veld": {"type": "string", "title": p("veld")}}}))
        deployments.deploy(session, actor=chair, now=chain.at(), comment=p("uitrol"), forms=FORMS,
                           files=[SourceFile("drie_taken.bpmn", hostile_model())])
        intake.ask_advice(session, actor=melder, now=chain.at(), regions=chain.regions, vraag=p("adviesvraag"),
                          gemeente="leeuwarden")
        model_case = lifecycle.start_case(session, actor=af, now=chain.at(), process_id="drie_taken",
                                              data={"opmerking": p("startgegevens")}).id
        ids = (meeting.id, item.id, draft.id)
    model_task = chain.ready(model_case)["verrijken"].id
    return XssStory(case=case, model_case=model_case, model_task=model_task, meeting=ids[0], item=ids[1],
                    draft=ids[2], form=form)


AF, PR, AUDITOR = ("af", "leeuwarden"), ("procesregisseur", "fryslan-zvhf"), ("auditor", "leeuwarden")
# (who as role/organisation, path with the story's ids as {fields}) of every page that shows a hostile text back.
# The case page (/zaken/<id>) shows every field of the case the reader may know: the Fryslân
# signal's page carries all its hostile texts; the hostile model's case adds hostile task names.
PAGES: list[tuple[tuple[str, str], str]] = [
    (AF, "/"),
    (AF, "/taken/{model_task}"),
    (AF, "/zaken/{model_case}"),
    (AF, "/zaken/{case}"),
    (("melder", "leeuwarden"), "/mijn-meldingen"),
    (PR, "/overleg/{meeting}"),
    (PR, "/overleg/{meeting}/punt/{item}"),
    (AUDITOR, "/audit/zaken/{case}"),
    (AUDITOR, "/audit/zaken/{model_case}"),
    (AUDITOR, "/audit/zaken/{case}/afspelen"),
    (PR, "/modelleren/"),
    (PR, "/modelleren/drie_taken"),
    (PR, "/modelleren/concepten/{draft}"),
    (PR, "/modelleren/formulieren"),
    (PR, "/modelleren/formulieren/{form}"),
]


def pages(story: XssStory) -> list[tuple[tuple[str, str], str]]:
    """(who, path) of every page that shows one of the hostile texts back, with the story's real ids."""
    return [(who, path.format(**dataclasses.asdict(story))) for who, path in PAGES]
