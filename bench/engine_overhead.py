"""What does Signaalroute add on top of SpiffWorkflow? Ratios measured in one run.

(a) raw SpiffWorkflow: parse once, run the 3-user-task model, serialize + deserialize (with the
    stock serializer) around every step, as any persistent engine must;
(b) the same steps through our services on SQLite and PostgreSQL (lock, load, run, index,
    audit, commit per step);
(c) the same steps through the JSON API over real HTTP (``signaalroute webserver``: gunicorn on 127.0.0.1).
Plus the loop model: the cost of a step after 200 earlier steps vs after 10.

Usage: python bench/engine_overhead.py [--runs N] [--pg URL] [--json]; prints a Markdown table
(``--json``: one JSON object, for ``bench/interleave.py``).

The in-memory rows (a) and (a') take a fraction of a millisecond per step, so one run is too little
to time on a shared machine: each of their samples times ``RAW_RUNS_PER_SAMPLE`` runs.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer  # noqa: E402
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser  # noqa: E402
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from engine.accounts import api_tokens, organisations, users  # noqa: E402
from engine.accounts.actors import Actor  # noqa: E402
from engine.cases import lifecycle  # noqa: E402
from engine.db import make_engine, make_session_factory, unit_of_work  # noqa: E402
from engine.db.migrate import upgrade  # noqa: E402
from engine.modelling import deployments  # noqa: E402
from engine.modelling.forms import FormRepository  # noqa: E402
from engine.workflow import pruning, runner, serializer  # noqa: E402
from engine.workflow.bundle import SourceFile, load_bundle  # noqa: E402
from tests.support.base import create_pg_database as fresh_pg  # noqa: E402  (the suite's: drop and create)

MODELS = ROOT / "tests" / "fixtures" / "models"
FORMS = FormRepository(ROOT / "tests" / "fixtures" / "forms")
THREE_TASKS = "drie_taken.bpmn"
FIRST_TASK_DATA = {"vorm": "SU", "samenvatting": "Benchmark"}
STEPS_PER_RUN = 4  # start + three user tasks
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


RAW_RUNS_PER_SAMPLE = 20


def timed(fn: Callable[[], None], runs: int, per_sample: int = 1) -> float:
    """Median milliseconds per step over ``runs`` samples of ``per_sample`` runs (after a warm-up)."""
    for _ in range(per_sample):
        fn()
    samples = []
    for _ in range(runs):
        begin = time.perf_counter()
        for _ in range(per_sample):
            fn()
        samples.append((time.perf_counter() - begin) * 1000 / (STEPS_PER_RUN * per_sample))
    return statistics.median(samples)


# --- (a) raw SpiffWorkflow ----------------------------------------------------------------


def raw_spiff_runner() -> Callable[[], None]:
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(MODELS / THREE_TASKS))
    spec = parser.get_spec("drie_taken")
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))

    def run() -> None:
        workflow = BpmnWorkflow(spec)
        workflow.do_engine_steps()
        state = serializer.serialize_json(workflow)
        for _ in range(3):
            workflow = serializer.deserialize_json(state)
            task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
            task.set_data(**FIRST_TASK_DATA)
            task.run()
            workflow.do_engine_steps()
            state = serializer.serialize_json(workflow)

    return run


# --- (a') our workflow layer, no database -----------------------------------------------------


def workflow_layer_runner() -> Callable[[], None]:
    """engine.workflow alone: sandboxed expressions, lean (spec-less) state, pruning, index reads."""
    bundle = load_bundle([SourceFile(THREE_TASKS, (MODELS / THREE_TASKS).read_bytes())])
    spec, subprocess_specs = bundle.specs("drie_taken")

    def run() -> None:
        workflow = runner.start(spec, subprocess_specs, {}, START)
        state = serializer.dumps(workflow)
        for _ in range(3):
            workflow = serializer.loads(state, spec=spec, subprocess_specs=subprocess_specs,
                                        script_engine=runner.SCRIPT_ENGINE)
            [task] = runner.ready_human_tasks(workflow)
            runner.complete_human_task(workflow, task.spiff_task_id, FIRST_TASK_DATA, START)
            pruning.prune(workflow)
            state = serializer.dumps(workflow)
            runner.waiting_timers(workflow)

    return run


# --- (b) services ------------------------------------------------------------------------


def prepare_database(url: str, engine: Engine | None = None) -> tuple[object, dict[str, Actor]]:
    """A migrated database with the bench's models and people; over ``engine`` when given (the tests' shared one,
    whose compiled statements outlive a test), else a new engine for ``url``."""
    upgrade(url)
    factory = make_session_factory(engine if engine is not None else make_engine(url))
    system = Actor.system("bench")
    with unit_of_work(factory) as session:
        for slug, kind in [("eersel", "gemeente"), ("politie", "partner")]:
            organisations.get_or_create_organisation(session, slug=slug, name=slug, kind=kind)
        people = {}
        for name, role, org in [("af", "af", "eersel"), ("avim", "politie", "eersel"),
                                ("regisseur", "procesregisseur", "eersel")]:
            people[name] = users.actor_for(users.create_user(
                session, actor=system, now=START, username=name, password="bench-wachtwoord-lang",
                role=role, organisation_slug=org))
        files = [SourceFile(n, (MODELS / n).read_bytes()) for n in (THREE_TASKS, "lus.bpmn")]
        deployments.deploy(session, actor=people["regisseur"], now=START, files=files, comment="bench", forms=FORMS)
    return factory, people


def services_runner(factory, people) -> Callable[[], None]:
    clock = [START]

    def now() -> datetime:
        clock[0] += timedelta(seconds=1)
        return clock[0]

    def run() -> None:
        with unit_of_work(factory) as session:
            case = lifecycle.start_case(session, actor=people["af"], now=now(), process_id="drie_taken", data={})
            case_id = case.id
        for actor in ("af", "avim", "af"):
            with unit_of_work(factory) as session:
                [task] = lifecycle.list_tasks(session, actor=people[actor], instance_id=case_id)
                lifecycle.complete_task(session, actor=people[actor], now=now(), task_id=task.id,
                                        data=FIRST_TASK_DATA if task.form else {}, forms=FORMS)

    return run


# --- (c) HTTP API ------------------------------------------------------------------------


def http_runner(url: str, factory, people, instance_dir: Path) -> tuple[Callable[[], None], Callable[[], None]]:
    """The API served as in production: ``signaalroute webserver`` (gunicorn, one gthread worker)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "SIGNAALROUTE_DATABASE_URL": url, "SIGNAALROUTE_SECRET_KEY": "x" * 64,
           "SIGNAALROUTE_INSTANCE_DIR": str(instance_dir),
           "SIGNAALROUTE_FORMS_DIR": str(ROOT / "tests" / "fixtures" / "forms"),
           # The limiter stays on (its cost is part of a request) but must not refuse: --runs 200
           # sends some 600 requests per token in seconds, far over the default 300 a minute.
           "SIGNAALROUTE_API_RATE": "1000000"}
    server = subprocess.Popen([sys.executable, "-c", "from signaalroute.cli import main; main()", "webserver",
                               "--poort", str(port), "--workers", "1"], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start") from None
            time.sleep(0.1)
    tokens = {}
    with unit_of_work(factory) as session:
        for name in ("af", "avim"):
            # The server reads the real clock; a token issued at START would have expired by now.
            tokens[name] = api_tokens.issue(session, actor=Actor.system("bench"), now=datetime.now(UTC), username=name)
    connection = http.client.HTTPConnection("127.0.0.1", port)

    def call(method: str, path: str, who: str, body: dict | None = None) -> dict:
        headers = {"Authorization": f"Bearer {tokens[who]}", "Content-Type": "application/json"}
        connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = connection.getresponse()
        payload = json.loads(response.read())
        if response.status >= 300:
            raise RuntimeError(payload)
        return payload

    def run() -> None:
        case = call("POST", "/api/v1/instances", "af", {"process_id": "drie_taken", "data": {}})
        task = case["ready_tasks"][0]
        case = call("POST", f"/api/v1/tasks/{task['id']}/complete", "af", {"data": FIRST_TASK_DATA})
        task = case["ready_tasks"][0]
        case = call("POST", f"/api/v1/tasks/{task['id']}/complete", "avim", {"data": {}})
        task = case["ready_tasks"][0]
        call("POST", f"/api/v1/tasks/{task['id']}/complete", "af", {"data": {}})

    def stop() -> None:
        connection.close()
        server.terminate()
        server.wait(timeout=30)

    return run, stop


# --- loop growth --------------------------------------------------------------------------


def loop_growth(factory, people, *, early: int = 10, late: int = 200, window: int = 5) -> tuple[float, float, int]:
    """Median ms of steps around step ``early`` and around step ``late`` of one looping case."""
    with unit_of_work(factory) as session:
        case_id = lifecycle.start_case(session, actor=people["af"], now=START, process_id="lopend_signaal",
                                           data={}).id
    durations = []
    state_size = 0
    for step in range(late + window):
        begin = time.perf_counter()
        with unit_of_work(factory) as session:
            [task] = lifecycle.list_tasks(session, actor=people["af"], instance_id=case_id)
            row = lifecycle.complete_task(session, actor=people["af"], now=START + timedelta(days=step),
                                          task_id=task.id, data={"besluit": "lopend"}, forms=FORMS)
            state_size = len(row.state)
        durations.append((time.perf_counter() - begin) * 1000)
    around = lambda n: statistics.median(durations[n - window:n + window])  # noqa: E731
    return around(early), around(late), state_size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/signaalroute_bench")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    args = parser.parse_args()
    rows = []
    raw = timed(raw_spiff_runner(), args.runs, RAW_RUNS_PER_SAMPLE)
    rows.append(("(a) raw SpiffWorkflow, serialize/deserialize per step", raw))
    rows.append(("(a') our workflow layer (sandbox, lean state, pruning), no database",
                 timed(workflow_layer_runner(), args.runs, RAW_RUNS_PER_SAMPLE)))
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_url = f"sqlite:///{tmp}/bench.sqlite"
        factory, people = prepare_database(sqlite_url)
        rows.append(("(b) services on SQLite", timed(services_runner(factory, people), args.runs)))
        run_http, stop = http_runner(sqlite_url, factory, people, Path(tmp))
        rows.append(("(c) HTTP API on SQLite", timed(run_http, args.runs)))
        stop()
        early, late, size = loop_growth(factory, people)
        pg_url = fresh_pg(args.pg)
        pg_factory, pg_people = prepare_database(pg_url)
        rows.append(("(b) services on PostgreSQL", timed(services_runner(pg_factory, pg_people), args.runs)))
        run_http, stop = http_runner(pg_url, pg_factory, pg_people, Path(tmp))
        rows.append(("(c) HTTP API on PostgreSQL", timed(run_http, args.runs)))
        stop()
    if args.json:
        print(json.dumps({"rows": dict(rows), "loop": {"early": early, "late": late, "state_bytes": size}}))
        return
    print(f"runs per row: {args.runs}, steps per run: {STEPS_PER_RUN}, python {sys.version.split()[0]}\n")
    print("| path | ms per step (median) | ratio to (a) |")
    print("|---|---:|---:|")
    for name, value in rows:
        print(f"| {name} | {value:.2f} | {value / raw:.2f} |")
    print("\n| looping case (SQLite, services) | ms per step |")
    print("|---|---:|")
    print(f"| around step 10 | {early:.2f} |")
    print(f"| around step 200 | {late:.2f} |")
    print(f"| ratio 200/10 | {late / early:.2f} |")
    print(f"| stored state after {200 + 5} steps | {size} bytes |")


if __name__ == "__main__":
    main()
