"""Write the section "Regels en waar ze staan" of processes/README.md: per source document, rule -> element -> test.

Run after changing a model: ``python -m scripts.bronnentabel``. ``tests/processes/test_citations.py`` fails
while the README differs from what this writes, so the table cannot drift from the models.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from engine.modelling import citations
from engine.workflow.xml import parse_untrusted_xml

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "processes" / "README.md"
HEADING = "## Regels en waar ze staan"
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
DMN = "{https://www.omg.org/spec/DMN/20191111/MODEL/}"
TITLES = {"000": "Oost-Brabant (gemeente Eersel), Bijlagen 1-5",
          "001": "Beleidsplan Aanpak Mensenhandel Fryslân, 2022",
          "002": "Wat moet je als ambtenaar OOV weten over de aanpak van mensenhandel? (landelijk)",
          "003": "Aanpak Mensenhandel Noord- en Midden-Limburg, 2022",
          "004": "Uitvoeringsplan mensenhandel Soest"}
MAX_TESTS = 2


@dataclass(frozen=True)
class Rule:
    model: str
    element: str
    name: str
    documentation: str


def _rules() -> Iterator[Rule]:
    for path in sorted((ROOT / "processes").glob("*.bpmn")) + sorted((ROOT / "processes").glob("*.dmn")):
        root = parse_untrusted_xml(path.read_bytes(), path.name, 5 * 1024 * 1024)
        processes = {p.get("id") for p in root.iter(f"{BPMN}process")}
        for element in root.iter():
            if not isinstance(element.tag, str) or element.get("id") in processes:
                continue
            if element.tag.startswith(DMN) and element.tag.removeprefix(DMN) == "rule":
                doc, outputs = element.find(f"{DMN}description"), element.findall(f"{DMN}outputEntry/{DMN}text")
                name = "route " + " ".join((o.text or "").strip() for o in outputs[:1])
            else:
                doc, name = element.find(f"{BPMN}documentation"), element.get("name") or ""
            if doc is not None and (doc.text or "").strip() and element.get("id"):
                yield Rule(path.name, element.get("id") or "", " ".join(name.split()), " ".join(doc.text.split()))


def _tests() -> dict[str, list[str]]:
    """Element id -> the process tests that name it (as a string literal)."""
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / "tests" / "processes").glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                for literal in ast.walk(node):
                    if isinstance(literal, ast.Constant) and isinstance(literal.value, str):
                        names = found.setdefault(literal.value, [])
                        test = f"`{path.name}::{node.name}`"
                        if test not in names:
                            names.append(test)
    return found


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def table() -> str:
    tests = _tests()
    by_doc: dict[str, list[str]] = {doc: [] for doc in citations.DOCUMENT_IDS}
    without: list[str] = []
    for rule in _rules():
        covering = ", ".join(tests.get(rule.element, [])[:MAX_TESTS]) or "geen processtest"
        refs = citations.references(rule.documentation)
        for doc in dict.fromkeys(doc for doc, _ in refs):
            where = "; ".join(dict.fromkeys(parts for d, parts in refs if d == doc and parts)) or "(heel document)"
            by_doc[doc].append(f"| {_cell(where)} | `{rule.model}` | `{rule.element}` | {_cell(rule.name)} | "
                               f"{covering} | {_cell(rule.documentation)} |")
        if not refs:
            without.append(f"| `{rule.model}` | `{rule.element}` | {_cell(rule.name)} | {covering} | "
                           f"{_cell(rule.documentation)} |")
    lines = [HEADING, "",
             "Per brondocument (`docs/bronnen/`): de vindplaats van de regel, het element dat haar uitvoert en de",
             "processtest die dat element doorloopt. Gegenereerd met `python -m scripts.bronnentabel`;",
             "`tests/processes/test_citations.py` controleert dat deze tabel bij de modellen past en dat elke",
             "vindplaats in het document bestaat.", ""]
    for doc, rows in by_doc.items():
        lines += [f"### {doc}: {TITLES[doc]}", ""]
        if rows:
            lines += ["| vindplaats | model | element | stap | test | regel en bron |",
                      "|---|---|---|---|---|---|", *rows]
        else:
            lines.append("Geen model citeert dit document.")
        lines.append("")
    lines += ["### Zonder bron (techniek van het model)", "",
              "| model | element | stap | test | toelichting |", "|---|---|---|---|---|", *without, ""]
    return "\n".join(lines)


def current() -> str:
    text = README.read_text(encoding="utf-8")
    return text[text.index(HEADING):] if HEADING in text else ""


def main() -> int:
    text = README.read_text(encoding="utf-8")
    head = text[:text.index(HEADING)] if HEADING in text else text.rstrip("\n") + "\n\n"
    README.write_text(head + table(), encoding="utf-8")
    print(f"{README.relative_to(ROOT)} bijgewerkt.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
