"""Every werkbak query reads human_task through an index, in index order, on realistic statistics (issue 19).

The rows are generated as ``bench/werkbak.py`` does (10,000 open cases, 100,000 completed tasks, one
AF team seeing all of them), then ANALYZEd, so the planners choose with the statistics a live
database has; nothing is forced (no ``enable_seqscan = off``). Each statement the service runs for
every request kind (both tabs, every filter and sort, first, next, previous and last page, the
counts) is explained with its own parameters: on PostgreSQL no sequential scan of human_task and
no Sort over it (a sort would read the whole range before the LIMIT), on SQLite a SEARCH of
human_task through an index and no temporary B-tree for an ORDER BY. The "proces" order and the vorm
filter (migration 0024) must read their own indexes, with the name or vorm as an equality prefix.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from engine.cases import worklist
from engine.db import unit_of_work

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import werkbak as generator  # noqa: E402  (bench/werkbak.py: the benchmark's own data generator)

from tests.support.base import START, shared_engine  # noqa: E402

OPEN_CASES = 10_000
HISTORY = 10


def request_kinds() -> list[tuple[str, dict[str, str]]]:
    """The benchmark's request kinds as werkbak parameters (who, params)."""
    kinds = []
    for _label, path, who in generator.request_kinds():
        query = path.split("?", 1)[1] if "?" in path else ""
        params = dict(part.split("=", 1) for part in query.split("&") if part and part != "LAST")
        kinds.append((who, params))
    kinds += [("af", {"tab": "mijn", "status": "alle"}), ("af", {"tab": "team", "status": "vervallen"}),
              ("af", {"tab": "team", "vorm": "onbekend", "sorteer": "oudste"}), ("af", {"termijn": "geen"}),
              ("af", {"tab": "team", "sorteer": "proces", "termijn": "te_laat"}),
              ("af", {"kenmerk": "SR-2026-00042"}), ("af", {"tab": "team", "pagina": "3"}),
              ("af", {"tab": "mijn", "sorteer": "proces"}), ("af", {"tab": "mijn", "vorm": "SU"}),
              ("af", {"tab": "team", "vorm": "SU", "termijn": "te_laat"}), ("af", {"vorm": "OV"})]
    return kinds


BRANCH_INDEXES = tuple(f"ix_human_task_{branch}_" for branch in ("team", "holder", "done"))


def _sorts_a_branch(node: dict[str, Any]) -> bool:
    """A sort fed by a range of a branch index reads that whole range before its LIMIT: cost grows with the
    list. (A sort over tasks found through a selective case filter, by instance_id, is bounded by that filter.)"""
    if str(node.get("Index Name", "")).startswith(BRANCH_INDEXES):
        return True
    return any(_sorts_a_branch(child) for child in node.get("Plans", []) if child["Node Type"] != "Nested Loop")


def explain(connection: Any, dialect: str, statement: str, parameters: Any) -> list[str]:
    """What is wrong with the plan of one statement (empty when every read of human_task is an index range)."""
    if dialect == "postgresql":
        plan = connection.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters).scalar()
        plan = plan if isinstance(plan, list) else json.loads(plan)
        problems: list[str] = []
        reads: list[str] = []

        def walk(node: dict[str, Any]) -> None:
            if node.get("Relation Name") == "human_task":
                reads.append(node["Node Type"])
                if node["Node Type"] not in ("Index Scan", "Index Only Scan"):
                    problems.append(f"{node['Node Type']} on human_task")
            if node["Node Type"] in ("Sort", "Incremental Sort") and _sorts_a_branch(node):
                problems.append(f"Sort of a branch range on {node.get('Sort Key')}")
            for child in node.get("Plans", []):
                walk(child)

        walk(plan[0]["Plan"])
        return problems if reads else ["human_task not read"]
    rows = [row[3] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)]
    problems = [r for r in rows if "human_task" in r and not r.startswith("SEARCH human_task USING")]
    problems += [r for r in rows if "TEMP B-TREE FOR ORDER BY" in r]
    return problems if any("human_task" in r for r in rows) else ["human_task not read"]


