"""Moved from tests/scheduler/test_mail_jobs.py: shared by several test modules."""

from __future__ import annotations

import logging

import pytest

from engine.config import Settings
from engine.logs import JsonFormatter
from scheduler import jobs
from scheduler.main import build


@pytest.fixture
def leading(factory, at):
    """Build the scheduler with ``settings``, take the lead, and run the jobs on the test's clock."""
    def lead(settings: Settings):
        build(settings, factory)
        jobs._runtime.clock = at
        jobs.contend()
        assert jobs._runtime.leading
    yield lead
    if jobs._runtime is not None:
        jobs._runtime.leadership.release()


@pytest.fixture
def log_lines():
    handler, loggers = Lines(), [logging.getLogger("scheduler"), logging.getLogger("engine")]
    previous = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    yield handler.lines
    for logger, level in zip(loggers, previous, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)


class Lines(logging.Handler):
    """The scheduler's log lines as the JSON an operator reads (pytest's log capture is off here)."""

    def __init__(self):
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))
