"""Where a durable case step spends its time: cProfile and SQL statements of path (b) or (c).

Runs the 3-user-task model through the services (as ``engine_overhead.py`` (b) does), or with
``--api`` through the JSON API in this process (Flask's test client instead of gunicorn and a
socket), and prints the statements of one run and the top of a cProfile. Not a benchmark: use it
to find the next thing to remove.
Usage: python bench/profile_step.py [--api] [--runs N] [--pg URL] [--sort KEY]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import tempfile
from collections.abc import Callable
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
    from engine.actors import Actor
    from engine.db import unit_of_work
    from engine.services import users
    from webapp import create_app

    app = create_app()
    with unit_of_work(factory) as session:
        tokens = {name: users.create_token(session, actor=Actor.system("bench"), now=bench.START, username=name)
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--pg", default=None, help="PostgreSQL URL; SQLite in a temporary file without it")
    parser.add_argument("--api", action="store_true", help="profile (c), the JSON API, instead of (b)")
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--limit", type=int, default=45)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = bench.fresh_pg(args.pg) if args.pg else f"sqlite:///{tmp}/profile.sqlite"
        factory, people = bench.prepare_database(url)
        if args.api:
            run, engine = api_runner(url, factory, people, Path(tmp))
        else:
            run, engine = bench.services_runner(factory, people), factory.kw["bind"]
        run()
        statements: list[str] = []
        listener = lambda *a: statements.append(" ".join(a[2].split())[:150])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        run()
        event.remove(engine, "before_cursor_execute", listener)
        print(f"{len(statements)} statements per run of {bench.STEPS_PER_RUN} steps:")
        for statement in statements:
            print("  ", statement)
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.runs):
            run()
        profile.disable()
        stats = pstats.Stats(profile)
        steps = args.runs * bench.STEPS_PER_RUN
        total = stats.total_tt  # type: ignore[attr-defined]
        print(f"\n{steps} steps; {total * 1000 / steps:.2f} ms/step under the profiler")
        stats.sort_stats(args.sort).print_stats(args.limit)


if __name__ == "__main__":
    main()
