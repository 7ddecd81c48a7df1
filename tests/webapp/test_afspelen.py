"""The auditor steps through a case in the browser shell (server side, without JavaScript)."""

from __future__ import annotations

from tests.chain import TERUG, VERRIJKT
from tests.werkbak_fixtures import logged_in


def test_the_auditor_steps_through_a_case_with_the_data_of_each_step(web, chain):
    case = chain.report("eersel")
    chain.do(case, "verrijken", VERRIJKT)
    chain.do(case, "overdracht_politie", TERUG)
    auditor = logged_in(web, chain, "auditor", "eersel")
    first = auditor.get(f"/audit/zaken/{case}/afspelen").get_data(as_text=True)
    assert "Stap 1 van 3" in first and "signaal_oost_brabant:verrijken" in first and "Volgende stap" in first
    third = auditor.get(f"/audit/zaken/{case}/afspelen?stap=3").get_data(as_text=True)
    assert "Verhoor gepland." in third and "zorg_regelen:zorg_en_opvang" in third
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
