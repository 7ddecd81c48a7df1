"""Source citations in models, forms and profiles, checked against the five source documents.

Every rule a model encodes names where it comes from ("001 Bijlage 2 punt 3", "004 par. 2.4",
"003 §5.1", "000 Bijlage 3 stap 2-3"). A citation to a part that does not exist, or a quoted
phrase that is not in the cited part, passes a guess off as a fact; ``tests/processes/
test_citations.py`` runs :func:`check` over the repository so CI catches it.

The documents live in ``docs/bronnen/`` (copies of the five source documents, see its README). Their outline is
read from the text itself: numbered headings and table-of-contents rows ("2.2 Regionaal",
"| 2.2 | Regionaal |", "### 5.1 Regionale partners"), appendices ("BIJLAGE 2 Meldroute …",
"Bijlage Samenwerkingspartners"), and numbered items inside an appendix (its "punten" or "stappen").

Citation grammar (one document reference, then its parts until ``;``, a closing parenthesis,
the end of a sentence or the next document reference)::

    reference  = ["seed "] ("000" | … | "004") [ "_<hash>.txt" ] [ " (<file name>)" ]
    part       = ("par." | "§" | "paragraaf") number {("," | "en") number}
               | "H" chapter
               | "Bijlage" n ["." item | ("punt" | "punten" | "stap" | "stappen") item ["-" (item | roman)]]
               | "Bijlage" n "-" m | "Bijlage (" name ")" | "Bijlage" name
               | "Stroomschema" n ["voetnoot" m]
               | number                                  (a bare "2.3" after the reference)
    quote      = "'" text "'" | "‘" text "’"             (after the parts: must occur in a cited part)

"DOMAIN …" (docs/domain.md) is refused outright: the domain notes are a summary, never a source.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

SOURCES_DIR = Path(__file__).resolve().parents[1] / "docs" / "bronnen"
DOCUMENT_IDS = ("000", "001", "002", "003", "004")

_REFERENCE = re.compile(r"\b(?:seed\s+)?(00[0-4])(?:_[0-9a-f]{16}\.txt)?\b(?:\s*\(00[0-4]_[0-9a-f]{16}\.txt\))?")
_DOMAIN = re.compile(r"\bDOMAIN\b(?:\.md)?\s+(?:route|regel|par|§|\d)", re.IGNORECASE)
_NUMBER = r"\d+(?:\.\d+)*"
_SECTION_LIST = re.compile(rf"(?:\bpar\.?|§|\bparagraaf)\s*({_NUMBER}(?:\s*(?:,|en|t/m|-)\s*{_NUMBER})*)",
                           re.IGNORECASE)
_CHAPTER = re.compile(r"\bH(\d+)\b")
_APPENDIX = re.compile(
    r"\bBijlage[n]?\s+(?:(\d+)(?:\.(\d+))?(?:\s*(?:-|t/m|en)\s*(\d+)\b)?"
    r"(?:\s*,?\s*(?:punt(?:en)?|stap(?:pen)?)\s*(\d+)(?:\s*(?:-|t/m|en)\s*(\d+|[IVX]+)\b)?)?"
    r"|\(([^)]+)\)|([A-Z][a-zé]+(?:\s+[a-zé]+)*))", re.IGNORECASE)
_FLOWCHART = re.compile(r"\bStroomschema\s+(\d+)(?:\s+voetnoot\s+(\d+))?", re.IGNORECASE)
_BARE_SECTION = re.compile(r"(?<![\d.:/-])(\d+\.\d+)(?![\d.]*\d)")
_QUOTE = re.compile(r"'([^'\n]{8,})'|‘([^’\n]{8,})’")
# A heading: a number (first part at most 20: not a postcode) and a capitalised title; "3. nu volgen" is a list item.
_HEADING = re.compile(r"^\s*(?:#+\s*)?(?:\*\*|<b>)?\s*((?:1?\d|20)(?:\.\d+)*)\.?\s*(?:\*\*|</b>)?\s+[^a-z\s]")
_TOC_ROW = re.compile(rf"^\|\s*({_NUMBER})\.?\s*\|")
_APPENDIX_HEADING = re.compile(r"^\s*(?:#+\s*|\|\s*)?(?:<b>)?BIJLAGE\s+(\d+)\b|^\s*(?:#+\s*)?Bijlage\s+(\d+)\b",
                               re.IGNORECASE)
# Facts a citation may name that must stand in every part it cites: "004 par. 2.1 … 112" is wrong when
# 112 is in 2.2 and 2.3 only: an instruction must not send someone to a paragraph that lacks the number.
KEY_TERMS = {"112": ("112",), "MMA": ("MMA", "Meld Misdaad Anoniem")}
_NAMED_APPENDIX = re.compile(r"^\s*(?:#+\s*)?Bijlage\s+([A-Z][^\d\s]\S*)", re.IGNORECASE)
_ITEM = re.compile(r"^\s*(?:[-*]\s*)?(\d+|[IVX]+)\.\s")


def _norm(text: str) -> str:
    text = re.sub(r"[*_#`]|<[^>]+>", "", text)
    return " ".join(text.replace("’", "'").replace("‘", "'").split()).casefold()


@dataclass
class Outline:
    """The parts of one document that a citation can name, with the text of each."""

    doc_id: str
    text: str
    sections: dict[str, str] = field(default_factory=dict)        # "2.2" -> text of that section
    appendices: dict[str, str] = field(default_factory=dict)      # "2" -> text of Bijlage 2 ("" if only in the TOC)
    named_appendices: set[str] = field(default_factory=set)       # "samenwerkingspartners"

    def section(self, number: str) -> str | None:
        """The section's text; the whole document when only the contents name it; None when it does not exist."""
        number = number.rstrip(".")
        if number in self.sections:
            return self.sections[number] or self.text
        return None

    def items(self, appendix: str) -> dict[str, str]:
        """Numbered items (punten, stappen; also I., II.) in an appendix's text, with their text."""
        found: dict[str, str] = {}
        current: str | None = None
        for line in self.appendices.get(appendix, "").splitlines():
            match = _ITEM.match(line)
            if match:
                current = match.group(1)
                found.setdefault(current, "")
            if current is not None:
                found[current] += line + "\n"
        return found


