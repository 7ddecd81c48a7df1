"""Melden: a colleague, resident's contact, partner or MMA report becomes a case of the right region.

The gemeente decides the region, the region decides the route variant (its main process) and the
partners. Their organisations must exist before the case starts: a police task routed to nobody
would leave a signal lying, which the schemas forbid ("geen signaal blijft liggen").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.accounts.actors import Actor
from engine.audit.events import EventType
from engine.cases import lifecycle
from engine.cases.region_context import case_context
from engine.errors import ValidationFailed
from engine.modelling.forms import FormRepository
from engine.models import AuditEvent, Case, Organisation
from engine.models.cases import CaseStatus
from engine.regions import gemeenten
from engine.regions.regions import Region, region_of_gemeente

INTAKE_FORM = "melding.json"
ANONYMOUS_SOURCES = frozenset({"anoniem_mma"})


reference = lifecycle.reference


def _gemeente_slug(session: Session, actor: Actor, gemeente: str | None) -> str:
    if gemeente:
        return gemeente
    if actor.organisation_id is not None:
        own = session.get(Organisation, actor.organisation_id)
        if own is not None and own.kind == "gemeente":
            return own.slug
    raise ValidationFailed("Kies de gemeente waar het signaal over gaat.", {"gemeente": "Dit veld is verplicht."})


def _context_for(session: Session, regions: dict[str, Region], slug: str) -> tuple[Region, dict[str, Any]]:
    # The gemeenten as the beheerder keeps them (engine/regions/gemeenten.py); the caller resolved merges.
    regions = gemeenten.effective_regions(session, regions)
    region = region_of_gemeente(regions, slug)
    gemeente_row = region.gemeente(slug) if region else None
    if region is None or gemeente_row is None:
        raise ValidationFailed("De melding bevat fouten.", {"gemeente": "Deze gemeente hoort bij geen van de regio's."})
    context = case_context(region, gemeente_row)
    wanted = set(context["organisaties"].values()) | {slug}
    present = set(session.scalars(select(Organisation.slug).where(Organisation.slug.in_(wanted))))
    if wanted - present:
        raise ValidationFailed(
            f"De organisaties van regio {region.naam} zijn nog niet aangemaakt; laat de beheerder "
            "'signaalroute regio laden' uitvoeren.", {"gemeente": "Regio niet geladen."})
    return region, context


def report_signal(session: Session, *, actor: Actor, now: datetime, regions: dict[str, Region],
                  forms: FormRepository, melding: dict[str, Any], gemeente: str | None = None) -> Case:
    """Validate the report, add the region's context and start the region's route for the gemeente."""
    problems = forms.validate(INTAKE_FORM, melding)
    if problems:
        raise ValidationFailed("De melding bevat fouten.", problems)
    slug = gemeenten.current_slug(session, _gemeente_slug(session, actor, gemeente))
    region, context = _context_for(session, regions, slug)
    data = {**melding, **context}
    if melding.get("bron_melding") in ANONYMOUS_SOURCES:
        data["anoniem"] = True
    return lifecycle.start_case(session, actor=actor, now=now, process_id=region.process_id, data=data,
                                    organisation_slug=slug)


ADVICE_PROCESS = "adviesvraag"
MAX_QUESTION = 4000


def ask_advice(session: Session, *, actor: Actor, now: datetime, regions: dict[str, Region], vraag: str,
               gemeente: str | None = None) -> Case:
    """Anyone may ask the AF for advice (004 par. 2.6); the AF answers or consults a partner."""
    vraag = (vraag or "").strip()
    if not vraag or len(vraag) > MAX_QUESTION:
        message = "Dit veld is verplicht." if not vraag else f"Vul hoogstens {MAX_QUESTION} tekens in."
        raise ValidationFailed("De adviesvraag bevat fouten.", {"vraag": message})
    slug = gemeenten.current_slug(session, _gemeente_slug(session, actor, gemeente))
    _region, context = _context_for(session, regions, slug)
    return lifecycle.start_case(session, actor=actor, now=now, process_id=ADVICE_PROCESS,
                                    data={"vraag": vraag, **context}, organisation_slug=slug)


MELDER_FEEDBACK_TASKS = frozenset({"terugkoppelen_melder", "advies_terugkoppelen"})


SUMMARY_LENGTH = 80


@dataclass(frozen=True)
class MyReport:
    """What a melder may see of their own report: its number, state and the feedback meant for them,
    plus the start of what they wrote themselves, so they can tell their reports apart."""

    instance_id: int
    reference: str
    reported_at: datetime
    open: bool
    feedback: str | None
    feedback_at: datetime | None
    summary: str = ""  # the first words of the melder's own "omschrijving"; empty once destroyed
    acuut: bool = False

    @property
    def status_label(self) -> str:
        """The state in words a melder understands; nothing of the case's route or outcome."""
        if self.feedback:
            return "In behandeling, terugkoppeling ontvangen" if self.open else "Afgerond"
        return "In behandeling" if self.open else "Afgerond"


def _shortened(text: object) -> str:
    if not isinstance(text, str):
        return ""
    words = " ".join(text.split())
    if len(words) <= SUMMARY_LENGTH:
        return words
    return words[:SUMMARY_LENGTH].rsplit(" ", 1)[0].rstrip(",;:.") + "…"


def my_reports(session: Session, *, actor: Actor, limit: int = 50) -> list[MyReport]:
    """The actor's own reports, newest first; never the case itself (need to know: docs/domain.md, "Privacy")."""
    if actor.user_id is None:
        return []
    rows = list(session.scalars(select(Case).where(Case.started_by_id == actor.user_id)
                                .order_by(Case.id.desc()).limit(limit)))
    feedback: dict[int, AuditEvent] = {}
    summaries: dict[int, str] = {}
    if rows:
        events = session.scalars(select(AuditEvent).where(
            AuditEvent.instance_id.in_([r.id for r in rows]),
            AuditEvent.event_type.in_([EventType.TASK_COMPLETED, EventType.INSTANCE_STARTED]),
        ).order_by(AuditEvent.seq))
        for event in events:
            if event.instance_id is None or not isinstance(event.payload, dict):
                continue  # destroyed under the retention rules: nothing left to show
            if event.event_type == EventType.INSTANCE_STARTED:
                summaries[event.instance_id] = _shortened((event.payload.get("data") or {}).get("omschrijving"))
            elif event.payload.get("element_id") in MELDER_FEEDBACK_TASKS:
                feedback[event.instance_id] = event
    return [
        MyReport(instance_id=r.id, reference=reference(r), reported_at=r.created_at,
                 open=r.status == CaseStatus.ACTIVE,
                 feedback=(feedback[r.id].payload.get("data") or {}).get("bericht_aan_melder") if r.id in feedback
                 else None,
                 feedback_at=feedback[r.id].occurred_at if r.id in feedback else None,
                 summary=summaries.get(r.id, ""), acuut=r.acuut)
        for r in rows
    ]
