"""Create the organisations a region profile names: its gemeenten and its partners that hold a role.

Idempotent, so ``signaalroute regio laden`` can run after every change of a profile; existing rows
keep their id (tasks point at them) and only gain the region slug when they lacked one.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.accounts.roles import Role
from engine.cases.region_context import PARTNER_ROLES
from engine.models import Organisation
from engine.regions.regions import Region


def organisations_of(region: Region) -> list[tuple[str, str, str]]:
    """(slug, name, kind) for every gemeente and every partner whose tasks our system routes."""
    rows = [(g.slug, f"Gemeente {g.naam}", "gemeente") for g in region.gemeenten]
    rows += [(region.organisation_slug(p), p.naam, "partner") for p in region.partners
             if p.rol is not None and p.rol in PARTNER_ROLES]
    return rows


def load_region_organisations(session: Session, regions: dict[str, Region]) -> list[str]:
    """Create what is missing; return the slugs created."""
    created = []
    for region in regions.values():
        for slug, name, kind in organisations_of(region):
            row = session.scalar(select(Organisation).where(Organisation.slug == slug))
            if row is None:
                session.add(Organisation(slug=slug, name=name, kind=kind, region=region.slug))
                created.append(slug)
            elif row.region is None:
                row.region = region.slug
    session.flush()
    return created


def is_partner_role(role: Role) -> bool:
    return role in PARTNER_ROLES
