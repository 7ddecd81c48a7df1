"""Core objects -> JSON shapes of API v1 (documented in :mod:`webapp.api.openapi`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from engine.cases.lifecycle import CaseView
from engine.cases.notes import NoteView
from engine.cases.worklist import WorkItem, Worklist
from engine.models import AccessLogEntry, AuditEvent, Deployment, HumanTask, ProcessDefinition, SavedFilter, Timer


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def task(row: HumanTask) -> dict[str, Any]:
    return {
        "id": row.id,
        "instance_id": row.instance_id,
        "element_id": row.element_id,
        "name": row.name,
        "role": row.role,
        "organisation_id": row.organisation_id,
        "assignee_id": row.assignee_id,
        "form": row.form,
        "instructions": row.instructions,
        "state": row.state,
        "created_at": iso(row.created_at),
        "due_at": iso(row.due_at),
    }


def work_item(item: WorkItem) -> dict[str, Any]:
    """A task as the werkbak shows it: the task plus its case's reference, process, vorm and gemeente."""
    return {**task(item.task), "reference": item.reference, "process_id": item.process_id,
            "process_name": item.process_name, "vorm": item.vorm, "gemeente": item.gemeente,
            "case_status": item.case_status, "due_state": str(item.due) if item.due else None,
            "acuut": item.acuut, "assignee_name": item.assignee_name}


def worklist(listing: Worklist) -> dict[str, Any]:
    found = listing.found_case
    return {
        "items": [work_item(i) for i in listing.items],
        "tab": listing.query.tab,
        "page": listing.page,
        "per_page": listing.query.per_pagina,
        "pages": listing.pages,
        "total": listing.total,
        "total_exact": listing.exact,
        "counts": listing.counts,
        "counts_exact": listing.counts_exact,
        "links": {name: None if params is None else "?" + urlencode(params) for name, params in listing.links.items()},
        "case": {"id": found.id, "reference": found.reference} if found else None,
    }


def saved_filter(row: SavedFilter) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "params": row.params, "created_at": iso(row.created_at),
            "updated_at": iso(row.updated_at)}


def timer(row: Timer) -> dict[str, Any]:
    return {"id": row.id, "element_id": row.element_id, "name": row.name, "kind": row.kind,
            "due_at": iso(row.due_at), "state": row.state}


def instance(view: CaseView) -> dict[str, Any]:
    return {
        "id": view.id,
        "reference": view.reference,
        "process_id": view.process_id,
        "process_version": view.process_version,
        "status": view.status,
        "organisation": view.organisation,
        "created_at": iso(view.created_at),
        "updated_at": iso(view.updated_at),
        "version": view.version,
        "error": view.error_message,
        "ready_tasks": [task(t) for t in view.ready_tasks],
        "timers": [timer(t) for t in view.timers],
    }


def definition(row: ProcessDefinition) -> dict[str, Any]:
    return {"id": row.id, "process_id": row.process_id, "name": row.name, "version": row.version,
            "deployment_id": row.deployment_id, "default_role": row.default_role}


def deployment(row: Deployment) -> dict[str, Any]:
    return {
        "id": row.id,
        "sha256": row.sha256,
        "comment": row.comment,
        "deployed_by_id": row.deployed_by_id,
        "deployed_at": iso(row.deployed_at),
        "files": [{"filename": f.filename, "kind": f.kind, "sha256": f.sha256, "size": len(f.content),
                   "included_from": f.included_from_id} for f in row.files],
        "processes": [definition(d) for d in row.definitions],
    }


def event(row: AuditEvent) -> dict[str, Any]:
    return {
        "seq": row.seq,
        "type": row.event_type,
        "occurred_at": iso(row.occurred_at),
        "actor": {"username": row.actor_username, "role": row.actor_role, "organisation": row.actor_organisation},
        "definition_id": row.definition_id,
        "task_id": row.task_id,
        "payload": row.payload,  # {"vernietigd": true} once the case was destroyed (retention)
        "payload_sha256": row.payload_sha256,
        "hash": row.hash,
        "prev_hash": row.prev_hash,
    }


def access(row: AccessLogEntry) -> dict[str, Any]:
    return {"occurred_at": iso(row.occurred_at), "action": row.action,
            "user": {"username": row.username, "role": row.role, "organisation": row.organisation}}


def note(instance_id: int, found: NoteView) -> dict[str, Any]:
    file = None
    if found.file_sha256:
        file = {"name": found.file_name, "type": found.file_type, "label": found.file_label, "size": found.file_size,
                "sha256": found.file_sha256, "url": f"/api/v1/instances/{instance_id}/notes/{found.id}/file"}
    return {"id": found.id, "instance_id": instance_id, "created_at": found.created_at.isoformat(),
            "author": found.author, "author_role": found.author_role, "author_organisation": found.author_organisation,
            "text": found.text, "readers": list(found.reader_roles), "file": file}
