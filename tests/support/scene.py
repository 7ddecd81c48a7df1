"""The attack suite's world: real cases, tasks, a meeting, filters, drafts and versions, with real ids.

``scene`` builds one story over the ``chain`` fixture (all four regions, the real processes and forms):

- *own side* (Fryslân): a signal from gemeente Leeuwarden, reported by ``melder.leeuwarden``, enriched
  by the AF, put on the Drieluik's agenda by the ketenregisseur, with tasks for the police (TMM) and the
  ZoCo (Fier); the frozen Drieluik with that signal as an open agenda item and minutes; a saved werkbak
  filter of the AF; a draft and deployed versions in the modeller; a waiting timer.
- *other side* (Oost-Brabant): a signal from gemeente Eersel handed to AVIM Oost-Brabant, so every
  role also has a person who belongs to another gemeente or region.

Each principal is one real account per role and side; ``scene.client(principal)`` is a logged-in test
client (through the shared login helper, so a second factor added there is inherited here) and
``scene.api(principal)`` speaks with that person's bearer token.

``built_scene`` builds the same story once on a database of its own, for tests that share one scene
(the matrix reads it in dry-run mode; the fuzz module shares its own).
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.engine import make_url

from engine.accounts import organisations
from engine.accounts.actors import Actor
from engine.accounts.roles import Role
from engine.cases import notes, saved_filters, worklist
from engine.cases.storage import DirectoryBlobStore
from engine.config import Settings
from engine.db import make_engine, make_session_factory, unit_of_work
from engine.db.migrate import upgrade
from engine.meetings import meetings
from engine.modelling import deployments, drafts, form_editing
from engine.models import (
    DeploymentForm,
    HumanTask,
    Meeting,
    MeetingItem,
    ModelFile,
    Organisation,
    SavedFilter,
    TaskState,
    Timer,
    TimerState,
)
from engine.regions import region_setup
from engine.workflow.bundle import SourceFile
from tests.support.base import BACKENDS, PG_URL, START, Clock, create_pg_database
from tests.support.chain import FORMS, MODEL_FILES, REGIONS, ROOT, VERRIJKT, Chain
from tests.support.meetings import BASE, CALENDAR, PLANNED
from tests.support.tokens import issue_token
from tests.support.werkbak import csrf_of, logged_in
from webapp import create_app, db

SYSTEM = Actor.system("test")


ROLES = ["melder", "af", "oov", "politie", "zorgcoordinator", "arbeidsinspectie", "ketenregisseur",
         "procesregisseur", "auditor", "beheerder"]


OWN, OTHER = "own", "other"


# (role, side) -> organisation slug. Own: the Fryslân story. Other: the same role elsewhere.
ORGANISATIONS: dict[tuple[str, str], str] = {
    ("melder", OWN): "leeuwarden", ("melder", OTHER): "eersel",
    ("af", OWN): "leeuwarden", ("af", OTHER): "eersel",
    ("oov", OWN): "leeuwarden", ("oov", OTHER): "eersel",
    ("politie", OWN): "fryslan-politie-tmm", ("politie", OTHER): "oost-brabant-avim",
    ("zorgcoordinator", OWN): "fryslan-fier", ("zorgcoordinator", OTHER): "oost-brabant-lumens",
    ("arbeidsinspectie", OWN): "fryslan-arbeidsinspectie", ("arbeidsinspectie", OTHER): "oost-brabant-iszw",
    ("ketenregisseur", OWN): "fryslan-ketenregisseur", ("ketenregisseur", OTHER): "oost-brabant-ketenregisseur",
    ("procesregisseur", OWN): "fryslan-zvhf", ("procesregisseur", OTHER): "noord-en-midden-limburg-zvh",
    ("auditor", OWN): "leeuwarden", ("auditor", OTHER): "eersel",
    ("beheerder", OWN): "leeuwarden", ("beheerder", OTHER): "eersel",
}


PRINCIPALS: list[tuple[str, str]] = [(role, side) for role in ROLES for side in (OWN, OTHER)]


# Text that only the own side's case contains: a denied response must never carry it.
SECRET = "Geheim-adres Voorbeeldstraat 13"


SECRET_SUMMARY = "Vermoedelijk SU; slachtoffer Voorbeeldnaam"


PROEF_FORM = {"title": "Proefformulier", "type": "object", "required": ["toelichting"],
              "properties": {"toelichting": {"type": "string", "title": "Toelichting", "maxLength": 2000}}}


@dataclass
class Scene:
    app: Flask
    chain: Chain
    ids: dict[str, Any] = field(default_factory=dict)
    _clients: dict[tuple[str, str] | None, FlaskClient] = field(default_factory=dict)
    _tokens: dict[tuple[str, str], str] = field(default_factory=dict)
    # Shared scenes: every ``client()`` is a new client holding the cookies of right after the login (and
    # its CSRF fetch), so what one test's requests do to a session never reaches the next test.
    shared: bool = False
    _logins: dict[tuple[str, str] | None, dict[Any, Any]] = field(default_factory=dict)
    _login_csrf: dict[tuple[str, str] | None, str] = field(default_factory=dict)

    def actor(self, principal: tuple[str, str]) -> Actor:
        role, side = principal
        return self.chain.person(role, ORGANISATIONS[(role, side)])

    def client(self, principal: tuple[str, str] | None) -> FlaskClient:
        """A logged-in client for the principal (one per principal, reused; on a shared scene a fresh copy of
        its session each time); ``None``: anonymous."""
        if principal not in self._clients:
            if principal is None:
                client = self.app.test_client()
            else:
                role, side = principal
                client = logged_in(self.app, self.chain, role, ORGANISATIONS[(role, side)])
            self._clients[principal] = client
            self._login_csrf[principal] = self.csrf(client)
            self._logins[principal] = dict(client._cookies)
        if not self.shared:
            return self._clients[principal]
        fresh = self.app.test_client()
        fresh._cookies = dict(self._logins[principal])
        return fresh

    def login_csrf(self, principal: tuple[str, str] | None) -> str:
        """The CSRF token of the principal's session as ``client()`` hands it out."""
        self.client(principal)
        return self._login_csrf[principal]

    def csrf(self, client: FlaskClient) -> str:
        return csrf_of(client, "/inloggen")

    def token(self, principal: tuple[str, str]) -> str:
        if principal not in self._tokens:
            username = self.actor(principal).username
            self._tokens[principal] = issue_token(self.chain.factory, username=username, now=self.chain.at(),
                                                  secret_key=self.app.config["SECRET_KEY"])
        return self._tokens[principal]

    def api_headers(self, principal: tuple[str, str] | None) -> dict[str, str]:
        return {} if principal is None else {"Authorization": f"Bearer {self.token(principal)}"}


