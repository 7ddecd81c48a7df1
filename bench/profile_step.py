"""Where a durable case step spends its time: cProfile and SQL statements of path (b) or (c).

Runs the 3-user-task model through the services (as ``engine_overhead.py`` (b) does), or with
``--api`` through the JSON API in this process (Flask's test client instead of gunicorn and a
socket), and prints the statements of one run and the top of a cProfile. Not a benchmark: use it
to find the next thing to remove.
With ``--breakdown`` it times the pieces of a step instead (wall clock, no profiler overhead;
nested pieces are included in their parent).
Usage: python bench/profile_step.py [--api] [--breakdown] [--runs N] [--pg URL] [--sort KEY]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import engine_overhead as bench  # noqa: E402
from sqlalchemy import event  # noqa: E402


def api_runner(url: str, factory, people, instance_dir: Path) -> tuple[Callable[[], None], object]:
    """The (c) run through Flask's test client: no socket, no gunicorn, the same request handling."""
    os.environ.update({"SIGNAALROUTE_DATABASE_URL": url, "SIGNAALROUTE_SECRET_KEY": "x" * 64,
                       "SIGNAALROUTE_INSTANCE_DIR": str(instance_dir), "SIGNAALROUTE_API_RATE": "1000000",
                       "SIGNAALROUTE_FORMS_DIR": str(ROOT / "tests" / "fixtures" / "forms")})
    from engine.accounts import api_tokens
    from engine.accounts.actors import Actor
    from engine.db import unit_of_work
    from webapp import create_app

    app = create_app()
    with unit_of_work(factory) as session:
        tokens = {name: api_tokens.issue(session, actor=Actor.system("bench"), now=datetime.now(UTC), username=name)
                  for name in ("af", "avim")}
    client = app.test_client()

    def call(path: str, who: str, body: dict) -> dict:
        response = client.post(path, data=json.dumps(body), headers={
            "Authorization": f"Bearer {tokens[who]}", "Content-Type": "application/json"})
        if response.status_code >= 300:
            raise RuntimeError(response.get_json())
        payload: dict = response.get_json()
        return payload

    def run() -> None:
        case = call("/api/v1/instances", "af", {"process_id": "drie_taken", "data": {}})
        case = call(f"/api/v1/tasks/{case['ready_tasks'][0]['id']}/complete", "af", {"data": bench.FIRST_TASK_DATA})
        case = call(f"/api/v1/tasks/{case['ready_tasks'][0]['id']}/complete", "avim", {"data": {}})
        call(f"/api/v1/tasks/{case['ready_tasks'][0]['id']}/complete", "af", {"data": {}})

    return run, app.extensions["signaalroute.sessions"].kw["bind"]


# (module, attribute, label): wrapped in this order; the label's indentation shows nesting.
PIECES = [
    ("flask.app", "Flask.wsgi_app", "Flask app, whole request (--api)"),
    ("webapp.security", "_rate_limit", "rate limit (own transaction)"),
    ("webapp.api.v1", "api_actor", "token -> actor (bearer_tokens.actor_for_token)"),
    ("engine.cases.lifecycle", "list_tasks", "list_tasks (bench (b) only)"),
    ("engine.cases.lifecycle", "start_case", "start_case"),
    ("engine.cases.lifecycle", "complete_task", "complete_task"),
    ("engine.cases.lifecycle", "_task_and_definition", "  task + process version"),
    ("engine.modelling.form_catalogue", "validate_for", "  form validation"),
    ("engine.cases.case_store", "lock_case", "  lock case (FOR UPDATE / write lock)"),
    ("engine.cases.case_store", "load_workflow", "  load workflow"),
    ("engine.workflow.runner", "start", "  run: start"),
    ("engine.workflow.runner", "complete_human_task", "  run: complete task"),
    ("engine.cases.case_store", "store", "  store"),
    ("engine.workflow.pruning", "prune", "    prune"),
    ("engine.workflow.serializer", "dumps", "    serialize"),
    ("engine.cases.case_store", "_write_case_row", "    case row UPDATE"),
    ("engine.cases.case_store", "_sync_tasks", "    task index"),
    ("engine.cases.case_store", "_sync_timers", "    timer rows"),
    ("engine.audit.log", "record", "  audit event(s)"),
    ("engine.workflow.runner", "ready_human_task_ids", "  withdrawn-task scan: ready before"),
    ("engine.workflow.runner", "withdrawn_tasks", "  withdrawn-task scan: cancelled after"),
    ("engine.monitoring.figures", "record_start", "  monitoring figures: new case"),
    ("engine.monitoring.figures", "record_step", "  monitoring figures: step"),
    ("engine.cases.lifecycle", "view_of", "case view for the response"),
    ("sqlalchemy.orm.session", "Session.commit", "commit (request / unit of work)"),
]


