"""The public BPMN MIWG reference diagrams: each deploys to a version or to a clear Dutch refusal, never a crash."""

from __future__ import annotations

import pytest

from engine.db import unit_of_work
from engine.errors import ModelRejected
from engine.modelling import deployments, drafts
from engine.workflow.bundle import SourceFile
from tests.support.base import FIXTURES, START

MIWG = sorted((FIXTURES / "miwg").glob("*.bpmn"))


def test_all_21_reference_diagrams_are_here():
    assert len(MIWG) == 21


@pytest.mark.parametrize("path", MIWG, ids=lambda p: p.name)
def test_a_reference_diagram_deploys_or_is_refused_with_located_problems(factory, world, forms, path):
    files = [SourceFile(path.name, path.read_bytes())]
    with unit_of_work(factory) as session:
        problems = deployments.validate(session, actor=world.regisseur, files=files, forms=forms)
        draft = drafts.upload(session, actor=world.regisseur, now=START, filename=path.name,
                              content=path.read_bytes(), max_bytes=5 * 1024 * 1024)
        assert draft.kind == "bpmn"
    assert all(p.message and (p.file in (None, path.name)) for p in problems)
    try:
        with unit_of_work(factory) as session:
            deployment = deployments.deploy(session, actor=world.regisseur, now=START, files=files,
                                            comment="MIWG", forms=forms)
            assert deployment.definitions
    except ModelRejected as exc:
        assert exc.details and all(d["message"] for d in exc.details)