def _ready(chain: Chain, case: int) -> dict[str, HumanTask]:
    return chain.ready(case)


def build_scene(chain: Chain) -> dict[str, Any]:
    """Create the story and return its ids (see the module docstring)."""
    ids: dict[str, Any] = {}
    for principal in PRINCIPALS:  # every account exists before the story, so tasks find their people
        role, side = principal
        chain.person(role, ORGANISATIONS[(role, side)])
    # Acute, so the police hold a task while the Drieluik still has to decide (001: only acute signals do); the
    # profile names an appointed ketenregisseur as receiver, so the ketenregisseur completed a task on the case.
    fryslan = chain.regions["fryslan"]
    chain.regions["fryslan"] = dataclasses.replace(fryslan, ontvanger=Role.KETENREGISSEUR)
    own = chain.report("leeuwarden", omschrijving=f"Drie vrouwen op {SECRET}, 's nachts veel bezoek.", acuut=True)
    chain.regions["fryslan"] = fryslan
    chain.do(own, "verrijken", {**VERRIJKT, "samenvatting": SECRET_SUMMARY})
    chain.do(own, "agenderen_ketenregisseur", {"persoonsgegevens_gedeeld": True})
    with unit_of_work(chain.factory) as session:
        meetings.run_cycle(session, regions=PLANNED, calendar=CALENDAR, now=chain.at(), base_url=BASE)
    chain.at.advance(days=7)  # Monday 9 March: the agenda of Tuesday 10 March freezes
    with unit_of_work(chain.factory) as session:
        meetings.run_cycle(session, regions=PLANNED, calendar=CALENDAR, now=chain.at(), base_url=BASE)
        item = session.scalars(select(MeetingItem).where(MeetingItem.instance_id == own)).one()
        meeting = session.get(Meeting, item.meeting_id)
        assert meeting is not None
        chair = chain.person("procesregisseur", "fryslan-zvhf")
        meetings.save_minutes(session, actor=chair, now=chain.at(), meeting_id=meeting.id,
                              text="Verslag: TMM checkt eigen systemen.")
        ids.update(meeting=meeting.id, item=item.id)
        ids["gemeente"] = session.scalars(select(Organisation.id).where(Organisation.slug == "leeuwarden")).one()
    ready = _ready(chain, own)
    ids["case"] = own
    ids["ready"] = {element: (task.id, task.role) for element, task in ready.items()}
    police = [t for t in ready.values() if t.role == "politie"]
    assert police, f"the own case must have a task for the police; ready: {sorted(ready)}"
    ids["task"] = police[0].id
    with unit_of_work(chain.factory) as session:
        ids["done_task"] = session.scalars(select(HumanTask.id).where(
            HumanTask.instance_id == own, HumanTask.state == TaskState.COMPLETED,
            HumanTask.element_id == "verrijken")).one()
        timer = session.scalars(select(Timer.id).where(Timer.instance_id == own,
                                                       Timer.state == TimerState.WAITING)).first()
        assert timer is not None, "the own case must wait for a timer"
        ids["timer"] = timer
        af = chain.person("af", "leeuwarden")
        ids["filter"] = saved_filters.save_filter(
            session, actor=af, now=chain.at(), name="Mijn SU",
            query=worklist.query_from_params({"vorm": "SU"})).id
        regisseur = chain.person("procesregisseur", "fryslan-zvhf")
        draft = drafts.create_empty(session, actor=regisseur, now=chain.at(), kind="bpmn",
                                    element_id="proef_proces", name="Proef", max_bytes=5 * 1024 * 1024)
        ids["draft"] = draft.id
        ids["form_version"] = form_editing.save_form(
            session, actor=regisseur, now=chain.at(), repository=FORMS, name="proef-formulier.json", new=True,
            text=json.dumps(PROEF_FORM), comment="Proef").version
        ids["file"] = session.scalars(select(ModelFile.id).where(
            ModelFile.filename == "signaal_fryslan.bpmn")).first()
        stored = session.get(ModelFile, ids["file"])
        ids["deployment"] = stored.deployment_id if stored else None
        ids["deployment_form"] = session.scalars(select(DeploymentForm.name).where(
            DeploymentForm.deployment_id == ids["deployment"])).first()
        assert ids["deployment_form"], "the deployment of signaal_fryslan must store the forms its tasks name"
        ids["saved_filters"] = session.scalars(select(SavedFilter.id)).all()
    ids.update(process="signaal_fryslan", version=1, form="proef-formulier.json")
    other = chain.report("eersel", omschrijving="Signaal uit Eersel.")
    chain.do(other, "verrijken", VERRIJKT)
    ids["other_case"] = other
    ids["other_task"] = next(t.id for t in _ready(chain, other).values() if t.role == "politie")
    return ids