def instrument() -> dict[str, list[float]]:
    """Wrap each piece with a wall-clock timer; returns label -> [seconds, calls]."""
    import importlib

    totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
    for module_name, attribute, label in PIECES:
        owner: object = importlib.import_module(module_name)
        *path, name = attribute.split(".")
        for part in path:
            owner = getattr(owner, part)
        original = getattr(owner, name)

        def timed(*args: object, _original=original, _label=label, **kwargs: object) -> object:
            begin = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                entry = totals[_label]
                entry[0] += time.perf_counter() - begin
                entry[1] += 1

        setattr(owner, name, timed)
    return totals


def record_wire(log: list[str]) -> Callable[[], None]:
    """Log every command psycopg sends (statements, pool pings, BEGIN, COMMIT): the round trips.

    SQLAlchemy's cursor events miss psycopg's own BEGIN and COMMIT and the pool's pre-ping; these
    wrappers sit under them. Returns a function that removes the wrappers.
    """
    import psycopg
    from psycopg._connection_base import BaseConnection

    def wrap(owner: type, name: str, describe: Callable[..., str]) -> Callable[[], None]:
        original = getattr(owner, name)

        def wrapped(self: object, *args: object, **kwargs: object) -> object:
            log.append(describe(self, *args))
            return original(self, *args, **kwargs)

        setattr(owner, name, wrapped)
        return lambda: setattr(owner, name, original)

    def text_of(query: object) -> str:
        raw = query.decode() if isinstance(query, bytes) else str(query)
        return " ".join(raw.split())[:110]

    undo = [
        wrap(BaseConnection, "_exec_command", lambda _self, command, *_: text_of(command)),
        wrap(psycopg.Cursor, "execute", lambda _self, query, *_: text_of(query)),
        wrap(psycopg.Cursor, "executemany", lambda _self, query, *_: "(many) " + text_of(query)),
    ]
    return lambda: [each() for each in undo] and None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--pg", default=None, help="PostgreSQL URL; SQLite in a temporary file without it")
    parser.add_argument("--api", action="store_true", help="profile (c), the JSON API, instead of (b)")
    parser.add_argument("--breakdown", action="store_true", help="time the pieces of a step, no profiler")
    parser.add_argument("--wire", action="store_true",
                        help="PostgreSQL: list what psycopg sends in one run (BEGIN, COMMIT, pings too)")
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--limit", type=int, default=45)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = bench.fresh_pg(args.pg) if args.pg else f"sqlite:///{tmp}/profile.sqlite"
        factory, people = bench.prepare_database(url)
        totals = instrument() if args.breakdown else {}
        if args.api:
            run, engine = api_runner(url, factory, people, Path(tmp))
        else:
            run, engine = bench.services_runner(factory, people), factory.kw["bind"]
        run()
        if args.wire:
            wire: list[str] = []
            undo = record_wire(wire)
            run()
            undo()
            print(f"{len(wire)} round trips per run of {bench.STEPS_PER_RUN} steps "
                  f"({len(wire) / bench.STEPS_PER_RUN:.1f} per step):")
            for command in wire:
                print("  ", command)
            return
        statements: list[str] = []
        listener = lambda *a: statements.append(" ".join(a[2].split())[:150])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        run()
        event.remove(engine, "before_cursor_execute", listener)
        print(f"{len(statements)} statements per run of {bench.STEPS_PER_RUN} steps:")
        for statement in statements:
            print("  ", statement)
        steps = args.runs * bench.STEPS_PER_RUN
        if args.breakdown:
            totals.clear()
            begin = time.perf_counter()
            for _ in range(args.runs):
                run()
            elapsed = time.perf_counter() - begin
            print(f"\n{steps} steps, {elapsed * 1000 / steps:.2f} ms per step in all (mean, instrumented)")
            print("| piece | ms per step | calls per step |\n|---|---:|---:|")
            for _module, _attribute, label in PIECES:
                if label in totals:
                    seconds, calls = totals[label]
                    shown = label.replace("  ", "&nbsp;&nbsp;")
                    print(f"| {shown} | {seconds * 1000 / steps:.2f} | {calls / steps:.2f} |")
            return
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.runs):
            run()
        profile.disable()
        stats = pstats.Stats(profile)
        total = stats.total_tt  # type: ignore[attr-defined]
        print(f"\n{steps} steps; {total * 1000 / steps:.2f} ms/step under the profiler")
        stats.sort_stats(args.sort).print_stats(args.limit)


if __name__ == "__main__":
    main()
