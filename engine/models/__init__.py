"""Typed tables only (SQLAlchemy 2.0 ``Mapped``); behaviour lives in ``engine.services``."""

from engine.models.audit import AuditAnchor, AuditEvent
from engine.models.instances import HumanTask, Instance, TaskState, Timer, TimerState
from engine.models.models import Deployment, ModelFile, ProcessDefinition
from engine.models.users import ApiToken, Organisation, User

__all__ = [
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
