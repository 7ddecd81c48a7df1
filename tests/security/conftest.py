"""The attack suite's function-scoped scene (tests/support/scene.py has the story and the shared one)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from engine.config import Settings
from tests.support.chain import ROOT
from tests.support.scene import Scene, add_case_file, build_scene
from webapp import create_app, db


@pytest.fixture
def scene_app(chain, db_url, tmp_path, at) -> Iterator[Flask]:
    # Rate limits off: the matrix logs in twenty people from one address with a frozen clock.
    # test_login_attacks.py exercises the limits themselves on an app of its own.
    settings = Settings(instance_dir=tmp_path, database_url=db_url, secret_key="s" * 64,
                        forms_dir=ROOT / "forms", processes_dir=ROOT / "processes",
                        login_per_minute_ip=0, login_per_minute_account=0, api_per_minute_token=0)
    app = create_app(settings, {"TESTING": True, "CLOCK": at})
    yield app
    db.dispose(app)


@pytest.fixture
def scene(scene_app, chain) -> Scene:
    ids = build_scene(chain)
    add_case_file(scene_app, chain, ids)
    return Scene(scene_app, chain, ids)
