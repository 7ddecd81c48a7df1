"""Does the werkbak stay fast as cases pile up? Every werkbak request kind at 1k / 20k / 100k open cases.

Data: the model of ``engine_overhead.py`` (``drie_taken.bpmn``, first task in the AF lane of Eersel). Two
open cases (one acute) and one finished case (three completed tasks) are made through the services
(``lifecycle.start_case`` / ``complete_task``); their rows are the templates. Then the database copies them
itself (``INSERT ... SELECT`` from the template rows, 5,000 open cases a batch; only the varied columns
travel, through a temporary table) until the size is reached, each with ``history`` completed tasks (10 by
default, so 1M at 100k) in finished cases. A bulk row is the template row with only these columns changed:
ids, ``spiff_task_id`` (a fresh uuid), ``created_at``/``updated_at`` (one second apart), ``due_at`` (spread
over -10..+30 days, one in seven without a term, as models with terms give), ``assignee_id`` (one in five
held by the AF, one in five by a colleague), ``acuut`` (one in fifty) and the case's ``vorm`` (rotating,
with the task's copy of it);
:func:`check_bulk_rows` asserts that every other column equals the service-made row before anything
is measured. The AF of Eersel sees every open task (the issue's worst case); ``leeg``, an AF of
another gemeente, sees none.

Each request kind runs through Flask's test client (the whole request: session or token, the query,
the template or JSON), ``--runs`` times after two warm-up calls; the table shows the median and p95
in ms per size and the ratio 100k / 1k of the medians. ``ANALYZE`` runs after each bulk load, as
autovacuum would do on a live database.

Usage: python bench/werkbak.py [--pg URL] [--sizes 1000,20000,100000] [--history 10] [--runs 20]
       python bench/werkbak.py --pg URL --reuse --sizes 100000 [--runs 20]  (measure a kept database again)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import engine_overhead as base  # noqa: E402
from sqlalchemy import Column, ColumnElement, Integer, MetaData, String, Table, and_, func, insert, select, text  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from engine.accounts import api_tokens, organisations, users  # noqa: E402
from engine.accounts.actors import Actor  # noqa: E402
from engine.cases import case_store, lifecycle  # noqa: E402
from engine.db import UTCDateTime, make_engine, make_session_factory, normalize_url, unit_of_work  # noqa: E402
from engine.models import Case, HumanTask  # noqa: E402

TASKS: Table = HumanTask.__table__  # type: ignore[assignment]
CASES: Table = Case.__table__  # type: ignore[assignment]
BATCH = 5000
VORMEN = ["SU", "AU", "CU", "OV", None]
# Columns a bulk row may differ in from the service-made template row; every other one must be equal.
VARIED_TASK = {"id", "instance_id", "spiff_task_id", "created_at", "due_at", "assignee_id", "vorm"}
VARIED_CASE = {"id", "created_at", "updated_at", "vorm"}
PASSWORD = "bench-wachtwoord-lang"


def templates(factory, people: dict[str, Actor]) -> dict[str, Any]:
    """Service-made rows: an open case (plain and acute) and a finished case with its three tasks."""
    clock = base.START
    made: dict[str, Any] = {}
    for key, data in (("open", {}), ("acuut", {"acuut": True})):
        with unit_of_work(factory) as session:
            case = lifecycle.start_case(session, actor=people["af"], now=clock, process_id="drie_taken", data=data)
            made[key] = case.id
    with unit_of_work(factory) as session:
        case_id = lifecycle.start_case(session, actor=people["af"], now=clock, process_id="drie_taken",
                                           data={}).id
    for who in ("af", "avim", "af"):
        with unit_of_work(factory) as session:
            [task] = lifecycle.list_tasks(session, actor=people[who], instance_id=case_id)
            lifecycle.complete_task(session, actor=people[who], now=clock, task_id=task.id,
                                    data=base.FIRST_TASK_DATA if task.form else {}, forms=base.FORMS)
    made["done"] = case_id
    rows: dict[str, Any] = {}
    with factory.kw["bind"].connect() as conn:
        for key, case_id in made.items():
            rows[key] = {"case": dict(conn.execute(select(CASES).where(CASES.c.id == case_id)).one()._mapping),
                         "tasks": [dict(r._mapping) for r in conn.execute(
                             select(TASKS).where(TASKS.c.instance_id == case_id).order_by(TASKS.c.id))]}
    return rows


# The varying columns of one batch, one row per open case; the database copies every other column from the
# template rows itself (INSERT ... SELECT), so no case's serialized workflow passes through Python.
_SCRATCH = MetaData()
VARIED = Table("bench_varied", _SCRATCH, Column("n", Integer, primary_key=True), Column("kind", String(10)),
               Column("created_at", UTCDateTime()), Column("due_at", UTCDateTime(), nullable=True),
               Column("assignee_id", Integer, nullable=True), Column("case_vorm", String(20), nullable=True),
               Column("task_vorm", String(20)), Column("spiff_task_id", String(36)), prefixes=["TEMPORARY"])
# One row per completed task of the finished cases: which template task it copies, with a fresh uuid.
FINISHED = Table("bench_finished", _SCRATCH, Column("n", Integer), Column("template_id", Integer),
                 Column("spiff_task_id", String(36)), prefixes=["TEMPORARY"])


def _copy(conn, table: Table, template_id: Any, replaced: dict[str, Any], source: Any, where: Any = ()) -> None:
    """INSERT ... SELECT: the template row of ``table`` (an id, or a column of ``source`` naming it) once per
    row of ``source``, with the ``replaced`` columns taken from ``source`` instead."""
    template = table.alias("template")
    names = [c.name for c in table.c if c.name != "id"]
    columns = [replaced[name].label(name) if name in replaced else template.c[name] for name in names]
    query = select(*columns).select_from(source).join(template, template.c.id == template_id).where(*where)
    conn.execute(insert(table).from_select(names, query))


def _new_cases(floor: int) -> ColumnElement[bool]:
    """The cases inserted after id ``floor``, joined to their batch row by creation time (one second apart)."""
    return and_(CASES.c.id > floor, CASES.c.created_at == VARIED.c.created_at)


def bulk_load(factory, tpl: dict[str, Any], people: dict[str, Actor], start: int, stop: int, history: int) -> None:
    """Open cases number ``start`` .. ``stop - 1``, each with ``history`` completed tasks in a finished case."""
    holders = [people["af"].user_id, people["af2"].user_id, None, None, None]
    engine = factory.kw["bind"]
    for low in range(start, stop, BATCH):
        numbers = range(low, min(stop, low + BATCH))
        with engine.begin() as conn:
            _SCRATCH.create_all(conn)
            rows = []
            for n in numbers:
                at = base.START + timedelta(seconds=n)
                rows.append({"n": n, "kind": "acuut" if n % 50 == 0 else "open", "created_at": at,
                             "due_at": None if n % 7 == 0 else at + timedelta(days=n % 40 - 10),
                             "assignee_id": holders[n % len(holders)], "case_vorm": VORMEN[n % len(VORMEN)],
                             "task_vorm": case_store.task_vorm(VORMEN[n % len(VORMEN)]),
                             "spiff_task_id": str(uuid.uuid4())})
            conn.execute(insert(VARIED), rows)
            task_varied = {"instance_id": CASES.c.id, "spiff_task_id": VARIED.c.spiff_task_id,
                           "created_at": VARIED.c.created_at, "due_at": VARIED.c.due_at,
                           "assignee_id": VARIED.c.assignee_id}
            if "vorm" in TASKS.c:  # the copy the step keeps (migration 0024; older versions have none)
                task_varied["vorm"] = VARIED.c.task_vorm
            for kind in ("open", "acuut"):
                floor = conn.scalar(select(func.max(CASES.c.id)))
                _copy(conn, CASES, tpl[kind]["case"]["id"],
                      {"created_at": VARIED.c.created_at, "updated_at": VARIED.c.created_at,
                       "vorm": VARIED.c.case_vorm}, VARIED, [VARIED.c.kind == kind])
                [task] = tpl[kind]["tasks"]
                _copy(conn, TASKS, task["id"], task_varied, VARIED.join(CASES, _new_cases(floor)))
            if history:
                floor = conn.scalar(select(func.max(CASES.c.id)))
                _copy(conn, CASES, tpl["done"]["case"]["id"],
                      {"created_at": VARIED.c.created_at, "updated_at": VARIED.c.created_at}, VARIED)
                finished = tpl["done"]["tasks"]
                conn.execute(insert(FINISHED), [
                    {"n": n, "template_id": finished[k % len(finished)]["id"], "spiff_task_id": str(uuid.uuid4())}
                    for n in numbers for k in range(history)])
                _copy(conn, TASKS, FINISHED.c.template_id,
                      {"instance_id": CASES.c.id, "spiff_task_id": FINISHED.c.spiff_task_id,
                       "created_at": VARIED.c.created_at, "completed_at": VARIED.c.created_at},
                      FINISHED.join(VARIED, VARIED.c.n == FINISHED.c.n).join(CASES, _new_cases(floor)))
            _SCRATCH.drop_all(conn)
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()


def check_bulk_rows(factory, tpl: dict[str, Any]) -> None:
    """A bulk row equals the service-made row in every column the generator does not vary on purpose."""
    with factory.kw["bind"].connect() as conn:
        for kind in ("open", "acuut"):
            made_task = tpl[kind]["tasks"][0]
            acute = kind == "acuut"
            bulk = conn.execute(select(TASKS, CASES.c.acuut.label("case_acuut"))
                                .join(CASES, CASES.c.id == TASKS.c.instance_id)
                                .where(CASES.c.acuut == acute, TASKS.c.state == "ready",
                                       TASKS.c.id > max(t["tasks"][0]["id"] for t in (tpl["open"], tpl["acuut"])))
                                .limit(1)).one()._mapping
            for column in made_task:
                if column not in VARIED_TASK:
                    assert bulk[column] == made_task[column], (kind, column, bulk[column], made_task[column])
            case = conn.execute(select(CASES).where(CASES.c.id == bulk["instance_id"])).one()._mapping
            if "vorm" in TASKS.c:
                assert bulk["vorm"] == case_store.task_vorm(case["vorm"]), (kind, bulk["vorm"], case["vorm"])
            for column, value in tpl[kind]["case"].items():
                if column not in VARIED_CASE:
                    assert case[column] == value, (kind, column)
        finished = {t["element_id"]: t for t in tpl["done"]["tasks"]}
        done = conn.execute(select(TASKS).where(TASKS.c.state == "completed",
                                                TASKS.c.instance_id != tpl["done"]["case"]["id"]).limit(3)).all()
        for row in done:
            made = finished[row.element_id]
            for column, value in made.items():
                if column not in VARIED_TASK | {"completed_at"}:
                    assert row._mapping[column] == value, ("done", column)


def request_kinds() -> list[tuple[str, str, str]]:
    """(label, path, who): both tabs, every filter and sort, first and last page, page and API."""
    api = "/api/v1/tasks"
    return [
        ("API alle taken (standaard)", api, "af"),
        ("API mijn", f"{api}?tab=mijn", "af"),
        ("API team", f"{api}?tab=team", "af"),
        ("API team, laatste pagina", f"{api}?tab=team&LAST", "af"),
        ("API mijn, laatste pagina", f"{api}?tab=mijn&LAST", "af"),
        ("API team, nieuwste", f"{api}?tab=team&sorteer=nieuwste", "af"),
        ("API team, oudste", f"{api}?tab=team&sorteer=oudste", "af"),
        ("API team, proces", f"{api}?tab=team&sorteer=proces", "af"),
        ("API team, proces, laatste pagina", f"{api}?tab=team&sorteer=proces&LAST", "af"),
        ("API team, vorm=SU", f"{api}?tab=team&vorm=SU", "af"),
        ("API team, termijn=te_laat", f"{api}?tab=team&termijn=te_laat", "af"),
        ("API team, termijn=binnenkort", f"{api}?tab=team&termijn=binnenkort&werkdagen=5", "af"),
        ("API team, gemeente=eersel", f"{api}?tab=team&gemeente=eersel", "af"),
        ("API team, proces=drie_taken", f"{api}?tab=team&proces=drie_taken", "af"),
        ("API team, zaakstatus=loopt", f"{api}?tab=team&zaakstatus=loopt", "af"),
        ("API mijn, status=afgerond", f"{api}?tab=mijn&status=afgerond", "af"),
        ("API team, status=alle", f"{api}?tab=team&status=alle", "af"),
        ("API team, status=alle, laatste pagina", f"{api}?tab=team&status=alle&LAST", "af"),
        ("API, iemand die niets ziet", api, "leeg"),
        ("werkbakpagina (standaard)", "/", "af"),
        ("werkbakpagina team, laatste pagina", "/?tab=team&LAST", "af"),
        ("werkbakpagina, iemand die niets ziet", "/?tab=team", "leeg"),
    ]


def measure(client_for: Callable[[str], Any], headers: dict[str, dict[str, str]], runs: int) -> dict[str, list[float]]:
    results: dict[str, list[float]] = {}
    for label, path, who in request_kinds():
        client = client_for(who)
        if "LAST" in path:
            # The last page: the API's own link where it has one (keyset paging), else the last page number.
            base_path, params = path.split("?", 1)
            body = client.get("/api/v1/tasks?" + params.replace("&LAST", ""), headers=headers[who]).get_json()
            links = body.get("links")
            query = links["last"] if links else "?" + params.replace("LAST", f"pagina={body['pages']}")
            path = base_path + query
        times = []
        for i in range(runs + 2):
            begin = time.perf_counter()
            response = client.get(path, headers=headers[who] if path.startswith("/api") else {})
            elapsed = time.perf_counter() - begin
            assert response.status_code == 200, (label, path, response.status_code)
            if i >= 2:
                times.append(elapsed * 1000)
        results[label] = times
    return results


def log_in(client, username: str) -> None:
    """Through the login form, as a person would (an AF needs no second factor)."""
    page = client.get("/inloggen").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert csrf is not None
    response = client.post("/inloggen", data={"username": username, "password": PASSWORD,
                                              "csrf_token": csrf.group(1)})
    assert response.status_code == 302 and not response.headers["Location"].startswith("/inloggen"), username


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def build(url: str, engine: Engine | None = None) -> tuple[Any, dict[str, Actor], dict[str, Any]]:
    """A migrated database with the model, the people (af, af2 of Eersel; leeg of Bladel) and the templates."""
    factory, people = base.prepare_database(url, engine)
    system = Actor.system("bench")
    with unit_of_work(factory) as session:
        organisations.get_or_create_organisation(session, slug="bladel", name="Gemeente Bladel", kind="gemeente")
        for name, org in (("af2", "eersel"), ("leeg", "bladel")):
            people[name] = users.actor_for(users.create_user(
                session, actor=system, now=base.START, username=name, password=PASSWORD, role="af",
                organisation_slug=org, display_name=name.title()))
    return factory, people, templates(factory, people)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", default=None, help="PostgreSQL URL (database is recreated); SQLite file without it")
    parser.add_argument("--sqlite", default=None, help="SQLite file to create and keep (instead of a temporary one)")
    parser.add_argument("--sizes", default="1000,20000,100000")
    parser.add_argument("--history", type=int, default=10, help="completed tasks per open case")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--json", default=None, help="also write the raw timings here")
    parser.add_argument("--reuse", action="store_true",
                        help="measure the --pg database (or --sqlite file) an earlier run loaded, as it is (nothing "
                             "recreated or loaded; its size as the one --sizes): before/after on kept rows")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.reuse and (not (args.pg or args.sqlite) or len(sizes) != 1):
        parser.error("--reuse needs --pg or --sqlite and one size")
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_url = f"sqlite:///{Path(args.sqlite).resolve() if args.sqlite else Path(tmp) / 'werkbak.sqlite'}"
        if args.reuse:
            url = normalize_url(args.pg) if args.pg else sqlite_url
            factory, people, tpl = make_session_factory(make_engine(url)), {}, {}
        else:
            if args.sqlite:
                Path(args.sqlite).unlink(missing_ok=True)
            url = base.fresh_pg(args.pg) if args.pg else sqlite_url
            factory, people, tpl = build(url)
        system = Actor.system("bench")
        with unit_of_work(factory) as session:
            tokens = {who: api_tokens.issue(session, actor=system, now=datetime.now(UTC), username=who)
                      for who in ("af", "leeg")}
        os.environ.update({"SIGNAALROUTE_DATABASE_URL": url, "SIGNAALROUTE_SECRET_KEY": "x" * 64,
                           "SIGNAALROUTE_INSTANCE_DIR": tmp, "SIGNAALROUTE_API_RATE": "100000000",
                           "SIGNAALROUTE_FORMS_DIR": str(ROOT / "tests" / "fixtures" / "forms")})
        from webapp import create_app

        app = create_app()
        app.config["RATELIMIT_ENABLED"] = False
        clients = {}
        for who in ("af", "leeg"):
            clients[who] = app.test_client()
            log_in(clients[who], who)
        headers = {who: {"Authorization": f"Bearer {token}"} for who, token in tokens.items()}
        table: dict[int, dict[str, list[float]]] = {}
        done = 0
        for size in sizes:
            begin = time.perf_counter()
            if not args.reuse:
                bulk_load(factory, tpl, people, done, size, args.history)
                if size == sizes[0]:
                    check_bulk_rows(factory, tpl)
            done = size
            with factory.kw["bind"].connect() as conn:
                open_tasks = conn.scalar(select(func.count()).select_from(TASKS).where(TASKS.c.state == "ready"))
                all_tasks = conn.scalar(select(func.count()).select_from(TASKS))
            print(f"# {size} open cases: {open_tasks} open tasks, {all_tasks} tasks in all "
                  f"(loaded in {time.perf_counter() - begin:.0f} s)", flush=True)
            table[size] = measure(clients.__getitem__, headers, args.runs)
            for label, times in table[size].items():  # as it goes: a long run that is stopped still reports
                print(f"  {label}: median {statistics.median(times):.1f} ms, p95 {p95(times):.1f} ms", flush=True)
        backend = "PostgreSQL" if args.pg else "SQLite"
        print(f"\n{backend}, median (p95) in ms per request, {args.runs} runs per cell\n")
        heads = [f"{s // 1000}k" for s in sizes]
        print("| request | " + " | ".join(heads) + f" | {heads[-1]} / {heads[0]} |")
        print("|---|" + "---:|" * (len(sizes) + 1))
        for label, _path, _who in request_kinds():
            cells = [f"{statistics.median(table[s][label]):.1f} ({p95(table[s][label]):.1f})" for s in sizes]
            ratio = statistics.median(table[sizes[-1]][label]) / statistics.median(table[sizes[0]][label])
            print(f"| {label} | " + " | ".join(cells) + f" | {ratio:.2f} |")
        if args.json:
            Path(args.json).write_text(json.dumps({str(k): v for k, v in table.items()}))


if __name__ == "__main__":
    main()
