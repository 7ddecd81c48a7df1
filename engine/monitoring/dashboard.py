"""The region's monitoring dashboard (003 ch. 7, 001 §5.2): counts, lead times and where work stalls.

Everything is aggregated in SQL over ``case_figure`` (one row per case, kept in the step's
transaction) and the task index; Python only arranges the grouped rows. Counts pass through
:mod:`engine.monitoring.suppression` as one publication per page, because the same totals appear
in several tables (each dimension splits the same signals) and a figure hidden in one table must
not be published, or computable, in another.

Who sees what (need to know): the ketenregisseur and procesregisseur see their region, its trend
over the years and the comparison of its gemeenten; people of a gemeente (AF, OOV'er, beheerder,
auditor) see their own gemeente only.
"""

from __future__ import annotations

import functools
import logging
import time
from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, select
from sqlalchemy.orm import Session

from engine.accounts.actors import Actor
from engine.accounts.roles import ROLE_LABELS, Role
from engine.errors import Forbidden
from engine.models import HumanTask, Meeting, MeetingItem, Organisation, TaskState
from engine.models.meetings import AgendaSection
from engine.models.monitoring import CaseCount, CaseFigure
from engine.monitoring import figures
from engine.monitoring.suppression import THRESHOLD, Key, Publication, Relation, suppress
from engine.regions.regions import region_name

logger = logging.getLogger(__name__)

REGION_ROLES = frozenset({Role.KETENREGISSEUR, Role.PROCESREGISSEUR})
GEMEENTE_ROLES = frozenset({Role.AF, Role.OOV, Role.BEHEERDER, Role.AUDITOR})
MONTHS = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
ALL = "*"
HIDDEN_MARK = "x"
DAY = 86400

ROUTES = {"signaal_oost_brabant": "Oost-Brabant", "signaal_fryslan": "Fryslân (Drieluik)",
          "signaal_limburg": "Noord- en Midden-Limburg", "signaal_soest": "Soest",
          "adviesvraag": "Adviesvraag"}


@dataclass(frozen=True)
class Dimension:
    slug: str
    label: str
    categories: dict[str, str]  # value -> Dutch label, in display order

    def expression(self) -> ColumnElement[Any]:
        expression: ColumnElement[Any] = figures.field_sql(self.slug)
        return expression.label("categorie")


DIMENSIONS: dict[str, Dimension] = {d.slug: d for d in (
    Dimension("vorm", "Vorm van uitbuiting", {
        "SU": "Seksuele uitbuiting", "AU": "Arbeidsuitbuiting", "CU": "Criminele uitbuiting",
        "OV": "Orgaanverwijdering", "onbekend": "Vorm onbekend", "nog_niet_bepaald": "Nog niet verrijkt"}),
    Dimension("bron", "Bron van de melding", {
        "collega": "Collega", "inwoner": "Inwoner", "partner": "Ketenpartner", "anoniem_mma": "Anoniem (MMA)",
        "ondermijningszaak": "Uit een ondermijningszaak", "onbekend": "Onbekend"}),
    Dimension("acuut", "Acuut bij melding", {"ja": "Acuut", "nee": "Niet acuut"}),
    Dimension("route", "Route", dict(ROUTES)),
    Dimension("uitkomst", "Uitkomst", {
        "opplussen": "Casus (opgeplust)", "onwenselijke_situatie": "Onwenselijke situatie",
        "nog_niet_concreet": "Lopend signaal", "geen_mensenhandel": "Geen mensenhandel",
        "casus_opstarten": "Casus opgestart", "route_bepaald": "Route bepaald",
        "afgerond_zonder_besluit": "Afgerond zonder overlegbesluit", "in_behandeling": "In behandeling"}),
)}
# The CoMensha export's extra fields (docs/comensha-export.md); not on the dashboard itself.
COMENSHA_DIMENSIONS: dict[str, Dimension] = {d.slug: d for d in (
    Dimension("geslacht", "Geslacht", {"vrouw": "Vrouw", "man": "Man", "anders": "Anders",
                                       "onbekend": "Onbekend", "niet_ingevuld": "Niet ingevuld"}),
    Dimension("leeftijdsgroep", "Leeftijdsgroep", {**{g: g for g in figures.LEEFTIJDSGROEPEN if g != "onbekend"},
                                                   "onbekend": "Onbekend", "niet_ingevuld": "Niet ingevuld"}),
    Dimension("nationaliteitsgroep", "Nationaliteitsgroep", {
        "nederlands": "Nederlands", "eu": "Overig EU", "buiten_eu": "Buiten de EU", "onbekend": "Onbekend",
        "niet_ingevuld": "Niet ingevuld"}),
)}

