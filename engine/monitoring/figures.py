"""Keep a case's row of figures up to date, inside the transaction of the step that changed it.

Called from intake, task completion and timers (engine.cases.lifecycle / timers), so the
dashboard never reads workflow state or audit payloads. Only categories (from fixed option lists)
and durations are copied; free text never is.

Written with statements built once, no ORM objects: the row and its counts cost a case start one
statement on PostgreSQL (two on SQLite) and a step at most one (three on SQLite), and a task
completion reads the row in the statement that re-checks the task under the case lock
(engine.cases.lifecycle). An ORM version of this cost more than the rest of the step (bench/README.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Integer,
    String,
    Table,
    and_,
    bindparam,
    case,
    column,
    delete,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    text,
    true,
    union_all,
    update,
    values,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from engine.accounts.roles import Role
from engine.db.built_once import built_once
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


@dataclass
class Figure:
    """A case's row of figures as plain values (the columns of ``case_figure``)."""

    instance_id: int
    organisation_id: int
    region: str | None
    route: str
    created_at: datetime
    year: int
    month: int
    acuut: bool
    bron: str | None = None
    vorm: str | None = None
    uitkomst: str | None = None
    geslacht: str | None = None
    leeftijdsgroep: str | None = None
    nationaliteitsgroep: str | None = None
    verrijkt_s: int | None = None
    overgedragen_s: int | None = None
    partner_terugkoppeling_s: int | None = None
    melder_terugkoppeling_s: int | None = None
    afgesloten_s: int | None = None
    overleg_wachttijd_s: int | None = None


def _closed_or_open(figure: Any) -> str:
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


def categories_of(figure: Any) -> dict[str, str]:
    return {field: str(category(figure))[:40] for field, category in FIELDS_PY.items()}


_FIGURES = cast(Table, CaseFigure.__table__)
_COUNTS = cast(Table, CaseCount.__table__)
_NAMES = tuple(f.name for f in fields(Figure))
# What a step may change; the rest is set when the case starts.
_STEP_COLUMNS = ("vorm", "uitkomst", "geslacht", "leeftijdsgroep", "nationaliteitsgroep", "verrijkt_s",
                 "overgedragen_s", "partner_terugkoppeling_s", "melder_terugkoppeling_s", "afgesloten_s",
                 "overleg_wachttijd_s")
# The row, for another module's statement to read along (labels ``figure_<column>``): see :func:`from_row`.
READ_COLUMNS = tuple(_FIGURES.c[name].label(f"figure_{name}") for name in _NAMES)


def from_row(row: Any) -> Figure | None:
    """The figure read with :data:`READ_COLUMNS` (outer-joined: None when the case has no row)."""
    if row.figure_instance_id is None:
        return None
    return Figure(**{name: getattr(row, f"figure_{name}") for name in _NAMES})


# Statements built once (a statement memoizes its cache key; compiling one per step cost more than running it).
# No parameter is named like a column: Core would add it to an UPDATE's SET or an INSERT's columns.
_READ = select(*READ_COLUMNS).where(_FIGURES.c.instance_id == bindparam("instance_id"))
_ORG, _YEAR, _MONTH = (bindparam(f"count_{name}", type_=Integer) for name in ("org", "year", "month"))
_REGION = bindparam("count_region", type_=String)
_REGION_OF_ORGANISATION = select(Organisation.region).where(Organisation.id == _ORG).scalar_subquery()
_INSERT_FIGURE = insert(_FIGURES).values({
    name: _REGION_OF_ORGANISATION if name == "region" else bindparam(f"figure_{name}", type_=_FIGURES.c[name].type)
    for name in _NAMES})
_UPDATE_FIGURE = (update(_FIGURES).where(_FIGURES.c.instance_id == bindparam("figure_instance_id", type_=Integer))
                  .values({name: bindparam(f"figure_{name}", type_=_FIGURES.c[name].type) for name in _STEP_COLUMNS}))


def _constant(value: str | int) -> Any:
    """A constant of our own (a field name, 0 or 1) written into the SQL instead of bound.

    Bound, each was a parameter of its own: psycopg caches the parsing of a statement only below 50
    parameters and 4,096 characters (bench/README.md), and the PostgreSQL count statements were over both.
    """
    if isinstance(value, int):
        return literal_column(str(int(value)), Integer)
    if not value.replace("_", "").isalpha():
        raise ValueError(f"not a plain name: {value!r}")
    return literal_column(f"'{value}'", String)


