"""Schemathesis against the OpenAPI document, in-process against the Flask app with bearer tokens.

Attack: a client with a valid token sends generated requests, valid and invalid (wrong types, missing
fields, huge numbers, odd strings in every path, query and body parameter) to every operation of
``/api/v1/openapi.json``, with real ids of the scene and random ones, as the AF and as the beheerder
(and as whoever may use the operation, so success answers are checked against the document too).
Expected refusal: a documented status with the error shape of the document, under every check
schemathesis has; never a 5xx, never a response that contradicts the document.

One test per operation and caller, so pytest-xdist spreads them over its workers; the scene is built
once per module and backend. Every request runs in dry-run mode (its transaction is rolled back), so
generated POSTs cannot pile up state and the run is repeatable. The number of examples per test is
bounded (``EXAMPLES``) and Hypothesis is derandomized: the same examples every run.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks, max_response_time

from engine.accounts import users
from engine.config import Settings
from engine.db import make_engine, make_session_factory, unit_of_work
from engine.db.migrate import upgrade
from engine.modelling import deployments
from engine.regions import region_setup
from engine.workflow.bundle import SourceFile
from tests.support.base import BACKENDS, PG_URL, START, Clock, create_pg_database
from tests.support.chain import FORMS, MODEL_FILES, REGIONS, ROOT, SYSTEM, Chain
from tests.support.matrix import dry_run
from tests.support.scene import OWN, Scene, add_case_file, build_scene
from webapp import create_app, db
from webapp.api import openapi

EXAMPLES = 10
load_all_checks()
# Every check schemathesis has, except the response-time budget: a loaded CI machine is not a finding.
CHECKS_ALL = [check for check in CHECKS.get_all() if check is not max_response_time]

# Who may call each operation besides the AF and the beheerder: success answers get checked too.
CALLER_BY_PREFIX = [
    ("/instances/{instance_id}/access-log", "auditor"),
    ("/instances/{instance_id}/replay", "auditor"),
    ("/instances/{instance_id}/migrate", "procesregisseur"),
    ("/instances/{instance_id}/revert-migration", "procesregisseur"),
    ("/process-models", "procesregisseur"),
    ("/tasks/{task_id}", "politie"),
]
OPERATIONS = [(method, path) for path, item in openapi.PATHS.items() for method in item]


def callers(path: str) -> list[str]:
    short = path.removeprefix("/api/v1")
    if short == "/openapi.json":
        return ["af"]  # public and without inputs: one caller says it all
    permitted = next((role for prefix, role in CALLER_BY_PREFIX if short.startswith(prefix)), "af")
    return sorted({"af", "beheerder", permitted})


CASES = [pytest.param(method, path, role, id=f"{method.upper()} {path.removeprefix('/api/v1')} as {role}")
         for method, path in OPERATIONS for role in callers(path)]


@pytest.fixture(scope="module", params=BACKENDS)
def fuzz_scene(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:
    """The attack suite's scene, built once per module and backend (on a database of its own)."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("fuzz") / "fuzz.sqlite"
        shutil.copy(request.getfixturevalue("_sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        url = create_pg_database(PG_URL.rsplit("/", 1)[0] + "/" + PG_URL.rsplit("/", 1)[1] + "_fuzz")
        upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    at = Clock(START)
    with unit_of_work(factory) as session:
        region_setup.load_region_organisations(session, REGIONS)
        users.get_or_create_organisation(session, slug="landelijk", name="Landelijke procesregie", kind="partner")
        deployments.deploy(session, actor=SYSTEM, now=at(), comment="alle regio's", forms=FORMS,
                           files=[SourceFile(p.name, p.read_bytes()) for p in MODEL_FILES])
    chain = Chain(factory, at, REGIONS)
    settings = Settings(instance_dir=tmp_path_factory.mktemp("fuzz-instance"), database_url=url,
                        secret_key="s" * 64, forms_dir=ROOT / "forms", processes_dir=ROOT / "processes",
                        login_per_minute_ip=0, login_per_minute_account=0, api_per_minute_token=0)
    app = create_app(settings, {"TESTING": True, "CLOCK": at})
    ids = build_scene(chain)
    add_case_file(app, chain, ids)
    scene = Scene(app, chain, ids)
    yield scene
    db.dispose(app)
    engine.dispose()


# A request can match the document and still break a rule of the domain no schema states (an unknown
# colleague, a melding missing what its form requires, a model with errors): the server answers 422
# then, as the document says. Valid data must still never get a 400, 5xx or an undocumented status.
CONFIG = schemathesis.config.SchemathesisConfig.from_dict({"checks": {"positive_data_acceptance": {
    "expected-statuses": ["2xx", "401", "403", "404", "409", "422", "429"]}}})


@pytest.fixture(scope="module")
def schema(fuzz_scene: Scene):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzz_scene.app, config=CONFIG)


def real_ids(scene: Scene) -> dict[str, object]:
    ids = scene.ids
    return {"instance_id": ids["case"], "task_id": ids["task"], "filter_id": ids["filter"],
            "timer_id": ids["timer"], "process_id": ids["process"], "note_id": ids["note"]}


def test_every_route_of_the_api_is_an_operation_of_the_document(fuzz_scene):
    rules = {(method.lower(), rule.rule) for rule in fuzz_scene.app.url_map.iter_rules()
             if rule.rule.startswith("/api/v1") for method in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(method, path.replace("{", "<").replace("}", ">")) for method, path in OPERATIONS}
    as_rules = {(m, r.replace("<int:", "<")) for m, r in rules}
    assert as_rules == documented


@pytest.mark.parametrize(("method", "path", "role"), CASES)
def test_generated_requests_get_documented_answers_and_never_a_server_error(fuzz_scene, schema, method, path, role):
    """Attack: schema-driven fuzzing of one operation (positive and negative generation) as one caller.
    Refusal: only documented statuses, headers and bodies under every check; no 5xx."""
    operation = schema[path][method.upper()]
    headers = fuzz_scene.api_headers((role, OWN))
    fixed = real_ids(fuzz_scene)
    known = {p.name: fixed[p.name] for p in operation.path_parameters if p.name in fixed}
    strategies = [operation.as_strategy(generation_mode=mode, headers=headers)
                  for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)]
    if known:
        strategies.append(operation.as_strategy(headers=headers, path_parameters=known))
    sent: list[int] = []

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=st.one_of(strategies))
    def exercise(case):
        response = case.call()
        sent.append(response.status_code)
        case.validate_response(response, checks=CHECKS_ALL, headers=headers)

    with dry_run(fuzz_scene.app):
        exercise()
    has_inputs = operation.path_parameters or operation.query or operation.body
    assert len(sent) >= (EXAMPLES // 2 if has_inputs else 1), f"only {len(sent)} requests were sent"
