"""Organisations (gemeenten and chain partners) as rows, created from the region profiles."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Organisation


def get_or_create_organisation(session: Session, *, slug: str, name: str, kind: str,
                               region: str | None = None) -> Organisation:
    organisation = session.scalar(select(Organisation).where(Organisation.slug == slug))
    if organisation is None:
        organisation = Organisation(slug=slug, name=name, kind=kind, region=region)
        session.add(organisation)
        session.flush()
    return organisation

