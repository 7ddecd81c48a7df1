"""Schemathesis against the OpenAPI document, in-process against the Flask app with bearer tokens.

Attack: a client with a valid token sends generated requests, valid and invalid (wrong types, missing
fields, huge numbers, odd strings in every path, query and body parameter) to every operation of
``/api/v1/openapi.json``, with real ids of the scene and random ones.
Expected refusal: a documented 4xx with the error shape of the document; never a 5xx, never a response
that contradicts the document (status code, content type, JSON schema).

Every request runs in dry-run mode (its transaction is rolled back), so generated POSTs cannot pile up
state and the run is repeatable. The number of examples per operation and mode is bounded
(``EXAMPLES``) and Hypothesis is derandomized: the same examples every run, well under a minute on
both databases together.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.security.conftest import OWN, Scene
from tests.security.test_matrix import dry_run

EXAMPLES = 12
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

# Who calls each operation: someone who may, so success responses are checked against the document too.
CALLER_BY_PREFIX = [
    ("/instances/{instance_id}/access-log", ("auditor", OWN)),
    ("/instances/{instance_id}/replay", ("auditor", OWN)),
    ("/instances/{instance_id}/migrate", ("procesregisseur", OWN)),
    ("/instances/{instance_id}/revert-migration", ("procesregisseur", OWN)),
    ("/process-models", ("procesregisseur", OWN)),
    ("/timers", ("beheerder", OWN)),
    ("/tasks/{task_id}", ("politie", OWN)),
    ("/instances", ("af", OWN)),
    ("", ("af", OWN)),
]


def caller_for(path: str) -> tuple[str, str]:
    return next(who for prefix, who in CALLER_BY_PREFIX if path.startswith(prefix))


def real_ids(scene: Scene) -> dict[str, object]:
    ids = scene.ids
    return {"instance_id": ids["case"], "task_id": ids["task"], "filter_id": ids["filter"],
            "timer_id": ids["timer"], "process_id": ids["process"], "note_id": ids["note"]}


def fuzz(strategy, sent: list[int]):
    """One bounded, derandomized Hypothesis run over the strategy's cases; counts the requests in ``sent``."""

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def exercise(case):
        response = case.call()
        sent.append(response.status_code)
        case.validate_response(response, checks=CHECKS)

    return exercise


# About 700 requests: 103 s measured on PostgreSQL on a loaded two-core machine, past the default 120 s with setup.
@pytest.mark.timeout(600)
def test_generated_requests_to_every_operation_get_documented_answers_and_never_a_server_error(scene):
    """Attack: schema-driven fuzzing of every API operation (positive and negative generation).
    Refusal: only documented statuses and bodies; no 5xx."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", scene.app)
    fixed = real_ids(scene)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20, "the document lists every operation of API v1"
    failures: list[str] = []
    sent: list[int] = []
    with dry_run(scene.app):
        for operation in operations:
            headers = scene.api_headers(caller_for(operation.path))
            known = {p.name: fixed[p.name] for p in operation.path_parameters if p.name in fixed}
            strategies = [operation.as_strategy(generation_mode=mode, headers=headers)
                          for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)]
            if known:
                strategies.append(operation.as_strategy(headers=headers, path_parameters=known))

            try:
                fuzz(st.one_of(strategies), sent)()
            except Exception as exc:  # collect every operation's first failure, then fail once
                failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert not failures, "\n\n".join(failures)
    assert len(sent) >= len(operations) * EXAMPLES // 2, f"only {len(sent)} requests were sent"
    print(f"schemathesis: {len(operations)} operations, {len(sent)} requests, statuses {sorted(set(sent))}")
