"""Parse and check a bundle of BPMN/DMN files before it may be deployed.

A bundle is what one deployment stores: the uploaded files plus any earlier-deployed files its
call activities and decisions need. :func:`load_bundle` turns trusted stored bytes into specs;
:func:`check_bundle` does the same for untrusted uploads and collects every problem it finds,
each located by file, line and element id, so a modeller can fix them all in one go.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.service_task import ServiceTask
from SpiffWorkflow.dmn.specs.business_rule_task_mixin import BusinessRuleTaskMixin
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from engine.accounts.roles import Role, role_for_lane
from engine.workflow import decision_routes, model_messages, sandbox
from engine.workflow.completion import completion_problems
from engine.workflow.errors import ModelInvalid, ModelProblem
from engine.workflow.xml import BPMN_NS as BPMN_NS  # re-exported: the namespaces live with the XML rules
from engine.workflow.xml import DMN_NAMESPACES as DMN_NAMESPACES
from engine.workflow.xml import is_model_filename, model_kind, parse_untrusted_xml

FORM_PROPERTY = "formJsonSchemaFilename"
INSTRUCTIONS_EXTENSION = "instructionsForEndUser"
DEFAULT_MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class SourceFile:
    filename: str
    content: bytes

    @property
    def kind(self) -> str:
        """``bpmn`` or ``dmn`` by the root element, whatever the name ends in (``.bpmn20.xml``, ``.xml``)."""
        return model_kind(self.content)


@dataclass
class Bundle:
    """Parsed files: the SpiffWorkflow parser plus where each element id lives."""

    parser: SpiffBpmnParser
    locations: dict[str, tuple[str, int | None]] = field(default_factory=dict)
    process_names: dict[str, str] = field(default_factory=dict)
    # (sourceRef, targetRef) -> sequence flow id, so a condition's problem lands on its own flow
    flows: dict[tuple[str, str], str] = field(default_factory=dict)
    roots: list[tuple[str, etree._Element]] = field(default_factory=list)
    # lane name -> lane id, and the lanes whose unknown role was reported: once per lane, on the lane
    lanes: dict[str, str] = field(default_factory=dict)
    reported_lanes: set[str] = field(default_factory=set)

    @property
    def executable_process_ids(self) -> list[str]:
        """Processes a case can start: SpiffWorkflow also lists every embedded sub-process as a process,
        but that one only runs inside its parent and is deployed with it, never as a definition of its own."""
        return [pid for pid in self.parser.get_process_ids()
                if etree.QName(self.parser.process_parsers[pid].node).localname == "process"]

    def missing_processes(self) -> set[str]:
        """Called elements no file of the bundle defines (to be resolved from earlier deployments)."""
        defined = set(self.parser.process_parsers)
        return {p for p in self.parser.get_process_dependencies() if p and p not in defined}

    def missing_decisions(self) -> set[str]:
        return {d for d in self.parser.get_dmn_dependencies() if d and d not in self.parser.dmn_parsers}

    def specs(self, process_id: str) -> tuple[Any, dict[str, Any]]:
        """The process spec and the specs of every subprocess/call activity it may run."""
        spec = self.parser.get_spec(process_id)
        return spec, self.parser.get_subprocess_specs(process_id)

    def problem(self, message: str, element_id: str | None = None, file: str | None = None) -> ModelProblem:
        where = self.locations.get(element_id or "", (file, None))
        return ModelProblem(message, file=where[0] or file, line=where[1], element_id=element_id)


NOT_A_MODEL = "Bestand is geen BPMN 2.0- of DMN-model (het hoofdelement is geen bpmn:definitions of dmn:definitions)"


def _classify(root: etree._Element, source: SourceFile) -> str:
    """BPMN or DMN by the root element's namespace: other modelers' file names say little."""
    namespace = etree.QName(root).namespace
    if namespace == BPMN_NS:
        return "bpmn"
    if namespace in DMN_NAMESPACES:
        return "dmn"
    raise ModelInvalid([ModelProblem(NOT_A_MODEL, file=source.filename)])


def _problem_from_spiff(exc: Exception, bundle: Bundle, filename: str | None) -> ModelProblem:
    element_id = getattr(exc, "id", None) or None
    file = getattr(exc, "file_name", None) or filename
    line = getattr(exc, "line_number", None)
    where = bundle.locations.get(element_id or "")
    if where:
        file, line = where[0], where[1]
    message = str(exc.args[0]) if exc.args else str(exc)
    return ModelProblem(
        f"Model ongeldig: {model_messages.in_dutch(message)}", file=file, line=line if isinstance(line, int) else None,
        element_id=element_id,
    )


def _dmn_shape_problem(root: etree._Element, filename: str) -> ModelProblem | None:
    """What SpiffWorkflow's DMN parser would crash on (IndexError) instead of reporting.

    It reads the first ``decision`` of the file as the file's id and expects a decision table in
    it; without either it fails with a bare IndexError, at upload or only when the task is parsed.
    """
    decisions = [n for n in root if isinstance(n.tag, str) and etree.QName(n).localname == "decision"]
    if not decisions:
        return ModelProblem("Model ongeldig: Het DMN-bestand bevat geen beslissing", file=filename,
                            line=root.sourceline)
    for decision in decisions:
        if not any(isinstance(n.tag, str) and etree.QName(n).localname == "decisionTable" for n in decision):
            return ModelProblem("Model ongeldig: Deze beslissing heeft geen beslistabel (alleen beslistabellen "
                                "worden ondersteund)", file=filename, line=decision.sourceline,
                                element_id=decision.get("id"))
    return None


def load_bundle(files: Iterable[SourceFile], *, max_bytes: int = DEFAULT_MAX_BYTES,
                validate_schema: bool = True) -> Bundle:
    """Parse files into a :class:`Bundle`; raise :class:`ModelInvalid` on the first broken file."""
    bundle = Bundle(parser=SpiffBpmnParser(validator=VALIDATOR if validate_schema else None))
    problems: list[ModelProblem] = []
    for source in files:
        try:
            root = parse_untrusted_xml(source.content, source.filename, max_bytes)
            kind = _classify(root, source)
        except ModelInvalid as exc:
            problems.extend(exc.problems)
            continue
        for node in root.iter():
            node_id = node.get("id") if isinstance(node.tag, str) else None
            if node_id and node_id not in bundle.locations:
                bundle.locations[node_id] = (source.filename, node.sourceline)
            if isinstance(node.tag, str) and etree.QName(node).localname == "process" and node_id:
                bundle.process_names[node_id] = node.get("name") or node_id
            if isinstance(node.tag, str) and etree.QName(node).localname == "lane" and node_id:
                bundle.lanes.setdefault(" ".join((node.get("name") or "").split()), node_id)
            if isinstance(node.tag, str) and etree.QName(node).localname == "sequenceFlow" and node_id:
                bundle.flows.setdefault((node.get("sourceRef") or "", node.get("targetRef") or ""), node_id)
        bundle.roots.append((source.filename, root))
        if kind == "dmn" and (shape := _dmn_shape_problem(root, source.filename)) is not None:
            problems.append(shape)
            continue
        try:
            if kind == "bpmn":
                bundle.parser.add_bpmn_xml(root, source.filename)
            else:
                bundle.parser.add_dmn_xml(root, source.filename)
        except (ValidationException, SpiffWorkflowException, etree.LxmlError) as exc:
            problems.append(_problem_from_spiff(exc, bundle, source.filename))
    if problems:
        raise ModelInvalid(problems)
    return bundle


# --- checks on parsed specs ---------------------------------------------------------------


def _compile(bundle: Bundle, problems: list[ModelProblem], source: str | None, element_id: str,
             what: str, *, script: bool = False) -> None:
    if not source or not source.strip():
        return
    try:
        if script:
            sandbox.compile_script(source)
        else:
            sandbox.compile_expression(source)
    except sandbox.SandboxError as exc:
        # The problem carries the XML line of its element; a line inside the code is said apart, and
        # only for scripts of several lines (an expression is one line).
        where = f" (scriptregel {exc.line})" if script and exc.line and "\n" in source.strip() else ""
        problems.append(bundle.problem(f"{what} is ongeldig{where}: {exc.reason}", element_id))


def _check_timer(bundle: Bundle, problems: list[ModelProblem], definition: TimerEventDefinition,
                 element_id: str) -> None:
    expression = definition.expression or ""
    _compile(bundle, problems, expression, element_id, "Timerexpressie")
    if isinstance(definition, DurationTimerEventDefinition) and _calls_date_helper(expression):
        problems.append(bundle.problem(
            "Timerexpressie levert een datum op (werkdagen, kantooruren of nu); gebruik een datum-timer "
            "(timeDate) in plaats van een duur-timer", element_id))
        return
    try:
        literal = ast.literal_eval(expression)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return  # computed from case data; checked when it runs
    if not isinstance(literal, str):
        problems.append(bundle.problem("Timerexpressie levert geen ISO 8601-tekst op", element_id))
        return
    try:
        if isinstance(definition, CycleTimerEventDefinition):
            TimerEventDefinition.parse_iso_recurring_interval(literal)
        else:
            TimerEventDefinition.parse_time_or_duration(literal)
    except Exception:  # noqa: BLE001 - Spiff raises bare Exception for bad ISO text
        problems.append(
            bundle.problem(f"Timerexpressie {literal!r} is geen geldige ISO 8601-datum of -duur", element_id)
        )


DATE_HELPERS = frozenset({"werkdagen", "kantooruren", "nu"})


def _calls_date_helper(expression: str) -> bool:
    """True when the expression is a call of a helper that returns a moment, not a duration."""
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError:
        return False
    call = tree.body
    return isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in DATE_HELPERS


def _check_decision(bundle: Bundle, problems: list[ModelProblem], task_spec: Any) -> None:
    """Compile every cell the way SpiffWorkflow's DMN engine will combine it with its input."""
    table = task_spec.dmnEngine.decision_table
    for column in table.inputs:
        _compile(bundle, problems, column.expression, column.id, "Invoerexpressie van beslistabel")
    for rule in table.rules:
        for entry in rule.inputEntries:
            input_expression = entry.input.expression or "None"
            for cell in entry.lhs:
                if not cell or not cell.strip() or cell.strip() == "-":
                    continue
                if "?" in cell:
                    expression = cell.replace("?", "dmninputexpr")
                elif _plain(cell):
                    expression = f"({input_expression}) == ({cell})"
                elif cell.lstrip()[:1].isalpha():
                    # Spiff glues input and cell together ("vorm" + "in (...)" = "vormin (...)").
                    problems.append(bundle.problem(
                        f"Regel van beslistabel '{cell.strip()}': schrijf '? {cell.strip()}'", entry.id))
                    continue
                else:
                    expression = f"{input_expression}{cell}"
                _compile(bundle, problems, expression, entry.id, "Regel van beslistabel")
        for output in rule.outputEntries:
            _compile(bundle, problems, output.text, output.id, "Uitvoer van beslistabel")


