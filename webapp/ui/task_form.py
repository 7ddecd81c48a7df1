"""Render a task's JSON Schema as an HTML form on the server, and read the posted values back.

Works without JavaScript. Covers the field kinds our forms use today: text, long text, choice
(radio for up to five options, otherwise a select), yes/no, date, whole number and number.
Nested groups and repeatable rows are not rendered yet (the task page says so).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

LONG_TEXT_FROM = 200  # maxLength above which a textarea fits better than a single line
RADIO_UP_TO = 5


@dataclass
class Field:
    name: str
    label: str
    kind: str  # text | textarea | radio | select | boolean | date | integer | number
    required: bool
    help: str | None = None
    options: list[str] = field(default_factory=list)


def fields_of(schema: dict[str, Any]) -> tuple[list[Field], list[str]]:
    """The fields in schema order, and the names of properties this renderer cannot show."""
    required = set(schema.get("required", []))
    fields, unsupported = [], []
    for name, prop in (schema.get("properties") or {}).items():
        kind = _kind(prop)
        if kind is None:
            unsupported.append(name)
            continue
        fields.append(Field(name=name, label=str(prop.get("title") or name), kind=kind, required=name in required,
                            help=prop.get("description"), options=[str(v) for v in prop.get("enum", [])]))
    return fields, unsupported


def _kind(prop: dict[str, Any]) -> str | None:
    kind = prop.get("type")
    if "enum" in prop and kind == "string":
        return "radio" if len(prop["enum"]) <= RADIO_UP_TO else "select"
    if kind == "string":
        if prop.get("format") == "date":
            return "date"
        return "textarea" if int(prop.get("maxLength", 0)) > LONG_TEXT_FROM else "text"
    if kind in ("boolean", "integer", "number"):
        return str(kind)
    return None


def read_values(fields: list[Field], form: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """Posted strings -> typed data for the service, plus Dutch messages for values we cannot read."""
    data: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for spec in fields:
        raw = (form.get(spec.name) or "").strip()
        if raw == "":
            continue  # absent: the schema decides whether that is allowed
        if spec.kind == "boolean":
            if raw not in ("ja", "nee"):
                problems[spec.name] = "Kies ja of nee."
            else:
                data[spec.name] = raw == "ja"
        elif spec.kind == "integer":
            try:
                data[spec.name] = int(raw)
            except ValueError:
                problems[spec.name] = "Vul een geheel getal in."
        elif spec.kind == "number":
            try:
                data[spec.name] = float(raw.replace(",", "."))
            except ValueError:
                problems[spec.name] = "Vul een getal in."
        else:
            data[spec.name] = raw
    return data, problems
