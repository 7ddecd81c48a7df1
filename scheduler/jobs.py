"""The scheduler's jobs as importable functions (the SQLAlchemy job store stores references).

Every job runs only in the leading process; standbys keep contending for leadership.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from engine.audit import anchor
from engine.db import unit_of_work
from engine.services.timers import fire_due_timers
from scheduler.leader import Leadership

logger = logging.getLogger(__name__)


@dataclass
class Runtime:
    factory: sessionmaker[Session]
    leadership: Leadership
    on_leading: Callable[[], None] = lambda: None
    on_standby: Callable[[], None] = lambda: None
    leading: bool = False


_runtime: Runtime | None = None


def install(runtime: Runtime) -> None:
    global _runtime
    _runtime = runtime


def _leading() -> Runtime | None:
    if _runtime is None:
        raise RuntimeError("scheduler jobs run before scheduler.jobs.install()")
    return _runtime if _runtime.leadership.is_leader else None


def contend() -> None:
    """Try to take over leadership (the lock frees when a leader dies); react to changes."""
    if _runtime is None:
        return
    leads = _runtime.leadership.try_acquire()
    if leads and not _runtime.leading:
        _runtime.leading = True
        _runtime.on_leading()
    elif not leads and _runtime.leading:
        _runtime.leading = False
        _runtime.on_standby()


def fire_timers() -> None:
    runtime = _leading()
    if runtime is None:
        return
    fired = fire_due_timers(runtime.factory, now=datetime.now(UTC))
    if fired:
        logger.info("timers fired", extra={"count": fired})


def seal_audit_log() -> None:
    runtime = _leading()
    if runtime is None:
        return
    with unit_of_work(runtime.factory) as session:
        sealed = anchor.seal(session, now=datetime.now(UTC))
    logger.info("audit log sealed", extra={"anchor_id": sealed.id})