# A footnote starts with its number and no dot, then runs on as a sentence past where headings end.
_FOOTNOTE = re.compile(r"^\d+ [A-Z][^.:]{85,}$")


def _sections(lines: list[str]) -> dict[str, str]:
    starts: list[tuple[int, str]] = []
    sections: dict[str, str] = {}
    for i, line in enumerate(lines):
        if len(line) > 140:
            continue
        if _FOOTNOTE.match(line):  # "2 Het Landelijke Kenniscentrum LVB is een …": a page's footnote, no heading
            continue
        toc = _TOC_ROW.match(line)
        if toc:  # the table of contents proves a section exists; its text comes from the heading
            sections.setdefault(toc.group(1).rstrip("."), "")
            continue
        match = _HEADING.match(line)
        if match:
            starts.append((i, match.group(1).rstrip(".")))
    for n, (i, number) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        body = "\n".join(lines[i:end])
        # The table of contents names a section before its body: keep the longest text seen.
        if len(body) > len(sections.get(number, "")):
            sections[number] = body
    return sections


def parse_outline(doc_id: str, text: str) -> Outline:
    lines = text.splitlines()
    outline = Outline(doc_id, text, _sections(lines))
    starts: list[tuple[int, str]] = []
    for i, line in enumerate(lines):
        match = _APPENDIX_HEADING.match(line)
        if match and len(line) < 160:
            if line.lstrip().startswith("|") or re.search(r"\t\s*(?:<b>)?\d+(?:</b>)?\s*$", line):
                outline.appendices.setdefault(match.group(1) or match.group(2), "")  # a contents row
            else:
                starts.append((i, match.group(1) or match.group(2)))
            continue
        named = _NAMED_APPENDIX.match(line)
        if named and len(line) < 80:
            outline.named_appendices.add(_norm(line.split("Bijlage", 1)[-1].split("bijlage", 1)[-1]))
    for n, (i, number) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        body = "\n".join(lines[i:end])
        if len(body) > len(outline.appendices.get(number, "")):
            outline.appendices[number] = body
    # A chapter number ("2.") also counts as a section ("H2", "par. 2").
    return outline


