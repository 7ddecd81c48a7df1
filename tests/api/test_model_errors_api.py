"""POST /api/v1/process-models with a broken model: 422 JSON whose problems are Dutch, located and complete."""

from __future__ import annotations

import io

import pytest

from tests.support.broken_models import BROKEN, ENGLISH


@pytest.mark.parametrize("name", ["missing-start-event", "duplicate-id", "sequence-flow-to-nowhere",
                                  "bad-dmn-hit-policy", "timer-without-time", "unknown-call-activity"])
def test_a_broken_model_gets_422_with_dutch_problems(api, name):
    broken = BROKEN[name]
    files = [(io.BytesIO(f.content), f.filename) for f in broken.files]
    response = api("regisseur").post("/api/v1/process-models", data={"files": files, "comment": "kapot"},
                                     content_type="multipart/form-data")
    assert response.status_code == 422
    assert response.json["error"]["message"] == "Het model is ongeldig en is niet opgeslagen."
    details = response.json["error"]["details"]
    assert any(broken.dutch in d["message"] and d["element_id"] == broken.element_id for d in details), details
    assert not [word for d in details for word in ENGLISH if word in d["message"]], details
    assert api("regisseur").get("/api/v1/process-models").json["items"] == []