def indexes(connection: Any, dialect: str, statement: str, parameters: Any) -> set[str]:
    """The branch indexes of human_task a statement's plan reads."""
    if dialect == "postgresql":
        plan = connection.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters).scalar()
        plan = plan if isinstance(plan, list) else json.loads(plan)
        found: set[str] = set()

        def walk(node: dict[str, Any]) -> None:
            if node.get("Relation Name") == "human_task" and str(node.get("Index Name")).startswith(BRANCH_INDEXES):
                found.add(node["Index Name"])
            for child in node.get("Plans", []):
                walk(child)

        walk(plan[0]["Plan"])
        return found
    rows = [row[3] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)]
    return {word for row in rows if row.startswith("SEARCH human_task") for word in row.split()
            if word.startswith(BRANCH_INDEXES)}


pytestmark = pytest.mark.timeout(900)  # generating 110,000 rows takes a while on a shared machine


@pytest.fixture
def generated(db_url):
    factory, people, templates = generator.build(db_url, shared_engine(db_url))
    generator.bulk_load(factory, templates, people, 0, OPEN_CASES, HISTORY)  # ends with ANALYZE
    generator.check_bulk_rows(factory, templates)  # the copies are the rows the services make
    return factory, people


@pytest.mark.postgres
def test_every_werkbak_query_reads_human_task_by_an_index_range_in_order(generated):
    factory, people = generated
    engine = factory.kw["bind"]
    dialect = engine.dialect.name
    statements: list[tuple[str, Any]] = []
    of_kind: dict[tuple[str, str], list[tuple[str, Any]]] = {}  # (sorteer, vorm) -> the statements of its kinds

    def remember(_conn, _cursor, statement, parameters, _context, _executemany):
        if "human_task" in statement:
            statements.append((statement, parameters))
            of_kind.setdefault(kind, []).append((statement, parameters))

    now = START
    event.listen(engine, "before_cursor_execute", remember)
    try:
        for who, params in request_kinds():
            kind = (params.get("sorteer", "termijn"), params.get("vorm", ""))
            with unit_of_work(factory) as session:
                found = worklist.search(session, actor=people[who], now=now,
                                        query=worklist.query_from_params(params))
                for name in ("next", "last"):
                    if found.links.get(name):
                        following = worklist.search(session, actor=people[who], now=now,
                                                    query=worklist.query_from_params(found.links[name]))
                        if following.links.get("previous"):
                            worklist.search(session, actor=people[who], now=now,
                                            query=worklist.query_from_params(following.links["previous"]))
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    assert len(statements) > 100, "every request kind ran its queries"
    with engine.connect() as connection:
        # The "proces" order reads each process name as an equality prefix of the proces indexes (no case
        # lookups, no search of the case table for versions with cases), the vorm filter its vorm indexes.
        # (Ordered by creation time a vorm filter reads the made index and skips other vorms' tasks.)
        by_name = set().union(*(indexes(connection, dialect, statement, parameters)
                                for statement, parameters in statements if "process_name =" in statement))
        assert by_name and by_name <= {f"ix_human_task_{branch}_proces" for branch in ("team", "holder", "done")}
        by_vorm = set().union(*(indexes(connection, dialect, statement, parameters)
                                for vorm in ("SU", "OV") for statement, parameters in of_kind[("termijn", vorm)]))
        assert {"ix_human_task_team_vorm", "ix_human_task_holder_vorm"} <= by_vorm, by_vorm
        assert all(name.endswith("_vorm") or name.startswith("ix_human_task_done_") for name in by_vorm), by_vorm
    assert not any(" instance" in statement and "process_name =" in statement for statement, _ in statements)
    with engine.connect() as connection:
        bad = {statement: problems for statement, parameters in statements
               if (problems := explain(connection, dialect, statement, parameters))}
    distinct = sorted({problem for problems in bad.values() for problem in problems})
    assert not bad, f"{len(bad)} statements: {distinct}\n\n" + "\n\n".join(
        f"{problems}\n{statement}" for statement, problems in list(bad.items())[:3])
    # The lists are longer than the count limit, so the keyset paths (na, voor, voor=einde) were explained too.
    with unit_of_work(factory) as session:
        found = worklist.search(session, actor=people["af"], now=START, query=worklist.query_from_params({}))
    assert not found.exact and found.total == worklist.COUNT_LIMIT and found.pages is None
    assert found.links["last"] == {"tab": "alle", "voor": worklist.END}