LEAD_TIMES: dict[str, str] = {
    "verrijkt_s": "Signaal → verrijking klaar",
    "overgedragen_s": "Signaal → overdracht aan de eerste partner",
    "partner_terugkoppeling_s": "Signaal → eerste terugkoppeling van een partner",
    "melder_terugkoppeling_s": "Signaal → terugkoppeling aan de melder",
    "afgesloten_s": "Signaal → afgesloten",
    "overleg_wachttijd_s": "Wachttijd op het besluit van het overleg",
}


@dataclass(frozen=True)
class Scope:
    """A region (with its gemeenten compared) or one gemeente."""

    region: str | None
    gemeente_id: int | None
    label: str
    gemeenten: dict[int, str]  # id -> name of the gemeenten whose figures are shown

    @property
    def compare(self) -> bool:
        return self.gemeente_id is None

    def condition(self) -> ColumnElement[bool]:
        if self.gemeente_id is not None:
            return CaseFigure.organisation_id == self.gemeente_id
        return CaseFigure.region == self.region


def can_read(actor: Actor) -> bool:
    return actor.role in REGION_ROLES | GEMEENTE_ROLES and actor.organisation_id is not None


def scope_for(session: Session, actor: Actor) -> Scope:
    """The actor's dashboard: their region for the region's roles, else their own gemeente."""
    if not can_read(actor):
        raise Forbidden("U mag het dashboard niet inzien.")
    own = session.get(Organisation, actor.organisation_id)
    if own is None:
        raise Forbidden("U mag het dashboard niet inzien.")
    if actor.role in REGION_ROLES or own.kind != "gemeente":
        if own.region is None:
            raise Forbidden("Uw organisatie hoort bij geen regio.")
        with_cases = select(CaseCount.organisation_id).where(CaseCount.region == own.region,
                                                             CaseCount.month == 0).distinct()
        rows = session.execute(select(Organisation.id, Organisation.name).where(
            Organisation.region == own.region,
            (Organisation.kind == "gemeente") | Organisation.id.in_(with_cases)).order_by(Organisation.name)).all()
        return Scope(own.region, None, f"Regio {region_name(own.region)}", {r.id: r.name for r in rows})
    return Scope(own.region, own.id, own.name, {own.id: own.name})


# --- tables -------------------------------------------------------------------------------------------


@dataclass
class Table:
    """A published table: every cell is a number or the suppression mark, never a person."""

    slug: str
    title: str
    row_header: str
    columns: list[str]
    rows: list[tuple[str, list[str]]]
    note: str = ""
    chart: str = "bar"  # bar | stacked | line | hbar
    series: list[tuple[str, list[float | None]]] = field(default_factory=list)  # for the chart
    x_labels: list[str] = field(default_factory=list)

    def csv(self) -> str:
        """';'-separated (Dutch spreadsheets), formula characters neutralised."""
        lines = [";".join(_cell(c) for c in [self.row_header, *self.columns])]
        lines += [";".join(_cell(c) for c in [label, *values]) for label, values in self.rows]
        return "\r\n".join(lines) + "\r\n"


def _cell(text: str) -> str:
    text = text.replace('"', '""')
    if text[:1] in ("=", "+", "-", "@"):
        text = "'" + text
    return f'"{text}"'


@dataclass
class Dashboard:
    scope: Scope
    year: int
    years: list[int]
    dimension: str
    tables: dict[str, Table]
    counts: list[str]        # slugs of the count tables of the chosen dimension, in order
    lead_times: Table
    stalls: list[Table]
    hidden_cells: int

    def table(self, slug: str) -> Table:
        return self.tables[slug]


