"""The werkbak: tabs, filters, sorting and paging over the task index, for the web page and the API.

One service answers both the werkbak page and ``GET /api/v1/tasks`` from the same query
parameters, so a werkbak address's query string means the same to a program (API parity). It
reads the index tables only (docs/architecture.md, decision 4), never workflow state. Who sees which task is decided by
:func:`engine.access.worklist_filter`: "Mijn taken" holds what the actor has in hand (or did), "Taken van
mijn team" every open task of the actor's role in their organisation, with who holds it (so the team sees what is
covered).
By default acute signals come first, then the earliest due date: someone in danger never waits behind
a routine task.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, literal, or_, select, true, tuple_, union_all
from sqlalchemy.orm import Session

from engine import access
from engine.accounts.actors import Actor
from engine.cases import case_store
from engine.cases.due import DueState, default_calendar, due_state
from engine.cases.lifecycle import reference
from engine.errors import ValidationFailed
from engine.models import Case, HumanTask, Organisation, ProcessDefinition, TaskState, User
from engine.models.cases import CaseStatus

MIJN, TEAM, ALLE = "mijn", "team", "alle"
# Only the werkbak page asks for AUTO: it opens on "mijn" when the user holds tasks, otherwise on
# "team", so a person who claimed nothing yet lands on work instead of on an empty tab.
AUTO = "auto"
TABS = {MIJN: "Mijn taken", TEAM: "Taken van mijn team"}

VORMEN = {
    "SU": "Seksuele uitbuiting (SU)",
    "AU": "Arbeidsuitbuiting (AU)",
    "CU": "Criminele uitbuiting (CU)",
    "OV": "Gedwongen orgaanverwijdering (OV)",
    # A new signal has no form yet: for the people who triage it that is "unknown" as well.
    "onbekend": "Onbekend of nog niet bepaald",
}
TASK_STATUSES = {"open": "Open", "afgerond": "Afgerond", "vervallen": "Vervallen", "alle": "Alle"}
_TASK_STATES = {"open": TaskState.READY, "afgerond": TaskState.COMPLETED, "vervallen": TaskState.CANCELLED}
CASE_STATUSES = {"loopt": "Loopt", "afgesloten": "Afgesloten", "geannuleerd": "Geannuleerd",
                 "fout": "Fout, vraag de beheerder"}
_CASE_STATES = {"loopt": CaseStatus.ACTIVE, "afgesloten": CaseStatus.COMPLETED,
                "geannuleerd": CaseStatus.CANCELLED, "fout": CaseStatus.ERROR}
TERMIJNEN = {"te_laat": "Te laat", "binnenkort": "Binnenkort (binnen het aantal werkdagen)",
             "geen": "Zonder termijn"}
SORTERINGEN = {"termijn": "Urgentie (eerst acuut, dan termijn)", "nieuwste": "Nieuwste eerst", "oudste": "Oudste eerst",
               "proces": "Proces"}

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
MAX_WORKING_DAYS = 60
_REFERENCE = re.compile(r"SR-([0-9]{4})-([0-9]{1,9})")
# Parameters a saved filter keeps: a view of one's work, not a page of it or one case.
FILTER_KEYS = ("tab", "vorm", "status", "zaakstatus", "gemeente", "termijn", "werkdagen", "proces", "sorteer",
               "per_pagina")


@dataclass(frozen=True)
class WorklistQuery:
    """The werkbak's parameters, parsed; names are the query parameters of page and API alike."""

    tab: str = ALLE
    vorm: str = ""
    status: str = "open"
    zaakstatus: str = ""
    gemeente: str = ""  # slug of the case's gemeente
    termijn: str = ""
    werkdagen: int = 1  # "binnenkort" = due within this many working days (1: as the yellow marker)
    proces: str = ""  # BPMN process id
    sorteer: str = "termijn"
    kenmerk: str = ""  # a case reference, SR-2026-00042
    instance_id: int | None = None
    pagina: int = 1
    per_pagina: int = PAGE_SIZE
    na: str = ""  # keyset position: the page after this task (a link's value, see search())
    voor: str = ""  # the page before this position; "einde": the last page

    def params(self, **changes: Any) -> dict[str, str]:
        """The parameters that differ from the defaults, for links (tabs, pages) and saved filters.

        A chosen tab is always named (the API and the page default differently); AUTO never is. A page
        number given without a position leaves the position out (a tab link starts at its first page).
        """
        if "pagina" in changes and not {"na", "voor"} & set(changes):
            changes = {**changes, "na": "", "voor": ""}
        defaults = asdict(WorklistQuery())
        values = asdict(replace(self, **changes))
        return {key: str(value) for key, value in values.items()
                if value not in (None, "", AUTO) and (value != defaults[key] or key == "tab")}

    def filter_params(self) -> dict[str, str]:
        return {key: value for key, value in self.params().items() if key in FILTER_KEYS}

    @property
    def filtered(self) -> bool:
        """True when a filter narrows the tab (sorting and paging do not count)."""
        narrowing = set(self.params()) - {"tab", "sorteer", "pagina", "per_pagina", "werkdagen", "na", "voor"}
        return bool(narrowing)


