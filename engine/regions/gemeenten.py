"""Gemeenten kept by the beheerder in the web UI: add, rename, choose the zorgcoördinator, merge.

Municipal boundaries change (Landerd and Uden became Maashorst in 2022) faster than a profile is
edited, so the beheerder maintains gemeenten without touching TOML. The organisation rows are the
truth once loaded: ``signaalroute regio laden`` only creates what is missing and never renames,
re-adds or re-splits a gemeente changed here.

A merge (decision, see processes/README.md): the surviving gemeente takes over the merged one's
people, cases and tasks, so nobody loses access to running work and nobody reports for a gemeente
that no longer exists. The merged gemeente's name becomes an alias of the survivor; its row stays,
marked as merged, so audit records that name it still resolve and a reload cannot revive it.
Every moved case gets an event in its own chain.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine import access
from engine.accounts.actors import Actor
from engine.accounts.roles import Role
from engine.audit import log
from engine.audit.events import EventType
from engine.cases import case_store
from engine.errors import Conflict, Forbidden, NotFound, ValidationFailed
from engine.models import Case, HumanTask, Organisation, User
from engine.regions.regions import Gemeente, Region, Zorgcoordinatie

GEMEENTE = "gemeente"
MAX_SLUG = 80
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
PREFIX = "Gemeente "
MAX_NAME = 100


def slugify(name: str) -> str:
    """'Súdwest-Fryslân' -> 'sudwest-fryslan': the slug a new gemeente gets (never shown to people)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower().replace("'", "")
    return re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")


def display_name(row: Organisation) -> str:
    return row.name.removeprefix(PREFIX)


def _rows(session: Session, region_slug: str | None = None) -> list[Organisation]:
    query = select(Organisation).where(Organisation.kind == GEMEENTE)
    if region_slug is not None:
        query = query.where(Organisation.region == region_slug)
    return list(session.scalars(query.order_by(Organisation.name)))


def effective_region(session: Session, region: Region) -> Region:
    """The profile with the gemeenten as the beheerder keeps them (names, additions, merges, ZoCo)."""
    rows = _rows(session, region.slug)
    if not rows:
        return region  # organisations not loaded yet: the profile is all there is
    by_slug = {row.slug: row for row in rows}
    gemeenten: list[Gemeente] = []
    zoco: dict[str, list[str]] = {}
    for row in rows:
        if row.merged_into_id is not None:
            continue
        profile = region.gemeente(row.slug)
        aliases = tuple(dict.fromkeys([*(profile.aliassen if profile else ()), *row.alias_list()]))
        gemeenten.append(Gemeente(row.slug, display_name(row), aliases))
        partner = row.zorgcoordinator or (p.slug if (p := region.zorgcoordinator_for(row.slug)) else None)
        if partner is not None:
            zoco.setdefault(partner, []).append(row.slug)
    gemeenten += [g for g in region.gemeenten if g.slug not in by_slug]
    for g in region.gemeenten:
        if g.slug not in by_slug and (p := region.zorgcoordinator_for(g.slug)) is not None:
            zoco.setdefault(p.slug, []).append(g.slug)
    return replace(region, gemeenten=tuple(gemeenten),
                   zorgcoordinatie=tuple(Zorgcoordinatie(z, tuple(s)) for z, s in zoco.items()))


def effective_regions(session: Session, regions: dict[str, Region]) -> dict[str, Region]:
    return {slug: effective_region(session, region) for slug, region in regions.items()}


def current_slug(session: Session, slug: str) -> str:
    """A merged gemeente's slug leads to the gemeente it was merged into (an old link keeps working).

    Anything that is not a slug is returned as is (never sent to the database): the caller refuses it.
    """
    if len(slug) > MAX_SLUG or not _SLUG.match(slug):
        return slug
    row = session.scalar(select(Organisation).where(Organisation.slug == slug, Organisation.kind == GEMEENTE))
    seen = set()
    while row is not None and row.merged_into_id is not None and row.id not in seen:
        seen.add(row.id)
        row = session.get(Organisation, row.merged_into_id)
    return row.slug if row is not None else slug


# --- changes by the beheerder -----------------------------------------------------------------------------------

def _require_beheerder(actor: Actor) -> None:
    if not access.can_manage(actor):
        raise Forbidden("Alleen de beheerder wijzigt gemeenten.")


def _clean_name(naam: str) -> str:
    naam = " ".join((naam or "").split())
    if not naam:
        raise ValidationFailed("Vul de naam van de gemeente in.", {"naam": "Vul de naam van de gemeente in."})
    if len(naam) > MAX_NAME:
        raise ValidationFailed("De naam is te lang.", {"naam": f"Vul hoogstens {MAX_NAME} tekens in."})
    if any(not ch.isprintable() for ch in naam):
        raise ValidationFailed("De naam bevat ongeldige tekens.",
                               {"naam": "Gebruik alleen letters, cijfers en leestekens."})
    return naam.removeprefix(PREFIX)


def _zoco(region: Region, zorgcoordinator: str | None) -> str | None:
    if not zorgcoordinator:
        return None
    partner = region.partner(zorgcoordinator)
    if partner is None or partner.rol is not Role.ZORGCOORDINATOR:
        raise ValidationFailed("Kies een zorgcoördinator van deze regio.",
                               {"zorgcoordinator": "Kies een zorgcoördinator uit de lijst."})
    return partner.slug