# --- counts with suppression --------------------------------------------------------------------------


def _categories(dim: Dimension, seen: set[str]) -> list[str]:
    return list(dim.categories) + sorted(seen - set(dim.categories))


def _relations(keys: set[Key], axes: dict[int, list[Hashable]], categories: dict[str, list[str]]) -> list[Relation]:
    """Every "total = sum of its parts" among the published keys (gemeente, year, month, dim, category).

    A key with ``*`` on an axis is the sum over that axis when all its parts are published too;
    the category total (dim ``*``) is the sum of each dimension's categories.
    """
    relations = []
    for key in keys:
        for axis, domain in axes.items():
            if key[axis] != ALL:
                continue
            parts = tuple(key[:axis] + (value,) + key[axis + 1:] for value in domain)
            if all(p in keys for p in parts):
                relations.append(Relation(key, parts))
        if key[3] == ALL:
            for dim, cats in categories.items():
                parts = tuple(key[:3] + (dim, c) for c in cats)
                if all(p in keys for p in parts):
                    relations.append(Relation(key, parts))
    return relations


@dataclass
class Counts:
    """Every count the scope can publish: per year (all years) and per month (the chosen year)."""

    categories: dict[str, list[str]]
    yearly: dict[tuple[int, int, str, str], int]    # (gemeente id, year, dim, category) -> n
    monthly: dict[tuple[int, str, str], int]        # (month, dim, category) -> n, chosen year
    years: list[int]


def _counts(session: Session, scope: Scope, year: int, dims: Sequence[Dimension]) -> Counts:
    """Every count of the page from the kept counts (engine.monitoring.figures): two grouped queries.

    Per gemeente and year over all years (the year rows, month 0), and per month of the chosen
    year; Python only files the grouped rows.
    """
    where = (CaseCount.organisation_id == scope.gemeente_id if scope.gemeente_id is not None
             else CaseCount.region == scope.region)
    fields = [d.slug for d in dims]
    per_year = session.execute(
        select(CaseCount.organisation_id, CaseCount.year, CaseCount.field, CaseCount.category, func.sum(CaseCount.n))
        .where(where, CaseCount.month == 0, CaseCount.field.in_(fields))
        .group_by(CaseCount.organisation_id, CaseCount.year, CaseCount.field, CaseCount.category))
    per_month = session.execute(
        select(CaseCount.month, CaseCount.field, CaseCount.category, func.sum(CaseCount.n))
        .where(where, CaseCount.year == year, CaseCount.month > 0, CaseCount.field.in_(fields))
        .group_by(CaseCount.month, CaseCount.field, CaseCount.category))
    seen: dict[str, set[str]] = defaultdict(set)
    yearly: dict[tuple[int, int, str, str], int] = defaultdict(int)
    monthly: dict[tuple[int, str, str], int] = defaultdict(int)
    years = {year}
    for organisation_id, the_year, field_slug, category, n in per_year:
        if n:
            yearly[(int(organisation_id), int(the_year), field_slug, category)] += int(n)
            years.add(int(the_year))
            seen[field_slug].add(category)
    for month, field_slug, category, n in per_month:
        if n:
            monthly[(int(month), field_slug, category)] += int(n)
    return Counts({d.slug: _categories(d, seen[d.slug]) for d in dims}, yearly, monthly, sorted(years))


def _year_layer(counts: Counts, scope: Scope, year: int, dims: Sequence[Dimension], compare: Sequence[Dimension],
                ) -> Publication:
    """One year's layer, from the cache when the same figures were suppressed before (see _suppressed)."""
    values, relations = _year_cells(counts, scope, year, dims, compare)
    return _suppressed(tuple(sorted(values.items(), key=repr)), tuple(relations))


@functools.lru_cache(maxsize=256)
def _suppressed(values: tuple[tuple[Key, int], ...], relations: tuple[Relation, ...]) -> Publication:
    """Suppression is a pure function of the cells and their sums: a year whose figures did not
    change since the last page (every year but the current one, mostly) is not solved again."""
    result = suppress(Publication(dict(values), list(relations)))
    return Publication(dict(result.values), list(result.relations), set(result.hidden))