# One count down for each field whose category changed (old_<field>; NULL where it did not), in the month and
# in the year (month 0). A missing row stays missing, as an UPDATE does.
_DECREMENT = update(_COUNTS).where(
    _COUNTS.c.organisation_id == _ORG, _COUNTS.c.year == _YEAR,
    or_(_COUNTS.c.month == _MONTH, _COUNTS.c.month == _constant(0)),
    or_(*(and_(_COUNTS.c.field == _constant(field), _COUNTS.c.category == bindparam(f"old_{field}", type_=String))
          for field in FIELDS_PY)),
).values(n=_COUNTS.c.n - _constant(1))
_COUNT_KEY = ["organisation_id", "year", "month", "field", "category"]


def _increment_sqlite(region: Any) -> Any:
    """One count up for each field with a new category (new_<field>; NULL where none), month and year.

    An upsert, so two steps of different cases adding to the same count at once both land; the keys
    of one statement differ, so no row is hit twice in it. A UNION ALL of one SELECT per count:
    SQLite cannot name the columns of a VALUES list.
    """
    branches = [
        select(_ORG.label("organisation_id"), _YEAR.label("year"), month.label("month"),
               _constant(field).label("field"), bindparam(f"new_{field}", type_=String).label("category"))
        for field in FIELDS_PY for month in (_MONTH, _constant(0))
    ]
    added = union_all(*branches).subquery("added")
    statement = sqlite_insert(_COUNTS).from_select(
        [*_COUNT_KEY, "region", "n"],
        select(added.c.organisation_id, added.c.year, added.c.month, added.c.field, added.c.category,
               region, _constant(1)).where(added.c.category.is_not(None)))
    return statement.on_conflict_do_update(index_elements=_COUNT_KEY, set_={"n": _COUNTS.c.n + _constant(1)})


def _increment_pg(region: Any) -> Any:
    """:func:`_increment_sqlite` for PostgreSQL: the new categories as a VALUES list joined to the two months.

    Half the length of the UNION ALL, so the statement stays under psycopg's limits for caching its parsing.
    """
    added = values(column("field", String), column("category", String), name="added").data(
        [(_constant(field), bindparam(f"new_{field}", type_=String)) for field in FIELDS_PY])
    months = values(column("month", Integer), name="months").data([(_MONTH,), (_constant(0),)])
    statement = pg_insert(_COUNTS).from_select(
        [*_COUNT_KEY, "region", "n"],
        select(_ORG, _YEAR, months.c.month, added.c.field, added.c.category, region, _constant(1))
        .select_from(added.join(months, true())).where(added.c.category.is_not(None)))
    return statement.on_conflict_do_update(index_elements=_COUNT_KEY, set_={"n": _COUNTS.c.n + _constant(1)})


# The upserts are compiled once only when given a key of their own (engine.db.built_once).
_INCREMENT_SQLITE = built_once(_increment_sqlite(_REGION))
_INCREMENT_NEW_SQLITE = built_once(_increment_sqlite(_REGION_OF_ORGANISATION))
# PostgreSQL: the row and its counts in one statement (one round trip), the other parts as data-modifying CTEs.
# Their rows differ (a count goes down only in a category it leaves, up only in one it enters).
_START_PG = built_once(_increment_pg(_REGION_OF_ORGANISATION).add_cte(_INSERT_FIGURE.cte("new_figure")))
_STEP_PG = built_once(_increment_pg(_REGION).add_cte(_UPDATE_FIGURE.cte("moved_figure"),
                                                     _DECREMENT.cte("counted_down")))


# PostgreSQL: count changes of one organisation take turns. A step's UPDATE of counts going down locks the
# month's and the year's row in whatever order its scan meets them, while a case start's upsert locks them in
# its VALUES order: two such steps of one gemeente at once deadlocked under load (bench/load.py, 160 people).
# One transaction-level advisory lock per organisation, taken before any count row, gives them one order.
# The two-key form: its key space does not overlap the one-key locks of the audit chains and the planner.
COUNTS_LOCK_SPACE = 19_017
_LOCK_COUNTS = text("SELECT pg_advisory_xact_lock(:space, :organisation_id)")


