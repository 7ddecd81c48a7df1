"""Outcomes of a decision table that the process calling it cannot route: found at deploy time, before a signal
takes that route and stalls.

A business rule task writes the table's output into the case data; an exclusive or inclusive gateway
downstream then splits on it (``route == "locatie"``). When the table can produce a value no
gateway condition names, that case silently takes the default path, or stops when there is none.
Reported at deploy, on the gateway, with the values it does know. The default path counts for the
value its target element or its label names (``anoniem_consult``), so a deliberate catch-all is known.
"""

from __future__ import annotations

import ast
import re
from typing import Any

from lxml import etree

from engine.workflow.errors import ModelProblem
from engine.workflow.xml import BPMN_NS

SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
_GATEWAYS = ("exclusiveGateway", "inclusiveGateway")


def _local(node: Any) -> str:
    return str(etree.QName(node).localname) if isinstance(node.tag, str) else ""


def _decision_outcomes(dmn_root: etree._Element, decision_id: str) -> dict[str, list[str]]:
    """Output name -> the literal text values its rules can produce, in rule order."""
    decision = next((d for d in dmn_root.iter() if _local(d) == "decision" and d.get("id") == decision_id), None)
    if decision is None:
        return {}
    table = next((t for t in decision.iter() if _local(t) == "decisionTable"), None)
    if table is None:
        return {}
    names = [o.get("name") or "" for o in table if _local(o) == "output"]
    outcomes: dict[str, list[str]] = {name: [] for name in names if name}
    for rule in (r for r in table if _local(r) == "rule"):
        for name, entry in zip(names, [e for e in rule if _local(e) == "outputEntry"], strict=False):
            text = "".join(entry.itertext()).strip()
            try:
                value = ast.literal_eval(text)
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                continue  # computed: not a fixed outcome
            if name and isinstance(value, str) and value not in outcomes[name]:
                outcomes[name].append(value)
    return outcomes


def _named_values(expression: str, variable: str) -> set[str] | None:
    """Strings the condition compares ``variable`` with; None when it does not mention the variable."""
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    mentions = any(isinstance(n, ast.Name) and n.id == variable for n in ast.walk(tree))
    values: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        operands = [node.left, *node.comparators]
        if not any(isinstance(o, ast.Name) and o.id == variable for o in operands):
            continue
        for operand in operands:
            if isinstance(operand, ast.Constant) and isinstance(operand.value, str):
                values.add(operand.value)
            elif isinstance(operand, ast.Tuple | ast.List | ast.Set):
                values |= {e.value for e in operand.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
    return values if mentions else None


def unknown_outcomes(processes: dict[str, etree._Element], decisions: dict[str, etree._Element],
                     locate: Any) -> list[ModelProblem]:
    """``processes``: process id -> process element; ``decisions``: decision id -> its DMN root.

    ``locate(message, element_id)`` turns a message into a located :class:`ModelProblem`.
    """
    problems: list[ModelProblem] = []
    for process in processes.values():
        flows = [f for f in process.iter(f"{{{BPMN_NS}}}sequenceFlow")]
        by_id = {f.get("id"): f for f in flows}
        for task in process.iter(f"{{{BPMN_NS}}}businessRuleTask"):
            called = next((c.text for c in task.iter(f"{{{SPIFF_NS}}}calledDecisionId")), None)
            root = decisions.get((called or "").strip())
            if root is None:
                continue
            for variable, values in _decision_outcomes(root, (called or "").strip()).items():
                for gateway in (g for g in process.iter() if _local(g) in _GATEWAYS):
                    known: set[str] = set()
                    mentioned = False
                    for flow in (f for f in flows if f.get("sourceRef") == gateway.get("id")):
                        condition = next((c for c in flow if _local(c) == "conditionExpression"), None)
                        named = _named_values("".join(condition.itertext()), variable) if condition is not None \
                            else None
                        if named is not None:
                            mentioned = True
                            known |= named
                    if not mentioned:
                        continue
                    default = by_id.get(gateway.get("default"))
                    if default is not None:
                        # The default path knows a value when it names it: its target, its label, or its
                        # documentation ("Standaard voor route politie_en_zoco"), which the modeller writes.
                        notes = " ".join("".join(d.itertext()) for d in default if _local(d) == "documentation")
                        named_by_default = {v for v in values if v in (default.get("targetRef"), default.get("name"))
                                            or re.search(rf"\b{re.escape(v)}\b", notes)}
                        # A default path that names no value is a catch-all the modeller chose: every other
                        # value goes there. One that names its values is checked against them.
                        known |= named_by_default or set(values)
                    for value in (v for v in values if v not in known):
                        label = gateway.get("name") or "zonder naam"
                        problems.append(locate(
                            f"Beslissing '{called}' kan '{variable}' = '{value}' opleveren, maar gateway "
                            f"'{label}' kent die waarde niet; hij kent: {', '.join(sorted(known)) or 'geen'}",
                            gateway.get("id")))
    return problems
