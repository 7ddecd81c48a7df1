"""The event vocabulary: ``subject.past_tense_verb`` (docs/architecture.md, convention 5)."""

from __future__ import annotations

from enum import StrEnum


class EventType(StrEnum):
    PROCESS_DEPLOYED = "process.deployed"
    INSTANCE_STARTED = "instance.started"
    INSTANCE_COMPLETED = "instance.completed"
    INSTANCE_FAILED = "instance.failed"
    INSTANCE_REPLAYED = "instance.replayed"
    INSTANCE_MIGRATED = "instance.migrated"  # payload: from_version, to_version (engine.modelling.migration)
    # A migration undone: from_version is the version left, to_version the one restored; migration_seq
    # names the instance.migrated event it undoes.
    INSTANCE_MIGRATION_REVERTED = "instance.migration_reverted"
    TASK_COMPLETED = "task.completed"
    TASK_CLAIMED = "task.claimed"
    TASK_RELEASED = "task.released"
    TASK_ASSIGNED = "task.assigned"
    # A ready task the process stopped waiting for (a partner's feedback withdrew the AF's chase);
    # payload: element_id, spiff_task_id, reason and reason_element (the model's terminate end event),
    # after_element_id and after_task (the completed task or fired timer that caused it).
    TASK_WITHDRAWN = "task.withdrawn"
    TASK_REMINDED = "task.reminded"  # overdue: the holder(s) got a reminder e-mail
    TIMER_FIRED = "timer.fired"
    TWO_FACTOR_ENABLED = "two_factor.enabled"  # system chain; payload: user_id
    TWO_FACTOR_DISABLED = "two_factor.disabled"  # payload: user_id (optional roles only)
    TWO_FACTOR_RESET = "two_factor.reset"  # payload: user_id, sessions_ended (the helpdesk)
    RECOVERY_CODE_USED = "recovery_code.used"  # payload: user_id, remaining
    RECOVERY_CODES_RENEWED = "recovery_codes.renewed"  # payload: user_id
    OIDC_LINKED = "oidc_identity.linked"  # payload: user_id, issuer, how ("beheerder" | "gebruikersnaam")
    OIDC_LINK_ALLOWED = "oidc_identity.link_allowed"  # payload: user_id
    ACCESS_REVIEW_EXPORTED = "access_review.exported"  # payload: rows, format
    MEETING_PLANNED = "meeting.planned"  # system chain; payload: meeting, region, starts_at, by
    MEETING_CALLED = "meeting.called"  # system chain; payload: meeting, recipients (a count)
    MEETING_AGENDA_ADDED = "meeting.agenda_added"  # the case's chain; payload: meeting, section, acute_after_freeze
    MEETING_MINUTES_SAVED = "meeting.minutes_saved"  # system chain; payload: meeting, length (never the text)
    MEETING_HELD = "meeting.held"  # system chain; payload: meeting, decided, undecided
    # System chain; payload: meeting, by, early (the chair closed the agenda before its deadline).
    MEETING_AGENDA_FROZEN = "meeting.agenda_frozen"
    MEETING_CANCELLED = "meeting.cancelled"  # system chain; payload: meeting, region, starts_at, reason
    # System chain; payload: region, old and new weekday, time, call and freeze terms (the procesregisseur).
    MEETING_SCHEDULE_CHANGED = "meeting_schedule.changed"
    GEMEENTE_ADDED = "gemeente.added"  # system chain; payload: organisation, region, name, zorgcoordinator
    GEMEENTE_CHANGED = "gemeente.changed"  # system chain; payload: organisation, old_name, name, zorgcoordinator
    GEMEENTE_MERGED = "gemeente.merged"  # system chain; payload: organisation, into, names, cases, users (counts)
    INSTANCE_GEMEENTE_CHANGED = "instance.gemeente_changed"  # the case's chain; payload: from, to (gemeente names)
    USER_CREATED = "user.created"
    TOKEN_CREATED = "token.created"  # noqa: S105 - an event name, not a secret; payload: user_id, token_id, expires_at
    TOKEN_REVOKED = "token.revoked"  # noqa: S105 - an event name; payload: user_id, token_id, reason
    AUDIT_LOG_EXPORTED = "audit_log.exported"  # system chain; payload: format, van, tot, rows
    DOSSIER_EXPORTED = "dossier.exported"  # the case's chain; payload: format, events
    # System chain; payload: instance_id, reference, outcome, rule, record (ids and categories, never content).
    INSTANCE_DESTROYED = "instance.destroyed"
    # The case's chain; payload: note (id), audience (roles), text, file {name, sha256, type, size} or null.
    NOTE_ADDED = "note.added"
    FORM_SAVED = "form.saved"  # system chain; payload: name, version, sha256, comment
