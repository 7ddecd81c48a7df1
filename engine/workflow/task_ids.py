"""Deterministic task ids, so a case can be replayed and compared with what was stored.

SpiffWorkflow gives every task a random ``uuid4``. Replaying a case would then never reproduce
its stored state. We replace the generator, once, with one that derives ids from a per-case seed
and a counter (``uuid5(seed, n)``); both live in the workflow's own data, so they travel with
the stored state and the audit log records the seed when the case starts.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import SpiffWorkflow.task as _spiff_task

KEY = "_signaalroute_ids"


class _Counter:
    def __init__(self, seed: uuid.UUID, next_number: int):
        self.seed = seed
        self.next_number = next_number

    def __call__(self) -> uuid.UUID:
        value = uuid.uuid5(self.seed, str(self.next_number))
        self.next_number += 1
        return value


_active: ContextVar[_Counter | None] = ContextVar("signaalroute_task_ids", default=None)


def _next_id() -> uuid.UUID:
    counter = _active.get()
    return counter() if counter is not None else uuid.uuid4()


@contextmanager
def seeded(seed: uuid.UUID, next_number: int = 0) -> Iterator[_Counter]:
    """Tasks created inside the block get ids from ``seed``; the counter tells where it ended."""
    counter = _Counter(seed, next_number)
    token = _active.set(counter)
    try:
        yield counter
    finally:
        _active.reset(token)


def remember(workflow: Any, counter: _Counter) -> None:
    workflow.data[KEY] = {"seed": str(counter.seed), "next": counter.next_number}


@contextmanager
def resumed(workflow: Any) -> Iterator[None]:
    """Continue the workflow's own id sequence (plain random ids for states from before seeding)."""
    stored = workflow.data.get(KEY)
    if not isinstance(stored, dict):
        yield
        return
    with seeded(uuid.UUID(stored["seed"]), int(stored["next"])) as counter:
        yield
    remember(workflow, counter)


_spiff_task.uuid4 = _next_id
