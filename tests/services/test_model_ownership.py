"""Least privilege for process models: a region changes its own models; shared ones need someone landelijk.

Attack: a procesregisseur of one region (an insider, or a stolen account) changes another region's
route, a call activity every region uses, or the routing table, or moves another region's cases to
a version of their making. Expected refusal: 403 with the owner named, nothing stored.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.db import unit_of_work
from engine.errors import Forbidden, NotFound
from engine.modelling import deployments, drafts, migration, model_ownership
from engine.models import Deployment
from engine.workflow.bundle import SourceFile
from tests.support.chain import FORMS, REGIONS, ROOT

MAX = 5 * 1024 * 1024
PROCESSES = ROOT / "processes"


def source(name: str, content: bytes | None = None) -> SourceFile:
    return SourceFile(name, content if content is not None else (PROCESSES / name).read_bytes())


def deploy(chain, actor, *files: SourceFile) -> Deployment:
    with unit_of_work(chain.factory) as session:
        return deployments.deploy(session, actor=actor, now=chain.at(), files=list(files), comment="test", forms=FORMS)


def deployment_count(chain) -> int:
    with unit_of_work(chain.factory) as session:
        return int(session.scalar(select(func.count()).select_from(Deployment)) or 0)


def new_process(process_id: str, regio: str | None = None) -> SourceFile:
    properties = (f'<bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property name="regio" '
                  f'value="{regio}"/></spiffworkflow:properties></bpmn:extensionElements>') if regio else ""
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d_{process_id}"
  targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="{process_id}" name="{process_id}" isExecutable="true">{properties}
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="einde"/>
    <bpmn:endEvent id="einde"><bpmn:incoming>f1</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>"""
    return SourceFile(f"{process_id}.bpmn", xml.encode())


def test_every_region_route_declares_the_region_whose_profile_runs_it():
    for region in REGIONS.values():
        declared = model_ownership.declared_regions((PROCESSES / f"{region.process_id}.bpmn").read_bytes(), "x.bpmn")
        assert declared == {region.process_id: region.slug}, region.slug
    for shared in PROCESSES.glob("gedeeld_*.bpmn"):
        assert set(model_ownership.declared_regions(shared.read_bytes(), shared.name).values()) == {None}


def test_a_region_deploys_its_own_route_and_nothing_of_another_region_or_shared(chain):
    fryslan = chain.person("procesregisseur", "leeuwarden")
    assert deploy(chain, fryslan, source("signaal_fryslan.bpmn")).definitions[0].version == 2
    before = deployment_count(chain)
    refusals = {
        "signaal_oost_brabant.bpmn": "Proces 'signaal_oost_brabant' is van regio Oost-Brabant",
        "gedeeld_zorg.bpmn": "Proces 'zorg_regelen' wordt door alle regio's gedeeld",
        "routering.dmn": "Beslistabel 'routering' wordt door alle regio's gedeeld",
    }
    for name, message in refusals.items():
        with pytest.raises(Forbidden, match=message):
            deploy(chain, fryslan, source(name))
    taken = source("signaal_oost_brabant.bpmn").content.replace(b'value="oost-brabant"', b'value="fryslan"')
    with pytest.raises(Forbidden, match="is van regio Oost-Brabant"):
        deploy(chain, fryslan, SourceFile("signaal_oost_brabant.bpmn", taken))
    assert deployment_count(chain) == before, "nothing stored"
    with unit_of_work(chain.factory) as session:
        problems = deployments.validate(session, actor=fryslan, files=[source("gedeeld_zorg.bpmn")], forms=FORMS)
        assert any("wordt door alle regio's gedeeld" in p.message for p in problems), "the editor says it too"


def test_a_new_process_belongs_to_the_region_that_made_it_and_cannot_be_given_away(chain):
    fryslan = chain.person("procesregisseur", "leeuwarden")
    limburg = chain.person("procesregisseur", "venlo")
    with pytest.raises(Forbidden, match="krijgt in dit bestand regio 'soest'"):
        deploy(chain, fryslan, new_process("proef_fryslan", regio="soest"))
    deploy(chain, fryslan, new_process("proef_fryslan"))
    with unit_of_work(chain.factory) as session:
        assert model_ownership.process_owner(session, "proef_fryslan") == (True, "fryslan")
    with pytest.raises(Forbidden, match="Vraag dat aan een procesregisseur van regio Fryslân"):
        deploy(chain, limburg, new_process("proef_fryslan"))
    assert deploy(chain, fryslan, new_process("proef_fryslan")).definitions[0].version == 2


