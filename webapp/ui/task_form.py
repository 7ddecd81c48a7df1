"""Render a task's JSON Schema as an HTML form on the server, and read the posted values back.

Works without JavaScript. Covers the field kinds our forms use today: text, long text, choice
(radio for up to five options, otherwise a select; labels from ``oneOf: [{const, title}]``),
multiple choice (an array of such options, as checkboxes), yes/no, date, whole number and number.
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
    kind: str  # text | textarea | radio | select | checkboxes | boolean | date | integer | number
    required: bool
    help: str | None = None
    options: list[tuple[str, str]] = field(default_factory=list)  # (value, Dutch label)


def _options(prop: dict[str, Any]) -> list[tuple[str, str]]:
    """Choices with their labels: ``oneOf`` of ``{const, title}`` (JSON Schema's own way), or a bare ``enum``."""
    if isinstance(prop.get("oneOf"), list) and all(isinstance(o, dict) and "const" in o for o in prop["oneOf"]):
        return [(str(o["const"]), str(o.get("title") or o["const"])) for o in prop["oneOf"]]
    return [(str(v), str(v)) for v in prop.get("enum", [])]


def fields_of(schema: dict[str, Any]) -> tuple[list[Field], list[str]]:
    """The fields in schema order, and the names of properties this renderer cannot show."""
    required = set(schema.get("required", []))
    fields, unsupported = [], []
    for name, prop in (schema.get("properties") or {}).items():
        kind = _kind(prop)
        if kind is None:
            unsupported.append(name)
            continue
        choices = _options(prop.get("items") or {}) if kind == "checkboxes" else _options(prop)
        fields.append(Field(name=name, label=str(prop.get("title") or name), kind=kind, required=name in required,
                            help=prop.get("description"), options=choices))
    return fields, unsupported


def _kind(prop: dict[str, Any]) -> str | None:
    kind = prop.get("type")
    if kind == "array" and _options(prop.get("items") or {}):
        return "checkboxes"
    if kind == "string" and _options(prop):
        return "radio" if len(_options(prop)) <= RADIO_UP_TO else "select"
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
        if spec.kind == "checkboxes":
            chosen = [v.strip() for v in form.getlist(spec.name) if v.strip()]
            if chosen:
                data[spec.name] = chosen
            continue
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


def posted_values(fields: list[Field], form: Any) -> dict[str, Any]:
    """What the user typed, to show again when validation fails (lists for checkboxes)."""
    return {f.name: form.getlist(f.name) if f.kind == "checkboxes" else form.get(f.name, "") for f in fields}
