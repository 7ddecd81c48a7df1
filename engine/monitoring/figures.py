"""Keep a case's row of figures up to date, inside the transaction of the step that changed it.

Called from intake, task completion and timers (engine.cases.instances / timers), so the
dashboard never reads workflow state or audit payloads. Only categories (from fixed option lists)
and durations are copied; free text never is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, delete, func, insert, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from engine.accounts.roles import Role
from engine.models import Case, HumanTask, Organisation
from engine.models.monitoring import CaseCount, CaseFigure

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

ENRICHMENT = "verrijken"
MELDER_FEEDBACK = "terugkoppelen_melder"
MEETING_DECISION = "besluit_overleg"
# Roles outside the gemeente's own AF desk: the first task for one of them is the hand-over, the
# first one they complete is the partner's first feedback (000 Bijlage 3 stap 4).
PARTNER_ROLES = frozenset({Role.POLITIE, Role.ARBEIDSINSPECTIE, Role.ZORGCOORDINATOR, Role.KETENREGISSEUR,
                           Role.PROCESREGISSEUR, Role.VEILIG_THUIS, Role.JEUGDHULP})

# Fixed option lists only: a value outside them is not copied (it could be free text).
BRONNEN = ("collega", "inwoner", "partner", "anoniem_mma", "ondermijningszaak")
VORMEN = ("SU", "AU", "CU", "OV", "onbekend")
GESLACHTEN = ("vrouw", "man", "anders", "onbekend")
LEEFTIJDSGROEPEN = ("0-17", "18-22", "23-29", "30-49", "50+", "onbekend")
NATIONALITEITSGROEPEN = ("nederlands", "eu", "buiten_eu", "onbekend")
BESLUITEN = ("opplussen", "onwenselijke_situatie", "nog_niet_concreet", "geen_mensenhandel", "casus_opstarten",
             "route_bepaald")


def _closed_or_open(figure: CaseFigure) -> str:
    return "afgerond_zonder_besluit" if figure.afgesloten_s is not None else "in_behandeling"


# Each counted field: its category of a case in Python (to move a count in the step) and in SQL
# (to rebuild the counts from the rows); the two must agree, which tests/monitoring checks.
FIELDS_PY: dict[str, Any] = {
    "vorm": lambda f: f.vorm or "nog_niet_bepaald",
    "bron": lambda f: f.bron or "onbekend",
    "acuut": lambda f: "ja" if f.acuut else "nee",
    "route": lambda f: f.route,
    "uitkomst": lambda f: f.uitkomst or _closed_or_open(f),
    "geslacht": lambda f: f.geslacht or "niet_ingevuld",
    "leeftijdsgroep": lambda f: f.leeftijdsgroep or "niet_ingevuld",
    "nationaliteitsgroep": lambda f: f.nationaliteitsgroep or "niet_ingevuld",
}


def field_sql(field: str) -> Any:
    return {
        "vorm": func.coalesce(CaseFigure.vorm, "nog_niet_bepaald"),
        "bron": func.coalesce(CaseFigure.bron, "onbekend"),
        "acuut": case((CaseFigure.acuut.is_(True), "ja"), else_="nee"),
        "route": CaseFigure.route,
        "uitkomst": func.coalesce(CaseFigure.uitkomst, case(
            (CaseFigure.afgesloten_s.is_not(None), "afgerond_zonder_besluit"), else_="in_behandeling")),
        "geslacht": func.coalesce(CaseFigure.geslacht, "niet_ingevuld"),
        "leeftijdsgroep": func.coalesce(CaseFigure.leeftijdsgroep, "niet_ingevuld"),
        "nationaliteitsgroep": func.coalesce(CaseFigure.nationaliteitsgroep, "niet_ingevuld"),
    }[field]


def categories_of(figure: CaseFigure) -> dict[str, str]:
    return {field: str(category(figure))[:40] for field, category in FIELDS_PY.items()}


def _move_counts(session: Session, figure: CaseFigure, before: dict[str, str] | None, after: dict[str, str]) -> None:
    """One count from each old category to the new one, in the month and in the year (month 0).

    The increment is an upsert, so two steps of different cases adding to the same count at once
    both land (PostgreSQL and SQLite both have INSERT ... ON CONFLICT DO UPDATE).
    """
    for month in (figure.month, 0):
        key = {"organisation_id": figure.organisation_id, "year": figure.year, "month": month}
        for field, category in after.items():
            old = None if before is None else before[field]
            if old == category:
                continue
            if old is not None:
                session.execute(update(CaseCount).where(
                    CaseCount.organisation_id == figure.organisation_id, CaseCount.year == figure.year,
                    CaseCount.month == month, CaseCount.field == field, CaseCount.category == old,
                ).values(n=CaseCount.n - 1))
            values = {**key, "field": field, "category": category, "region": figure.region, "n": 1}
            upsert = (pg_insert(CaseCount) if session.get_bind().dialect.name == "postgresql"
                      else sqlite_insert(CaseCount)).values(values)
            session.execute(upsert.on_conflict_do_update(
                index_elements=["organisation_id", "year", "month", "field", "category"],
                set_={"n": CaseCount.n + 1}))


def rebuild_counts(session: Session) -> None:
    """The counts recomputed from the rows of figures, in SQL: for a backfill, the bench and the tests.

    A destroyed case's row has lost its gender, age group and nationality group (engine.retention)
    while the kept counts still hold them: after destructions a rebuild counts those as "niet
    ingevuld", so rebuild only where that is meant.
    """
    session.execute(delete(CaseCount))
    for field in FIELDS_PY:
        category = field_sql(field)
        session.execute(insert(CaseCount).from_select(
            ["organisation_id", "year", "month", "field", "category", "region", "n"],
            select(CaseFigure.organisation_id, CaseFigure.year, CaseFigure.month, literal(field), category,
                   func.max(CaseFigure.region), func.count())
            .group_by(CaseFigure.organisation_id, CaseFigure.year, CaseFigure.month, category)))
        session.execute(insert(CaseCount).from_select(
            ["organisation_id", "year", "month", "field", "category", "region", "n"],
            select(CaseFigure.organisation_id, CaseFigure.year, literal(0), literal(field), category,
                   func.max(CaseFigure.region), func.count())
            .group_by(CaseFigure.organisation_id, CaseFigure.year, category)))


def _option(data: Mapping[str, Any], key: str, allowed: Iterable[str]) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) and value in allowed else None


def _seconds(instance: Case, now: datetime) -> int:
    return max(0, int((now - instance.created_at).total_seconds()))


def record_start(session: Session, instance: Case, *, process_id: str, data: Mapping[str, Any]) -> None:
    """The new case's row: where, when (Amsterdam month), source and acute flag from the melding."""
    region = session.scalar(select(Organisation.region).where(Organisation.id == instance.organisation_id))
    local = instance.created_at.astimezone(AMSTERDAM)
    figure = CaseFigure(
        instance_id=instance.id, organisation_id=instance.organisation_id, region=region, route=process_id,
        created_at=instance.created_at, year=local.year, month=local.month, acuut=instance.acuut,
        bron=_option(data, "bron_melding", BRONNEN), vorm=_option(data, "vorm", VORMEN))
    session.add(figure)
    session.flush()
    _move_counts(session, figure, None, categories_of(figure))


