"""Load task forms (JSON Schema files in ``forms/``) and validate submissions with Dutch messages."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,150}\.json$")
ROOT_FIELD = "_formulier"


def is_safe_name(name: str) -> bool:
    """A plain ``something.json`` file name: no directories, so no traversal."""
    return bool(_SAFE_NAME.fullmatch(name))


class FormRepository:
    """The forms directory. Names are plain file names: no paths, so no traversal."""

    def __init__(self, directory: Path):
        self.directory = directory

    def names(self) -> list[str]:
        """Every form file in the directory, sorted."""
        if not self.directory.is_dir():
            return []
        return sorted(p.name for p in self.directory.glob("*.json") if p.is_file() and is_safe_name(p.name))

    def path(self, name: str) -> Path | None:
        if not is_safe_name(name):
            return None
        candidate = self.directory / name
        return candidate if candidate.is_file() else None

    def exists(self, name: str) -> bool:
        return self.path(name) is not None

    def load(self, name: str) -> dict[str, Any]:
        path = self.path(name)
        if path is None:
            raise FileNotFoundError(name)
        return _load(str(path), path.stat().st_mtime_ns)

    def validate(self, name: str, data: dict[str, Any]) -> dict[str, str]:
        """Field name -> Dutch message for every problem; empty when the data are valid."""
        return validate_against(self.load(name), data)


@lru_cache(maxsize=256)
def _load(path: str, _mtime: int) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return schema


def _field_path(error: ValidationError) -> str:
    parts = [str(p) for p in error.absolute_path]
    if error.validator == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        parts.extend(missing[:1])
    return ".".join(parts) or ROOT_FIELD


def dutch_message(error: ValidationError) -> str:
    """One Dutch sentence per JSON Schema keyword; the English text never reaches a user."""
    kind = error.validator
    value = error.validator_value
    if kind == "required":
        return "Dit veld is verplicht."
    if kind == "type":
        names = {"string": "tekst", "integer": "een geheel getal", "number": "een getal",
                 "boolean": "ja of nee", "array": "een lijst", "object": "een groep velden", "null": "leeg"}
        wanted = value if isinstance(value, list) else [value]
        return "Vul " + " of ".join(names.get(str(w), str(w)) for w in wanted) + " in."
    if kind == "enum":
        return "Kies een van de mogelijke waarden: " + ", ".join(str(v) for v in value) + "."
    if kind == "oneOf" and isinstance(value, list) and all(isinstance(o, dict) and "const" in o for o in value):
        return "Kies een van de mogelijke waarden: " + ", ".join(str(o.get("title") or o["const"]) for o in value) + "."
    if kind == "uniqueItems":
        return "Kies elke waarde hoogstens één keer."
    if kind == "const":
        return f"Alleen de waarde {value!r} is toegestaan."
    if kind == "minLength":
        return "Dit veld is verplicht." if value == 1 else f"Vul minstens {value} tekens in."
    if kind == "maxLength":
        return f"Vul hoogstens {value} tekens in."
    if kind == "minimum":
        return f"Vul een getal van minstens {value} in."
    if kind == "maximum":
        return f"Vul een getal van hoogstens {value} in."
    if kind == "minItems":
        return f"Kies of vul minstens {value} in."
    if kind == "maxItems":
        return f"Kies of vul hoogstens {value} in."
    if kind == "pattern":
        return "De invoer heeft niet de juiste vorm."
    if kind == "format":
        formats = {"date": "Vul een geldige datum in (jjjj-mm-dd).", "email": "Vul een geldig e-mailadres in.",
                   "date-time": "Vul een geldige datum en tijd in.", "time": "Vul een geldige tijd in (uu:mm)."}
        return formats.get(str(value), "De invoer heeft niet de juiste vorm.")
    if kind == "additionalProperties":
        return "Dit formulier kent een of meer van de ingevulde velden niet."
    return "De invoer is ongeldig."


NUL_MESSAGE = "Tekst mag geen NUL-teken (\\u0000) bevatten."


def nul_fields(value: Any, path: str = "") -> list[str]:
    """Where a NUL character hides in the data: PostgreSQL cannot store it, SQLite would; refuse on both."""
    if isinstance(value, str):
        return [path or ROOT_FIELD] if "\x00" in value else []
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    return [found for key, item in items for found in nul_fields(item, f"{path}.{key}" if path else str(key))]


def validator_for(schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator(schema, format_checker=FormatChecker())


def validate_against(schema: dict[str, Any], data: dict[str, Any]) -> dict[str, str]:
    return validate_with(validator_for(schema), data)


def validate_with(validator: Draft202012Validator, data: dict[str, Any]) -> dict[str, str]:
    """Field -> Dutch message; a validator may be reused (it holds no state between calls)."""
    problems: dict[str, str] = dict.fromkeys(nul_fields(data), NUL_MESSAGE)
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        problems.setdefault(_field_path(error), dutch_message(error))
    return problems
