"""The modeller's JSON endpoints refuse a deeply nested body in Dutch, like the API."""

from __future__ import annotations

import pytest

from tests.api.test_hostile_requests import TOO_DEEP, nested
from tests.webapp.test_modelleren import deployed, new_draft, token  # noqa: F401 - fixtures


@pytest.mark.parametrize("levels", [490, 980])
def test_the_modellers_save_refuses_a_deep_body_in_dutch(client, token, deployed, levels):  # noqa: F811
    draft_id = new_draft(client, token)
    response = client.post(f"/modelleren/concepten/{draft_id}/opslaan", data=nested(levels),
                           headers={"X-CSRFToken": token, "Accept": "application/json",
                                    "Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json["error"]["message"] == TOO_DEEP
