"""Leader election between scheduler processes: exactly one runs the jobs, the others stand by.

PostgreSQL: a session-level advisory lock held on a dedicated connection. When the leader dies
(even ``kill -9``) its connection drops, the server releases the lock, and the next standby
that tries gets it (every poll interval, so within seconds). SQLite (one host): an exclusive
``flock`` on a file beside the database, released by the kernel when the process dies.
"""

from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path
from typing import IO

from sqlalchemy import Engine, text
from sqlalchemy.engine import Connection

logger = logging.getLogger(__name__)

LOCK_KEY = 0x5167_6E61  # "Sgna": one constant per installation database


class Leadership:
    """Try to become leader; ask whether we still are."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._connection: Connection | None = None
        self._file: IO[bytes] | None = None

    @property
    def is_leader(self) -> bool:
        if self._file is not None:
            return True
        if self._connection is None:
            return False
        try:
            self._connection.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001 - a dead connection means the lock is gone too
            logger.warning("scheduler leadership lost")
            self._drop_connection()
            return False

    def try_acquire(self) -> bool:
        """Become leader if nobody is; True when this process leads afterwards."""
        if self.is_leader:
            return True
        acquired = self._acquire_file() if self.engine.dialect.name == "sqlite" else self._acquire_advisory()
        if acquired:
            logger.info("scheduler leadership acquired", extra={"pid": os.getpid()})
        return acquired

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
        if self._connection is not None:
            # Unlock before closing: a closed socket frees the lock only once the server's backend has
            # exited, which under load comes after a standby's next try; the handover would stall.
            try:
                self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
            except Exception:  # noqa: BLE001, S110 - a broken connection holds no lock either
                pass
        self._drop_connection()

    def _acquire_advisory(self) -> bool:
        connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        # Detached: closing really closes, so the session lock can never linger in the pool.
        connection.detach()
        try:
            got = bool(connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}))
        except Exception:
            connection.close()
            raise
        if got:
            # Visible in pg_stat_activity, so operators (and the fault test) can see who leads.
            connection.execute(text("SELECT set_config('application_name', :name, false)"),
                               {"name": f"signaalroute-leider-{os.getpid()}"})
            self._connection = connection
        else:
            connection.close()
        return got

    def _acquire_file(self) -> bool:
        database = self.engine.url.database or "signaalroute.sqlite"
        handle = Path(f"{database}.scheduler-lock").open("ab")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._file = handle
        return True

    def _drop_connection(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            except Exception:  # noqa: BLE001, S110 - already broken; nothing left to release
                pass
            self._connection = None