def _year_cells(counts: Counts, scope: Scope, year: int, dims: Sequence[Dimension], compare: Sequence[Dimension],
                ) -> tuple[dict[Key, int], list[Relation]]:
    """One year's totals per category (all fields), and per gemeente for ``compare``; suppressed.

    Years are not tied to each other by any published sum, so each year is its own publication:
    the trend table then shows every year exactly as that year's own page and reports do.
    """
    g_all = scope.gemeente_id if scope.gemeente_id is not None else ALL
    values: dict[Key, int] = defaultdict(int)
    values[(g_all, year, ALL, ALL, ALL)] += 0
    compared = scope.compare and bool(compare)
    for gemeente in scope.gemeenten if compared else ():
        values[(gemeente, year, ALL, ALL, ALL)] += 0
        for dim in compare:
            for cat in counts.categories[dim.slug]:
                values[(gemeente, year, ALL, dim.slug, cat)] += 0
    first = dims[0].slug
    for dim in dims:
        for cat in counts.categories[dim.slug]:
            values[(g_all, year, ALL, dim.slug, cat)] += 0
    for (gemeente, the_year, dim_slug, cat), n in counts.yearly.items():
        if the_year != year or dim_slug not in {d.slug for d in dims}:
            continue
        values[(g_all, year, ALL, dim_slug, cat)] += n
        if dim_slug == first:
            values[(g_all, year, ALL, ALL, ALL)] += n
        if compared and gemeente in scope.gemeenten:
            if dim_slug in {d.slug for d in compare}:
                values[(gemeente, year, ALL, dim_slug, cat)] += n
            if dim_slug == first:
                values[(gemeente, year, ALL, ALL, ALL)] += n
    axes: dict[int, list[Hashable]] = {0: list(scope.gemeenten)} if compared else {}
    categories = {d.slug: counts.categories[d.slug] for d in dims}
    return dict(values), sorted(_relations(set(values), axes, categories), key=repr)


def _month_layer(counts: Counts, scope: Scope, year: int, dims: Sequence[Dimension], fixed: Publication,
                 ) -> Publication:
    """The chosen year's months under its fixed year layer: complements are hidden among the months only."""
    g_all = scope.gemeente_id if scope.gemeente_id is not None else ALL
    values: dict[Key, int] = {}
    for month in range(1, 13):
        values[(g_all, year, month, ALL, ALL)] = 0
        for dim in dims:
            for cat in counts.categories[dim.slug]:
                n = counts.monthly.get((month, dim.slug, cat), 0)
                values[(g_all, year, month, dim.slug, cat)] = n
                if dim is dims[0]:
                    values[(g_all, year, month, ALL, ALL)] += n
    keys = set(values) | set(fixed.values)
    categories = {d.slug: counts.categories[d.slug] for d in dims}
    relations = sorted((r for r in _relations(keys, {2: list(range(1, 13))}, categories)
                        if any(k in values for k in (r.total, *r.parts))), key=repr)
    return _suppressed_under(tuple(sorted(values.items(), key=repr)), tuple(relations), fixed)


@functools.lru_cache(maxsize=64)
def _suppressed_under(values: tuple[tuple[Key, int], ...], relations: tuple[Relation, ...],
                      fixed: Publication) -> Publication:
    """As :func:`_suppressed`, for a month layer under its (cached, so identical) year layer."""
    return suppress(Publication(dict(values), list(relations)), fixed=fixed)


@dataclass
class Published:
    """The chosen year's month layer (which holds its year layer) and the other years' year layers."""

    year: int
    months: Publication
    years: dict[int, Publication]

    def shown(self, key: Key) -> int | None:
        return (self.months if key[1] == self.year else self.years[int(str(key[1]))]).shown(key)


