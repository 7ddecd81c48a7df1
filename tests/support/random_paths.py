"""Valid random answers to a form: the random-path tests and bench/load.py walk routes with them."""

from __future__ import annotations

import random
from typing import Any


def random_answer(schema: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A valid submission: every field filled, a random choice wherever the form offers one."""
    data: dict[str, Any] = {}
    for name, prop in schema.get("properties", {}).items():
        options = [o["const"] for o in prop.get("oneOf", [])]
        if prop.get("type") == "array":
            items = [o["const"] for o in prop["items"].get("oneOf", [])]
            data[name] = rng.sample(items, k=rng.randint(1, len(items)))
        elif options:
            data[name] = rng.choice(options)
        elif prop.get("type") == "boolean":
            data[name] = rng.random() < 0.5
        elif prop.get("format") == "date":
            data[name] = "2026-03-05"
        else:
            data[name] = f"willekeurige tekst {rng.randint(0, 999)}"
    return data
