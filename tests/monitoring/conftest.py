"""``region``: the four regions' organisations and models, without the chain's replay check.

Generated case rows have no audit trail to replay; stories through the real models use ``chain``.
"""

from __future__ import annotations

import pytest

from engine.db import unit_of_work
from engine.modelling import deployments
from engine.regions import region_setup
from engine.workflow.bundle import SourceFile
from tests.support.chain import FORMS, MODEL_FILES, REGIONS, SYSTEM, Chain


@pytest.fixture
def region(factory, at):
    with unit_of_work(factory) as session:
        region_setup.load_region_organisations(session, REGIONS)
        deployments.deploy(session, actor=SYSTEM, now=at(), comment="alle regio's", forms=FORMS,
                           files=[SourceFile(p.name, p.read_bytes()) for p in MODEL_FILES])
    return Chain(factory, at, REGIONS)
