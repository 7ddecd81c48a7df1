"""How long the monitoring dashboard takes for a region with 100,000 cases over 10 years.

Generates the region Oost-Brabant (32 gemeenten, from its profile) with N cases (default 100,000)
spread over 10 years (2017-2026), written in bulk with Core: for each case the ``instance`` row and
the ``case_figure`` row the step hooks keep (engine.monitoring.figures; the ``case_count`` rows they
keep are then computed from those rows in SQL by ``figures.rebuild_counts``), with categories drawn
from the forms' option lists (weighted: SU and AU most, a few acute, most closed with an outcome)
and lead times drawn from log-normal distributions. Gemeenten get cases in proportion to a Zipf
weight, so the big cities have thousands a year and the small ones a handful (which is what makes
suppression work hard). Open cases get open tasks in the ``human_task`` index (a third overdue),
and the region has a meeting every two weeks with 5 to 15 agenda items. Workflows are not run:
the dashboard reads only these tables, and running 100,000 cases through the engine would
measure the engine, not the dashboard.

Then it times, in a fresh process and after ANALYZE, ``engine.monitoring.dashboard.build`` (every
query, the suppression of all tables of the page, lead times, stalls) plus drawing the page's
charts (``engine.monitoring.charts.svg``), for the ketenregisseur (the whole region, gemeenten
compared) and for the AF of the largest and of a small gemeente, for the current year and an
earlier one. Each is run RUNS times with the caches emptied first: the first run is cold (every
year solved), the others find the years whose figures did not change in the cache, as a running
server does. The table shows the cold run, the median, the fastest and the process's CPU time
(the machine is shared: the load average is printed with the table).

Usage: python bench/dashboard.py [--cases N] [--database postgresql|sqlite]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from engine.accounts import users  # noqa: E402
from engine.accounts.actors import Actor  # noqa: E402
from engine.db import make_engine, make_session_factory, normalize_url, unit_of_work  # noqa: E402
from engine.db.migrate import upgrade  # noqa: E402
from engine.modelling import deployments  # noqa: E402
from engine.modelling.forms import FormRepository  # noqa: E402
from engine.models import (  # noqa: E402
    Case,
    HumanTask,
    Meeting,
    MeetingItem,
    Organisation,
    ProcessDefinition,
    User,
)
from engine.models.monitoring import CaseFigure  # noqa: E402
from engine.monitoring import charts, dashboard, figures  # noqa: E402
from engine.regions import region_setup  # noqa: E402
from engine.regions.regions import load_regions  # noqa: E402
from engine.workflow.bundle import SourceFile  # noqa: E402

PG_URL = "postgresql://postgres@127.0.0.1:5432/sr_dashboard_bench"
REGION = "oost-brabant"
FIRST_YEAR, YEARS = 2017, 10
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
RUNS = 7
BATCH = 10_000
SYSTEM = Actor.system("bench")

VORMEN = (["SU"] * 40 + ["AU"] * 30 + ["CU"] * 15 + ["OV"] * 1 + ["onbekend"] * 10 + [None] * 4)
BRONNEN = ["collega"] * 40 + ["inwoner"] * 20 + ["partner"] * 30 + ["anoniem_mma"] * 8 + ["ondermijningszaak"] * 2
UITKOMSTEN = (["opplussen"] * 15 + ["onwenselijke_situatie"] * 25 + ["geen_mensenhandel"] * 30
              + ["nog_niet_concreet"] * 5 + [None] * 25)
GESLACHT = ["vrouw"] * 50 + ["man"] * 35 + ["anders"] * 1 + ["onbekend"] * 4 + [None] * 10
LEEFTIJD = [g for g in figures.LEEFTIJDSGROEPEN for _ in range(3)] + [None] * 4
NATIONALITEIT = [g for g in figures.NATIONALITEITSGROEPEN for _ in range(3)] + [None] * 3
DAY = 86400


def fresh_database(kind: str, folder: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{folder / 'dashboard.sqlite'}"
    url = make_url(normalize_url(PG_URL))
    admin = make_engine(str(url.set(database="postgres")))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}"'))
        connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()
    return PG_URL


def lognormal_seconds(rng: random.Random, median_days: float, spread: float = 0.8) -> int:
    return int(rng.lognormvariate(0, spread) * median_days * DAY)


def generate(url: str, cases: int, seed: int = 17) -> dict[str, Any]:
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    regions = load_regions(ROOT / "processes" / "regions")
    rng = random.Random(seed)
    with unit_of_work(factory) as session:
        region_setup.load_region_organisations(session, regions)
        deployments.deploy(session, actor=SYSTEM, now=NOW, comment="bench", forms=FormRepository(ROOT / "forms"),
                           files=[SourceFile(p.name, p.read_bytes()) for p in sorted((ROOT / "processes").glob("*"))
                                  if p.suffix in {".bpmn", ".dmn"}])
        definition = session.scalar(select(ProcessDefinition.id).where(
            ProcessDefinition.process_id == "signaal_oost_brabant"))
        gemeenten = list(session.execute(select(Organisation.id, Organisation.slug).where(
            Organisation.region == REGION, Organisation.kind == "gemeente").order_by(Organisation.id)))
        partners = list(session.scalars(select(Organisation.id).where(
            Organisation.region == REGION, Organisation.kind == "partner")))
        for role, org in (("ketenregisseur", "oost-brabant-ketenregisseur"),):
            users.create_user(session, actor=SYSTEM, now=NOW, username=f"{role}.{org}", password="x" * 16,
                              role=role, organisation_slug=org)
    rng.shuffle(gemeenten)
    weights = [1 / (rank + 1) for rank in range(len(gemeenten))]
    start = datetime(FIRST_YEAR, 1, 1, tzinfo=UTC)
    span = (NOW - start).total_seconds()
    with unit_of_work(factory) as session:
        connection = session.connection()
        next_id = 1
        while next_id <= cases:
            batch = range(next_id, min(cases, next_id + BATCH - 1) + 1)
            instances, figure_rows, tasks = [], [], []
            for case in batch:
                gemeente_id = rng.choices(gemeenten, weights)[0][0]
                created = start + timedelta(seconds=rng.random() * span)
                local = created.astimezone(figures.AMSTERDAM)
                age = (NOW - created).total_seconds()
                uitkomst = rng.choice(UITKOMSTEN)
                closed = age > 120 * DAY and rng.random() < 0.9
                status = "completed" if closed else "active"
                instances.append({"id": case, "definition_id": definition, "organisation_id": gemeente_id,
                                  "status": status, "state": "", "serializer_version": "bench",
                                  "created_at": created, "updated_at": created, "version": 1,
                                  "acuut": rng.random() < 0.05, "vorm": None})
                steps = {"verrijkt_s": lognormal_seconds(rng, 3), "overgedragen_s": lognormal_seconds(rng, 5),
                         "partner_terugkoppeling_s": lognormal_seconds(rng, 20),
                         "melder_terugkoppeling_s": lognormal_seconds(rng, 25),
                         "afgesloten_s": lognormal_seconds(rng, 60) if closed else None,
                         "overleg_wachttijd_s": lognormal_seconds(rng, 9) if uitkomst else None}
                steps = {k: (v if v is not None and v < age else None) for k, v in steps.items()}
                figure_rows.append({
                    "instance_id": case, "organisation_id": gemeente_id, "region": REGION,
                    "route": "signaal_oost_brabant", "created_at": created, "year": local.year, "month": local.month,
                    "acuut": instances[-1]["acuut"], "bron": rng.choice(BRONNEN), "vorm": rng.choice(VORMEN),
                    "uitkomst": uitkomst, "geslacht": rng.choice(GESLACHT), "leeftijdsgroep": rng.choice(LEEFTIJD),
                    "nationaliteitsgroep": rng.choice(NATIONALITEIT), **steps})
                if not closed:
                    for n in range(rng.randint(1, 2)):
                        task_created = created + timedelta(days=rng.random() * min(age / DAY, 60))
                        tasks.append({"instance_id": case, "spiff_task_id": f"{case:08d}-{n}",
                                      "element_id": rng.choice(["verrijken", "overdracht_politie", "zorg_en_opvang",
                                                                "terugkoppelen_melder"]),
                                      "name": "Taak", "role": rng.choice(["af", "politie", "zorgcoordinator"]),
                                      "organisation_id": rng.choice([gemeente_id, *partners]), "state": "ready",
                                      "due_at": task_created + timedelta(days=rng.choice([3, 5, 10, 30, 400])),
                                      "created_at": task_created})
            connection.execute(insert(Case), instances)
            connection.execute(insert(CaseFigure), figure_rows)
            if tasks:
                connection.execute(insert(HumanTask), tasks)
            next_id = batch[-1] + 1
        meeting_at = start
        items = []
        meeting_id = 0
        while meeting_at < NOW:
            meeting_id += 1
            connection.execute(insert(Meeting), [{
                "id": meeting_id, "region": REGION, "name": "AVO", "starts_at": meeting_at,
                "call_at": meeting_at - timedelta(days=5), "freeze_at": meeting_at - timedelta(days=2),
                "participant_roles": "procesregisseur", "state": "gehouden", "planned_by": "planner", "version": 1}])
            for case in rng.sample(range(1, cases + 1), min(cases, rng.randint(5, 15))):
                items.append({"meeting_id": meeting_id, "instance_id": case, "task_id": None,
                              "section": rng.choice(["nieuw", "nieuw", "lopend"]), "added_at": meeting_at,
                              "decision": rng.choice(["geen_mensenhandel", "nog_niet_concreet", None])})
            meeting_at += timedelta(days=14)
        # Agenda items point at a decision task; the bench gives them a task row of their own.
        task_ids = connection.execute(insert(HumanTask).returning(HumanTask.id), [
            {"instance_id": item["instance_id"], "spiff_task_id": f"m{n}", "element_id": "besluit_overleg",
             "name": "Besluit", "role": "procesregisseur", "organisation_id": partners[0], "state": "completed",
             "created_at": item["added_at"]} for n, item in enumerate(items)]).scalars().all()
        for item, task_id in zip(items, task_ids, strict=True):
            item["task_id"] = task_id
        connection.execute(insert(MeetingItem), items)
        figures.rebuild_counts(session)  # the counts the step hooks keep, computed once for the generated rows
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if engine.dialect.name == "postgresql":  # explicit ids were written: move the sequences past them
            connection.execute(text("SELECT setval('instance_id_seq', (SELECT max(id) FROM instance))"))
            connection.execute(text("SELECT setval('meeting_id_seq', (SELECT max(id) FROM meeting))"))
        connection.execute(text("ANALYZE"))
    with unit_of_work(factory) as session:
        largest = session.execute(text(
            "SELECT organisation_id, count(*) FROM case_figure GROUP BY organisation_id ORDER BY 2 DESC")).all()
        open_tasks = session.scalar(text("SELECT count(*) FROM human_task WHERE state = 'ready'"))
    engine.dispose()
    return {"largest": largest[0], "smallest": largest[-1], "open_tasks": open_tasks, "meetings": meeting_id,
            "items": len(items)}


def af_of(url: str, organisation_id: int) -> Actor:
    factory = make_session_factory(make_engine(url))
    with unit_of_work(factory) as session:
        slug = session.scalar(select(Organisation.slug).where(Organisation.id == organisation_id))
        user = users.create_user(session, actor=SYSTEM, now=NOW, username=f"af.{slug}", password="x" * 16,
                                 role="af", organisation_slug=str(slug))
        return users.actor_for(user)


def measure(url: str, actor: Actor, year: int, dimension: str) -> tuple[list[float], list[float], int]:
    """Wall time of each run (the first one cold: nothing cached), and this process's CPU time."""
    engine = make_engine(url)
    factory = make_session_factory(engine)
    samples, cpu, hidden = [], [], 0
    for _ in range(RUNS):
        with unit_of_work(factory) as session:
            began, began_cpu = time.perf_counter(), time.process_time()
            board = dashboard.build(session, actor=actor, now=NOW, year=year, dimension=dimension)
            for slug in [*board.counts, board.lead_times.slug]:
                charts.svg(board.tables[slug])
            samples.append(time.perf_counter() - began)
            cpu.append(time.process_time() - began_cpu)
            hidden = board.hidden_cells
    engine.dispose()
    return samples, cpu, hidden


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = fresh_database(args.database, Path(folder))
        began = time.perf_counter()
        facts = generate(url, args.cases)
        print(f"generated {args.cases} cases in {time.perf_counter() - began:.0f} s: {facts}", flush=True)
        factory = make_session_factory(make_engine(url))
        with unit_of_work(factory) as session:
            keten = users.actor_for(session.scalars(select(User).where(
                User.username == "ketenregisseur.oost-brabant-ketenregisseur")).one())
        people = [("ketenregisseur (regio, 32 gemeenten)", keten),
                  (f"AF grootste gemeente ({facts['largest'][1]} zaken)", af_of(url, facts["largest"][0])),
                  (f"AF kleinste gemeente ({facts['smallest'][1]} zaken)", af_of(url, facts["smallest"][0]))]
        print(f"load average before measuring: {os.getloadavg()[0]:.1f} (on {os.cpu_count()} cores)")
        print(f"| {args.database} | wie | jaar | indeling | eerste (koud) | mediaan | snelste | CPU (mediaan) "
              "| verborgen cellen |")
        print("|---|---|---|---|---|---|---|---|---|")
        for name, actor in people:
            for year, dimension in ((2026, "vorm"), (2021, "uitkomst")):
                dashboard._suppressed.cache_clear()
                dashboard._suppressed_under.cache_clear()
                samples, cpu, hidden = measure(url, actor, year, dimension)
                print(f"| {args.database} | {name} | {year} | {dimension} | {samples[0] * 1000:.0f} ms "
                      f"| {statistics.median(samples) * 1000:.0f} ms | {min(samples) * 1000:.0f} ms "
                      f"| {statistics.median(cpu) * 1000:.0f} ms | {hidden} |", flush=True)
        print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
