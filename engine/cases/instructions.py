"""Fill a task's instructions with facts from the case's region profile.

Instructions in a model may name ``{{ regio.contacten.politie }}`` or ``{{ regio.overleg }}``; the
region's phone numbers and meeting name are filled in when the task is indexed, so a model is
shared between regions while each AF reads the numbers of their own partners. Only the ``regio``
part of the case data can be named: instructions never echo personal data of the case.

A fact the profile lacks shows nothing: wrap the words around it in ``[[ … ]]`` and the whole
segment is left out ("Neem contact op[[: {{ regio.contacten.politie }}]]."). What a profile lacks
is for the beheerder's overview of the profile, not for the person doing the task, who cannot fix it.
"""

from __future__ import annotations

import re
from typing import Any

_PLACEHOLDER = re.compile(r"\{\{\s*regio((?:\.[a-z_][a-z0-9_-]*)+)\s*\}\}")
_OPTIONAL = re.compile(r"\[\[(.*?)\]\]", re.DOTALL)


def _value(regio: Any, path: str) -> str | None:
    value: Any = regio
    for part in path.strip(".").split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value if isinstance(value, str) and value else None


def render_instructions(text: str | None, data: dict[str, Any]) -> str | None:
    if not text:
        return text
    regio = data.get("regio")

    def optional(match: re.Match[str]) -> str:
        segment = match.group(1)
        if any(_value(regio, m.group(1)) is None for m in _PLACEHOLDER.finditer(segment)):
            return ""
        return segment

    text = _OPTIONAL.sub(optional, text)
    return _PLACEHOLDER.sub(lambda m: _value(regio, m.group(1)) or "", text)
