"""How long `audit controleren` takes over a large log, and how much memory it needs.

Generates an audit log of N events (default 1,000,000) spread over cases of EVENTS_PER_CASE events,
each a valid hash-chained event with a payload of the size a task completion writes (about 300
bytes of JSON), with chain heads, written in bulk with Core (the same rows `engine.audit.log.record`
writes, without running cases: the verification reads rows, not workflows). Then runs the
verification (`engine.audit.verification.check`: every event's payload digest, hash, link and
order, every chain's head and the seals) in a fresh subprocess, and reports its wall time, events
per second and peak resident memory. Two sizes are measured so the memory column shows what grows
(the chains' heads) and what does not (events are streamed).

Usage: python bench/audit_verify.py [--events N] [--database sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from engine.audit import log  # noqa: E402
from engine.db import make_engine, make_session_factory, normalize_url, unit_of_work  # noqa: E402
from engine.db.migrate import upgrade  # noqa: E402
from engine.models import AuditChainHead, AuditEvent  # noqa: E402

PG_URL = "postgresql://postgres@127.0.0.1:5432/signaalroute_bench_audit"
EVENTS_PER_CASE = 10
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
BATCH = 20_000


def payload(case: int, step: int) -> dict[str, Any]:
    return {"element_id": f"taak_{step}", "state_sha256": f"{case:064x}",
            "data": {"vorm": "SU", "samenvatting": "Signaal over een woning waar mogelijk mensen werken " * 2,
                     "acuut": False, "gemeente": "eersel", "stap": step}}


def fresh_database(kind: str, folder: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{folder / 'audit.sqlite'}"
    url = make_url(normalize_url(PG_URL))
    admin = make_engine(str(url.set(database="postgres")))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}"'))
        connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()
    return PG_URL


def generate(url: str, events: int) -> None:
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    rows: list[dict[str, Any]] = []
    heads: list[dict[str, Any]] = []
    with unit_of_work(factory) as session:
        connection = session.connection()
        for case in range(1, events // EVENTS_PER_CASE + 1):
            chain, previous = log.chain_for_case(case), log.GENESIS
            for step in range(1, EVENTS_PER_CASE + 1):
                body = payload(case, step)
                values: dict[str, Any] = {
                    "chain": chain, "seq": step, "instance_id": None, "event_type": "task.completed",
                    "occurred_at": START + timedelta(minutes=case, seconds=step), "actor_id": None,
                    "actor_username": "af.eersel", "actor_role": "af", "actor_organisation": "eersel",
                    "definition_id": None, "task_id": None, "payload": body,
                    "payload_sha256": log.payload_digest(body), "prev_hash": previous,
                }
                values["hash"] = log.hash_of(values)
                previous = values["hash"]
                rows.append(values)
            heads.append({"chain": chain, "seq": EVENTS_PER_CASE, "hash": previous, "unsealed": True})
            if len(rows) >= BATCH:
                connection.execute(insert(AuditEvent.__table__), rows)
                connection.execute(insert(AuditChainHead.__table__), heads)
                rows, heads = [], []
        if rows:
            connection.execute(insert(AuditEvent.__table__), rows)
            connection.execute(insert(AuditChainHead.__table__), heads)
    engine.dispose()


def verify_in_child(url: str) -> dict[str, Any]:
    """Run in a fresh interpreter so its peak memory is the verification's own."""
    code = (
        "import json, resource, sys, time\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey\n"
        "from engine.audit.seal_key import SealKey\n"
        "from engine.db import make_engine, make_session_factory, unit_of_work\n"
        "from engine.audit import verification\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        f"factory = make_session_factory(make_engine({url!r}))\n"
        "started = time.perf_counter()\n"
        "with unit_of_work(factory) as session:\n"
        "    found = verification.check(session, verifier=SealKey(Ed25519PrivateKey.generate()).verifier)\n"
        "elapsed = time.perf_counter() - started\n"
        "print(json.dumps({'seconds': elapsed, 'events': found.events, 'chains': found.chains,\n"
        "                  'problems': len(found.problems), 'rss_before_kib': before,\n"
        "                  'rss_peak_kib': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    print("| database | events | cases | generate s | verify s | events/s | peak RSS MiB | problems |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for kind in kinds:
        for events in (args.events // 10, args.events):
            with tempfile.TemporaryDirectory() as folder:
                url = fresh_database(kind, Path(folder))
                began = time.perf_counter()
                generate(url, events)
                generated = time.perf_counter() - began
                result = verify_in_child(url)
            print(f"| {kind} | {result['events']:,} | {result['chains']:,} | {generated:.0f} | "
                  f"{result['seconds']:.1f} | {result['events'] / result['seconds']:,.0f} | "
                  f"{result['rss_peak_kib'] / 1024:.0f} | {result['problems']} |", flush=True)


if __name__ == "__main__":
    main()
