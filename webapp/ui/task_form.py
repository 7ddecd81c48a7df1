"""Render a task's JSON Schema as an HTML form on the server, and read the posted values back.

The single place that maps schema <-> fields (the macro ``velden`` in ``ui/_velden.html`` draws
them). Works without JavaScript. Field kinds: text, long text, choice (radio for up to five
options, otherwise a select; labels from ``oneOf: [{const, title}]``), multiple choice (an array
of such options, as checkboxes), yes/no, date, whole number, number, nested groups (an
``object`` with properties, drawn as a fieldset) and repeatable rows (an ``array`` of such
objects, one fieldset per row).

Posted names are the dotted paths JSON Schema validation reports errors on (``adres.straat``,
``personen.1.naam``), so a Dutch message lands on the field it is about. Rows are added and
removed by submit buttons (``actie=+rij:personen``, ``actie=-rij:personen.1``) that re-render the
page with what was typed, so no script is needed; each repeatable group posts its row count in
a hidden ``<path>.rijen`` field (array items are numbered, so that name never holds data).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

LONG_TEXT_FROM = 200  # maxLength above which a textarea fits better than a single line
RADIO_UP_TO = 5
MAX_ROWS = 50  # a hand-edited row count must not make the server draw thousands of rows
ROWS_SUFFIX = ".rijen"
ADD_ROW, REMOVE_ROW = "+rij:", "-rij:"


@dataclass
class Field:
    name: str  # posted name and error key: a dotted path such as "personen.0.naam"
    label: str
    kind: str  # text | textarea | radio | select | checkboxes | boolean | date | integer | number | group | rows
    required: bool
    help: str | None = None
    options: list[tuple[str, str]] = field(default_factory=list)  # (value, Dutch label)
    key: str = ""  # the property name within its object
    children: list[Field] = field(default_factory=list)  # group: its fields
    rows: list[list[Field]] = field(default_factory=list)  # rows: the fields of each row
    row_label: str = ""  # rows: "Persoon" -> legends "Persoon 1", "Persoon 2"
    min_rows: int = 0
    max_rows: int = MAX_ROWS

    @property
    def can_add_row(self) -> bool:
        return len(self.rows) < self.max_rows

    @property
    def can_remove_row(self) -> bool:
        return len(self.rows) > max(self.min_rows, 1)


@dataclass
class FormState:
    """A form as the page shows it after a POST: fields (with their rows), what was typed, and
    either typed data plus problems (a completing submit) or ``row_action`` (a row was added or
    removed: nothing to validate yet)."""

    fields: list[Field]
    unsupported: list[str]
    values: dict[str, Any]
    data: dict[str, Any] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    row_action: bool = False
    focus: str | None = None  # the first field of a row just added, for autofocus


def _options(prop: dict[str, Any]) -> list[tuple[str, str]]:
    """Choices with their labels: ``oneOf`` of ``{const, title}`` (JSON Schema's own way), or a bare ``enum``."""
    if isinstance(prop.get("oneOf"), list) and all(isinstance(o, dict) and "const" in o for o in prop["oneOf"]):
        return [(str(o["const"]), str(o.get("title") or o["const"])) for o in prop["oneOf"]]
    return [(str(v), str(v)) for v in prop.get("enum", [])]


def _is_group(prop: dict[str, Any]) -> bool:
    return prop.get("type") == "object" and isinstance(prop.get("properties"), dict)


def _kind(prop: dict[str, Any]) -> str | None:
    kind = prop.get("type")
    items = prop.get("items") or {}
    if kind == "array" and _options(items):
        return "checkboxes"
    if kind == "array" and _is_group(items):
        return "rows"
    if _is_group(prop):
        return "group"
    if kind == "string" and _options(prop):
        return "radio" if len(_options(prop)) <= RADIO_UP_TO else "select"
    if kind == "string":
        if prop.get("format") == "date":
            return "date"
        if _unsupported_string(prop):
            return None  # a file (format: binary), a date-time, ...: never silently a text box
        return "textarea" if int(prop.get("maxLength", 0)) > LONG_TEXT_FROM else "text"
    if kind in ("boolean", "integer", "number"):
        return str(kind)
    return None


def _unsupported_string(prop: dict[str, Any]) -> str | None:
    """What of a string property this renderer cannot draw faithfully, as the schema says it."""
    if prop.get("format") not in (None, "date"):
        return f"format: {prop.get('format')}"
    for keyword in ("contentEncoding", "contentMediaType"):
        if prop.get(keyword):
            return f"{keyword}: {prop.get(keyword)}"
    return None


def _why(prop: dict[str, Any]) -> str:
    """The reason a property is not drawn, for the modeller: its type, or the string feature we lack."""
    if prop.get("type") == "string":
        return _unsupported_string(prop) or "type: string"
    kind = prop.get("type")
    return f"type: {kind}" if kind else "geen type"


def fields_of(schema: dict[str, Any], counts: Mapping[str, int] | None = None) -> tuple[list[Field], list[str]]:
    """The fields in schema order, and the names of properties this renderer cannot show.

    ``counts`` gives the number of rows of each repeatable group by path; without it a group
    shows ``minItems`` rows, and at least one so the fields are there to fill in.
    """
    unsupported: list[str] = []
    return _fields(schema, "", counts or {}, unsupported), unsupported


def _fields(schema: dict[str, Any], prefix: str, counts: Mapping[str, int], unsupported: list[str]) -> list[Field]:
    required = set(schema.get("required", []))
    fields = []
    for key, prop in (schema.get("properties") or {}).items():
        name = f"{prefix}{key}"
        kind = _kind(prop)
        if kind is None:
            unsupported.append(f"{name} ({_why(prop) if isinstance(prop, dict) else 'geen schema'})")
            continue
        spec = Field(name=name, key=key, label=str(prop.get("title") or key), kind=kind, required=key in required,
                     help=prop.get("description"))
        if kind == "checkboxes":
            spec.options = _options(prop.get("items") or {})
        elif kind in ("radio", "select"):
            spec.options = _options(prop)
        elif kind == "group":
            spec.children = _fields(prop, f"{name}.", counts, unsupported)
        elif kind == "rows":
            items = prop["items"]
            spec.min_rows = int(prop.get("minItems", 0))
            spec.max_rows = min(int(prop.get("maxItems", MAX_ROWS)), MAX_ROWS)
            spec.row_label = str(items.get("title") or "Rij")
            wanted = counts.get(name, max(spec.min_rows, 1))
            spec.rows = [_fields(items, f"{name}.{i}.", counts, unsupported)
                         for i in range(max(0, min(wanted, spec.max_rows)))]
        fields.append(spec)
    return fields


def flat(fields: list[Field], context: str = "") -> list[Field]:
    """Every field at any depth, labelled with its groups ("Persoon 2: Naam"), for the error summary."""
    found = []
    for spec in fields:
        label = f"{context}{spec.label}"
        found.append(replace(spec, label=label))
        if spec.kind == "group":
            found += flat(spec.children, f"{label}: ")
        for number, row in enumerate(spec.rows, start=1):
            found += flat(row, f"{spec.row_label} {number}: ")
    return found


def _scalar(spec: Field, form: Any) -> tuple[Any, str | None]:
    """The typed value of one posted field (None when left empty), or a Dutch problem."""
    if spec.kind == "checkboxes":
        chosen = [v.strip() for v in form.getlist(spec.name) if v.strip()]
        return (chosen or None), None
    raw = (form.get(spec.name) or "").strip()
    if raw == "":
        return None, None  # absent: the schema decides whether that is allowed
    if spec.kind == "boolean":
        return (raw == "ja", None) if raw in ("ja", "nee") else (None, "Kies ja of nee.")
    if spec.kind == "integer":
        try:
            return int(raw), None
        except ValueError:
            return None, "Vul een geheel getal in."
    if spec.kind == "number":
        try:
            return float(raw.replace(",", ".")), None
        except ValueError:
            return None, "Vul een getal in."
    return raw, None


def _blank(form: Any, prefix: str) -> bool:
    """Nothing typed or chosen in this row (its hidden row counts do not count)."""
    return not any(
        key.startswith(prefix) and not key.endswith(ROWS_SUFFIX) and any(v.strip() for v in form.getlist(key))
        for key in form
    )


@dataclass
class _Reading:
    form: Any
    compact: bool  # drop blank rows and renumber the others, as the data sent for validation
    problems: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def read(self, fields: list[Field], target: str) -> dict[str, Any]:
        """Typed data of these fields; ``target`` is their path once blank rows are dropped."""
        data: dict[str, Any] = {}
        for spec in fields:
            name = f"{target}{spec.key}"
            if spec.kind == "group":
                inner = self.read(spec.children, f"{name}.")
                if inner:
                    data[spec.key] = inner
            elif spec.kind == "rows":
                rows = []
                for number, row in enumerate(spec.rows):
                    if self.compact and _blank(self.form, f"{spec.name}.{number}."):
                        continue
                    rows.append(self.read(row, f"{name}.{len(rows)}."))
                self.counts[name] = len(spec.rows)
                if rows:
                    data[spec.key] = rows
            else:
                self.values[name] = (self.form.getlist(spec.name) if spec.kind == "checkboxes"
                                     else self.form.get(spec.name, ""))
                value, problem = _scalar(spec, self.form)
                if problem:
                    self.problems[name] = problem
                elif value is not None:
                    data[spec.key] = value
        return data


def read_values(fields: list[Field], form: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """Posted strings -> typed data for the service, plus Dutch messages for values we cannot read.

    Blank rows are left out and the others renumbered; use :func:`from_post` to show the form
    again in that same numbering, so messages on ``personen.0.naam`` sit on the right row.
    """
    reading = _Reading(form, compact=True)
    return reading.read(fields, ""), reading.problems


def posted_values(fields: list[Field], form: Any) -> dict[str, Any]:
    """What the user typed, to show again when validation fails (lists for checkboxes)."""
    reading = _Reading(form, compact=True)
    reading.read(fields, "")
    return reading.values


def _posted_counts(form: Any) -> dict[str, int]:
    counts = {}
    for key in form:
        raw = (form.get(key) or "").strip()
        if key.endswith(ROWS_SUFFIX) and (raw.isascii() and raw.isdigit()):
            counts[key[: -len(ROWS_SUFFIX)]] = min(int(raw), MAX_ROWS)
    return counts


def _renumber(mapping: dict[str, Any], path: str, removed: int) -> dict[str, Any]:
    """Keys under ``path.<removed>.`` dropped, those of later rows moved up one."""
    result = {}
    prefix = f"{path}."
    for key, value in mapping.items():
        if not key.startswith(prefix):
            result[key] = value
            continue
        number, _, rest = key[len(prefix):].partition(".")
        if not (number.isascii() and number.isdigit()) or int(number) < removed:
            result[key] = value
        elif int(number) > removed:
            result[f"{prefix}{int(number) - 1}.{rest}"] = value
    return result


def from_post(schema: dict[str, Any], form: Any, action: str = "") -> FormState:
    """Read a POST of the task form: either a row action (re-render, nothing validated) or a submit."""
    posted = _posted_counts(form)
    fields, unsupported = fields_of(schema, posted)
    if action.startswith((ADD_ROW, REMOVE_ROW)):
        reading = _Reading(form, compact=False)
        reading.read(fields, "")
        values, counts = reading.values, reading.counts
        focus = None
        if action.startswith(ADD_ROW):
            path = action[len(ADD_ROW):]
            counts[path] = counts.get(path, 0) + 1
            focus = f"{path}.{counts[path] - 1}."
        else:
            path, _, number = action[len(REMOVE_ROW):].rpartition(".")
            if (number.isascii() and number.isdigit()) and path in counts:
                values = _renumber(values, path, int(number))
                counts = {**_renumber(counts, path, int(number)), path: max(counts[path] - 1, 0)}
        fields, unsupported = fields_of(schema, counts)
        first = next((f.name for f in flat(fields) if focus and f.name.startswith(focus) and f.kind not in
                      ("group", "rows")), None)
        return FormState(fields, unsupported, values, row_action=True, focus=first)
    reading = _Reading(form, compact=True)
    data = reading.read(fields, "")
    fields, unsupported = fields_of(schema, reading.counts)
    return FormState(fields, unsupported, reading.values, data=data, problems=reading.problems)