def _published(session: Session, scope: Scope, year: int) -> tuple[Published, Counts]:
    dims = [*DIMENSIONS.values(), *COMENSHA_DIMENSIONS.values()]
    shown_dims = list(DIMENSIONS.values())
    counts = _counts(session, scope, year, dims)
    # Gemeenten are compared on the form of exploitation only: each more field compared per gemeente
    # ties small gemeenten into more sums and forces far more cells to be hidden.
    layers = {y: _year_layer(counts, scope, y, dims, [DIMENSIONS["vorm"]]) for y in counts.years}
    months = _month_layer(counts, scope, year, shown_dims, layers[year])
    return Published(year, months, layers), counts


def _shown(publication: Published, key: Key) -> tuple[str, float | None]:
    value = publication.shown(key)
    return (HIDDEN_MARK, None) if value is None else (str(value), float(value))


def _count_tables(publication: Published, scope: Scope, year: int, years: list[int], dim: Dimension,
                  cats: list[str]) -> list[Table]:
    g_all = scope.gemeente_id if scope.gemeente_id is not None else ALL
    labels = [dim.categories.get(c, c) for c in cats]
    note = (f"{HIDDEN_MARK} = afgeschermd: minder dan {THRESHOLD} signalen, of verborgen zodat zo'n klein "
            "aantal niet uit de totalen is terug te rekenen.")

    def table(slug: str, title: str, header: str, row_keys: list[tuple[str, Any, Any]], chart: str) -> Table:
        rows, series = [], {c: [] for c in cats}  # type: ignore[var-annotated]
        for label, gemeente, period in row_keys:
            month, the_year = period
            cells = []
            for cat in cats:
                text, number = _shown(publication, (gemeente, the_year, month, dim.slug, cat))
                cells.append(text)
                series[cat].append(number)
            cells.append(_shown(publication, (gemeente, the_year, month, ALL, ALL))[0])
            rows.append((label, cells))
        return Table(slug, title, header, [*labels, "Totaal"], rows, note, chart,
                     [(dim.categories.get(c, c), series[c]) for c in cats], [r[0] for r in row_keys])

    monthly = table(f"{dim.slug}-per-maand", f"Signalen per maand naar {dim.label.lower()}, {year}", "Maand",
                    [(MONTHS[m - 1], g_all, (m, year)) for m in range(1, 13)], "stacked")
    monthly.rows.append(("Totaal", [*[_shown(publication, (g_all, year, ALL, dim.slug, c))[0] for c in cats],
                                    _shown(publication, (g_all, year, ALL, ALL, ALL))[0]]))
    trend = table(f"{dim.slug}-per-jaar", f"Signalen per jaar naar {dim.label.lower()}", "Jaar",
                  [(str(y), g_all, (ALL, y)) for y in years], "stacked")
    tables = [monthly, trend]
    if scope.compare and dim.slug == "vorm":
        tables.append(table(f"{dim.slug}-per-gemeente", f"Signalen per gemeente naar {dim.label.lower()}, {year}",
                            "Gemeente", [(name, gid, (ALL, year)) for gid, name in scope.gemeenten.items()],
                            "hbar"))
        tables[-1].rows.append(("Regio totaal", monthly.rows[-1][1]))
    return tables


# --- lead times ---------------------------------------------------------------------------------------


def _percentiles(session: Session, scope: Scope, year: int, column: str) -> dict[int, tuple[int, int, int]]:
    """Per month: (n, median, p90) in seconds, nearest-rank percentiles computed in SQL.

    The rank of the p-th percentile among n sorted values is ceil(n * p / 100), written with integer
    division so SQLite and PostgreSQL agree.
    """
    value = getattr(CaseFigure, column)
    ranked = (select(CaseFigure.month.label("month"), value.label("v"),
                     func.row_number().over(partition_by=CaseFigure.month, order_by=value).label("rn"),
                     func.count().over(partition_by=CaseFigure.month).label("n"))
              .where(scope.condition(), CaseFigure.year == year, value.is_not(None)).subquery())
    median_rank = (ranked.c.n * 50 + 99) // 100
    p90_rank = (ranked.c.n * 90 + 99) // 100
    query = (select(ranked.c.month, func.max(ranked.c.n),
                    func.max(case((ranked.c.rn == median_rank, ranked.c.v))),
                    func.max(case((ranked.c.rn == p90_rank, ranked.c.v))))
             .group_by(ranked.c.month))
    return {int(r[0]): (int(r[1]), int(r[2]), int(r[3])) for r in session.execute(query)}


