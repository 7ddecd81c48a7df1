"""Every citation in a model, form or profile names a part that exists in its source document."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest

from engine.modelling import citations

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "docs" / "bronnen"
FILE = "004 (004_0730a79c7c63c8cc.txt)"


@pytest.fixture(scope="module")
def outlines():
    return citations.load_outlines(SOURCES)


def problems(text, outlines):
    return [p.message for p in citations.check_text("x.bpmn", text, outlines)]


def test_the_five_documents_are_in_the_repository_unchanged():
    readme = (SOURCES / "README.md").read_text(encoding="utf-8")
    listed = dict((name, digest) for digest, name in re.findall(r"^([0-9a-f]{64})  (\S+\.txt)$", readme, re.M))
    assert sorted(listed) == sorted(p.name for p in SOURCES.glob("*.txt"))
    assert len(listed) == 5
    for name, digest in listed.items():
        assert hashlib.sha256((SOURCES / name).read_bytes()).hexdigest() == digest, name


def test_the_outline_knows_the_parts_the_models_cite(outlines):
    assert {"2.2", "4.5", "5.1"} <= set(outlines["001"].sections)
    assert set(outlines["001"].appendices) == {"1", "2", "3", "4", "5"}
    assert set(outlines["001"].items("2")) == {"1", "2", "3", "4"}
    assert {"1", "2", "3", "4", "5", "I", "II"} <= set(outlines["000"].items("3"))
    assert {"4.2", "5.1", "5.3", "6.3", "7.1"} <= set(outlines["003"].sections)
    assert set(outlines["003"].appendices) == {"1", "2", "3", "4"}
    assert {"2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7", "4"} <= set(outlines["004"].sections)
    assert "samenwerkingspartners" in outlines["004"].named_appendices
    assert outlines["000"].sections == {}  # 000 has appendices only: "000 par. 2.1" cannot pass


def test_every_citation_in_models_forms_and_profiles_holds():
    found = citations.check(ROOT)
    assert found == [], "\n".join(str(p) for p in found)


def test_every_citation_in_the_developer_documentation_holds(outlines):
    """docs/*.md summarise the sources for developers; a part they cite must exist like in a model."""
    found = [str(p) for path in sorted((ROOT / "docs").glob("*.md"))
             for p in citations.check_text(path.name, path.read_text(encoding="utf-8"), outlines)]
    assert found == [], "\n".join(found)


def test_the_checker_reads_every_model_form_and_profile():
    names = {p.name for p in citations.citation_files(ROOT)}
    assert {"signaal_fryslan.bpmn", "routering.dmn", "fryslan.toml", "riec-inbreng.json"} <= names


@pytest.mark.parametrize("text", [
    f"Seed {FILE}, par. 2.4: 'of als de casus groter wordt, het RIEC MN'.",
    "Seed 001 (001_21206fc2f1256946.txt), Bijlage 2 punt 3; seed 004 (004_0730a79c7c63c8cc.txt), H4.",
    "001_21206fc2f1256946.txt, Bijlage 5 'Werkproces Drieluik' en Bijlage 2 punten 1-4",
    "Seed 000 (000_4eb49870de54bd16.txt) Bijlage 3 stap 3-II, Stroomschema 1 voetnoot 1.",
    "003_74a7dcb80c2e8543.txt, par. 5.1 en Bijlage 3 (Zorgcoördinator)",
    f"{FILE} par. 2.2 en 2.3: bij acuut gevaar eerst 112.",
    "004_0730a79c7c63c8cc.txt, par. 2.1 en Bijlage Samenwerkingspartners (MMA)",
    "Iemand is in acuut gevaar (003, 004 par. 2.2 en 2.3).",
], ids=range(8))
def test_a_correct_citation_passes(text, outlines):
    assert problems(text, outlines) == []


@pytest.mark.parametrize(("text", "message"), [
    (f"{FILE}, par. 2.9.", "paragraaf 2.9 bestaat niet in 004"),
    ("Seed 000 (000_4eb49870de54bd16.txt), par. 2.1.", "paragraaf 2.1 bestaat niet in 000"),
    ("001 Bijlage 2 punt 7", "bijlage 2 heeft geen punt/stap 7"),
    ("001 Bijlage 6", "bijlage 6 bestaat niet in 001"),
    ("003 H9", "hoofdstuk 9 bestaat niet in 003"),
    (f"{FILE} par. 2.1: bij acuut gevaar eerst 112.", "112 staat niet in het geciteerde deel '2.1 Anoniem melden'"),
    (f"{FILE}, par. 2.1 en 2.5 (MMA).", "MMA staat niet in het geciteerde deel '2.5 Communicatie'"),
    (f"{FILE}, par. 2.4: 'daarna melden bij AVIM of Arbeidsinspectie'.",
     "'daarna melden bij AVIM of Arbeidsinspectie' staat niet in het geciteerde deel"),
    ("de partner die voor het RIEC staat (DOMAIN route 4 en 6)",
     "docs/domain.md is een samenvatting, geen bron: noem het brondocument"),
], ids=range(9))
def test_a_wrong_citation_is_reported_with_what_is_wrong(text, message, outlines):
    assert message in problems(text, outlines)


def test_a_wrong_citation_planted_in_a_model_fails_the_check(tmp_path):
    for part in ("processes", "forms", "docs"):
        shutil.copytree(ROOT / part, tmp_path / part)
    model = tmp_path / "processes" / "gedeeld_ondermijning.bpmn"
    text = model.read_text(encoding="utf-8")
    assert "001 Bijlage 2.3: als de gemeente het niet zelf kan aanpakken." in text
    model.write_text(text.replace("001 Bijlage 2.3: als", "001 Bijlage 2.9: als"), encoding="utf-8")
    found = citations.check(tmp_path)
    assert [(p.file, p.message) for p in found] == [
        ("processes/gedeeld_ondermijning.bpmn", "bijlage 2 heeft geen punt/stap 9")]


def test_the_processes_readme_has_the_generated_table_per_document():
    from scripts import bronnentabel

    assert bronnentabel.current() == bronnentabel.table(), "run: python -m scripts.bronnentabel"
    for doc in citations.DOCUMENT_IDS:
        assert f"### {doc}: " in bronnentabel.current()