def _plain(cell: str) -> bool:
    try:
        ast.parse(cell, mode="eval")
        return True
    except SyntaxError:
        return False


def bundle_spec_of(task_spec: Any) -> Any:
    """The workflow spec a task spec belongs to (SpiffWorkflow names it ``_wf_spec``)."""
    return getattr(task_spec, "_wf_spec", None)


def check_task_spec(bundle: Bundle, problems: list[ModelProblem], task_spec: Any,
                    form_exists: Callable[[str], bool]) -> None:
    """Everything we promise about one element: roles, forms and code that compiles."""
    element_id = getattr(task_spec, "bpmn_id", None) or task_spec.name
    lane = getattr(task_spec, "lane", None)
    if lane and role_for_lane(lane) is None and lane not in bundle.reported_lanes:
        # Once, on the lane: every task in it has the same cause, and the lane is where to fix it.
        bundle.reported_lanes.add(lane)
        lane_id = bundle.lanes.get(" ".join(str(lane).split()))
        problems.append(bundle.problem(f"Lane '{lane}' noemt geen bekende rol", lane_id or element_id))
    if isinstance(task_spec, ServiceTask):
        problems.append(bundle.problem("Servicetaken worden niet ondersteund", element_id))
    extensions = getattr(task_spec, "extensions", None) or {}
    form = (extensions.get("properties") or {}).get(FORM_PROPERTY)
    if form and not form_exists(form):
        problems.append(bundle.problem(f"Formulier '{form}' bestaat niet in forms/", element_id))
    for condition, target in getattr(task_spec, "cond_task_specs", []) or []:
        expression = condition.args[0] if condition is not None and getattr(condition, "args", None) else None
        if isinstance(expression, str):
            target_id = getattr(getattr(bundle_spec_of(task_spec), "task_specs", {}).get(target), "bpmn_id", target)
            flow_id = bundle.flows.get((element_id, str(target_id)), element_id)
            _compile(bundle, problems, expression, flow_id, "Voorwaarde")
    _compile(bundle, problems, getattr(task_spec, "script", None), element_id, "Script", script=True)
    _compile(bundle, problems, getattr(task_spec, "prescript", None), element_id, "Prescript", script=True)
    _compile(bundle, problems, getattr(task_spec, "postscript", None), element_id, "Postscript", script=True)
    definition = getattr(task_spec, "event_definition", None)
    if isinstance(task_spec, CatchingEvent) and isinstance(definition, TimerEventDefinition):
        _check_timer(bundle, problems, definition, element_id)
    if isinstance(task_spec, BusinessRuleTaskMixin):
        _check_decision(bundle, problems, task_spec)


