"""Export seals as they are made, to a place the database administrator does not control.

``SIGNAALROUTE_ZEGEL_EXPORT`` names a file (one JSON line per seal, opened for appending only;
put it on storage the DBA cannot write, e.g. a WORM volume or another host's mount) or ``syslog``
(the local syslog socket, forwarded by the host's syslog to a central log). A seal line holds only
chain names, sequence numbers and hashes: no personal data.

The export runs after the seal's transaction committed: a seal that never committed is never
exported. If the export fails the seal stays in the database, the failure is logged, and the next
export writes every seal the file has not seen yet (the file is the record, so it is read back).
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from engine.audit.anchor import SealRecord

logger = logging.getLogger(__name__)
SYSLOG = "syslog"


def line_of(record: SealRecord) -> str:
    return json.dumps({"id": record.id, "created_at": record.created_at.isoformat(), "heads": record.heads,
                       "prev_digest": record.prev_digest, "digest": record.digest,
                       "signature": record.signature, "key_id": record.key_id},
                      sort_keys=True, separators=(",", ":"))


def record_of(line: str) -> SealRecord:
    data = json.loads(line)
    return SealRecord(int(data["id"]), datetime.fromisoformat(data["created_at"]), dict(data["heads"]),
                      str(data["prev_digest"]), str(data["digest"]), data.get("signature"), data.get("key_id"))


def read(path: Path) -> Iterator[SealRecord]:
    """The exported seals in file order, each once (a failed marking writes a seal again).

    A line that is not a seal raises ValueError naming the line.
    """
    seen: set[int] = set()
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = record_of(line)
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"Regel {number} van {path} is geen zegel") from exc
            if record.id not in seen:
                seen.add(record.id)
                yield record


def export(target: str | None, records: list[SealRecord]) -> int:
    """Append the seals to the target; returns how many were written (0 without a target)."""
    if not target or not records:
        return 0
    if target == SYSLOG:
        handler = logging.handlers.SysLogHandler(address="/dev/log")
        try:
            for record in records:
                handler.emit(logging.LogRecord("signaalroute.zegel", logging.INFO, __file__, 0,
                                               "signaalroute-zegel " + line_of(record), None, None))
        finally:
            handler.close()
        return len(records)
    path = Path(target)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        for record in records:
            handle.write(line_of(record) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return len(records)
