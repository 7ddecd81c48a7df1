"""Running cases: the serialized workflow state plus the indexes that work lists and timers read."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base
from engine.models.deployments import ProcessDefinition
from engine.models.types import IntPK, OptionalTimestamp, Timestamp


class CaseStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    ERROR = "error"
    # Retention expired: content destroyed, the row stays as a tombstone (engine.retention.retention).
    DESTROYED = "vernietigd"


class TaskState(StrEnum):
    READY = "ready"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class TimerState(StrEnum):
    WAITING = "waiting"
    FIRED = "fired"
    CANCELLED = "cancelled"
    FAILED = "failed"  # the model failed when it fired; the case is flagged "error"


class Case(Base):
    """A case. ``state`` is the truth for execution; ``version`` guards against lost updates."""

    __tablename__ = "instance"

    id: Mapped[IntPK]
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(20), default=CaseStatus.ACTIVE)
    # Deferred: work lists and views never need the (large) state; the lock query undefers it.
    state: Mapped[str] = mapped_column(Text, deferred=True)
    serializer_version: Mapped[str] = mapped_column(String(20))
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[Timestamp]
    updated_at: Mapped[Timestamp]
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    # Form of exploitation (SU, AU, CU, OV, onbekend) as last recorded by a task: an index for work lists.
    vorm: Mapped[str | None] = mapped_column(String(20), nullable=True, index=True)
    # Someone was in acute danger at intake: such a signal joins a frozen meeting agenda, flagged.
    acuut: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    definition: Mapped[ProcessDefinition] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}


def _werkbak_indexes() -> list[Index]:
    """The indexes of migrations 0021 and 0024, declared here too so ``create_all`` and Alembic agree."""
    branches = [("team", ["role", "organisation_id"], None), ("holder", ["assignee_id"], "assignee_id IS NOT NULL"),
                ("done", ["completed_by_id"], "completed_by_id IS NOT NULL")]
    tails = {"term": ["state", "acuut", "due_at", "created_at", "id"], "made": ["state", "created_at", "id"]}
    indexes = []
    for name, lead, where in branches:
        for tail_name, tail in tails.items():
            columns = [*lead, *tail]
            if where is None:
                indexes.append(Index(f"ix_human_task_{name}_{tail_name}", *columns))
            else:
                indexes.append(Index(f"ix_human_task_{name}_{tail_name}", *columns, sqlite_where=text(where),
                                     postgresql_where=text(where)))
    # Migration 0024: the "proces" order and the vorm filter as equality prefixes of their own indexes.
    for name, lead, where in branches:
        for key, tail in (("proces", ["state", "process_name", "due_at", "created_at", "id"]),
                          ("vorm", ["state", "vorm", "acuut", "due_at", "created_at", "id"])):
            options: dict[str, Any] = {} if where is None else {"sqlite_where": text(where),
                                                                "postgresql_where": text(where)}
            indexes.append(Index(f"ix_human_task_{name}_{key}", *lead, *tail, **options))
    return indexes


class HumanTask(Base):
    """Index of a user task, so work lists never deserialize workflows (decision 4)."""

    __tablename__ = "human_task"
    __table_args__ = (
        UniqueConstraint("instance_id", "spiff_task_id"),
        # The reminder scheduler's open, not yet reminded tasks by due time (no werkbak query can use it).
        Index("ix_human_task_remind", "due_at", sqlite_where=text("state = 'ready' AND reminded_at IS NULL"),
              postgresql_where=text("state = 'ready' AND reminded_at IS NULL")),
        # The werkbak reads each branch of its access rule as one index range in sort order (issue 19):
        # by team, by holder, by who completed it; each for "urgentie"/"proces" and for creation time.
        *_werkbak_indexes(),
    )

    id: Mapped[IntPK]
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id"), index=True)
    spiff_task_id: Mapped[str] = mapped_column(String(36))
    element_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(40))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    form: Mapped[str | None] = mapped_column(String(200), nullable=True)
    instructions: Mapped[str | None] = mapped_column(Text, nullable=True)
    state: Mapped[str] = mapped_column(String(20), default=TaskState.READY)
    due_at: Mapped[OptionalTimestamp]
    created_at: Mapped[Timestamp]
    completed_at: Mapped[OptionalTimestamp]
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    # Set once when the overdue reminder went out, so the scheduler reminds each task at most once.
    reminded_at: Mapped[OptionalTimestamp]
    # A copy of the case's flag (set once, at intake), so the werkbak's "urgentie" order is an index order.
    acuut: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Copies kept in the step's transaction (case_store), so the werkbak's vorm filter and "proces" order
    # are index ranges (migration 0024): the case's vorm ("onbekend" while it has none; rewritten on all of
    # the case's tasks when a step changes it) and its process version's name (process id when unnamed;
    # rewritten when the case moves to another version).
    vorm: Mapped[str] = mapped_column(String(20), default="onbekend", server_default="onbekend")
    process_name: Mapped[str] = mapped_column(String(200), default="", server_default="")

    instance: Mapped[Case] = relationship(lazy="select")


class Timer(Base):
    """A waiting BPMN timer with its due time (decision 7); fired once, under the instance lock."""

    __tablename__ = "timer"
    __table_args__ = (
        UniqueConstraint("instance_id", "spiff_task_id", "due_at"),
        Index("ix_timer_due", "state", "due_at"),
    )

    id: Mapped[IntPK]
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id"), index=True)
    spiff_task_id: Mapped[str] = mapped_column(String(36))
    element_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))  # date | duration | cycle
    due_at: Mapped[Timestamp]
    state: Mapped[str] = mapped_column(String(20), default=TimerState.WAITING)
    fired_at: Mapped[OptionalTimestamp]
    created_at: Mapped[Timestamp]


__all__ = ["HumanTask", "Case", "CaseStatus", "TaskState", "Timer", "TimerState"]
