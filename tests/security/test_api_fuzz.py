"""Schemathesis against the OpenAPI document, in-process against the Flask app with bearer tokens.

Attack: a client with a valid token sends generated requests, valid and invalid (wrong types, missing
fields, huge numbers, odd strings in every path, query and body parameter) to every operation of
``/api/v1/openapi.json``, with real ids of the scene and random ones, as the AF and as the beheerder
(and as whoever may use the operation, so success answers are checked against the document too).
Expected refusal: a documented status with the error shape of the document, under every check
schemathesis has; never a 5xx, never a response that contradicts the document.

One test per operation, caller and generation mode, so pytest-xdist spreads them over its workers; the
scene is the shared one of each backend (tests/support/scene.py), built once per worker. Every request
runs in dry-run mode (its transaction is rolled back), so generated POSTs cannot pile up state and the
run is repeatable. The number of examples per test is bounded (``EXAMPLES``) and Hypothesis is
derandomized: the same examples every run.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks, max_response_time

from tests.support.matrix import dry_run
from tests.support.scene import OWN, Scene
from webapp.api import openapi

pytestmark = pytest.mark.timeout(600)  # the shared scene of each backend is set up inside the first test a worker runs

EXAMPLES = 5  # per generation mode: 10 to 15 requests per operation and caller, as before the split
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


KNOWN_IDS = ("instance_id", "task_id", "filter_id", "timer_id", "process_id", "note_id")  # see real_ids


def modes(method: str, path: str) -> list[str]:
    """Valid generated requests; invalid ones where the operation takes input (else there are none); with the
    scene's real ids as well where the path takes one."""
    operation = openapi.PATHS[path][method]
    takes_input = "{" in path or bool(operation.get("parameters") or operation.get("requestBody"))
    return ["positive"] + (["negative"] if takes_input else []) + \
        (["real ids"] if any(f"{{{n}}}" in path for n in KNOWN_IDS) else [])


CASES = [pytest.param(method, path, role, mode,
                      id=f"{method.upper()} {path.removeprefix('/api/v1')} as {role}, {mode}")
         for method, path in OPERATIONS for role in callers(path) for mode in modes(method, path)]


@pytest.fixture(scope="module")
def fuzz_scene(shared_scene_of_each_backend: Scene) -> Scene:
    """The attack suite's shared scene of each backend: every fuzzed request runs in dry-run mode."""
    return shared_scene_of_each_backend


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


@pytest.mark.parametrize(("method", "path", "role", "mode"), CASES)
def test_generated_requests_get_documented_answers_and_never_a_server_error(fuzz_scene, schema, method, path, role,
                                                                           mode):
    """Attack: schema-driven fuzzing of one operation as one caller, in one generation mode (valid data,
    invalid data, or the scene's real ids in the path). Refusal: only documented statuses, headers and
    bodies under every check; no 5xx."""
    operation = schema[path][method.upper()]
    headers = fuzz_scene.api_headers((role, OWN))
    fixed = real_ids(fuzz_scene)
    if mode == "real ids":
        known = {p.name: fixed[p.name] for p in operation.path_parameters if p.name in fixed}
        assert known, f"{path} takes none of {KNOWN_IDS}"
        strategy = operation.as_strategy(headers=headers, path_parameters=known)
    else:
        generation = GenerationMode.POSITIVE if mode == "positive" else GenerationMode.NEGATIVE
        strategy = operation.as_strategy(generation_mode=generation, headers=headers)
    sent: list[int] = []

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def exercise(case):
        response = case.call()
        sent.append(response.status_code)
        case.validate_response(response, checks=CHECKS_ALL, headers=headers)

    with dry_run(fuzz_scene.app):
        exercise()
    has_inputs = operation.path_parameters or operation.query or operation.body
    enough = EXAMPLES // 2 if has_inputs and mode != "real ids" else 1  # real ids alone: maybe one request
    assert len(sent) >= enough, f"only {len(sent)} requests were sent"