def add_case_file(app: Flask, chain: Chain, ids: dict[str, Any]) -> None:
    """A note with a file on the own case, for the AF and the police only (not the ketenregisseur)."""
    store = DirectoryBlobStore(app.extensions["signaalroute.settings"].file_store_dir)
    with unit_of_work(chain.factory) as session:
        ids["note"] = notes.add_note(
            session, actor=chain.person("af", "leeuwarden"), now=chain.at(), instance_id=ids["case"],
            text=f"Proces-verbaal over {SECRET}.", readers=["af", "politie"],
            upload=notes.Upload("pv.txt", f"Proces-verbaal: {SECRET}".encode()), store=store,
            max_file_bytes=1024 * 1024).id


@contextmanager
def built_chain(url: str, instance_dir: Path) -> Iterator[tuple[Chain, Flask]]:
    """The ``chain`` world (all four regions, the real models) on the migrated, empty database at ``url``,
    with an app on it (rate limits off, as ``scene_app``): for worlds built once and shared."""
    engine = make_engine(url)
    factory = make_session_factory(engine)
    at = Clock(START)
    with unit_of_work(factory) as session:
        region_setup.load_region_organisations(session, REGIONS)
        organisations.get_or_create_organisation(session, slug="landelijk", name="Landelijke procesregie",
                                                 kind="partner")
        deployments.deploy(session, actor=SYSTEM, now=at(), comment="alle regio's", forms=FORMS,
                           files=[SourceFile(p.name, p.read_bytes()) for p in MODEL_FILES])
    settings = Settings(instance_dir=instance_dir, database_url=url, secret_key="s" * 64,
                        forms_dir=ROOT / "forms", processes_dir=ROOT / "processes",
                        login_per_minute_ip=0, login_per_minute_account=0, api_per_minute_token=0)
    app = create_app(settings, {"TESTING": True, "CLOCK": at})
    try:
        yield Chain(factory, at, REGIONS), app
    finally:
        db.dispose(app)
        engine.dispose()


