"""Typed tables only (SQLAlchemy 2.0 ``Mapped``); behaviour lives in ``engine.services``."""

from engine.models.audit import AccessLogEntry, AuditAnchor, AuditEvent
from engine.models.instances import HumanTask, Instance, TaskState, Timer, TimerState
from engine.models.models import Deployment, ModelFile, ProcessDefinition
from engine.models.users import ApiToken, Organisation, User

__all__ = [
    "AccessLogEntry",
    "ApiToken",
    "AuditAnchor",
    "AuditEvent",
    "Deployment",
    "HumanTask",
    "Instance",
    "ModelFile",
    "Organisation",
    "ProcessDefinition",
    "TaskState",
    "Timer",
    "TimerState",
    "User",
]
