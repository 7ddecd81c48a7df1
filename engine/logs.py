"""Structured (JSON lines) logging, configured once per entry point (docs/architecture.md, convention 14).

Log lines carry ids, event names, durations and counts, never names of people or case content.
That is enforced here, by an allow-list, not left to each call site: libraries log what they like
(SpiffWorkflow's ``spiff.task`` records carry a task's full data as an ``extra`` field below INFO, and
its exceptions quote expressions and values), so a field reaches the log only if it is named below
and its value is a number, a flag, a time or an id list; text only for the few fields whose text we
write ourselves. Exceptions are logged as their class names and stack frames, without their
messages (which may quote submitted data).
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Any

_OWN_LOGGERS = ("engine", "webapp", "scheduler", "signaalroute", "__main__")
MAX_EVENT_LENGTH = 200

# Extra fields a log line may carry: ids, counts, durations, states, codes.
NUMERIC_FIELDS = frozenset({
    "instance_id", "task_id", "timer_id", "definition_id", "deployment_id", "outbox_id", "anchor_id",
    "verification_id", "user_id", "pid", "count", "pending", "attempts", "problems", "retry_after",
    "poll_seconds", "called", "frozen", "acute_added", "destroyed", "kept", "sent", "retrying", "failed",
    "length", "ok", "elapsed", "duration_ms", "lateness_seconds", "next_attempt_at", "status", "instance_ids",
    "note_id", "leader", "organisation_id", "year", "hidden_cells",
})
# Fields whose text Signaalroute writes itself (a route, an error kind, a fingerprint), never user input.
TEXT_FIELDS = frozenset({"event", "path", "method", "endpoint", "kind", "region", "error", "fingerprint", "state",
                         "on", "reason"})


def _safe_value(value: Any) -> bool:
    if value is None or isinstance(value, bool | int | float | datetime | date):
        return True
    return isinstance(value, list | tuple) and all(isinstance(v, int) and not isinstance(v, bool) for v in value)


def allowed_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The extra fields of a record that may be logged; everything else is dropped."""
    fields: dict[str, Any] = {}
    for key, value in vars(record).items():
        if key in NUMERIC_FIELDS and _safe_value(value):
            fields[key] = value
        elif key in TEXT_FIELDS and isinstance(value, str) and record.name.startswith(_OWN_LOGGERS):
            fields[key] = value[:MAX_EVENT_LENGTH]
    return fields


def _event(record: logging.LogRecord) -> str:
    """Our own messages are constants; a library's message is kept only as its unformatted template.

    The template with its placeholders unfilled still says what happened ('Execution of job "%s" skipped:
    maximum number of running instances reached (%d)'); the values it would quote are dropped.
    """
    if record.name.startswith(_OWN_LOGGERS):
        return record.getMessage()[:MAX_EVENT_LENGTH]
    return str(record.msg)[:MAX_EVENT_LENGTH]


def describe_exception(exc_info: tuple[type[BaseException], BaseException, TracebackType | None]) -> str:
    """Exception classes and frames of the whole chain, without messages (they may quote data)."""
    lines: list[str] = []
    exc: BaseException | None = exc_info[1]
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        frames = traceback.extract_tb(exc.__traceback__)
        lines.append(f"{type(exc).__module__}.{type(exc).__qualname__}")
        lines.extend(f"  {frame.filename}:{frame.lineno} in {frame.name}" for frame in frames)
        exc = exc.__cause__ or exc.__context__
    return "\n".join(lines)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": _event(record),
        }
        entry.update(allowed_fields(record))
        if record.exc_info and record.exc_info[1] is not None:
            entry["exception"] = describe_exception(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def configure(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
