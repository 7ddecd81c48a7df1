"""Nesting depth of untrusted JSON, measured before it is parsed.

Python's parser recurses once per level, and so does every walk over the result (the NUL check in
:mod:`engine.modelling.forms`, jsonschema, the canonical dump of a case's data): a body nested a few hundred
levels deep raised ``RecursionError`` and answered 500. No form, filter or model of Signaalroute
needs more than a handful of levels, so deeper input is refused before anything recurses.
"""

from __future__ import annotations

import re
from itertools import accumulate

MAX_JSON_DEPTH = 64
TOO_DEEP_MESSAGE = f"De JSON is te diep genest: hoogstens {MAX_JSON_DEPTH} niveaus van objecten en lijsten."

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)  # unrolled: linear on long strings
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def json_depth(text: str | bytes) -> int:
    """The deepest nesting of objects and arrays in ``text`` (0 for a scalar), without parsing it.

    Brackets inside strings do not count; the text need not be valid JSON (the parser judges that).
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    brackets = _NOT_A_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(_STEP[b] for b in brackets), default=0)


def too_deep(text: str | bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    return json_depth(text) > limit
