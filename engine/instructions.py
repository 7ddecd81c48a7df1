"""Fill a task's instructions with facts from the case's region profile.

Instructions in a model may name ``{{ regio.contacten.politie }}`` or ``{{ regio.overleg }}``; the
region's phone numbers and meeting name are filled in when the task is indexed, so a model is
shared between regions while each AF reads the numbers of their own partners. Only the ``regio``
part of the case data can be named: instructions never echo personal data of the case.
"""

from __future__ import annotations

import re
from typing import Any

_PLACEHOLDER = re.compile(r"\{\{\s*regio((?:\.[a-z_][a-z0-9_-]*)+)\s*\}\}")
UNKNOWN = "(niet opgenomen in het regioprofiel)"


def render_instructions(text: str | None, data: dict[str, Any]) -> str | None:
    if not text:
        return text
    regio = data.get("regio")

    def lookup(match: re.Match[str]) -> str:
        value: Any = regio
        for part in match.group(1).strip(".").split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return value if isinstance(value, str) and value else UNKNOWN

    return _PLACEHOLDER.sub(lookup, text)