def load_outlines(directory: Path = SOURCES_DIR) -> dict[str, Outline]:
    outlines = {}
    for doc_id in DOCUMENT_IDS:
        path = next(directory.glob(f"{doc_id}_*.txt"))
        outlines[doc_id] = parse_outline(doc_id, path.read_text(encoding="utf-8"))
    return outlines


@dataclass(frozen=True)
class Problem:
    file: str
    citation: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: '{self.citation}': {self.message}"


def _clause_end(text: str, start: int) -> int:
    """Where the parts of a citation end: ';', an unbalanced ')', a sentence end, or the next reference."""
    depth = 0
    i = start
    while i < len(text):
        ch = text[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                return i
            depth -= 1
        elif ch in ";\n\"<" and depth == 0:
            return i
        elif ch == "." and depth == 0 and re.match(r"\.\s+[A-Z]", text[i:i + 3]):
            return i
        elif _REFERENCE.match(text, i) and i > start and not text[i - 1].isalnum():
            return i
        i += 1
    return i


def _expand(first: str, last: str | None) -> list[str]:
    if last is None:
        return [first]
    if first.isdigit() and last.isdigit() and int(first) <= int(last) <= int(first) + 20:
        return [str(n) for n in range(int(first), int(last) + 1)]
    return [first, last]


def _check_clause(outline: Outline, clause: str) -> tuple[list[str], list[str]]:
    """(problems, texts of the parts the clause cites) for the part list after one reference."""
    problems: list[str] = []
    texts: list[str] = []
    head = clause.split(":", 1)[0]
    consumed = head
    for match in _SECTION_LIST.finditer(head):
        for number in re.findall(_NUMBER, match.group(1)):
            body = outline.section(number)
            if body is None:
                problems.append(f"paragraaf {number} bestaat niet in {outline.doc_id}")
            else:
                texts.append(body)
        consumed = consumed.replace(match.group(0), " " * len(match.group(0)), 1)
    for match in _CHAPTER.finditer(head):
        if outline.section(match.group(1)) is None:
            problems.append(f"hoofdstuk {match.group(1)} bestaat niet in {outline.doc_id}")
        else:
            texts.append(outline.section(match.group(1)) or outline.text)
    for match in _APPENDIX.finditer(head):
        consumed = consumed.replace(match.group(0), " " * len(match.group(0)), 1)
        number, dotted, upto, item, item_upto, name, word = match.groups()
        if number is None:
            label = _norm(name or word or "")
            if not label or label in {"en", "bij", "van"}:
                continue
            if name is not None and _norm(name) in _norm(outline.text):
                texts.append(outline.text)
            elif word is not None and any(n.startswith(label) or label.startswith(n)
                                          for n in outline.named_appendices):
                texts.append(outline.text)
            elif word is not None and not outline.named_appendices and outline.appendices:
                problems.append(f"bijlage '{word}' bestaat niet in {outline.doc_id}; noem het nummer")
            elif name is not None:
                problems.append(f"bijlage '({name})' bestaat niet in {outline.doc_id}")
            continue
        for n in _expand(number, upto):
            if n not in outline.appendices:
                problems.append(f"bijlage {n} bestaat niet in {outline.doc_id}")
            elif item is None and dotted is None:
                texts.append(outline.appendices[n] or outline.text)
        wanted = _expand(item, item_upto) if item else ([dotted] if dotted else [])
        if wanted and number in outline.appendices:
            items = outline.items(number)
            for i in wanted:
                if i in items:
                    texts.append(items[i])
                elif i in {"I", "II", "III", "IV", "V"} and outline.appendices[number]:
                    if not re.search(rf"^\s*(?:[-*]\s*)?{i}\.\s", outline.appendices[number], re.MULTILINE):
                        problems.append(f"bijlage {number} heeft geen onderdeel {i}")
                else:
                    problems.append(f"bijlage {number} heeft geen punt/stap {i}")
    for match in _FLOWCHART.finditer(head):
        consumed = consumed.replace(match.group(0), " " * len(match.group(0)), 1)
        if f"stroomschema {match.group(1)}" not in outline.text.casefold():
            problems.append(f"stroomschema {match.group(1)} bestaat niet in {outline.doc_id}")
        else:
            texts.append(outline.text)
    for match in _BARE_SECTION.finditer(consumed):
        body = outline.section(match.group(1))
        if body is None:
            problems.append(f"paragraaf {match.group(1)} bestaat niet in {outline.doc_id}")
        else:
            texts.append(body)
    return problems, texts


def _quotes(text: str) -> Iterable[str]:
    for match in _QUOTE.finditer(text):
        yield match.group(1) or match.group(2)


def check_text(name: str, text: str, outlines: dict[str, Outline]) -> list[Problem]:
    """Every citation in one file's text; a quoted phrase must stand in a cited part (or the document)."""
    problems = [Problem(name, m.group(0), "docs/domain.md is een samenvatting, geen bron: noem het brondocument")
                for m in _DOMAIN.finditer(text)]
    for match in _REFERENCE.finditer(text):
        if match.start() > 0 and (text[match.start() - 1].isalnum() or text[match.start() - 1] in "-+/."):
            continue
        outline = outlines[match.group(1)]
        end = _clause_end(text, match.end())
        clause = text[match.end():end]
        citation = " ".join(text[match.start():end].split())
        found, parts = _check_clause(outline, clause)
        problems += [Problem(name, citation, message) for message in found]
        for term, spellings in KEY_TERMS.items():
            if re.search(rf"(?<![\w-]){term}(?![\w-])", clause):
                for part in parts:
                    if part is not outline.text and not any(s in part for s in spellings):
                        first = part.strip().splitlines()[0][:40] if part.strip() else "?"
                        problems.append(Problem(name, citation, f"{term} staat niet in het geciteerde deel '{first}'"))
        for quote in _quotes(clause):
            pieces = [p for p in re.split(r"\.\.\.|…", quote) if len(p.strip()) >= 6]
            where = parts or [outline.text]
            for piece in pieces:
                if not any(_norm(piece) in _norm(part) for part in where):
                    problems.append(Problem(name, citation, f"'{piece.strip()}' staat niet in het geciteerde deel"))
    return problems


def references(text: str) -> list[tuple[str, str]]:
    """(document id, the citation as written) for every reference in a text, in order."""
    found = []
    for match in _REFERENCE.finditer(text):
        if match.start() > 0 and (text[match.start() - 1].isalnum() or text[match.start() - 1] in "-+/."):
            continue
        end = _clause_end(text, match.end())
        parts = re.sub(r"^[\s,:]+|[\s,:.]+$", "", text[match.end():end].split(":", 1)[0])
        found.append((match.group(1), parts))
    return found


def citation_files(root: Path) -> list[Path]:
    """Models, forms and region profiles: every file whose citations must hold."""
    processes = root / "processes"
    return sorted([*processes.glob("*.bpmn"), *processes.glob("*.dmn"), *(processes / "regions").glob("*.toml"),
                   *(root / "forms").glob("*.json")])


def check(root: Path, outlines: dict[str, Outline] | None = None) -> list[Problem]:
    outlines = outlines or load_outlines(root / "docs" / "bronnen")
    problems: list[Problem] = []
    for path in citation_files(root):
        problems += check_text(str(path.relative_to(root)), path.read_text(encoding="utf-8"), outlines)
    return problems
