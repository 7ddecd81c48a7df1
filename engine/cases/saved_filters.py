"""Werkbak filters saved per person on the server: save under a name, list, delete. Owner only.

A saved filter holds werkbak parameters, no case data, so saving one is not an audit event. Every
query is scoped to the actor's own user id: someone else's filter is "not found", never shown.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.accounts.actors import Actor
from engine.cases.worklist import WorklistQuery
from engine.errors import Forbidden, NotFound, ValidationFailed
from engine.models import SavedFilter

NAME_MAX = 80
MAX_PER_USER = 50


def _owner(actor: Actor) -> int:
    if actor.user_id is None:
        raise Forbidden("Alleen personen kunnen filters bewaren.")
    return actor.user_id


def list_filters(session: Session, *, actor: Actor) -> list[SavedFilter]:
    """The actor's own saved filters, by name."""
    return list(session.scalars(
        select(SavedFilter).where(SavedFilter.user_id == _owner(actor)).order_by(func.lower(SavedFilter.name))
    ))


def save_filter(session: Session, *, actor: Actor, now: datetime, name: str, query: WorklistQuery) -> SavedFilter:
    """Save the query's filter under ``name``; saving under an existing name replaces that filter.

    :raises ValidationFailed: an empty or too long name, or too many saved filters.
    """
    owner = _owner(actor)
    name = " ".join(name.split())
    if not name:
        raise ValidationFailed("Geef het filter een naam.", {"naam": "Geef het filter een naam."})
    if len(name) > NAME_MAX:
        message = f"Gebruik hoogstens {NAME_MAX} tekens."
        raise ValidationFailed(message, {"naam": message})
    params = query.filter_params()
    existing = session.scalar(select(SavedFilter).where(SavedFilter.user_id == owner, SavedFilter.name == name))
    if existing is not None:
        existing.params = params
        existing.updated_at = now
        return existing
    count = session.scalar(select(func.count(SavedFilter.id)).where(SavedFilter.user_id == owner)) or 0
    if count >= MAX_PER_USER:
        message = f"U kunt hoogstens {MAX_PER_USER} filters bewaren; verwijder er eerst een."
        raise ValidationFailed(message, {"naam": message})
    saved = SavedFilter(user_id=owner, name=name, params=params, created_at=now, updated_at=now)
    session.add(saved)
    session.flush()
    return saved


def delete_filter(session: Session, *, actor: Actor, filter_id: int) -> str:
    """Delete one of the actor's filters and return its name (for the confirmation)."""
    saved = session.get(SavedFilter, filter_id)
    if saved is None or saved.user_id != _owner(actor):
        raise NotFound("Filter niet gevonden.")
    session.delete(saved)
    session.flush()
    return saved.name