def _name_taken(session: Session, naam: str, *, but: int | None = None) -> bool:
    wanted = (PREFIX + naam).casefold()
    return any(row.name.casefold() == wanted and row.id != but and row.merged_into_id is None
               for row in _rows(session))


def _gemeente(session: Session, organisation_id: int) -> Organisation:
    row = session.get(Organisation, organisation_id)
    if row is None or row.kind != GEMEENTE or row.merged_into_id is not None:
        raise NotFound("Gemeente niet gevonden.")
    return row


def add(session: Session, *, actor: Actor, now: datetime, regions: dict[str, Region], region_slug: str, naam: str,
        zorgcoordinator: str | None) -> Organisation:
    """A gemeente the profile does not list (yet): it can report from now on."""
    _require_beheerder(actor)
    region = regions.get(region_slug)
    if region is None:
        raise ValidationFailed("Kies een regio.", {"regio": "Kies een regio uit de lijst."})
    naam = _clean_name(naam)
    zoco = _zoco(region, zorgcoordinator)
    if _name_taken(session, naam):
        raise Conflict(f"Gemeente {naam} bestaat al.")
    base = slugify(naam) or "gemeente"
    slug, n = base, 2
    while session.scalar(select(Organisation.id).where(Organisation.slug == slug)) is not None:
        slug, n = f"{base}-{n}", n + 1
    row = Organisation(slug=slug, name=PREFIX + naam, kind=GEMEENTE, region=region.slug, aliases="",
                       zorgcoordinator=zoco)
    session.add(row)
    session.flush()
    log.record(session, event_type=EventType.GEMEENTE_ADDED, actor=actor, now=now, payload={
        "organisation": row.id, "region": region.slug, "name": naam, "zorgcoordinator": zoco})
    return row


def change(session: Session, *, actor: Actor, now: datetime, regions: dict[str, Region], organisation_id: int,
           naam: str, zorgcoordinator: str | None) -> Organisation:
    """Rename (the old name stays as an alias) and/or choose the zorgcoördinator; empty keeps the profile's."""
    _require_beheerder(actor)
    row = _gemeente(session, organisation_id)
    region = regions.get(row.region or "")
    if region is None:
        raise Conflict("Deze gemeente hoort bij geen geladen regio.")
    naam = _clean_name(naam)
    zoco = _zoco(region, zorgcoordinator)
    old = display_name(row)
    if naam != old and _name_taken(session, naam, but=row.id):
        raise Conflict(f"Gemeente {naam} bestaat al.")
    if naam == old and zoco == row.zorgcoordinator:
        raise ValidationFailed("Er is niets gewijzigd.", {"naam": "Wijzig de naam of de zorgcoördinator."})
    if naam != old:
        row.name = PREFIX + naam
        row.aliases = "\n".join(dict.fromkeys([*row.alias_list(), old]))
    row.zorgcoordinator = zoco
    session.flush()
    log.record(session, event_type=EventType.GEMEENTE_CHANGED, actor=actor, now=now, payload={
        "organisation": row.id, "region": row.region, "old_name": old, "name": naam, "zorgcoordinator": zoco})
    return row


def merge(session: Session, *, actor: Actor, now: datetime, source_id: int, target_id: int) -> Organisation:
    """Merge ``source`` into ``target``: its people, cases and tasks move, its name becomes an alias."""
    _require_beheerder(actor)
    if source_id == target_id:
        raise ValidationFailed("Kies twee verschillende gemeenten.", {"doel": "Kies een andere gemeente."})
    source, target = _gemeente(session, source_id), _gemeente(session, target_id)
    if source.region != target.region:
        raise ValidationFailed("Gemeenten van verschillende regio's voegt u niet samen.",
                               {"doel": "Kies een gemeente van dezelfde regio."})
    moved_cases = list(session.scalars(select(Case.id).where(Case.organisation_id == source.id)
                                       .order_by(Case.id)))
    for instance_id in moved_cases:
        instance = case_store.require_locked(session, instance_id)
        instance.organisation_id = target.id
        log.record(session, event_type=EventType.INSTANCE_GEMEENTE_CHANGED, actor=actor, now=now,
                   instance_id=instance.id, payload={"from": display_name(source), "to": display_name(target)})
    session.execute(update(HumanTask).where(HumanTask.organisation_id == source.id)
                    .values(organisation_id=target.id))
    people = list(session.scalars(select(User).where(User.organisation_id == source.id)))
    for person in people:
        person.organisation_id = target.id
    moved_users = len(people)
    target.aliases = "\n".join(dict.fromkeys([*target.alias_list(), display_name(source), *source.alias_list()]))
    source.merged_into_id = target.id
    session.flush()
    log.record(session, event_type=EventType.GEMEENTE_MERGED, actor=actor, now=now, payload={
        "organisation": source.id, "into": target.id, "region": target.region, "name": display_name(source),
        "into_name": display_name(target), "cases": len(moved_cases), "users": moved_users})
    return target


def listing(session: Session, region_slug: str) -> list[Organisation]:
    """The region's current gemeenten, by name (merged ones are shown as aliases of their survivor)."""
    return [row for row in _rows(session, region_slug) if row.merged_into_id is None]
