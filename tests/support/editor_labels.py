"""The English labels bpmn-js and dmn-js show, read from their own source in node_modules.

Written by hand, such a list would only hold what we already thought of; read from the libraries,
it grows with every upgrade and the tests then say which new string has no Dutch yet. Three
sources: literal ``translate('…')`` calls, the labels the libraries translate later
(``translate(entry.label)``: replace options, hit policies and their explanations), and the
validation messages and data types they pass through ``translate`` as values.
"""

from __future__ import annotations

import json
import re
import subprocess
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MODULES = ROOT / "node_modules"
PACKAGES = ("diagram-js", "diagram-js-direct-editing", "bpmn-js", "table-js", "dmn-js", "dmn-js-shared",
            "dmn-js-drd", "dmn-js-decision-table", "dmn-js-literal-expression", "dmn-js-boxed-expression")
# diagram-js-minimap is scanned too (see _source_files).
DICTIONARY = ROOT / "webapp" / "static" / "js" / "modelleren" / "vertaling.js"

_STRING = r"""(['"])((?:\\.|(?!\1).)*)\1"""
_CALL = re.compile(r"""(?<!['"\w.])(?:this\.)?_?translate\(\s*""" + _STRING)
_LABEL = re.compile(r"""\b(?:label|explanation|title)\s*:\s*""" + _STRING)
_RETURNED = re.compile(r"""\breturn\s+""" + _STRING)
_DATA_TYPES = re.compile(r"DEFAULT_DATA_TYPES\s*=\s*\[([^\]]*)\]")
# Labels translated where they are used, not where they are written.
_LATER = ("bpmn-js/lib/features/replace/ReplaceOptions.js", "bpmn-js/lib/features/popup-menu/PopupEntries.js",
          "dmn-js-drd/lib/features/replace/ReplaceOptions.js",
          "dmn-js-decision-table/lib/features/hit-policy/HitPolicies.js",
          "dmn-js-drd/lib/features/drill-down/DrillDown.js")
# Validation messages returned by helpers and translated by their callers.
_MESSAGES = ("dmn-js-decision-table/lib/features/simple-date-edit/Utils.js",
             "dmn-js-decision-table/lib/features/simple-date-time-edit/Utils.js",
             "dmn-js-decision-table/lib/features/simple-time-edit/Utils.js")
# A doc-comment example in diagram-js, not a label.
_NOT_LABELS = {"HELLO {you}"}


def _unescape(text: str) -> str:
    return text.replace("\\'", "'").replace('\\"', '"')


def _source_files() -> list[Path]:
    files: list[Path] = []
    for package in PACKAGES:
        lib = MODULES / package / "lib"
        files.extend(path for path in lib.rglob("*.js") if "test" not in path.parts)
    files.append(MODULES / "diagram-js-minimap" / "dist" / "index.esm.js")  # ships no lib/
    return files


@cache
def library_labels() -> frozenset[str]:
    """Every user-visible English string of the editors' libraries."""
    if not (MODULES / "bpmn-js" / "lib").is_dir():
        raise FileNotFoundError("node_modules ontbreekt: 'make assets' installeert het met npm ci.")
    labels: set[str] = set()
    for path in _source_files():
        text = path.read_text(encoding="utf-8", errors="ignore")
        labels.update(_unescape(m.group(2)) for m in _CALL.finditer(text))
    for relative in _LATER:
        labels.update(_unescape(m.group(2)) for m in _LABEL.finditer((MODULES / relative).read_text()))
    for relative in _MESSAGES:
        labels.update(_unescape(m.group(2)) for m in _RETURNED.finditer((MODULES / relative).read_text())
                      if " " in m.group(2))
    data_types = _DATA_TYPES.search((MODULES / "dmn-js-shared/lib/features/data-types/DataTypes.js").read_text())
    if data_types:
        labels.update(re.findall(r"'([^']+)'", data_types.group(1)))
    return frozenset(label for label in labels if label.strip() and label not in _NOT_LABELS)


@cache
def dutch_dictionary() -> dict[str, str]:
    """Our dictionary, read by running the same file the browser loads (in Node, no DOM needed)."""
    script = ("globalThis.window = globalThis; require(process.argv[1]);"
              "process.stdout.write(JSON.stringify(window.SignaalrouteVertaling.woorden));")
    out = subprocess.run(["node", "-e", script, str(DICTIONARY)], check=True, capture_output=True, text=True)
    words: dict[str, str] = json.loads(out.stdout)
    return words