def check_bundle(files: Iterable[SourceFile], *, form_exists: Callable[[str], bool],
                 max_bytes: int = DEFAULT_MAX_BYTES, resolve: Callable[[Bundle], None] | None = None) -> Bundle:
    """Parse untrusted files and run every deploy-time check; raise :class:`ModelInvalid` listing all.

    ``resolve`` may add earlier-deployed files for call activities and decisions the upload
    does not define itself; whatever is still missing afterwards is a problem.
    """
    files = list(files)
    names = [f.filename for f in files]
    problems: list[ModelProblem] = []
    for source in files:
        if not is_model_filename(source.filename):
            problems.append(ModelProblem("Alleen .bpmn-, .dmn- en .xml-bestanden (zoals .bpmn20.xml) kunnen "
                                         "worden geüpload", file=source.filename))
        if names.count(source.filename) > 1:
            problems.append(ModelProblem("Bestandsnaam komt dubbel voor", file=source.filename))
    if problems:
        raise ModelInvalid(problems)
    bundle = load_bundle(files, max_bytes=max_bytes)
    uploaded = list(bundle.roots)  # earlier deployments that ``resolve`` adds were checked when deployed
    if resolve is not None:
        resolve(bundle)
    # Everything below is collected and reported together: one "Controleren" shows every problem.
    for process_id in sorted(bundle.missing_processes()):
        problems.append(ModelProblem(f"Aangeroepen proces '{process_id}' is niet gevonden"))
    for decision_id in sorted(bundle.missing_decisions()):
        problems.append(ModelProblem(f"Beslissing '{decision_id}' is niet gevonden"))
    if not bundle.executable_process_ids and not problems:
        problems.append(ModelProblem("Het model bevat geen uitvoerbaar proces (isExecutable=\"true\")"))
    problems.extend(completion_problems(uploaded))
    problems.extend(decision_routes.unknown_outcomes(
        {pid: parser.node for pid, parser in bundle.parser.process_parsers.items()},
        {did: parser.node for did, parser in bundle.parser.dmn_parsers.items()}, bundle.problem))
    seen: set[int] = set()
    for process_id in bundle.executable_process_ids:
        try:
            spec, subprocess_specs = bundle.specs(process_id)
        except (ValidationException, SpiffWorkflowException) as exc:
            problems.append(_problem_from_spiff(exc, bundle, None))
            continue
        for each in [spec, *subprocess_specs.values()]:
            if each is None or id(each) in seen:
                continue
            seen.add(id(each))
            for task_spec in each.task_specs.values():
                check_task_spec(bundle, problems, task_spec, form_exists)
    if problems:
        raise ModelInvalid(_unique(problems))
    return bundle


def _unique(problems: list[ModelProblem]) -> list[ModelProblem]:
    return list(dict.fromkeys(problems))


def lane_role(task_spec: Any, default_role: Role) -> Role:
    lane = getattr(task_spec, "lane", None)
    return (role_for_lane(lane) if lane else None) or default_role


def task_form(task_spec: Any) -> str | None:
    extensions = getattr(task_spec, "extensions", None) or {}
    form = (extensions.get("properties") or {}).get(FORM_PROPERTY)
    return str(form) if form else None


def task_instructions(task_spec: Any) -> str | None:
    extensions = getattr(task_spec, "extensions", None) or {}
    text = extensions.get(INSTRUCTIONS_EXTENSION)
    return str(text) if text else None


__all__ = [
    "Bundle",
    "SourceFile",
    "check_bundle",
    "lane_role",
    "load_bundle",
    "task_form",
    "task_instructions",
]
