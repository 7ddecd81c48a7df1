"""The modeller accepts other modelers' files and shows foreign engine settings as warnings (section 4)."""

from __future__ import annotations

import io

from tests.support.modelling import CAMUNDA_MODEL
from tests.support.web import json_post, text_of


def test_a_bpmn20_xml_upload_opens_and_controleren_lists_ignored_settings_as_warnings(client, token):  # noqa: F811
    response = client.post("/modelleren/concepten", data={
        "bron": "upload", "csrf_token": token,
        "bestand": (io.BytesIO(CAMUNDA_MODEL), "uit_camunda.bpmn20.xml")}, content_type="multipart/form-data")
    assert response.status_code == 302, text_of(response)
    draft_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    checked = json_post(client, f"/modelleren/concepten/{draft_id}/controleren", {"revision": 1}, token)
    assert checked.status_code == 200
    warnings = [w["message"] for w in checked.json["warnings"]]
    assert "Zeebe-instelling 'assignmentDefinition' bij 'Beoordelen' wordt genegeerd" in warnings
    assert len(warnings) == 4
    assert not any("wordt genegeerd" in p["message"] for p in checked.json["problems"])