@contextmanager
def built_scene(url: str, instance_dir: Path) -> Iterator[Scene]:
    """The attack story (``build_scene``) on the migrated, empty database at ``url``, with its app."""
    with built_chain(url, instance_dir) as (chain, app):
        ids = build_scene(chain)
        add_case_file(app, chain, ids)
        yield Scene(app, chain, ids, shared=True)


def scene_database(backend: str, root: Path, template: Path, name: str = "scene") -> str:
    """A migrated, empty database of its own for a shared world (SQLite: a copy of the template)."""
    if backend == "sqlite":
        shutil.copy(template, root / f"{name}.sqlite")
        return f"sqlite:///{root / f'{name}.sqlite'}"
    parsed = make_url(PG_URL)
    url = create_pg_database(parsed.set(database=f"{parsed.database}_{name}").render_as_string(hide_password=False))
    upgrade(url)
    return url


def _shared(backend: str, tmp_path_factory: pytest.TempPathFactory, template: Path) -> Iterator[Scene]:
    root = tmp_path_factory.mktemp(f"scene-{backend}")
    with built_scene(scene_database(backend, root, template), root / "instance") as scene:
        yield scene


@pytest.fixture(scope="session")
def shared_scene(tmp_path_factory: pytest.TempPathFactory, _sqlite_template: Path) -> Iterator[Scene]:
    """The attack scene on SQLite, built once per worker, for tests that only read it: they call in
    ``dry_run`` mode (tests/support/matrix.py) or only send requests that must be refused."""
    yield from _shared("sqlite", tmp_path_factory, _sqlite_template)


@pytest.fixture(scope="session")
def shared_pg_scene(tmp_path_factory: pytest.TempPathFactory, _sqlite_template: Path) -> Iterator[Scene]:
    """The same on PostgreSQL, for the hostile-input tests whose outcome depends on the database."""
    yield from _shared("postgresql", tmp_path_factory, _sqlite_template)


@pytest.fixture(scope="module", params=BACKENDS)
def shared_scene_of_each_backend(request: pytest.FixtureRequest) -> Scene:
    """``shared_scene`` and ``shared_pg_scene`` in turn (hostile input: NUL, huge numbers)."""
    scene: Scene = request.getfixturevalue("shared_scene" if request.param == "sqlite" else "shared_pg_scene")
    return scene
