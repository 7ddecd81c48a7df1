"""Counts for monitoring (seed 003, ch. 7) and CoMensha: per form, gemeente, route and outcome, no persons.

Only counts leave this module, and a count below ``SMALL_CELL`` is shown as "<5": a single signal in
a small gemeente could otherwise be traced back to a person. Totals are suppressed the same way.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.accounts.actors import Actor
from engine.accounts.roles import Role
from engine.audit.events import EventType
from engine.errors import Forbidden
from engine.models import AuditEvent, Case, DestructionRecord, Organisation, ProcessDefinition
from engine.models.cases import CaseStatus

SMALL_CELL = 5
READERS = frozenset({Role.KETENREGISSEUR, Role.PROCESREGISSEUR, Role.BEHEERDER, Role.AUDITOR})
DIMENSIONS = {"vorm": "Vorm van uitbuiting", "gemeente": "Gemeente", "route": "Route", "uitkomst": "Uitkomst"}
ROUTES = {"signaal_oost_brabant": "Oost-Brabant", "signaal_fryslan": "Fryslân (Drieluik)",
          "signaal_limburg": "Noord- en Midden-Limburg (screeningsoverleg)", "signaal_soest": "Soest"}
OUTCOMES = {"opplussen": "Casus (opgeplust)", "onwenselijke_situatie": "Onwenselijke situatie",
            "nog_niet_concreet": "Lopend signaal", "geen_mensenhandel": "Geen mensenhandel",
            "casus_opstarten": "Casus opgestart (screeningsoverleg)",
            "route_bepaald": "Route bepaald (screeningsoverleg)"}


@dataclass(frozen=True)
class Table:
    dimension: str
    rows: list[tuple[str, str]]  # (label, count or "<5")
    total: str


def can_read(actor: Actor) -> bool:
    return actor.role in READERS


def shown(count: int) -> str:
    return f"<{SMALL_CELL}" if 0 < count < SMALL_CELL else str(count)


def _outcomes(session: Session, ids: list[int]) -> dict[int, str]:
    """The last meeting decision per case; cases without one are open or handled without a meeting.

    A destroyed case's audit payloads are erased; its destruction record keeps the decision category.
    """
    last: dict[int, str] = {}
    for record in session.scalars(select(DestructionRecord).where(DestructionRecord.instance_id.in_(ids))):
        if record.decision:
            last[record.instance_id] = record.decision
    events = session.scalars(select(AuditEvent).where(
        AuditEvent.instance_id.in_(ids), AuditEvent.event_type == EventType.TASK_COMPLETED,
        AuditEvent.payload["element_id"].as_string() == "besluit_overleg").order_by(AuditEvent.seq))
    for event in events:
        decision = (event.payload.get("data") or {}).get("besluit")
        if event.instance_id is not None and isinstance(decision, str):
            last[event.instance_id] = decision
    return last


def report(session: Session, *, actor: Actor, year: int) -> list[Table]:
    """One table per dimension for the signals reported in ``year``."""
    if not can_read(actor):
        raise Forbidden("U mag de statistiek niet inzien.")
    start, end = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
    rows = session.execute(
        select(Case.id, Case.vorm, Case.status, Organisation.name, ProcessDefinition.process_id)
        .join(Organisation, Organisation.id == Case.organisation_id)
        .join(ProcessDefinition, ProcessDefinition.id == Case.definition_id)
        .where(Case.created_at >= start, Case.created_at < end,
               ProcessDefinition.process_id.in_(list(ROUTES)))).all()
    outcomes = _outcomes(session, [r.id for r in rows]) if rows else {}
    counters: dict[str, Counter[str]] = {d: Counter() for d in DIMENSIONS}
    for row in rows:
        counters["vorm"][row.vorm or "nog niet bepaald"] += 1
        counters["gemeente"][row.name] += 1
        counters["route"][ROUTES[row.process_id]] += 1
        decided = outcomes.get(row.id)
        if decided is not None:
            counters["uitkomst"][OUTCOMES.get(decided, decided)] += 1
        else:
            closed = row.status in (CaseStatus.COMPLETED, CaseStatus.DESTROYED)
            counters["uitkomst"]["Afgerond zonder overlegbesluit" if closed else "In behandeling"] += 1
    return [Table(DIMENSIONS[d], [(label, shown(n)) for label, n in sorted(c.items())], shown(sum(c.values())))
            for d, c in counters.items()]


def csv_text(tables: list[Table], year: int) -> str:
    """The same tables as CSV (';', for Dutch spreadsheets): dimension, category, count."""
    lines = ["jaar;dimensie;categorie;aantal"]
    for table in tables:
        lines += [f"{year};{table.dimension};{_cell(label)};{count}" for label, count in table.rows]
        lines.append(f"{year};{table.dimension};totaal;{table.total}")
    return "\r\n".join(lines) + "\r\n"


def _cell(text: str) -> str:
    """Quote for CSV and neutralise spreadsheet formulas (a gemeente name never starts with '=')."""
    text = text.replace('"', '""')
    if text[:1] in ("=", "+", "-", "@"):
        text = "'" + text
    return f'"{text}"'
