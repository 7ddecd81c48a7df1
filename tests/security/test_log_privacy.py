"""Logs, e-mails and error pages never carry case content: they reach people and systems outside need-to-know.

Attack: a case whose every text field holds a recognisable sentinel, run through several steps with
the whole process logging at DEBUG (SpiffWorkflow's ``spiff.task`` records then carry the task data),
plus an unexpected error whose message quotes a sentinel.
Expected refusal: no log line, no e-mail in the outbox and no error page contains a sentinel; log
lines still say what happened (event names, ids).
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from engine import logs
from engine.cases import worklist
from engine.db import unit_of_work
from engine.models import OutboxMessage, User
from signaalroute import passes
from tests.support.chain import VERRIJKT
from tests.support.scene import OWN, Scene

SENTINEL = "ZZGEHEIM"
BASE = "https://signaalroute.example"


def secret(field: str) -> str:
    return f"{SENTINEL}-{field}-Jansen"


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """Everything every logger says at DEBUG, formatted as the servers format it."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logs.JsonFormatter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield buffer
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


@pytest.mark.postgres
def test_a_case_full_of_sentinels_leaves_no_trace_in_logs_mail_or_error_pages(chain, scene_app, log_lines,
                                                                              monkeypatch):
    case = chain.report("eersel", omschrijving=secret("omschrijving"), locatie=secret("locatie"),
                        betrokkenen=secret("betrokkenen"))
    chain.do(case, "verrijken", {**VERRIJKT, "samenvatting": secret("samenvatting")})
    ready = chain.ready(case)
    assert ready, "the case moves on to the next tasks"
    for task in ready.values():
        chain.person(*chain.holder(task))
    with unit_of_work(chain.factory) as session:  # everyone has an address, so overdue tasks send reminders
        for user in session.scalars(select(User)):
            user.email = f"{user.username}@example.org"
    assert passes.send_due_reminders(chain.factory, now=chain.at.advance(days=60), base_url=BASE) >= 1
    scene = Scene(scene_app, chain)
    headers = scene.api_headers(("af", OWN))
    client = scene_app.test_client()

    refused = client.post("/api/v1/signals", headers=headers, json={
        "gemeente": "leeuwarden", "melding": {"omschrijving": secret("api"), "acuut": secret("acuut"),
                                              "bron_melding": secret("bron"), "anoniem": False}})
    assert refused.status_code == 422

    def broken(*_args, **_kwargs):
        raise RuntimeError(f"kapot bij {secret('exception')}")

    monkeypatch.setattr(worklist, "search", broken)
    crashed = client.get("/api/v1/tasks", headers=headers)
    assert crashed.status_code == 500

    lines = log_lines.getvalue().splitlines()
    assert lines, "the run logged something"
    records = [json.loads(line) for line in lines]
    assert any(r["logger"].startswith("spiff") for r in records), "SpiffWorkflow logged at DEBUG"
    unhandled = [r for r in records if r["event"] == "unhandled error"]
    assert unhandled and "RuntimeError" in unhandled[0]["exception"], "the crash is logged by its kind"
    leaking = [line for line in lines if SENTINEL in line]
    assert not leaking, leaking[:3]
    for page in (refused, crashed):
        assert SENTINEL not in page.get_data(as_text=True)
    with unit_of_work(chain.factory) as session:
        mails = session.scalars(select(OutboxMessage)).all()
    assert mails, "the steps sent e-mails"
    assert not [m.id for m in mails if SENTINEL in f"{m.subject}\n{m.body}"]


def test_only_allow_listed_fields_reach_a_log_line():
    """A library's message keeps its template, never the values it would quote."""
    record = logging.makeLogRecord({"name": "spiff.task", "msg": "State set to %s", "args": ("READY",),
                                    "levelname": "INFO", "data": {"who": "a"}, "task_id": 7, "workflow_spec": "x"})
    line = json.loads(logs.JsonFormatter().format(record))
    assert line == {"time": line["time"], "level": "info", "logger": "spiff.task", "event": "State set to %s",
                    "task_id": 7}
