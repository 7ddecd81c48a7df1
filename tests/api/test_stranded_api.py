"""Over the API, a step that would strand a case is a 422, never a 200."""

from __future__ import annotations

from engine.db import unit_of_work
from engine.models import Case
from engine.workflow import runner
from tests.support.helpers import strand


def test_the_api_answers_422_instead_of_a_200_that_strands_the_case(factory, world, at, forms, api):
    case, last_task, _ = strand(factory, world, at, forms)
    response = api("af").post(f"/api/v1/tasks/{last_task}/complete", json={"data": {}})
    assert response.status_code == 422
    assert response.get_json()["error"]["message"] == runner.STRANDED_MESSAGE
    with unit_of_work(factory) as session:
        assert session.get(Case, case).status == "error"