@dataclass
class WorkItem:
    task: HumanTask
    reference: str
    process_id: str
    process_name: str
    vorm: str | None
    gemeente: str  # the gemeente's name ("Gemeente Eersel"), never its slug
    case_status: str
    due: DueState | None
    acuut: bool = False  # someone was in acute danger when the signal came in
    assignee_name: str | None = None  # who has the task in hand ("In behandeling bij"), None when free

    @property
    def vorm_label(self) -> str:
        return VORMEN.get(self.vorm or "onbekend", self.vorm or "")


@dataclass
class FoundCase:
    """The case a searched reference names, when the user may see it."""

    id: int
    reference: str


@dataclass
class Worklist:
    query: WorklistQuery  # with the tab resolved and the page clamped
    items: list[WorkItem]
    total: int  # exact while ``exact``; COUNT_LIMIT when there are more
    pages: int | None  # None when the total is not exact
    counts: dict[str, int]  # per tab, capped at COUNT_LIMIT like ``total``
    found_case: FoundCase | None = None
    exact: bool = True
    counts_exact: dict[str, bool] = field(default_factory=dict)
    page: int | None = 1  # None on a page reached backwards from the end of a list longer than COUNT_LIMIT
    # first / previous / next / last as query parameters (None where there is no such page)
    links: dict[str, dict[str, str] | None] = field(default_factory=dict)

    @property
    def first(self) -> int | None:
        """Position of the first row, when known."""
        if self.page is None:
            return None
        return (self.page - 1) * self.query.per_pagina + 1


@dataclass
class FilterOptions:
    gemeenten: list[tuple[str, str]] = field(default_factory=list)  # (slug, name)
    processen: list[tuple[str, str]] = field(default_factory=list)  # (process id, name)


def _choice(params: Mapping[str, str], key: str, allowed: Mapping[str, str], default: str,
            problems: dict[str, str]) -> str:
    value = (params.get(key) or "").strip()
    if value and value not in allowed:
        problems[key] = "Kies een van: " + ", ".join(allowed) + "."
        return default
    return value or default


