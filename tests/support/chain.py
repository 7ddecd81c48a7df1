"""Fixture ``chain``: all four regions, loaded from processes/regions, with people created as tasks need them.

Stories then read like the user tells them: report a signal in a gemeente, let whoever holds the next
task complete it, move the clock, fire timers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.accounts import organisations, users
from engine.accounts.actors import Actor
from engine.audit import replay
from engine.cases import intake, lifecycle
from engine.db import unit_of_work
from engine.modelling import deployments
from engine.modelling.forms import FormRepository
from engine.models import AuditEvent, Case, HumanTask, Organisation, TaskState, Timer, TimerState
from engine.regions import region_setup
from engine.regions.regions import Region, load_regions
from engine.workflow.bundle import SourceFile
from signaalroute import passes
from tests.support.base import PASSWORD, START, Clock
from tests.support.database import seeded, seeds

ROOT = Path(__file__).resolve().parents[2]
FORMS = FormRepository(ROOT / "forms")
REGIONS = load_regions(ROOT / "processes" / "regions")
MODEL_FILES = sorted(p for p in (ROOT / "processes").glob("*") if p.suffix in {".bpmn", ".dmn"})
SYSTEM = Actor.system("test")

MELDING = {"omschrijving": "Drie jonge vrouwen op één adres, 's nachts veel bezoek.", "acuut": False,
           "bron_melding": "collega", "anoniem": False}
VERRIJKT = {"vorm": "SU", "soort_signaal": "slachtoffer", "slachtoffer_bekend": True, "minderjarig": False,
            "beoordeling": "helder", "acuut_na_verrijken": False, "ondermijning": False,
            "samenvatting": "Vermoedelijk SU in een bovenwoning."}
ZACHT = {**VERRIJKT, "hard_signaal": False}  # Limburg's enrichment also asks hard or soft (003 §4.2)
TERUG = {"actie": "onderzoek gestart", "terugkoppeling": "Verhoor gepland."}
ZORG = {"actie": "zorg ingezet", "terugkoppeling": "Opvang geregeld.", "hulp_geweigerd": False,
        "zorgen_blijven": False}
MELDER_BERICHT = {"bericht_aan_melder": "Het signaal is opgepakt, dank voor uw melding."}


@dataclass
class Chain:
    factory: sessionmaker[Session]
    at: Clock
    regions: dict[str, Region]
    people: dict[tuple[str, str], Actor] = field(default_factory=dict)

    def person(self, role: str, organisation: str) -> Actor:
        """An account with this role in this organisation, created the first time it is needed."""
        key = (role, organisation)
        if key not in self.people:
            with unit_of_work(self.factory) as session:
                user = users.create_user(session, actor=SYSTEM, now=self.at(), username=f"{role}.{organisation}",
                                         password=PASSWORD, role=role, organisation_slug=organisation,
                                         coordinator=role not in ("melder", "auditor", "beheerder"))
                self.people[key] = users.actor_for(user)
        return self.people[key]

    def report(self, gemeente: str, by: tuple[str, str] | None = None, **melding: Any) -> int:
        actor = self.person(*(by or ("melder", gemeente)))
        with unit_of_work(self.factory) as session:
            return intake.report_signal(session, actor=actor, now=self.at(), regions=self.regions, forms=FORMS,
                                        melding={**MELDING, **melding}, gemeente=gemeente).id

    def ready(self, case: int) -> dict[str, HumanTask]:
        with unit_of_work(self.factory) as session:
            rows = session.scalars(select(HumanTask).where(HumanTask.instance_id == case,
                                                           HumanTask.state == TaskState.READY))
            return {row.element_id: row for row in rows}

    def holder(self, task: HumanTask) -> tuple[str, str]:
        """(role, organisation slug) of the people the task is offered to."""
        with unit_of_work(self.factory) as session:
            org = session.get(Organisation, task.organisation_id)
            assert org is not None
            return task.role, org.slug

    def do(self, case: int, element_id: str, data: dict[str, Any] | None = None, **advance: float) -> str:
        """The person holding the ready task ``element_id`` completes it; returns the case status."""
        if advance:
            self.at.advance(**advance)
        tasks = self.ready(case)
        assert element_id in tasks, f"{element_id} is not ready; ready: {sorted(tasks)}"
        task = tasks[element_id]
        with unit_of_work(self.factory) as session:
            return lifecycle.complete_task(session, actor=self.person(*self.holder(task)), now=self.at(),
                                           task_id=task.id, data=data or {}, forms=FORMS).status

    def fire_timers(self, **advance: float) -> int:
        return passes.fire_due_timers(self.factory, now=self.at.advance(**advance))

    def waiting_timers(self, case: int) -> list[Timer]:
        with unit_of_work(self.factory) as session:
            return list(session.scalars(select(Timer).where(Timer.instance_id == case,
                                                            Timer.state == TimerState.WAITING)))

    def reference_count(self) -> int:
        with unit_of_work(self.factory) as session:
            return len(session.scalars(select(Case.id)).all())

    def status(self, case: int) -> str:
        with unit_of_work(self.factory) as session:
            row = session.get(Case, case)
            assert row is not None
            return row.status

    def start_data(self, case: int) -> dict[str, Any]:
        """The data the case started with, as its audit trail records it."""
        started = self.events(case)[0]
        assert started.event_type == "instance.started"
        return dict(started.payload["data"])

    def events(self, case: int) -> list[AuditEvent]:
        with unit_of_work(self.factory) as session:
            return list(session.scalars(select(AuditEvent).where(AuditEvent.instance_id == case)
                                        .order_by(AuditEvent.seq)))


def load_chain(factory: sessionmaker[Session], now: datetime) -> None:
    """All four regions' organisations and every model in processes/, deployed at ``now``."""
    with unit_of_work(factory) as session:
        region_setup.load_region_organisations(session, REGIONS)
        # Outside every region: whoever maintains the models all regions share.
        organisations.get_or_create_organisation(session, slug="landelijk", name="Landelijke procesregie",
                                                 kind="partner")
        deployments.deploy(session, actor=SYSTEM, now=now, comment="alle regio's", forms=FORMS,
                           files=[SourceFile(p.name, p.read_bytes()) for p in MODEL_FILES])


@seeds("chain")
def _seed_chain(factory: sessionmaker[Session]) -> None:
    load_chain(factory, START)


@pytest.fixture
def chain(request, factory, at):
    """Every story's cases must replay to their stored state afterwards: replay proves the audit log holds each
    case's whole history.

    The regions and models come from the worker's seeded template when nothing wrote before this fixture
    (tests/support/database.py); otherwise they are loaded and deployed here.
    """
    if not seeded(request, "chain"):
        load_chain(factory, at())
    yield Chain(factory, at, REGIONS)
    with unit_of_work(factory) as session:
        for case in replay.all_case_ids(session):
            report = replay.replay_case(session, case)
            assert report.consistent, f"case {case} diverges on replay: {report.divergence}"
