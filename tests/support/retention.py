"""Shared by the retention tests: a rules file with every period filled, the region chain, a database dump.

Import ``keten_fixture`` and ``rules_fixture`` to use the fixtures ``keten`` and ``rules``. ``keten`` is
the ``chain`` fixture of tests/support/chain.py without one part of its teardown: that replays every case and
requires it to be consistent, and a destroyed case can no longer be replayed (its content is gone, on
purpose). Here the teardown replays every case that was *not* destroyed.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.audit import replay
from engine.db import Base, unit_of_work
from engine.modelling import deployments
from engine.models import (
    DestructionRecord,
)
from engine.regions import region_setup
from engine.retention.retention_rules import RetentionRules, load_rules
from engine.workflow.bundle import SourceFile
from tests.support.base import START, Clock
from tests.support.chain import FORMS, MELDER_BERICHT, MODEL_FILES, REGIONS, SYSTEM, TERUG, ZORG, Chain
from tests.support.database import seeded, seeds

RULES_TOML = """
bron = "Testbeleid: elke termijn ingevuld."

[geen_mensenhandel]
jaren = 1
jaren_bron = "test"

[onwenselijke_situatie]
jaren = 3
jaren_bron = "test"

[casus]
jaren = 5
jaren_bron = "test"

[afgesloten_zonder_besluit]
maanden = 18
maanden_bron = "test"

[lopend_signaal]
jaren = 2
jaren_bron = "test"
"""


def write_rules(directory: Path, text: str = RULES_TOML) -> Path:
    path = directory / "retention.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(name="rules")
def rules_fixture(tmp_path: Path) -> RetentionRules:
    return load_rules(write_rules(tmp_path))


def _load_keten(factory: sessionmaker[Session], now: datetime) -> None:
    with unit_of_work(factory) as session:
        region_setup.load_region_organisations(session, REGIONS)
        deployments.deploy(session, actor=SYSTEM, now=now, comment="alle regio's", forms=FORMS,
                           files=[SourceFile(p.name, p.read_bytes()) for p in MODEL_FILES])


@seeds("keten")
def _seed_keten(factory: sessionmaker[Session]) -> None:
    _load_keten(factory, START)


@pytest.fixture(name="keten")
def keten_fixture(request: pytest.FixtureRequest, factory: sessionmaker[Session], at: Clock) -> Iterator[Chain]:
    if not seeded(request, "keten"):  # the worker's seeded template holds it already (tests/support/database.py)
        _load_keten(factory, at())
    yield Chain(factory, at, REGIONS)
    with unit_of_work(factory) as session:
        destroyed = set(session.scalars(select(DestructionRecord.instance_id)))
        for case in replay.all_case_ids(session):
            if case not in destroyed:
                report = replay.replay_case(session, case)
                assert report.consistent, f"case {case} diverges on replay: {report.divergence}"


def dump(factory: sessionmaker[Session]) -> str:
    """Every row of every table as text: what "really gone" is checked against."""
    lines: list[str] = []
    with unit_of_work(factory) as session:
        for table in Base.metadata.sorted_tables:
            for row in session.execute(select(table).order_by(*table.primary_key.columns)):
                lines.append(f"{table.name}: {tuple(_text(v) for v in row)}")
    return "\n".join(lines)


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def finish(keten, case):
    for _ in range(10):
        ready = sorted(keten.ready(case))
        if not ready:
            break
        step = ready[0]
        keten.do(case, step, CHASED if step.endswith(("_opvragen", "_navragen")) else NEXT[step])
    assert keten.status(case) == "completed"


NEXT = {  # what whoever holds the next task submits, until the case closes
    "overdracht_politie": TERUG, "zorg_en_opvang": ZORG, "terugkoppelen_melder": MELDER_BERICHT,
    "politie_na_drieluik": TERUG,
    "advies_of_procesregie": {"vervolg": "advies", "toelichting": "Advies aan de wijkteams."},
    "casus_starten": {"casusregisseur": "J. de Vries (ZVHF)", "stoppen_uitbuiting": "Opvang Fier.",
                      "strafrechtelijk_spoor": True, "eerste_contact": "Hulpverlener met TMM."},
}


# A follow-up (the AF chasing a partner, or a term passing) has the same answer whoever is chased.
CHASED = {"contact_gehad": True, "contact_met": "zorgcoordinator", "afspraak": "Terugkoppeling volgt deze week."}