def _number(params: Mapping[str, str], key: str, default: int, high: int, problems: dict[str, str]) -> int:
    raw = (params.get(key) or "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= high:
        problems[key] = f"Vul een geheel getal van 1 tot en met {high} in."
        return default
    return int(raw)


def _text(params: Mapping[str, str], key: str, problems: dict[str, str]) -> str:
    value = (params.get(key) or "").strip()
    if len(value) > 200:
        problems[key] = "Vul hoogstens 200 tekens in."
        return ""
    return value


def _position(params: Mapping[str, str], key: str, problems: dict[str, str]) -> str:
    """A keyset position as a link carries it; its content is checked when it is used."""
    value = (params.get(key) or "").strip()
    if len(value) > 600 or not re.fullmatch(r"[A-Za-z0-9_-]*", value):
        problems[key] = "Deze paginalink klopt niet (meer). Begin opnieuw op de eerste pagina."
        return ""
    return value


def query_from_params(params: Mapping[str, str], *, default_tab: str = ALLE) -> WorklistQuery:
    """Parse query parameters; unknown values are refused with Dutch messages per parameter.

    :raises ValidationFailed: ``details`` maps each bad parameter to what it should be.
    """
    problems: dict[str, str] = {}
    kenmerk = _text(params, "kenmerk", problems).upper()
    if kenmerk and not _REFERENCE.fullmatch(kenmerk):
        problems["kenmerk"] = "Vul een kenmerk in zoals SR-2026-00042."
        kenmerk = ""
    instance_raw = (params.get("instance_id") or "").strip()
    if instance_raw and not (instance_raw.isascii() and instance_raw.isdigit()):
        problems["instance_id"] = "Vul een zaaknummer in (een geheel getal)."
    query = WorklistQuery(
        tab=_choice(params, "tab", {**TABS, ALLE: "", AUTO: ""}, default_tab, problems),
        vorm=_choice(params, "vorm", VORMEN, "", problems),
        status=_choice(params, "status", TASK_STATUSES, "open", problems),
        zaakstatus=_choice(params, "zaakstatus", CASE_STATUSES, "", problems),
        gemeente=_text(params, "gemeente", problems),
        termijn=_choice(params, "termijn", TERMIJNEN, "", problems),
        werkdagen=_number(params, "werkdagen", 1, MAX_WORKING_DAYS, problems),
        proces=_text(params, "proces", problems),
        sorteer=_choice(params, "sorteer", SORTERINGEN, "termijn", problems),
        kenmerk=kenmerk,
        instance_id=int(instance_raw) if (instance_raw.isascii() and instance_raw.isdigit()) else None,
        pagina=_number(params, "pagina", 1, 1_000_000, problems),
        per_pagina=_number(params, "per_pagina", PAGE_SIZE, MAX_PAGE_SIZE, problems),
        na=_position(params, "na", problems),
        voor=_position(params, "voor", problems),
    )
    if query.na and query.voor:
        problems["voor"] = "Gebruik 'na' of 'voor', niet allebei."
    if problems:
        raise ValidationFailed("Een of meer filters zijn ongeldig.", problems)
    return query


def _reference_parts(kenmerk: str) -> tuple[int, int] | None:
    match = _REFERENCE.fullmatch(kenmerk)
    return (int(match.group(1)), int(match.group(2))) if match else None


def _case_named(kenmerk: str) -> list[ColumnElement[bool]]:
    """The reference is the year of the report and the case number: both must match."""
    parts = _reference_parts(kenmerk)
    if parts is None:
        return []
    year, number = parts
    if not 1 <= year <= 9998:
        return [Case.id.is_(None)]
    return [Case.id == number, Case.created_at >= datetime(year, 1, 1, tzinfo=UTC),
            Case.created_at < datetime(year + 1, 1, 1, tzinfo=UTC)]


def _task_conditions(now: datetime, query: WorklistQuery) -> list[ColumnElement[bool]]:
    """The filters on the task row itself (the status is a stream of its own, see :func:`_streams`)."""
    conditions: list[ColumnElement[bool]] = []
    if query.termijn == "te_laat":
        conditions.append(HumanTask.due_at <= now)
    elif query.termijn == "binnenkort":
        until = default_calendar().add_working_days(now, query.werkdagen)
        conditions += [HumanTask.due_at > now, HumanTask.due_at <= until]
    elif query.termijn == "geen":
        conditions.append(HumanTask.due_at.is_(None))
    if query.instance_id is not None:
        conditions.append(HumanTask.instance_id == query.instance_id)
    return conditions


def _vorm_condition(query: WorklistQuery, *, reading: bool) -> list[ColumnElement[bool]]:
    """The vorm filter: on the tasks' copy of their case's vorm ("onbekend" while the case has none).

    The vorm indexes are in urgency order: counts and the "termijn" order read them as a range. The
    other orders read their own index and look up each task's case, as every case filter does
    (``reading``): given the vorm, a planner would take the vorm range and sort all of it before its LIMIT.
    """
    if not query.vorm:
        return []
    if reading and query.sorteer != "termijn":
        vorm = Case.vorm.is_(None) | (Case.vorm == "onbekend") if query.vorm == "onbekend" else Case.vorm == query.vorm
        return [_case_exists([vorm])]
    return [HumanTask.vorm == query.vorm]


def _case_conditions(session: Session, query: WorklistQuery) -> list[ColumnElement[bool]] | None:
    """The filters on the case, or None when one of them names nothing (the list is empty then).

    (The vorm filter is not one of them: the task row carries its case's vorm, see :func:`_task_conditions`.)

    A gemeente or process is looked up once (small tables), so the case is only joined by its key.
    """
    conditions: list[ColumnElement[bool]] = []
    if query.zaakstatus:
        conditions.append(Case.status == _CASE_STATES[query.zaakstatus])
    if query.gemeente:
        ids = list(session.scalars(select(Organisation.id).where(Organisation.slug == query.gemeente)))
        if not ids:
            return None
        conditions.append(Case.organisation_id.in_(ids))
    if query.proces:
        ids = list(session.scalars(select(ProcessDefinition.id).where(ProcessDefinition.process_id == query.proces)))
        if not ids:
            return None
        conditions.append(Case.definition_id.in_(ids))
    if query.kenmerk:
        conditions += _case_named(query.kenmerk)
    return conditions


def _case_exists(conditions: list[ColumnElement[bool]]) -> ColumnElement[bool]:
    """Case filters as a per-row lookup of the task's case by its key, in the task index's order.

    A scalar subquery, not EXISTS: PostgreSQL turns an EXISTS into a join it may drive from the case
    table (or hash whole), which reads every case; a scalar subquery stays a lookup per task row.
    """
    return select(literal(1)).where(Case.id == HumanTask.instance_id, *conditions).limit(1) \
        .scalar_subquery().is_not(None)


def _streams(actor: Actor, tab: str, states: list[str], *, sqlite: bool = False) -> list[list[ColumnElement[bool]]]:
    """The access rule of :func:`engine.access.worklist_filter` for one tab, split into disjoint branches.

    Each branch is an equality prefix of one index (holder, completed-by, or team) plus the task state,
    so it is read as an index range; an OR across them could only be read by scanning the table.
    worklist_filter = holder ∨ (team ∧ (open ∨ unclaimed)):
    mijn = holder ∨ (completed by me ∧ team ∧ (open ∨ unclaimed) ∧ ¬holder);
    team = team ∧ (holder ∨ open ∨ unclaimed); alle = holder ∨ (team ∧ (open ∨ unclaimed) ∧ ¬holder).
    ``tests/services/test_werkbak_access.py`` checks each against worklist_filter itself.
    """
    team = access.team_of(actor)
    if team is None or actor.user_id is None:
        return []
    me = actor.user_id
    in_team = [HumanTask.role == team[0], HumanTask.organisation_id == team[1]]
    not_mine = or_(HumanTask.assignee_id.is_(None), HumanTask.assignee_id != me)
    streams: list[list[ColumnElement[bool]]] = []
    for state in states:
        is_state = HumanTask.state == state
        is_open = state == TaskState.READY
        if tab in (MIJN, ALLE):
            streams.append([HumanTask.assignee_id == me, is_state])
        if tab == MIJN:
            # On SQLite the team's columns as expressions ("|| ''", "+ 0"), SQLite's documented way to keep
            # an index off: the completed-by index must drive this branch, and SQLite's statistics would
            # pick the team's range and filter it whole. (PostgreSQL estimates these with its extended
            # statistics, and would misjudge the expressions.)
            team_role = HumanTask.role + "" if sqlite else HumanTask.role
            team_organisation = HumanTask.organisation_id + 0 if sqlite else HumanTask.organisation_id
            streams.append([HumanTask.completed_by_id == me, is_state, team_role == team[0],
                            team_organisation == team[1],
                            not_mine if is_open else HumanTask.assignee_id.is_(None)])
        elif tab == TEAM:
            streams.append([*in_team, is_state] if is_open else
                           [*in_team, is_state, or_(HumanTask.assignee_id == me, HumanTask.assignee_id.is_(None))])
        elif tab == ALLE:
            streams.append([*in_team, is_state, not_mine if is_open else HumanTask.assignee_id.is_(None)])
    return streams


@dataclass(frozen=True)
class _Bucket:
    """A stretch of the sort order with the same leading values, read in the order of ``tail``.

    ``rank`` orders the buckets; within one, rows of every stream (and acute split) merge on ``tail``.
    """

    rank: tuple[Any, ...]
    conditions: tuple[ColumnElement[bool], ...]
    tail: tuple[Any, ...]
    splits: tuple[ColumnElement[bool], ...] = ()  # read apart (one index range each), then merged
    # ORDER BY, when it differs from the tail: the undated bucket orders by due_at too (NULL throughout),
    # since a planner takes "due_at IS NULL" for a filter, not an equality, and would sort the range.
    order: tuple[Any, ...] = ()


_TERM_TAIL = (HumanTask.due_at, HumanTask.created_at, HumanTask.id)
_UNDATED_TAIL = (HumanTask.created_at, HumanTask.id)
_DUE = (HumanTask.due_at,)


def _buckets(session: Session, query: WorklistQuery) -> tuple[list[_Bucket], bool]:
    """The sort order as buckets, and whether the tail runs downwards (newest first)."""
    dated = [(0, HumanTask.due_at.is_not(None), _TERM_TAIL, ()),
             (1, HumanTask.due_at.is_(None), _UNDATED_TAIL, _DUE + _UNDATED_TAIL)]
    if query.termijn in ("te_laat", "binnenkort"):  # these need a term: the undated bucket is empty
        dated = dated[:1]
    elif query.termijn == "geen":
        dated = dated[1:]
    # "= value", not "IS TRUE": only an equality is an index condition on the acuut column
    if query.sorteer == "termijn":  # acute signals first, then by term, undated last
        return [_Bucket((flag, undated), (HumanTask.acuut == literal(acute), due), tail, order=order)
                for flag, acute in ((0, True), (1, False)) for undated, due, tail, order in dated], False
    if query.sorteer == "proces":  # by the process's name, then by term; the names are few
        # Each name is an equality prefix of the proces indexes (the task carries its version's name,
        # migration 0024): a name without tasks in this list costs one empty index probe per branch.
        names = {case_store.process_sort_name(name, process_id) for name, process_id in session.execute(
            select(ProcessDefinition.name, ProcessDefinition.process_id))}
        return [_Bucket((name, undated), (HumanTask.process_name == name, due), tail, order=order)
                for name in sorted(names) for undated, due, tail, order in dated], False
    return [_Bucket((), (), _UNDATED_TAIL)], query.sorteer == "nieuwste"


COUNT_LIMIT = 1000  # counts are exact up to here; above it the werkbak says "meer dan 1000"


def _capped_count(session: Session, streams: list[list[ColumnElement[bool]]],
                  filters: list[ColumnElement[bool]], *, by_term: bool, by_vorm: bool = False) -> int:
    """Count the tasks of all streams, stopping at COUNT_LIMIT + 1: the cost is bounded, not the table's size.

    In index order: with a bare LIMIT a planner may expect the first matches early in the table and scan
    it; ordered, the cheapest plan is the branch's own index range. With a term filter (``by_term``) that
    is the term (or vorm) index, acute and other tasks apart, so the due_at condition bounds the range;
    with a vorm filter (``by_vorm``) the vorm index, whose order after the vorm is the term index's.
    """
    if not streams:
        return 0
    if by_term:
        splits: tuple[ColumnElement[bool], ...] = (HumanTask.acuut == literal(True), HumanTask.acuut == literal(False))
        order: tuple[Any, ...] = _DUE + _UNDATED_TAIL
    elif by_vorm:
        splits, order = (true(),), (HumanTask.acuut, *_TERM_TAIL)
    else:
        splits, order = (true(),), _UNDATED_TAIL
    # Each LIMITed branch as a subquery of its own: SQLite accepts no LIMIT inside a bare UNION member.
    parts = [select(HumanTask.id).where(*stream, *filters, split).order_by(*order)
             .limit(COUNT_LIMIT + 1).subquery().select() for stream in streams for split in splits]
    union = parts[0] if len(parts) == 1 else union_all(*parts)
    found = session.scalar(select(func.count()).select_from(union.subquery())) or 0
    return min(found, COUNT_LIMIT + 1)


@dataclass(frozen=True)
class _Cursor:
    rank: tuple[Any, ...]
    tail: tuple[Any, ...]
    page: int | None  # the page number this position starts, when known (counted from the first page)


END = "einde"  # voor=einde: the last page


def _encode(sort: str, bucket: _Bucket, row: Any, page: int | None) -> str:
    values = [row[i].isoformat() if isinstance(row[i], datetime) else row[i] for i in range(1, len(bucket.tail) + 1)]
    raw = json.dumps({"s": sort, "r": list(bucket.rank), "t": values, "p": page}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(key: str, text: str, sort: str, buckets: list[_Bucket]) -> _Cursor:
    """A position from a link; anything else (edited, another sort order) is refused, not guessed."""
    problem = {key: "Deze paginalink klopt niet (meer). Begin opnieuw op de eerste pagina."}
    try:
        data = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        rank, values, page = tuple(data["r"]), data["t"], data["p"]
        bucket = next(b for b in buckets if b.rank == rank)
        if data["s"] != sort or len(values) != len(bucket.tail) or not (page is None or isinstance(page, int)):
            raise ValueError(sort)
        tail = tuple(datetime.fromisoformat(v) if column is not HumanTask.id else int(v)
                     for column, v in zip(bucket.tail, values, strict=True))
        if any(isinstance(v, datetime) and v.tzinfo is None for v in tail):
            raise ValueError("naive")
    except (ValueError, KeyError, TypeError, StopIteration, binascii.Error, UnicodeDecodeError) as exc:
        raise ValidationFailed("Ongeldige paginalink.", problem) from exc
    return _Cursor(rank, tail, page)


def _read(session: Session, streams: list[list[ColumnElement[bool]]], filters: list[ColumnElement[bool]],
          buckets: list[_Bucket], descending: bool, *, backwards: bool, after: _Cursor | None,
          limit: int) -> list[tuple[_Bucket, Any]]:
    """Up to ``limit`` rows (id and sort tail) from ``after`` on, in sort order (or against it, ``backwards``).

    Bucket by bucket; in each, one LIMITed index range per stream and split, merged here in Python.
    """
    down = descending != backwards
    order = list(reversed(buckets)) if backwards else buckets
    found: list[tuple[_Bucket, Any]] = []
    for bucket in order:
        if after is not None:
            if (bucket.rank < after.rank) != backwards and bucket.rank != after.rank:
                continue
        position: list[ColumnElement[bool]] = []
        if after is not None and bucket.rank == after.rank:
            position = [tuple_(*bucket.tail) < after.tail if down else tuple_(*bucket.tail) > after.tail]
        ordering = bucket.order or bucket.tail
        tail_order = [column.desc() for column in ordering] if down else list(ordering)
        wanted = limit - len(found)
        parts = [select(HumanTask.id.label("row_id"), *bucket.tail).where(*stream, *filters, *bucket.conditions,
                                                                          split, *position)
                 .order_by(*tail_order).limit(wanted)
                 for stream in streams for split in (bucket.splits or (true(),))]
        if not parts:
            return []
        statement = parts[0] if len(parts) == 1 else union_all(*(part.subquery().select() for part in parts))
        rows = list(session.execute(statement))
        rows.sort(key=lambda row: tuple(row[1:]), reverse=down)
        found += [(bucket, row) for row in rows[:wanted]]
        if len(found) >= limit:
            break
    return found


def search(session: Session, *, actor: Actor, now: datetime, query: WorklistQuery) -> Worklist:
    """One page of the actor's tasks in the chosen tab, with the count of each tab under the same filters.

    Every query reads index ranges of ``human_task`` of bounded length (issue 19): the branches of the
    access rule apart, counts that stop at :data:`COUNT_LIMIT`, and keyset paging (``na``/``voor``)
    beyond the first COUNT_LIMIT tasks, where page numbers (OFFSET) would read every row before the page.
    """
    sqlite = session.get_bind().dialect.name == "sqlite"
    states: list[str] = list(_TASK_STATES.values()) if query.status == "alle" else [_TASK_STATES[query.status]]
    case_conditions = _case_conditions(session, query)
    filters = _task_conditions(now, query)
    if case_conditions:
        filters.append(_case_exists(case_conditions))

    def streams_of(tab: str) -> list[list[ColumnElement[bool]]]:
        return [] if case_conditions is None else _streams(actor, tab, states, sqlite=sqlite)

    by_term, by_vorm = bool(query.termijn), bool(query.vorm)
    counting = filters + _vorm_condition(query, reading=False)
    counts = {tab: _capped_count(session, streams_of(tab), counting, by_term=by_term, by_vorm=by_vorm)
              for tab in TABS}
    tab = query.tab
    if tab == AUTO:
        tab = MIJN if counts[MIJN] else TEAM
    total = counts[tab] if tab in counts else _capped_count(session, streams_of(tab), counting, by_term=by_term,
                                                            by_vorm=by_vorm)
    filters += _vorm_condition(query, reading=True)
    exact = total <= COUNT_LIMIT
    per_page = query.per_pagina
    pages = max(1, math.ceil(total / per_page)) if exact else None
    buckets, descending = _buckets(session, query)
    streams = streams_of(tab)
    page: int | None
    if query.voor or query.na:
        key = "voor" if query.voor else "na"
        backwards = bool(query.voor)
        after = None if query.voor == END else _decode(key, query.voor or query.na, query.sorteer, buckets)
        rows = _read(session, streams, filters, buckets, descending, backwards=backwards, after=after,
                     limit=per_page + 1)
        more = len(rows) > per_page
        rows = rows[:per_page]
        if backwards:
            rows.reverse()
        if after is None:  # the last page
            page = pages
        elif after.page is None:
            page = None
        else:
            page = max(1, after.page - 1) if backwards else after.page + 1
        has_before, has_after = (more, after is not None) if backwards else (True, more)
        query = replace(query, tab=tab, pagina=page or 1)
    else:
        if not exact and (query.pagina - 1) * per_page >= COUNT_LIMIT:
            raise ValidationFailed("Een of meer filters zijn ongeldig.", {"pagina": (
                f"Paginanummers gaan tot de eerste {COUNT_LIMIT} taken; blader verder met volgende of laatste."
            )})
        page = min(query.pagina, pages) if pages is not None else query.pagina
        skip = (page - 1) * per_page
        rows = _read(session, streams, filters, buckets, descending, backwards=False, after=None,
                     limit=skip + per_page + 1)
        more = len(rows) > skip + per_page
        rows = rows[skip:skip + per_page]
        has_before, has_after = page > 1, more
        query = replace(query, tab=tab, pagina=page)
    items = _items(session, now, [row[1][0] for row in rows])
    links = _links(query, rows, page=page, pages=pages, has_before=has_before and bool(rows),
                   has_after=has_after and bool(rows))
    found = find_case(session, actor=actor, kenmerk=query.kenmerk) if query.kenmerk else None
    return Worklist(query=query, items=items, total=total if exact else COUNT_LIMIT, pages=pages, counts={
        name: min(count, COUNT_LIMIT) for name, count in counts.items()}, found_case=found, exact=exact,
        counts_exact={name: count <= COUNT_LIMIT for name, count in counts.items()}, page=page, links=links)


def _links(query: WorklistQuery, rows: list[tuple[_Bucket, Any]], *, page: int | None, pages: int | None,
           has_before: bool, has_after: bool) -> dict[str, dict[str, str] | None]:
    """First, previous, next and last page as parameters: page numbers while the count is exact, positions
    (keyset) beyond it, so every task can be reached by following links, at the same cost on every page."""
    plain = {"na": "", "voor": ""}
    numbered = pages is not None and page is not None
    first = query.params(pagina=1, **plain)
    links: dict[str, dict[str, str] | None] = {"first": first, "previous": None, "next": None, "last": None}
    if numbered:
        assert page is not None and pages is not None
        links["last"] = query.params(pagina=pages, **plain)
        if page > 1:
            links["previous"] = query.params(pagina=page - 1, **plain)
        if page < pages:
            links["next"] = query.params(pagina=page + 1, **plain)
        return links
    links["last"] = query.params(pagina=1, na="", voor=END)
    if has_before and rows:
        bucket, row = rows[0]
        links["previous"] = query.params(pagina=1, na="", voor=_encode(query.sorteer, bucket, row, page))
    if has_after and rows:
        bucket, row = rows[-1]
        links["next"] = query.params(pagina=1, voor="", na=_encode(query.sorteer, bucket, row, page))
    return links


def _items(session: Session, now: datetime, ids: list[int]) -> list[WorkItem]:
    """The page's rows with their case, process and holder, in the order of ``ids``."""
    if not ids:
        return []
    rows = session.execute(
        select(HumanTask, Case, ProcessDefinition.process_id, ProcessDefinition.name, Organisation.name,
               User.display_name).select_from(HumanTask)
        .join(Case, HumanTask.instance_id == Case.id)
        .join(ProcessDefinition, Case.definition_id == ProcessDefinition.id)
        .join(Organisation, Case.organisation_id == Organisation.id)
        .outerjoin(User, User.id == HumanTask.assignee_id)
        .where(HumanTask.id.in_(ids))
    ).all()
    by_id = {row[0].id: row for row in rows}
    items = []
    for task, case, process_id, process_name, gemeente, holder in (by_id[i] for i in ids if i in by_id):
        items.append(WorkItem(
            task=task, reference=reference(case), process_id=process_id, process_name=process_name or process_id,
            vorm=case.vorm, gemeente=gemeente, case_status=case.status,
            due=due_state(task.due_at, now) if task.state == TaskState.READY else None,
            acuut=case.acuut, assignee_name=holder if task.assignee_id is not None else None))
    return items


def find_case(session: Session, *, actor: Actor, kenmerk: str) -> FoundCase | None:
    """The case with this reference, only if the actor may see it: others find nothing, not even a hint."""
    conditions = _case_named(kenmerk.strip().upper())
    if not conditions:
        return None
    case = session.scalar(select(Case).where(*conditions, access.case_filter(actor)))
    return FoundCase(id=case.id, reference=reference(case)) if case is not None else None


def filter_options(session: Session, *, actor: Actor) -> FilterOptions:
    """Choices for the gemeente and process filters: the gemeenten of the actor's region (all when
    the actor's organisation has none) and every deployed process under its newest name."""
    own = session.get(Organisation, actor.organisation_id) if actor.organisation_id else None
    gemeenten = select(Organisation.slug, Organisation.name).where(Organisation.kind == "gemeente")
    if own is not None and own.region:
        gemeenten = gemeenten.where(Organisation.region == own.region)
    names: dict[str, str] = {}
    for process_id, name in session.execute(
        select(ProcessDefinition.process_id, ProcessDefinition.name)
        .order_by(ProcessDefinition.process_id, ProcessDefinition.version.desc())
    ):
        names.setdefault(process_id, name or process_id)
    return FilterOptions(
        gemeenten=[(slug, name) for slug, name in session.execute(gemeenten.order_by(Organisation.name))],
        processen=sorted(names.items(), key=lambda item: item[1].lower()),
    )
