"""Typed tables only (SQLAlchemy 2.0 ``Mapped``); behaviour lives in the feature packages beside this one."""

from engine.models.audit import AccessLogEntry, AuditAnchor, AuditChainHead, AuditEvent
from engine.models.case_migration import CaseMigration
from engine.models.cases import Case, HumanTask, TaskState, Timer, TimerState
from engine.models.deployments import Deployment, ModelFile, ProcessDefinition
from engine.models.drafts import ModelDraft
from engine.models.form_versions import DeploymentForm, FormVersion
from engine.models.meetings import AgendaSection, Meeting, MeetingItem, MeetingSchedule, MeetingState
from engine.models.monitoring import CaseCount, CaseFigure
from engine.models.notes import CaseNote
from engine.models.outbox import OutboxMessage, OutboxState
from engine.models.retention import DestructionRecord
from engine.models.saved_filter import SavedFilter
from engine.models.users import ApiToken, Organisation, User
from engine.models.verification import AuditVerification

__all__ = [
    "AccessLogEntry",
    "AgendaSection",
    "ApiToken",
    "AuditAnchor",
    "AuditChainHead",
    "AuditEvent",
    "AuditVerification",
    "CaseCount",
    "CaseFigure",
    "CaseNote",
    "CaseMigration",
    "Deployment",
    "DeploymentForm",
    "DestructionRecord",
    "FormVersion",
    "HumanTask",
    "Meeting",
    "MeetingItem",
    "MeetingSchedule",
    "MeetingState",
    "Case",
    "ModelDraft",
    "ModelFile",
    "Organisation",
    "OutboxMessage",
    "OutboxState",
    "ProcessDefinition",
    "SavedFilter",
    "TaskState",
    "Timer",
    "TimerState",
    "User",
]
