"""The modeller's JSON endpoints refuse a deeply nested body in Dutch, like the API."""

from __future__ import annotations

import pytest

from tests.support.api import TOO_DEEP, nested
from tests.support.web import new_draft


@pytest.mark.parametrize("levels", [490, 980])
def test_the_modellers_save_refuses_a_deep_body_in_dutch(client, token, deployed, levels):  # noqa: F811
    draft_id = new_draft(client, token)
    response = client.post(f"/modelleren/concepten/{draft_id}/opslaan", data=nested(levels),
                           headers={"X-CSRFToken": token, "Accept": "application/json",
                                    "Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json["error"]["message"] == TOO_DEEP
