"""Typed tables only (SQLAlchemy 2.0 ``Mapped``); behaviour lives in ``engine.services``."""

from engine.models.audit import AccessLogEntry, AuditAnchor, AuditEvent
from engine.models.instances import HumanTask, Instance, TaskState, Timer, TimerState
from engine.models.meetings import AgendaSection, Meeting, MeetingItem, MeetingState
from engine.models.models import Deployment, ModelFile, ProcessDefinition
from engine.models.outbox import OutboxMessage, OutboxState
from engine.models.users import ApiToken, Organisation, User
from engine.models.verification import AuditVerification

__all__ = [
    "AccessLogEntry",
    "AgendaSection",
    "ApiToken",
    "AuditAnchor",
    "AuditEvent",
    "AuditVerification",
    "Deployment",
    "HumanTask",
    "Meeting",
    "MeetingItem",
    "MeetingState",
    "Instance",
    "ModelFile",
    "Organisation",
    "OutboxMessage",
    "OutboxState",
    "ProcessDefinition",
    "TaskState",
    "Timer",
    "TimerState",
    "User",
]
