"""The one clock of the workflow layer (decision 6).

SpiffWorkflow reads ``datetime.now`` and ``time.time`` directly. We replace those two names in
its modules, once, with shims that read a context variable, so a service can run the engine
"at" an injected moment: timers and replay become deterministic and tests can travel in time.
Context variables are per thread, so concurrent requests never see each other's clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, tzinfo
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import SpiffWorkflow.bpmn.specs.event_definitions.timer as _spiff_timer
import SpiffWorkflow.task as _spiff_task

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
_current: ContextVar[datetime | None] = ContextVar("signaalroute_clock", default=None)


def now() -> datetime:
    """The injected moment when inside :func:`frozen_at`, else the real time (aware, UTC)."""
    value = _current.get()
    return value if value is not None else datetime.now(UTC)


class _ClockedDatetime(datetime):
    @classmethod
    def now(cls, tz: tzinfo | None = None) -> _ClockedDatetime:
        moment = now()
        moment = moment.astimezone(tz) if tz is not None else moment.astimezone(AMSTERDAM).replace(tzinfo=None)
        return cls.combine(moment.date(), moment.time(), moment.tzinfo)


@contextmanager
def frozen_at(moment: datetime) -> Iterator[datetime]:
    """Run the block with the workflow clock standing at ``moment`` (must be aware)."""
    if moment.tzinfo is None:
        raise ValueError("the workflow clock needs an aware datetime")
    token = _current.set(moment.astimezone(UTC))
    try:
        yield moment
    finally:
        _current.reset(token)


def _install() -> None:
    _spiff_timer.datetime = _ClockedDatetime
    # Naive timer dates in a model mean Dutch wall-clock time, not the server's zone.
    _spiff_timer.LOCALTZ = AMSTERDAM
    _spiff_task.time = SimpleNamespace(time=lambda: now().timestamp())


_install()