def _lock_counts(connection: Any, organisation_id: int) -> None:
    connection.execute(_LOCK_COUNTS, {"space": COUNTS_LOCK_SPACE, "organisation_id": organisation_id})


def _count_params(figure: Figure, before: dict[str, str] | None, after: dict[str, str]) -> dict[str, Any]:
    params: dict[str, Any] = {"count_org": figure.organisation_id, "count_year": figure.year,
                              "count_month": figure.month, "count_region": figure.region}
    for field, category in after.items():
        old = None if before is None else before[field]
        moved = old != category
        params[f"old_{field}"] = old if moved else None
        params[f"new_{field}"] = category if moved else None
    return params


def _figure_params(figure: Figure) -> dict[str, Any]:
    return {f"figure_{name}": getattr(figure, name) for name in _NAMES}


def _forget_loaded(session: Session, instance_id: int) -> None:
    """A Core statement changed the row: an ORM object of it the session holds must reload."""
    loaded = session.identity_map.get(identity_key(CaseFigure, instance_id))
    if loaded is not None:
        session.expire(loaded)


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


def record_start(session: Session, instance: Case, *, process_id: str, data: Mapping[str, Any], now: datetime,
                 created_roles: Iterable[str] = ()) -> None:
    """The new case's row and its counts: where (the gemeente's region, read in the statement), when
    (Amsterdam month), source and acute flag from the melding, and what its first step told."""
    local = instance.created_at.astimezone(AMSTERDAM)
    figure = Figure(
        instance_id=instance.id, organisation_id=instance.organisation_id, region=None, route=process_id,
        created_at=instance.created_at, year=local.year, month=local.month, acuut=bool(instance.acuut),
        bron=_option(data, "bron_melding", BRONNEN), vorm=_option(data, "vorm", VORMEN))
    _apply_step(figure, instance, now=now, task=None, data={}, created_roles=created_roles)
    params = {**_figure_params(figure), **_count_params(figure, None, categories_of(figure))}
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        _lock_counts(connection, figure.organisation_id)
        connection.execute(_START_PG, params)
    else:
        connection.execute(_INSERT_FIGURE, params)
        connection.execute(_INCREMENT_NEW_SQLITE, params)
    _forget_loaded(session, instance.id)


UNREAD: Any = object()  # record_step's figure: not read by the caller, so read it here


def record_step(session: Session, instance: Case, *, now: datetime, task: HumanTask | None = None,
                data: Mapping[str, Any] | None = None, created_roles: Iterable[str] = (),
                figure: Figure | None = UNREAD) -> None:
    """What this step tells the figures: a completed task's facts and the first hand-over.

    :param figure: the case's row, when the caller read it under the case lock in this transaction
        (:data:`READ_COLUMNS`); None if the case has none.
    """
    connection = session.connection()
    if figure is UNREAD:
        session.flush()  # a Core read does not autoflush
        figure = from_row(connection.execute(_READ, {"instance_id": instance.id}).first())
    if figure is None:  # a case started before monitoring existed: the backfill gives it a row
        return
    was = replace(figure)
    _apply_step(figure, instance, now=now, task=task, data=data or {}, created_roles=created_roles)
    if figure == was:
        return
    before, after = categories_of(was), categories_of(figure)
    params = {**_figure_params(figure), **_count_params(figure, before, after)}
    if after == before:
        connection.execute(_UPDATE_FIGURE, params)
    elif connection.dialect.name == "postgresql":
        _lock_counts(connection, figure.organisation_id)
        connection.execute(_STEP_PG, params)
    else:
        connection.execute(_UPDATE_FIGURE, params)
        connection.execute(_DECREMENT, params)
        connection.execute(_INCREMENT_SQLITE, params)
    _forget_loaded(session, instance.id)


def _apply_step(figure: Figure, instance: Case, *, now: datetime, task: HumanTask | None, data: Mapping[str, Any],
                created_roles: Iterable[str]) -> None:
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
    if figure.overgedragen_s is None and any(role in PARTNER_ROLES for role in created_roles):
        figure.overgedragen_s = seconds
    if instance.status == "completed" and figure.afgesloten_s is None:
        figure.afgesloten_s = seconds
