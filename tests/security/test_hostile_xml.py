"""The hostile XML corpus against every way a model gets in: the deploy API and the editor's drafts.

Attack: a procesregisseur's account (stolen, or a careless upload) sends XXE, billion laughs, quadratic
blow-up, 50 MB, deep nesting and non-XML as a model: to ``POST /api/v1/process-models``, as a new draft
upload (``POST /modelleren/concepten``), and as the editor's save and check of an existing draft.
Expected refusal: 413 or 422 with a Dutch reason, within seconds; no file content or expanded entity in
the answer; nothing deployed, no draft created, the existing draft unchanged.
"""

from __future__ import annotations

import io
import time

import pytest
from sqlalchemy import func, select

from engine.db import unit_of_work
from engine.models import Deployment, ModelDraft
from tests.support.scene import OWN, Scene
from tests.support.xml_corpus import CORPUS, LEAK_MARKERS, fifty_megabytes

DEPLOYER = ("procesregisseur", OWN)
SECONDS = 5.0
REFUSED = (413, 422)


def state(scene: Scene) -> tuple[int, int, int, bytes]:
    with unit_of_work(scene.chain.factory) as session:
        draft = session.get(ModelDraft, scene.ids["draft"])
        assert draft is not None
        return (session.scalar(select(func.count(Deployment.id))) or 0,
                session.scalar(select(func.count(ModelDraft.id))) or 0, draft.revision, draft.content)


def send(scene: Scene, target: str, payload: bytes):
    draft = scene.ids["draft"]
    if target == "api-deploy":
        return scene.client(None).post("/api/v1/process-models", headers=scene.api_headers(DEPLOYER),
                                       data={"comment": "vijandig", "files": (io.BytesIO(payload), "vijandig.bpmn")},
                                       content_type="multipart/form-data")
    client = scene.client(DEPLOYER)
    token = scene.csrf(client)
    if target == "draft-upload":
        return client.post("/modelleren/concepten", content_type="multipart/form-data",
                           data={"bron": "upload", "csrf_token": token,
                                 "bestand": (io.BytesIO(payload), "vijandig.bpmn")})
    # The editor's own fetch: JSON with the XML as text, the CSRF token in a header.
    action = {"draft-save": "opslaan", "draft-check": "controleren"}[target]
    return client.post(f"/modelleren/concepten/{draft}/{action}",
                       json={"xml": payload.decode("utf-8", errors="replace") or " ", "revision": 1},
                       headers={"X-CSRFToken": token, "Accept": "application/json"})


TARGETS = ["api-deploy", "draft-upload", "draft-save", "draft-check"]


def assert_refused(scene: Scene, target: str, name: str, payload: bytes, before) -> None:
    started = time.perf_counter()
    response = send(scene, target, payload)
    elapsed = time.perf_counter() - started
    body = response.get_data(as_text=True)
    assert response.status_code in REFUSED, f"{target} accepted {name}: {response.status_code} {body[:300]}"
    assert elapsed < SECONDS, f"{target} took {elapsed:.1f} s over {name}"
    assert not any(marker in body for marker in LEAK_MARKERS), f"{target} echoed {name}'s expansion"
    assert any(word in body for word in ("niet", "Geen", "groot", "ongeldig", "Ongeldig")), \
        f"{target} refused {name} without a Dutch reason: {body[:300]}"
    assert state(scene) == before, f"{target} stored something of {name}"


@pytest.mark.parametrize("target", TARGETS)
def test_every_hostile_model_is_refused_quickly_without_a_trace(scene, target):
    """Attack: the whole corpus against one entry point. Refusal: 413/422 in Dutch, < 5 s, nothing stored."""
    before = state(scene)
    for name, payload in CORPUS.items():
        assert_refused(scene, target, name, payload, before)


def test_fifty_megabytes_are_refused_before_they_are_read(scene):
    """Attack: a 50 MB model to each entry point. Refusal: 413 "te groot", nothing stored."""
    before = state(scene)
    payload = fifty_megabytes()
    for target in TARGETS:
        response = send(scene, target, payload)
        assert response.status_code == 413, f"{target}: {response.status_code}"
        assert "te groot" in response.get_data(as_text=True)
    assert state(scene) == before