def _days(seconds: int) -> str:
    return f"{seconds / DAY:.1f}".replace(".", ",")


def lead_time_table(session: Session, scope: Scope, year: int) -> Table:
    """Median and 90th percentile per month; a month with fewer than THRESHOLD cases shows none."""
    columns, series, per_month = [], [], {m: [] for m in range(1, 13)}  # type: ignore[var-annotated]
    for column, label in LEAD_TIMES.items():
        found = _percentiles(session, scope, year, column)
        columns += [f"{label}: mediaan", f"{label}: 90e percentiel"]
        medians: list[float | None] = []
        for month in range(1, 13):
            n, median, p90 = found.get(month, (0, 0, 0))
            if n >= THRESHOLD:
                per_month[month] += [_days(median), _days(p90)]
                medians.append(round(median / DAY, 1))
            else:
                per_month[month] += ["–", "–"]
                medians.append(None)
        series.append((label, medians))
    return Table("doorlooptijden", f"Doorlooptijden in dagen per maand van melding, {year}", "Maand", columns,
                 [(MONTHS[m - 1], per_month[m]) for m in range(1, 13)],
                 f"– = minder dan {THRESHOLD} signalen in die maand hadden deze stap; dan geen cijfer.",
                 "line", series, list(MONTHS))


# --- where work stalls now ----------------------------------------------------------------------------


