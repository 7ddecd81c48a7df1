"""The werkbak: tabs, filters, sorting and paging over the task index, for the web page and the API.

One service answers both the werkbak page and ``GET /api/v1/tasks`` from the same query
parameters, so a werkbak address's query string means the same to a program (API parity). It
reads the index tables only (decision 4), never workflow state. Who sees which task is decided by
:func:`engine.access.worklist_filter`: "Mijn taken" holds what the actor has in hand (or did), "Taken van
mijn team" every open task of the actor's role in their organisation, with who holds it (issue 13).
By default acute signals come first, then the earliest due date: someone in danger never waits behind
a routine task.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from engine import access
from engine.accounts.actors import Actor
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
_Row = TypeVar("_Row", bound=tuple[Any, ...])
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

    def params(self, **changes: Any) -> dict[str, str]:
        """The parameters that differ from the defaults, for links (tabs, pages) and saved filters.

        A chosen tab is always named (the API and the page default differently); AUTO never is.
        """
        defaults = asdict(WorklistQuery())
        values = asdict(replace(self, **changes))
        return {key: str(value) for key, value in values.items()
                if value not in (None, "", AUTO) and (value != defaults[key] or key == "tab")}

    def filter_params(self) -> dict[str, str]:
        return {key: value for key, value in self.params().items() if key in FILTER_KEYS}

    @property
    def filtered(self) -> bool:
        """True when a filter narrows the tab (sorting and paging do not count)."""
        narrowing = set(self.params()) - {"tab", "sorteer", "pagina", "per_pagina", "werkdagen"}
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
    total: int
    pages: int
    counts: dict[str, int]
    found_case: FoundCase | None = None

    @property
    def first(self) -> int:
        return (self.query.pagina - 1) * self.query.per_pagina + 1


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
    )
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


def _conditions(actor: Actor, now: datetime, query: WorklistQuery) -> list[ColumnElement[bool]]:
    """Every filter except the tab, on top of what the actor may see at all."""
    conditions: list[ColumnElement[bool]] = [access.worklist_filter(actor)]
    if query.status in _TASK_STATES:
        conditions.append(HumanTask.state == _TASK_STATES[query.status])
    if query.zaakstatus:
        conditions.append(Case.status == _CASE_STATES[query.zaakstatus])
    if query.vorm == "onbekend":
        conditions.append(or_(Case.vorm == "onbekend", Case.vorm.is_(None)))
    elif query.vorm:
        conditions.append(Case.vorm == query.vorm)
    if query.gemeente:
        conditions.append(Organisation.slug == query.gemeente)
    if query.proces:
        conditions.append(ProcessDefinition.process_id == query.proces)
    if query.termijn == "te_laat":
        conditions.append(HumanTask.due_at <= now)
    elif query.termijn == "binnenkort":
        until = default_calendar().add_working_days(now, query.werkdagen)
        conditions += [HumanTask.due_at > now, HumanTask.due_at <= until]
    elif query.termijn == "geen":
        conditions.append(HumanTask.due_at.is_(None))
    if query.kenmerk:
        conditions += _case_named(query.kenmerk)
    if query.instance_id is not None:
        conditions.append(HumanTask.instance_id == query.instance_id)
    return conditions


def _tab_condition(actor: Actor, tab: str) -> list[ColumnElement[bool]]:
    if tab == MIJN:  # held by me, or done by me without claiming it first
        return [or_(HumanTask.assignee_id == actor.user_id, HumanTask.completed_by_id == actor.user_id)]
    if tab == TEAM:  # the team's tasks, free or in a colleague's (or my) hands; within worklist_filter
        team = access.team_of(actor)
        if team is None:
            return [HumanTask.id.is_(None)]
        return [HumanTask.role == team[0], HumanTask.organisation_id == team[1]]
    return []


def _joined(statement: Select[_Row]) -> Select[_Row]:
    return (statement.join(Case, HumanTask.instance_id == Case.id)
            .join(ProcessDefinition, Case.definition_id == ProcessDefinition.id)
            .join(Organisation, Case.organisation_id == Organisation.id))


def _count(session: Session, conditions: list[ColumnElement[bool]]) -> int:
    return session.scalar(_joined(select(func.count(HumanTask.id)).select_from(HumanTask)).where(*conditions)) or 0


_ORDER: dict[str, tuple[Any, ...]] = {
    "termijn": (Case.acuut.desc(), HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.created_at,
                HumanTask.id),
    "nieuwste": (HumanTask.created_at.desc(), HumanTask.id.desc()),
    "oudste": (HumanTask.created_at, HumanTask.id),
    "proces": (ProcessDefinition.name, HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.id),
}


def search(session: Session, *, actor: Actor, now: datetime, query: WorklistQuery) -> Worklist:
    """One page of the actor's tasks in the chosen tab, with the count of each tab under the same filters."""
    base = _conditions(actor, now, query)
    counts = {tab: _count(session, base + _tab_condition(actor, tab)) for tab in TABS}
    tab = query.tab
    if tab == AUTO:
        tab = MIJN if counts[MIJN] else TEAM
    total = counts[tab] if tab in counts else _count(session, base)
    pages = max(1, math.ceil(total / query.per_pagina))
    query = replace(query, tab=tab, pagina=min(query.pagina, pages))
    statement = _joined(select(HumanTask, Case, ProcessDefinition.process_id, ProcessDefinition.name,
                               Organisation.name, User.display_name).select_from(HumanTask))
    rows = session.execute(
        statement.outerjoin(User, User.id == HumanTask.assignee_id)
        .where(*base, *_tab_condition(actor, tab)).order_by(*_ORDER[query.sorteer])
        .limit(query.per_pagina).offset((query.pagina - 1) * query.per_pagina)
    ).all()
    items = [
        WorkItem(task=task, reference=reference(case), process_id=process_id, process_name=process_name or process_id,
                 vorm=case.vorm, gemeente=gemeente, case_status=case.status,
                 due=due_state(task.due_at, now) if task.state == TaskState.READY else None,
                 acuut=case.acuut, assignee_name=holder if task.assignee_id is not None else None)
        for task, case, process_id, process_name, gemeente, holder in rows
    ]
    found = find_case(session, actor=actor, kenmerk=query.kenmerk) if query.kenmerk else None
    return Worklist(query=query, items=items, total=total, pages=pages, counts=counts, found_case=found)


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
