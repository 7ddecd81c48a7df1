"""Version history for the modeller: who deployed which version when and why, exact files, and a diff."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.db import unit_of_work
from engine.errors import Forbidden, NotFound, ValidationFailed
from engine.modelling import deployments, model_versions
from engine.workflow.bundle import SourceFile
from engine.workflow.diff import CHANGED
from tests.support.base import START
from tests.support.helpers import start
from tests.support.modelling import model


def deploy(factory, actor, forms, content: bytes, comment: str, at=START) -> None:
    with unit_of_work(factory) as session:
        deployments.deploy(session, actor=actor, now=at, comment=comment,
                           files=[SourceFile("klein.bpmn", content)], forms=forms)


def test_the_history_says_who_deployed_which_version_when_and_why(factory, world, forms):
    deploy(factory, world.regisseur, forms, model(), "Eerste versie")
    deploy(factory, world.beheerder, forms, model(timer="werkdagen(10)"), "Langere termijn",
           at=START + timedelta(days=1))
    start(factory, world.af, START, "klein")
    with unit_of_work(factory) as session:
        rows = model_versions.history(session, actor=world.regisseur, process_id="klein")
        [process] = model_versions.processes(session, actor=world.regisseur)
    assert [(r.version, r.comment, r.deployed_by, r.deployed_at) for r in rows] == [
        (2, "Langere termijn", "beheerder", START + timedelta(days=1)),
        (1, "Eerste versie", "regisseur", START),
    ]
    assert [(r.active_cases, r.cases) for r in rows] == [(1, 1), (0, 0)]
    assert (process.process_id, process.latest_version, process.versions) == ("klein", 2, 2)


def test_a_version_file_is_the_exact_stored_bytes(factory, world, forms):
    deploy(factory, world.regisseur, forms, model(), "Eerste versie")
    with unit_of_work(factory) as session:
        file = model_versions.version_file(session, actor=world.regisseur, process_id="klein", version=1)
        assert file.content == model()
        with pytest.raises(NotFound):
            model_versions.version_file(session, actor=world.regisseur, process_id="klein", version=9)


def test_the_diff_between_two_versions_names_the_changed_timer(factory, world, forms):
    deploy(factory, world.regisseur, forms, model(), "Eerste versie")
    deploy(factory, world.regisseur, forms, model(timer="werkdagen(10)"), "Langere termijn")
    with unit_of_work(factory) as session:
        result = model_versions.diff_versions(session, actor=world.regisseur, process_id="klein", old=1, new=2)
        [change] = result.diff.changes
        assert (change.element_id, change.kind) == ("te_laat", CHANGED)
        assert [(d.before, d.after) for d in change.details] == [("datum: werkdagen(5)", "datum: werkdagen(10)")]
        with pytest.raises(ValidationFailed):
            model_versions.diff_versions(session, actor=world.regisseur, process_id="klein", old=2, new=2)


def test_only_procesregisseur_beheerder_and_auditor_see_the_versions(factory, world, forms):
    deploy(factory, world.regisseur, forms, model(), "Eerste versie")
    with unit_of_work(factory) as session:  # the auditor reads process changes as part of the audit trail
        assert [r.version for r in model_versions.history(session, actor=world.auditor, process_id="klein")] == [1]
    for actor in (world.af, world.zoco):
        with unit_of_work(factory) as session:
            with pytest.raises(Forbidden):
                model_versions.history(session, actor=actor, process_id="klein")
            with pytest.raises(Forbidden):
                model_versions.stored_file(session, actor=actor, file_id=1)