def _age_days(then: datetime | None, now: datetime) -> str:
    return "–" if then is None else str(max(0, (now - then) // timedelta(days=1)))


def stall_tables(session: Session, scope: Scope, *, now: datetime, year: int) -> list[Table]:
    """Open tasks per organisation and role (oldest first), overdue enrichment, meeting agendas.

    These count tasks and agenda items, not people, and name only organisations; they are the
    coordinator's work list for the chain and are shown unsuppressed (a count of open tasks at
    the police says nothing about a victim).
    """
    open_tasks = and_(HumanTask.state == TaskState.READY, HumanTask.instance_id == CaseFigure.instance_id,
                      scope.condition())
    overdue = case((HumanTask.due_at < now, 1), else_=0)
    rows = session.execute(
        select(Organisation.name, HumanTask.role, func.count(), func.sum(overdue),
               func.min(case((HumanTask.due_at < now, HumanTask.due_at))), func.min(HumanTask.created_at))
        .select_from(HumanTask).join(CaseFigure, CaseFigure.instance_id == HumanTask.instance_id)
        .join(Organisation, Organisation.id == HumanTask.organisation_id).where(open_tasks)
        .group_by(Organisation.name, HumanTask.role).order_by(func.min(HumanTask.created_at), Organisation.name))
    work = Table("open-taken", "Open taken per organisatie en rol, oudste eerst", "Organisatie en rol",
                 ["Open", "Over de termijn", "Grootste overschrijding (dagen)", "Oudste open taak (dagen)"],
                 [(f"{name}, {_role_label(role)}", [str(n), str(late or 0), _age_days(most_late, now),
                                                    _age_days(oldest, now)])
                  for name, role, n, late, most_late, oldest in rows])
    enrich = session.execute(
        select(Organisation.name, func.count(), func.min(HumanTask.due_at))
        .select_from(HumanTask).join(CaseFigure, CaseFigure.instance_id == HumanTask.instance_id)
        .join(Organisation, Organisation.id == CaseFigure.organisation_id)
        .where(open_tasks, HumanTask.element_id == figures.ENRICHMENT, HumanTask.due_at < now)
        .group_by(Organisation.name).order_by(func.min(HumanTask.due_at)))
    af = Table("verrijking-te-laat", "Verrijking door de aandachtsfunctionaris over de termijn", "Gemeente",
               ["Aantal", "Grootste overschrijding (dagen)"],
               [(name, [str(n), _age_days(due, now)]) for name, n, due in enrich])
    return [work, af, _meeting_table(session, scope, year)]


def _role_label(role: str) -> str:
    try:
        return ROLE_LABELS[Role(role)]
    except ValueError:
        return role


def _meeting_table(session: Session, scope: Scope, year: int) -> Table:
    """Per meeting of the year: agenda length and the signals carried over ("lopende signalen")."""
    start = datetime(year, 1, 1, tzinfo=figures.AMSTERDAM)
    end = datetime(year + 1, 1, 1, tzinfo=figures.AMSTERDAM)
    items = (select(MeetingItem.meeting_id, MeetingItem.section, MeetingItem.decision)
             .join(CaseFigure, CaseFigure.instance_id == MeetingItem.instance_id).where(scope.condition()).subquery())
    rows = session.execute(
        select(Meeting.name, Meeting.starts_at, func.count(items.c.meeting_id),
               func.sum(case((items.c.section == AgendaSection.RUNNING, 1), else_=0)),
               func.sum(case((items.c.decision.is_not(None) & (items.c.decision != "nog_niet_concreet"), 1),
                             else_=0)))
        .outerjoin(items, items.c.meeting_id == Meeting.id)
        .where(Meeting.region == (scope.region or literal("")), Meeting.starts_at >= start, Meeting.starts_at < end)
        .group_by(Meeting.id, Meeting.name, Meeting.starts_at).order_by(Meeting.starts_at))
    return Table("overleggen", f"Agenda's van de overleggen, {year}", "Overleg",
                 ["Signalen op de agenda", "Waarvan lopend (meegenomen)", "Besloten"],
                 [(f"{name}, {when.astimezone(figures.AMSTERDAM):%d-%m-%Y}", [str(n), str(run or 0), str(done or 0)])
                  for name, when, n, run, done in rows])


# --- the page -----------------------------------------------------------------------------------------


def build(session: Session, *, actor: Actor, now: datetime, year: int, dimension: str = "vorm") -> Dashboard:
    """The whole dashboard for the actor's scope and a year; raises Forbidden outside the matrix."""
    started = time.perf_counter()
    scope = scope_for(session, actor)
    dim = DIMENSIONS.get(dimension, DIMENSIONS["vorm"])
    publication, counts = _published(session, scope, year)
    categories, years = counts.categories, counts.years
    tables: dict[str, Table] = {}
    slugs: list[str] = []
    for each in DIMENSIONS.values():
        for table in _count_tables(publication, scope, year, years, each, categories[each.slug]):
            tables[table.slug] = table
            if each is dim:
                slugs.append(table.slug)
    if "vorm-per-gemeente" in tables and "vorm-per-gemeente" not in slugs:
        slugs.append("vorm-per-gemeente")  # the comparison of gemeenten is on the form of exploitation
    lead = lead_time_table(session, scope, year)
    stalls = stall_tables(session, scope, now=now, year=year)
    for table in (lead, *stalls):
        tables[table.slug] = table
    hidden = len(publication.months.hidden)
    logger.info("dashboard built", extra={"organisation_id": actor.organisation_id, "year": year,
                                          "hidden_cells": hidden,
                                          "duration_ms": round((time.perf_counter() - started) * 1000)})
    return Dashboard(scope, year, years, dim.slug, tables, slugs, lead, stalls, hidden)


def comensha(session: Session, *, actor: Actor, year: int) -> tuple[Scope, list[Table], Published]:
    """The aggregated CoMensha export: one count table per field, from the year's own suppressed layer."""
    scope = scope_for(session, actor)
    publication, counts = _published(session, scope, year)
    fields = [DIMENSIONS["vorm"], *COMENSHA_DIMENSIONS.values(), DIMENSIONS["bron"], DIMENSIONS["route"]]
    g_all = scope.gemeente_id if scope.gemeente_id is not None else ALL
    tables = []
    for dim in fields:
        rows = [(dim.categories.get(c, c), [_shown(publication, (g_all, year, ALL, dim.slug, c))[0]])
                for c in counts.categories[dim.slug]]
        rows.append(("Totaal", [_shown(publication, (g_all, year, ALL, ALL, ALL))[0]]))
        tables.append(Table(f"comensha-{dim.slug}", dim.label, dim.label, ["Aantal signalen"], rows))
    return scope, tables, publication
