"""The event vocabulary: ``subject.past_tense_verb`` (STYLE 5)."""

from __future__ import annotations

from enum import StrEnum


class EventType(StrEnum):
    PROCESS_DEPLOYED = "process.deployed"
    INSTANCE_STARTED = "instance.started"
    INSTANCE_COMPLETED = "instance.completed"
    INSTANCE_FAILED = "instance.failed"
    INSTANCE_REPLAYED = "instance.replayed"
    TASK_COMPLETED = "task.completed"
    TASK_CLAIMED = "task.claimed"
    TASK_RELEASED = "task.released"
    TASK_ASSIGNED = "task.assigned"
    TIMER_FIRED = "timer.fired"
    USER_CREATED = "user.created"
    TOKEN_CREATED = "token.created"  # noqa: S105 - an event name, not a secret