def record_step(session: Session, instance: Case, *, now: datetime, task: HumanTask | None = None,
                data: Mapping[str, Any] | None = None, created_ids: Iterable[int] = ()) -> None:
    """What this step tells the figures: a completed task's facts and the first hand-over."""
    figure = session.get(CaseFigure, instance.id)
    if figure is None:  # a case started before monitoring existed: the backfill gives it a row
        return
    data = data or {}
    before = categories_of(figure)
    seconds = _seconds(instance, now)
    if task is not None:
        if task.element_id == ENRICHMENT and figure.verrijkt_s is None:
            figure.verrijkt_s = seconds
        if task.element_id == MELDER_FEEDBACK and figure.melder_terugkoppeling_s is None:
            figure.melder_terugkoppeling_s = seconds
        if task.element_id == MEETING_DECISION:
            decision = _option(data, "besluit", BESLUITEN)
            if decision is not None:
                figure.uitkomst = decision
            if figure.overleg_wachttijd_s is None and decision not in (None, "nog_niet_concreet"):
                figure.overleg_wachttijd_s = max(0, int((now - task.created_at).total_seconds()))
        if task.role in PARTNER_ROLES and figure.partner_terugkoppeling_s is None:
            figure.partner_terugkoppeling_s = seconds
        for key, allowed in (("vorm", VORMEN), ("geslacht", GESLACHTEN), ("leeftijdsgroep", LEEFTIJDSGROEPEN),
                             ("nationaliteitsgroep", NATIONALITEITSGROEPEN)):
            value = _option(data, key, allowed)
            if value is not None:
                setattr(figure, key, value)
    ids = list(created_ids)
    if figure.overgedragen_s is None and ids:
        roles = session.scalars(select(HumanTask.role).where(HumanTask.id.in_(ids)))
        if any(role in PARTNER_ROLES for role in roles):
            figure.overgedragen_s = seconds
    if instance.status == "completed" and figure.afgesloten_s is None:
        figure.afgesloten_s = seconds
    after = categories_of(figure)
    if after != before:
        session.flush()
        _move_counts(session, figure, before, after)