@pytest.mark.parametrize("who", [("procesregisseur", "landelijk"), ("beheerder", "leeuwarden")])
def test_someone_outside_every_region_maintains_the_shared_models_and_may_hand_them_over(chain, who):
    actor = chain.person(*who)
    deploy(chain, actor, source("gedeeld_zorg.bpmn"), source("routering.dmn"))
    deploy(chain, actor, new_process("overgedragen", regio="soest"))
    with unit_of_work(chain.factory) as session:
        assert model_ownership.process_owner(session, "zorg_regelen") == (True, None)
        assert model_ownership.process_owner(session, "overgedragen") == (True, "soest")


def test_a_region_does_not_move_another_regions_cases_or_see_its_drafts(chain):
    fryslan = chain.person("procesregisseur", "leeuwarden")
    brabant = chain.person("procesregisseur", "eersel")
    with unit_of_work(chain.factory) as session:
        with pytest.raises(Forbidden, match="is van regio Oost-Brabant"):
            migration.plan(session, actor=fryslan, now=chain.at(), process_id="signaal_oost_brabant", to_version=1)
        assert migration.plan(session, actor=brabant, now=chain.at(), process_id="signaal_oost_brabant",
                              to_version=1).process_id == "signaal_oost_brabant"
    with unit_of_work(chain.factory) as session:
        draft = drafts.open_version(session, actor=brabant, now=chain.at(), process_id="signaal_oost_brabant",
                                    version=1, max_bytes=MAX)
        draft_id = draft.id
    with unit_of_work(chain.factory) as session:
        assert [d.id for d in drafts.list_open(session, actor=brabant)] == [draft_id]
        assert drafts.list_open(session, actor=fryslan) == []
        with pytest.raises(NotFound):
            drafts.get(session, actor=fryslan, draft_id=draft_id)
    landelijk = chain.person("procesregisseur", "landelijk")
    with unit_of_work(chain.factory) as session:
        assert [d.id for d in drafts.list_open(session, actor=landelijk)] == [draft_id]


def test_a_region_cannot_start_a_draft_of_another_regions_model_or_a_shared_one(chain):
    """Refused when the draft would start (version, stored file or upload), not after an afternoon's work."""
    fryslan = chain.person("procesregisseur", "leeuwarden")
    limburg = chain.person("procesregisseur", "venlo")
    with unit_of_work(chain.factory) as session:
        for process_id, whom in (("signaal_limburg", f"regio Noord- en Midden-Limburg ({limburg.username})"),
                                 ("zorg_regelen", "een landelijke procesregisseur of de beheerder")):
            with pytest.raises(Forbidden) as refused:
                drafts.open_version(session, actor=fryslan, now=chain.at(), process_id=process_id, version=1,
                                    max_bytes=MAX)
            assert f"Vraag een wijziging aan {'een procesregisseur van ' if 'regio' in whom else ''}{whom}" in \
                refused.value.message
        with pytest.raises(Forbidden):
            drafts.upload(session, actor=fryslan, now=chain.at(), filename="gedeeld_zorg.bpmn",
                          content=(PROCESSES / "gedeeld_zorg.bpmn").read_bytes(), max_bytes=MAX)
        with pytest.raises(Forbidden) as refused:
            drafts.upload(session, actor=fryslan, now=chain.at(), filename="routering.dmn",
                          content=(PROCESSES / "routering.dmn").read_bytes(), max_bytes=MAX)
        assert refused.value.message.startswith("Deze beslistabel wordt door alle regio's gedeeld")
        own = drafts.open_version(session, actor=fryslan, now=chain.at(), process_id="signaal_fryslan", version=1,
                                  max_bytes=MAX)
        assert own.process_id == "signaal_fryslan"
