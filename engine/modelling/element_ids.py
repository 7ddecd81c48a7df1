"""Readable element ids: what a procesregisseur may call an element, and which ids must stay.

Ids end up in the diff, the replay and the audit trail, so ``verrijken`` beats ``Activity_1co9rst``.
An id must be an XML NCName (we allow its ASCII part: letters, digits, ``_``, ``-``, ``.``, not
starting with a digit, ``-`` or ``.``), unique in its file, and short enough to read. Renaming is
refused for an id where running cases of the process stand right now (a ready task, a waiting
timer): such a case could no longer be moved to the new version (a migration finds its place by
id); and for the few ids the runtime looks up itself (:data:`RUNTIME_IDS`). Deleting such an
element stays possible, as before: the cases keep their version.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.models import Case, HumanTask, ProcessDefinition, TaskState, Timer, TimerState
from engine.models.cases import CaseStatus
from engine.workflow.errors import ModelProblem
from engine.workflow.xml import parse_untrusted_xml

MAX_LENGTH = 64
# Ids the runtime itself looks up (engine/meetings): another id silently breaks the meeting.
RUNTIME_IDS = {
    "besluit_overleg": "het overleg vindt zijn besluit aan dit id",
    "verrijken": "het overleg leest de verrijking van deze taak aan dit id",
}
_NCNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_RUNNING = (CaseStatus.ACTIVE, CaseStatus.ERROR)
_DI = ("BPMNShape", "BPMNEdge", "BPMNPlane", "BPMNDiagram", "BPMNLabel")


def _cases(count: int) -> str:
    return "1 lopende zaak staat" if count == 1 else f"{count} lopende zaken staan"


def id_problem(new_id: str, *, current: str, taken: Iterable[str], in_use: Mapping[str, int]) -> str | None:
    """Why ``current`` may not become ``new_id``, in Dutch; None when it may."""
    if new_id == current:
        return None
    if not new_id:
        return "Geef een id."
    if len(new_id) > MAX_LENGTH:
        return f"Een id is hoogstens {MAX_LENGTH} tekens lang."
    if not _NCNAME.fullmatch(new_id):
        return ("Een id begint met een letter of _ en bevat alleen letters zonder accent, cijfers, _, - en . "
                "(geen spaties), bijvoorbeeld signaal_verrijken.")
    if new_id in set(taken):
        return f"Het id '{new_id}' bestaat al in dit model."
    if in_use.get(current):
        return (f"{_cases(in_use[current])} nu op '{current}'. Met een ander id kunnen zij niet naar de nieuwe "
                "versie worden verplaatst; laat het id staan tot die zaken verder zijn of gesloten.")
    if current in RUNTIME_IDS:
        return f"Signaalroute zoekt '{current}' zelf op ({RUNTIME_IDS[current]}); dit id blijft zo."
    return None


def propose(name: str, taken: Iterable[str]) -> str:
    """A readable, unique id from an element's name: "Signaal verrijken" -> ``signaal_verrijken``."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    base = re.sub(r"[^a-z0-9]+", "_", ascii_text).strip("_")[:40].rstrip("_") or "element"
    if not base[0].isalpha():
        base = f"stap_{base}"
    used = set(taken)
    candidate, number = base, 2
    while candidate in used:
        candidate, number = f"{base}_{number}", number + 1
    return candidate


def ids_in_use(session: Session, process_id: str) -> dict[str, int]:
    """Element id -> how many running cases of the process (any version) stand there now."""
    counts: dict[str, int] = {}
    for model, state_column, waiting in ((HumanTask, HumanTask.state, TaskState.READY),
                                         (Timer, Timer.state, TimerState.WAITING)):
        rows = session.execute(
            select(model.element_id, func.count(func.distinct(model.instance_id)))
            .join(Case, Case.id == model.instance_id)
            .join(ProcessDefinition, ProcessDefinition.id == Case.definition_id)
            .where(ProcessDefinition.process_id == process_id, Case.status.in_(_RUNNING), state_column == waiting)
            .group_by(model.element_id))
        for element_id, count in rows:
            counts[element_id] = counts.get(element_id, 0) + int(count)
    return counts


@dataclass(frozen=True)
class _Element:
    kind: str
    name: str


def _elements(content: bytes, max_bytes: int) -> dict[str, _Element]:
    root = parse_untrusted_xml(content, "model", max_bytes)
    found: dict[str, _Element] = {}
    for node in root.iter():
        if isinstance(node.tag, str) and node.get("id") and etree.QName(node).localname not in _DI:
            found.setdefault(str(node.get("id")), _Element(etree.QName(node).localname, node.get("name") or ""))
    return found


def renamed_in_use(old: bytes, new: bytes, in_use: Mapping[str, int], *, filename: str,
                   max_bytes: int) -> list[ModelProblem]:
    """Ids running cases stand on that the new file gives to an element under another id.

    A rename is an id that disappears while an element of the same type and name appears under a
    new id; an element that is simply deleted is no rename (its cases keep their version).
    """
    before, after = _elements(old, max_bytes), _elements(new, max_bytes)
    appeared = {element_id: element for element_id, element in after.items() if element_id not in before}
    problems = []
    for element_id in sorted(set(in_use) | set(RUNTIME_IDS)):
        element, count = before.get(element_id), in_use.get(element_id, 0)
        if element is None or element_id in after or not (count or element_id in RUNTIME_IDS):
            continue
        new_id = next((i for i, e in appeared.items() if e == element), None)
        if new_id is None:
            continue
        why = (f"{_cases(count)} nu op '{element_id}'. Geef het element zijn id terug tot die zaken verder zijn "
               "of gesloten." if count else
               f"Signaalroute zoekt '{element_id}' zelf op ({RUNTIME_IDS[element_id]}). Geef het zijn id terug.")
        problems.append(ModelProblem(f"'{element.name or element_id}' heeft een nieuw id ({new_id}), maar {why}",
                                     file=filename, element_id=new_id))
    return problems


__all__ = ["MAX_LENGTH", "RUNTIME_IDS", "id_problem", "ids_in_use", "propose", "renamed_in_use"]
