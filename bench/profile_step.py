"""Where a durable case step spends its time: cProfile and SQL statements of the (b) services path.

Runs the 3-user-task model through the services (as ``engine_overhead.py`` (b) does) and prints
the statements of one run and the top of a cProfile, cumulative. Not a benchmark: use it to find
the next thing to remove. Usage: python bench/profile_step.py [--runs N] [--pg URL] [--sort KEY]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import engine_overhead as bench  # noqa: E402
from sqlalchemy import event  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--pg", default=None, help="PostgreSQL URL; SQLite in a temporary file without it")
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--limit", type=int, default=45)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = bench.fresh_pg(args.pg) if args.pg else f"sqlite:///{tmp}/profile.sqlite"
        factory, people = bench.prepare_database(url)
        run = bench.services_runner(factory, people)
        run()
        statements: list[str] = []
        engine = factory.kw["bind"]
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
