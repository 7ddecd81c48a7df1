"""Load test: many people at once on one PostgreSQL, with several web workers and schedulers.

For each number of people N (``--people 10,20,40``), on a fresh PostgreSQL database:

1. ``signaalroute demo load``'s data (the four regions, an account for every role in one gemeente
   per region, the models in processes/), plus ``--timer-cases`` cases of a one-timer model
   (``tests/fixtures/models/termijn.bpmn``) whose timers fall due evenly over the run: the app has no
   accelerated clock outside tests (``webapp.security.now`` reads ``app.config['CLOCK']`` only in
   tests; the scheduler reads the real time), so the region routes' own terms (days, weeks) cannot
   expire in minutes; these cases make the schedulers fire timers while people work.
2. ``signaalroute webserver --workers 4`` (gunicorn, gthread, 4 threads each) and two
   ``signaalroute planner`` processes (one leader, one standby that helps fire timers).
3. N simulated people, each a thread with its own API token and keep-alive connection, for
   ``--duration`` seconds: melders report signals (``POST /api/v1/signals``); the others list their
   werkbak (``GET /api/v1/tasks``), open a random task (``GET /api/v1/tasks/{id}``, which gives the
   form) and complete it with a valid random answer (``POST /api/v1/tasks/{id}/complete``), so cases
   walk the whole region routes. Between requests a person thinks (exponential, mean ``--think`` s;
   melders five times as long). People beyond the number of accounts share accounts, so two of them
   can complete the same task at once: the loser must get 409.
4. Afterwards ``signaalroute audit controleren`` and ``signaalroute afspelen --alle --droog`` must be clean.

Reports throughput (steps/s: case starts, task completions and timers fired), p50/p95/p99 per kind
of request, and every answer that is not 2xx, 409 on a completion excepted.

Usage: python bench/load.py [--people 10,20,40] [--duration 180] [--think 1.0] [--pg URL] [--json]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from engine_overhead import fresh_pg  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402

from engine.accounts import api_tokens  # noqa: E402
from engine.accounts.actors import Actor  # noqa: E402
from engine.accounts.roles import SECOND_FACTOR_ROLES  # noqa: E402
from engine.audit.seal_key import seal_key  # noqa: E402
from engine.cases import lifecycle  # noqa: E402
from engine.config import Settings  # noqa: E402
from engine.db import make_engine, make_session_factory, unit_of_work  # noqa: E402
from engine.db.migrate import upgrade  # noqa: E402
from engine.modelling import deployments  # noqa: E402
from engine.modelling.forms import FormRepository  # noqa: E402
from engine.models import AuditEvent, User  # noqa: E402
from engine.workflow.bundle import SourceFile  # noqa: E402
from tests.support.random_paths import random_answer  # noqa: E402

SYSTEM = Actor.system("bench")
TIMER_MODEL = ROOT / "tests" / "fixtures" / "models" / "termijn.bpmn"
MELDING = {"omschrijving": "Drie jonge vrouwen op één adres, 's nachts veel bezoek.", "acuut": False,
           "bron_melding": "collega", "anoniem": False}
# Accounts that do case work, most needed first: with few people every region still has its AF.
ROLE_ORDER = ("af", "melder", "politie", "zorgcoordinator", "procesregisseur", "oov", "ketenregisseur",
              "arbeidsinspectie", "veilig_thuis", "jeugdhulp")
STEP_KINDS = ("signal", "complete")
KEEPALIVE_SECONDS = 1.5  # below gunicorn's keepalive (2 s)


# --- setting up ------------------------------------------------------------------------------


def settings_for(url: str, instance_dir: Path) -> Settings:
    return Settings(instance_dir=instance_dir, database_url=url, secret_key="l" * 64)


def prepare(url: str, instance_dir: Path, *, timer_cases: int, timers_from: datetime, timers_over: float,
            people: int) -> list[tuple[str, str, str]]:
    """Demo data, timer cases, and one token per simulated person: [(username, role, token)]."""
    from signaalroute.demo import load

    upgrade(url)
    settings = settings_for(url, instance_dir)
    seal_key(settings)  # made once here, not raced for by two schedulers
    engine = make_engine(url)
    factory = make_session_factory(engine)
    now = datetime.now(UTC)
    with unit_of_work(factory) as session:
        load(session, settings, now=now)
        deployments.deploy(session, actor=SYSTEM, now=now, files=[SourceFile(TIMER_MODEL.name,
                                                                             TIMER_MODEL.read_bytes())],
                           comment="bench: timers", forms=FormRepository(ROOT / "forms"), default_role="af")
    for offset in range(0, timer_cases, 200):
        with unit_of_work(factory) as session:
            for n in range(offset, min(offset + 200, timer_cases)):
                due = timers_from + timedelta(seconds=timers_over * n / max(timer_cases, 1))
                lifecycle.start_case(session, actor=SYSTEM, now=now, process_id="termijn",
                                         data={"vervaldatum": due.isoformat()}, organisation_slug="eersel")
    with unit_of_work(factory) as session:
        # Roles with a mandatory second factor get a token only after enrolling an app: not simulated here.
        working = [role for role in ROLE_ORDER if role not in SECOND_FACTOR_ROLES]
        accounts = [(u.username, u.role) for u in session.scalars(select(User).where(User.role.in_(working)))]
        accounts.sort(key=lambda a: (ROLE_ORDER.index(a[1]), a[0]))
        chosen = [accounts[i % len(accounts)] for i in range(people)]
        result = [(name, role, api_tokens.issue(session, actor=SYSTEM, now=now, username=name))
                  for name, role in chosen]
    engine.dispose()
    return result


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_processes(url: str, instance_dir: Path, port: int, *, workers: int,
                    schedulers: int) -> list[subprocess.Popen[bytes]]:
    env = {**os.environ, "SIGNAALROUTE_DATABASE_URL": url, "SIGNAALROUTE_SECRET_KEY": "l" * 64,
           "SIGNAALROUTE_INSTANCE_DIR": str(instance_dir), "SIGNAALROUTE_LOG_LEVEL": "WARNING",
           "PYTHONPATH": str(ROOT)}
    cli = [sys.executable, "-c", "from signaalroute.cli import main; main()"]
    logs = open(instance_dir / "processes.log", "ab")  # noqa: SIM115 - closed with the processes
    procs = [subprocess.Popen([*cli, "webserver", "--poort", str(port), "--workers", str(workers)], env=env,
                              cwd=ROOT, stdout=logs, stderr=logs)]
    procs += [subprocess.Popen([*cli, "planner"], env=env, cwd=ROOT, stdout=logs, stderr=logs)
              for _ in range(schedulers)]
    # The port opens when gunicorn's arbiter binds; its workers boot later. Warm up until a burst of
    # fresh connections is answered, so no person's first request waits for a worker to boot.
    deadline = time.monotonic() + 120
    answered = 0
    while answered < 4 * workers:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/api/v1/openapi.json")
            answered += connection.getresponse().status == 200
            connection.close()
        except (OSError, http.client.HTTPException):
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start") from None
            time.sleep(0.2)
    return procs


def stop_processes(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def database_pids(url: str) -> list[int]:
    """The PostgreSQL backends serving this database now (local server: their CPU shows in /proc)."""
    engine = make_engine(url)
    with engine.connect() as connection:
        pids = [int(p) for p in connection.execute(text(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )).scalars()]
    engine.dispose()
    return pids


def backend_cpu(pids: list[int]) -> dict[int, float]:
    return {pid: cpu_seconds([pid]) for pid in pids}


def cpu_seconds(root_pids: list[int]) -> float:
    """User + system CPU seconds of these processes and all their descendants (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    parent_of: dict[int, int] = {}
    used: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parent_of[int(entry.name)] = int(fields[1])
        used[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks
    wanted = set(root_pids)
    changed = True
    while changed:
        grown = {pid for pid, parent in parent_of.items() if parent in wanted} - wanted
        changed = bool(grown)
        wanted |= grown
    return sum(used.get(pid, 0.0) for pid in wanted)


# --- the people --------------------------------------------------------------------------------


@dataclass
class Sample:
    kind: str
    status: int  # 0: no HTTP answer (connection error)
    seconds: float
    at: float  # time.monotonic() when the answer came


@dataclass
class Person:
    username: str
    role: str
    token: str
    port: int
    think: float
    rng: random.Random
    samples: list[Sample] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)  # the first unexpected answers, for the report

    def __post_init__(self) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        self.last_answer = 0.0

    def call(self, kind: str, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        if time.monotonic() - self.last_answer > KEEPALIVE_SECONDS:
            # gunicorn closes an idle keep-alive connection after 2 s; a browser would open a new one.
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        begin = time.perf_counter()
        try:
            self.connection.request(method, path, body=json.dumps(body) if body is not None else None,
                                    headers=headers)
            response = self.connection.getresponse()
            raw = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.samples.append(Sample(kind, 0, time.perf_counter() - begin, time.monotonic()))
            self.bodies.append(f"{kind}: {type(exc).__name__}")
            return 0, None
        self.samples.append(Sample(kind, status, time.perf_counter() - begin, time.monotonic()))
        self.last_answer = time.monotonic()
        payload = json.loads(raw) if raw else None
        if not expected(kind, status) and len(self.bodies) < 5:
            self.bodies.append(f"{kind} {status}: {raw[:300]!r}")
        return status, payload

    def pause(self, until: float) -> None:
        wanted = self.rng.expovariate(1.0 / self.think) * (5 if self.role == "melder" else 1)
        time.sleep(max(0.0, min(wanted, until - time.monotonic())))

    def work(self, until: float) -> None:
        while time.monotonic() < until:
            if self.role == "melder":
                self.call("signal", "POST", "/api/v1/signals", {"melding": {**MELDING,
                                                                           "acuut": self.rng.random() < 0.2}})
                self.pause(until)
                continue
            status, listing = self.call("list", "GET", "/api/v1/tasks?limit=20")
            self.pause(until)
            items = listing.get("items", []) if status == 200 and listing else []
            if not items or time.monotonic() >= until:
                continue
            task = self.rng.choice(items)
            status, opened = self.call("open", "GET", f"/api/v1/tasks/{task['id']}")
            if status != 200:
                continue
            self.pause(until)
            schema = opened.get("form_schema")
            data = random_answer(schema, self.rng) if schema else {}
            self.call("complete", "POST", f"/api/v1/tasks/{task['id']}/complete", {"data": data})
            self.pause(until)
        self.connection.close()


def expected(kind: str, status: int) -> bool:
    """2xx, or the 409 of a completion someone else won (or of a task a timer or branch closed meanwhile)."""
    return 200 <= status < 300 or (kind == "complete" and status == 409)


# --- one run -----------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def run_cli(url: str, instance_dir: Path, *args: str) -> tuple[int, str]:
    env = {**os.environ, "SIGNAALROUTE_DATABASE_URL": url, "SIGNAALROUTE_SECRET_KEY": "l" * 64,
           "SIGNAALROUTE_INSTANCE_DIR": str(instance_dir), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", "from signaalroute.cli import main; main()", *args], env=env,
                          cwd=ROOT, capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    errors = [line for line in done.stderr.splitlines() if line.strip()]
    return done.returncode, lines[-1] if lines else (errors[-1] if errors else "")


def one_run(args: argparse.Namespace, people_count: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        instance_dir = Path(tmp)
        url = fresh_pg(args.pg)
        lead_in = 20.0
        timers_from = datetime.now(UTC) + timedelta(seconds=lead_in + 60)
        people_rows = prepare(url, instance_dir, timer_cases=args.timer_cases, timers_from=timers_from,
                              timers_over=args.duration * 0.8, people=people_count)
        port = free_port()
        procs = start_processes(url, instance_dir, port, workers=args.workers, schedulers=args.schedulers)
        try:
            seed = random.Random(args.seed)
            people = [Person(name, role, token, port, args.think, random.Random(seed.random()))
                      for name, role, token in people_rows]
            began_wall = datetime.now(UTC)
            began = time.monotonic()
            server_cpu = cpu_seconds([procs[0].pid])
            scheduler_cpu = cpu_seconds([p.pid for p in procs[1:]])
            client_cpu = time.process_time()
            database_before = backend_cpu(database_pids(url))
            until = began + args.duration
            threads = [threading.Thread(target=p.work, args=(until,), daemon=True) for p in people]
            for thread in threads:
                thread.start()
                time.sleep(min(0.05, args.think / max(len(threads), 1)))  # ramp up over a moment
            for thread in threads:
                thread.join(timeout=args.duration + 120)
            elapsed = time.monotonic() - began
            database_after = backend_cpu(database_pids(url))
            # Backends that lived through the run (pooled connections); ones that came later count whole.
            database_cpu = sum(after - database_before.get(pid, 0.0) for pid, after in database_after.items())
            cores = {"web": (cpu_seconds([procs[0].pid]) - server_cpu) / elapsed,
                     "postgresql": database_cpu / elapsed,
                     "schedulers": (cpu_seconds([p.pid for p in procs[1:]]) - scheduler_cpu) / elapsed,
                     "load_client": (time.process_time() - client_cpu) / elapsed}
        finally:
            stop_processes(procs)
        engine = make_engine(url)
        factory = make_session_factory(engine)
        with unit_of_work(factory) as session:
            fired = int(session.scalar(select(func.count()).select_from(AuditEvent).where(
                AuditEvent.event_type == "timer.fired",
                AuditEvent.occurred_at >= began_wall + timedelta(seconds=args.warmup))) or 0)
        engine.dispose()
        verify_code, verify_line = run_cli(url, instance_dir, "audit", "controleren")
        replay_code, replay_line = run_cli(url, instance_dir, "afspelen", "--alle", "--droog")
    # Figures from after the warm-up (each worker builds a model's spec on first use, caches fill).
    measured_from = began + args.warmup
    samples = [s for p in people for s in p.samples if s.at >= measured_from]
    elapsed -= args.warmup
    by_kind: dict[str, list[float]] = defaultdict(list)
    statuses: Counter[tuple[str, int]] = Counter()
    for sample in samples:
        by_kind[sample.kind].append(sample.seconds * 1000)
        statuses[(sample.kind, sample.status)] += 1
    steps = sum(n for (kind, status), n in statuses.items() if kind in STEP_KINDS and 200 <= status < 300)
    errors = {f"{kind} {status}": n for (kind, status), n in statuses.items() if not expected(kind, status)}
    conflicts = statuses[("complete", 409)]
    every = [s.seconds * 1000 for s in samples]
    return {
        "people": people_count, "seconds": round(elapsed, 1), "requests": len(samples),
        "requests_per_s": len(samples) / elapsed, "steps": steps, "timers_fired": fired,
        "steps_per_s": (steps + fired) / elapsed,
        "kinds": {kind: {"n": len(v), "p50": percentile(v, 50), "p95": percentile(v, 95), "p99": percentile(v, 99)}
                  for kind, v in sorted(by_kind.items())},
        "all": {"p50": percentile(every, 50), "p95": percentile(every, 95), "p99": percentile(every, 99)}
        if every else {},
        "conflicts_409": conflicts, "errors": errors,
        "error_examples": [b for p in people for b in p.bodies][:8],
        "audit_verify": {"exit": verify_code, "says": verify_line},
        "replay_all": {"exit": replay_code, "says": replay_line},
        "cores_used": cores,  # CPU seconds per second over the whole run, warm-up included
        "load_average": os.getloadavg(),
    }


def print_table(results: list[dict[str, Any]]) -> None:
    print("| people | steps/s | requests/s | list p50/p95/p99 ms | open p50/p95/p99 ms | "
          "complete p50/p95/p99 ms | signal p50/p95/p99 ms | all p95 ms | 409s | errors | timers fired | "
          "audit verify | replay --all | cores used: web / PostgreSQL / schedulers / load client |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|")
    for r in results:
        cells = []
        for kind in ("list", "open", "complete", "signal"):
            k = r["kinds"].get(kind)
            cells.append(f"{k['p50']:.0f} / {k['p95']:.0f} / {k['p99']:.0f}" if k else "-")
        errors = sum(r["errors"].values())
        print(f"| {r['people']} | {r['steps_per_s']:.1f} | {r['requests_per_s']:.1f} | " + " | ".join(cells)
              + f" | {r['all'].get('p95', 0):.0f} | {r['conflicts_409']} | {errors} | {r['timers_fired']} | "
              f"{'clean' if r['audit_verify']['exit'] == 0 else 'FAILED'} | "
              f"{'clean' if r['replay_all']['exit'] == 0 else 'FAILED'} | "
          + " / ".join(f"{r['cores_used'].get(k, 0):.2f}" for k in ("web", "postgresql", "schedulers", "load_client"))
          + " |")
    for r in results:
        if r["errors"] or r["audit_verify"]["exit"] or r["replay_all"]["exit"]:
            print(f"\n{r['people']} people: errors {r['errors']}; examples {r['error_examples']}; "
                  f"verify: {r['audit_verify']}; replay: {r['replay_all']}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", default="10,20,40", help="comma-separated numbers of simulated people")
    parser.add_argument("--duration", type=float, default=180.0, help="seconds of load per run")
    parser.add_argument("--warmup", type=float, default=20.0, help="seconds at the start not counted")
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds between a person's requests")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--schedulers", type=int, default=2)
    parser.add_argument("--timer-cases", type=int, default=300, help="cases whose timer falls due during the run")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/signaalroute_bench_load")
    parser.add_argument("--json", action="store_true", help="also print every result as JSON")
    args = parser.parse_args()
    results = []
    for count in (int(n) for n in args.people.split(",")):
        result = one_run(args, count)
        results.append(result)
        print(json.dumps(result), file=sys.stderr, flush=True)
    print(f"--duration {args.duration:.0f} s (first {args.warmup:.0f} s not counted), --think {args.think} s, "
          f"{args.workers} web workers, "
          f"{args.schedulers} schedulers, {args.timer_cases} timer cases, python {sys.version.split()[0]}\n")
    print_table(results)
    if args.json:
        print(json.dumps(results))
    if any(r["errors"] or r["audit_verify"]["exit"] or r["replay_all"]["exit"] for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
