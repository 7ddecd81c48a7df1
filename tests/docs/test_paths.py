"""The documentation names files and folders that exist: a module that moves takes its docs along.

README.md, SECURITY.md and docs/*.md point newcomers at code (`engine/cases/step.py`,
`tests/docs/test_add_a_region.py`); after a restructuring such a pointer must not lead nowhere.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", ROOT / "SECURITY.md", *sorted((ROOT / "docs").glob("*.md"))]
TOP = ("engine/", "webapp/", "scheduler/", "signaalroute/", "tests/", "processes/", "forms/", "docs/", "bench/",
       "scripts/")
BUILT = ("webapp/static/vendor/",)  # made by `make assets`, never committed
# `path`, `path:function`, `path::test`; not routes (/beheer/…), not patterns (<slug>, *, …).
CODE_SPAN = re.compile(r"`([^`\s]+)`")


def named_paths(text: str) -> set[str]:
    paths = set()
    for span in CODE_SPAN.findall(text):
        path = re.split(r"::|:(?=[A-Za-z_])", span)[0].removeprefix("../")
        if path.startswith(TOP) and not path.startswith(BUILT) and not re.search(r"[<>*…{}]", path):
            paths.add(path.rstrip("."))
    return paths


def test_the_check_reads_the_paths_a_document_names():
    text = "see `engine/cases/step.py`, `tests/cli/test_cli.py::test_x`, `processes/regions/<slug>.toml`, `/beheer`"
    assert named_paths(text) == {"engine/cases/step.py", "tests/cli/test_cli.py"}


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_every_path_a_document_names_exists(document):
    missing = sorted(p for p in named_paths(document.read_text(encoding="utf-8")) if not (ROOT / p).exists())
    assert missing == [], f"{document.relative_to(ROOT)} names paths that do not exist: {missing}"
