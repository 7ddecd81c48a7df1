"""The hot path writes its rows with hand-written Core statements, not the ORM (bench/README.md says why).

The ORM would fill a column added to a mapped class by itself; a Core INSERT silently leaves it to
its default. So every INSERT of a step is captured here and must name every column of its table
(except the generated primary key), and the case row's UPDATE must write exactly the columns a step
changes: a new column fails this test until someone decides whether a step writes it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Table, event
from sqlalchemy.sql.dml import Insert, Update

from engine.cases import case_store
from engine.models import AuditChainHead, AuditEvent, Case, CaseFigure, HumanTask, Timer
from engine.workflow import runner
from signaalroute import passes
from tests.support.helpers import complete, deploy, ready, start

# Columns of the case row a step writes (engine.cases.case_store._WRITE_CASE) ...
STEP_WRITES = {"state", "serializer_version", "updated_at", "error_message", "status", "vorm", "version"}
# ... and those it never changes: set at intake, by migration, by retention or by a person.
STEP_NEVER_WRITES = {"id", "definition_id", "organisation_id", "started_by_id", "acuut", "created_at"}


def _columns(table: Table) -> set[str]:
    generated = table.autoincrement_column  # an integer key the database numbers
    return {c.name for c in table.columns if c is not generated}


@pytest.fixture
def statements(factory) -> list[tuple[Any, list[dict[str, Any]]]]:
    captured: list[tuple[Any, list[dict[str, Any]]]] = []
    engine = factory.kw["bind"]

    def capture(_conn, clause, multiparams, params, _options):  # noqa: ANN001 - SQLAlchemy's event signature
        if isinstance(clause, Insert | Update):
            rows = list(multiparams[0]) if multiparams and isinstance(multiparams[0], list) else (
                [multiparams[0]] if multiparams else [params])
            captured.append((clause, [dict(r) for r in rows if r is not None]))

    event.listen(engine, "before_execute", capture)
    yield captured
    event.remove(engine, "before_execute", capture)


def _inserted(statements, table: Table) -> list[set[str]]:
    """The columns each captured INSERT into ``table`` names, one set per row."""
    found = []
    for clause, rows in statements:
        if isinstance(clause, Insert) and clause.table is table:
            fixed = {getattr(column, "key", column) for column in clause._values or {}}  # .values(...) in the statement
            found.extend(set(row) | {str(name) for name in fixed} for row in rows or [{}])
    return found


def test_every_core_insert_of_a_step_names_every_column(factory, world, forms, at, statements):
    deploy(factory, world.regisseur, at(), forms, "timers.bpmn")
    case = start(factory, world.af, at(), "terugkoppeling_bewaken", {"organisaties": {"politie": "politie-ob"}})
    [feedback] = ready(factory, case).values()
    complete(factory, world.politie, at.advance(days=1), forms, feedback.id, {"terugkoppeling": "gesprek gevoerd"})
    assert passes.fire_due_timers(factory, now=at.advance(days=1, minutes=1)) == 1

    for model in (HumanTask, Timer, AuditEvent):
        table = model.__table__
        inserts = _inserted(statements, table)
        assert inserts, f"no Core INSERT into {table.name} was seen: the test no longer watches the hot path"
        for written in inserts:
            assert written == _columns(table), f"INSERT into {table.name} leaves out {_columns(table) - written}"
    heads = _inserted(statements, AuditChainHead.__table__)
    assert heads and all(written == _columns(AuditChainHead.__table__) for written in heads)
    # The case's row of figures names its columns in the statement (its parameters are named figure_<column>).
    figures = [{str(getattr(column, "key", column)) for column in clause._values or {}} for clause, _rows in statements
               if isinstance(clause, Insert) and clause.table is CaseFigure.__table__]
    assert figures and all(written == _columns(CaseFigure.__table__) for written in figures)


def test_the_case_row_update_writes_what_a_step_changes_and_every_column_is_classified(
        factory, world, forms, at, statements):
    table = Case.__table__
    assert {c.name for c in table.columns} == STEP_WRITES | STEP_NEVER_WRITES, (
        "a new column on the case row: add it to the step's UPDATE (engine.cases.case_store._WRITE_CASE) "
        "or to STEP_NEVER_WRITES here")
    deploy(factory, world.regisseur, at(), forms, "timers.bpmn")
    case = start(factory, world.af, at(), "terugkoppeling_bewaken", {"organisaties": {"politie": "politie-ob"}})
    [feedback] = ready(factory, case).values()
    complete(factory, world.politie, at() + timedelta(days=1), forms, feedback.id, {"terugkoppeling": "ok"})
    assert any(clause is case_store._WRITE_CASE for clause, _rows in statements), "the step no longer uses it"
    assert {str(column) for column in case_store._WRITE_CASE._values or {}} == STEP_WRITES


@pytest.mark.postgres  # PostgreSQL writes the case row and reads the task index in one statement
def test_a_step_on_a_case_row_changed_since_it_was_read_is_refused_and_writes_nothing(factory, world, forms, at):
    from sqlalchemy.orm.exc import StaleDataError

    deploy(factory, world.regisseur, at(), forms, "drie_taken.bpmn")
    case = start(factory, world.af, at(), "drie_taken")
    [task] = ready(factory, case).values()
    data = {"vorm": "SU", "samenvatting": "Twee vrouwen op één adres."}
    stale = factory()
    row = stale.get(Case, case)
    workflow = case_store.load_workflow(stale, row)
    version = row.version
    stale.commit()  # the object stays loaded (no expire on commit), soon out of date
    complete(factory, world.af, at(), forms, task.id, data)
    runner.complete_human_task(workflow, task.spiff_task_id, data, at())  # the same step, on the stale read
    with pytest.raises(StaleDataError):
        case_store.store(stale, row, workflow, at())
    stale.rollback()
    stale.close()
    assert list(ready(factory, case).values())[0].element_id != task.element_id  # the completion stands
    with factory() as session:
        assert session.get(Case, case).version == version + 1
