"""Timer lateness and outage catch-up, measured against the real scheduler process on PostgreSQL.

1. Lateness: N timers (default 10,000) due evenly over S seconds; one `python -m scheduler` at the
   default 1 s poll interval fires them. Lateness = firing time - due time, from the audit log.
2. Catch-up: M timers that fell due during a 10-minute outage (due evenly over the last 10
   minutes); time from scheduler start until the last one fired.

Usage: python bench/timers.py [--timers N] [--spread S] [--outage-timers M] [--pg URL]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from engine.accounts import organisations  # noqa: E402
from engine.accounts.actors import Actor  # noqa: E402
from engine.cases import lifecycle  # noqa: E402
from engine.db import make_engine, make_session_factory, unit_of_work  # noqa: E402
from engine.db.migrate import upgrade  # noqa: E402
from engine.modelling import deployments  # noqa: E402
from engine.modelling.forms import FormRepository  # noqa: E402
from engine.models import AuditEvent, Timer  # noqa: E402
from engine.workflow.bundle import SourceFile  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from engine_overhead import fresh_pg  # noqa: E402

MODEL = ROOT / "tests" / "fixtures" / "models" / "termijn.bpmn"
SYSTEM = Actor.system("bench")


def prepare(url: str):
    upgrade(url)
    factory = make_session_factory(make_engine(url))
    with unit_of_work(factory) as session:
        organisations.get_or_create_organisation(session, slug="eersel", name="Eersel", kind="gemeente")
        files = [SourceFile(MODEL.name, MODEL.read_bytes())]
        deployments.deploy(session, actor=SYSTEM, now=datetime.now(UTC), files=files, comment="bench",
                           forms=FormRepository(ROOT / "forms"))
    return factory


def create_timers(factory, dues: list[datetime], *, set_before: timedelta | None = None) -> None:
    """Start one case per due time; ``set_before`` backdates the start (timers set before an outage)."""
    for offset in range(0, len(dues), 500):
        with unit_of_work(factory) as session:
            for due in dues[offset:offset + 500]:
                started = due - set_before if set_before else datetime.now(UTC)
                lifecycle.start_case(session, actor=SYSTEM, now=started, process_id="termijn",
                                         data={"vervaldatum": due.isoformat()}, organisation_slug="eersel")


def waiting(factory) -> int:
    with unit_of_work(factory) as session:
        return int(session.scalar(select(func.count()).select_from(Timer).where(Timer.state == "waiting")) or 0)


def run_scheduler(url: str, tmp: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SIGNAALROUTE_DATABASE_URL": url, "SIGNAALROUTE_SECRET_KEY": "b" * 64,
           "SIGNAALROUTE_INSTANCE_DIR": tmp}
    return subprocess.Popen([sys.executable, "-m", "scheduler"], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def lateness(factory) -> list[float]:
    with unit_of_work(factory) as session:
        return sorted(e.payload["lateness_seconds"] for e in session.scalars(
            select(AuditEvent).where(AuditEvent.event_type == "timer.fired")))


def percentile(values: list[float], p: float) -> float:
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--timers", type=int, default=10_000)
    parser.add_argument("--spread", type=int, default=300)
    parser.add_argument("--outage-timers", type=int, default=3_000)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/signaalroute_bench_timers")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = fresh_pg(args.pg)
        factory = prepare(url)
        lead_in = 15 + args.timers * 0.012  # creating the timers takes ~8 ms each; none may fall due before
        start = datetime.now(UTC) + timedelta(seconds=lead_in)
        create_timers(factory, [start + timedelta(seconds=args.spread * n / args.timers) for n in range(args.timers)])
        scheduler = run_scheduler(url, tmp)
        try:
            while waiting(factory) and datetime.now(UTC) < start + timedelta(seconds=args.spread + 120):
                time.sleep(2)
        finally:
            scheduler.terminate()
            scheduler.wait(timeout=30)
        late = lateness(factory)

        url = fresh_pg(args.pg)
        factory = prepare(url)
        now = datetime.now(UTC)
        outage = [now - timedelta(seconds=600 * (1 - n / args.outage_timers)) for n in range(args.outage_timers)]
        create_timers(factory, outage, set_before=timedelta(hours=1))
        assert waiting(factory) == args.outage_timers, "every outage timer is overdue and waiting"
        began = time.monotonic()
        scheduler = run_scheduler(url, tmp)
        try:
            while waiting(factory):
                time.sleep(0.2)
            catch_up = time.monotonic() - began
        finally:
            scheduler.terminate()
            scheduler.wait(timeout=30)
    print("| timers | due over | fired | p50 lateness | p99 lateness | max lateness |")
    print("|---:|---:|---:|---:|---:|---:|")
    print(f"| {args.timers} | {args.spread} s | {len(late)} | {statistics.median(late):.2f} s | "
          f"{percentile(late, 99):.2f} s | {max(late):.2f} s |")
    print("\n| outage | timers due during it | catch-up after scheduler start (incl. process start) |")
    print("|---:|---:|---:|")
    print(f"| 10 min | {args.outage_timers} | {catch_up:.1f} s |")


if __name__ == "__main__":
    main()
