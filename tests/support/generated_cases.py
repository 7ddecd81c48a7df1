"""A small generated data set: case rows and their figures written directly, with values chosen by hand.

The rows go in as the step hooks would leave them (engine.monitoring.figures); the story test in
test_figures.py checks that the hooks really write such rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from engine.models import Case as CaseRow
from engine.models import Organisation, ProcessDefinition
from engine.models.monitoring import CaseFigure
from engine.monitoring import figures
from engine.monitoring.figures import AMSTERDAM

DAY = 86400


@dataclass
class Case:
    gemeente: str
    when: datetime
    vorm: str | None = "SU"
    bron: str | None = "collega"
    acuut: bool = False
    uitkomst: str | None = None
    closed_days: float | None = None
    enriched_days: float | None = None


def insert_cases(session: Session, cases: list[Case]) -> None:
    definition = session.scalar(select(ProcessDefinition.id).where(ProcessDefinition.process_id == "signaal_fryslan")
                                .order_by(ProcessDefinition.version.desc()).limit(1))
    orgs = {o.slug: o for o in session.scalars(select(Organisation))}
    for case in cases:
        org = orgs[case.gemeente]
        instance_id = session.execute(insert(CaseRow).values(
            definition_id=definition, organisation_id=org.id, status="active", state="", serializer_version="x",
            created_at=case.when, updated_at=case.when, version=1, acuut=case.acuut,
        ).returning(CaseRow.id)).scalar_one()
        local = case.when.astimezone(AMSTERDAM)
        session.add(CaseFigure(
            instance_id=instance_id, organisation_id=org.id, region=org.region, route="signaal_fryslan",
            created_at=case.when, year=local.year, month=local.month, acuut=case.acuut, bron=case.bron,
            vorm=case.vorm, uitkomst=case.uitkomst,
            afgesloten_s=None if case.closed_days is None else int(case.closed_days * DAY),
            verrijkt_s=None if case.enriched_days is None else int(case.enriched_days * DAY)))
    session.flush()
    figures.rebuild_counts(session)  # what the step hooks keep case by case (checked in test_figures.py)


def utc(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)
