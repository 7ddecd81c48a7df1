"""What each region profile still lacks, in Dutch and with names, for the beheerder.

A missing phone number shows nothing in a task (the AF must not read configuration notes), so the
gaps are collected here instead: contact details, values the sources do not give ("AAN TE VULLEN"),
and meeting settings the procesregisseur has not made yet.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from engine.meetings import meeting_schedule
from engine.regions import gemeenten
from engine.regions.regions import PLACEHOLDER, Region

# The meeting values the procesregisseur sets in the web UI: once set, the placeholder is no gap.
SCHEDULED_KEYS = frozenset({"weekdag", "tijd", "oproep_werkdagen_vooraf"})
LABELS = {"cadans": "hoe vaak het overleg is", "weekdag": "weekdag van het overleg", "tijd": "tijd van het overleg",
          "oproep_werkdagen_vooraf": "hoeveel werkdagen vooraf de oproep gaat",
          "deelnemers": "wie aan het overleg deelnemen", "telefoon": "telefoonnummer", "email": "e-mailadres"}
MISSING = {"weekdag": "weekdag", "tijd": "tijd", "oproep_werkdagen_vooraf": "oproeptermijn", "cadans": "cadans"}


@dataclass
class RegionGaps:
    region: Region
    gaps: list[str] = field(default_factory=list)


def _placeholders(table: Any, path: tuple[str, ...] = (), owner: str = "") -> list[tuple[tuple[str, ...], str]]:
    """(key path, name of the partner or table it belongs to) for every value that is the placeholder."""
    found: list[tuple[tuple[str, ...], str]] = []
    if isinstance(table, dict):
        owner = str(table.get("naam") or owner) if path else owner
        for key, value in table.items():
            found += _placeholders(value, (*path, key), owner)
    elif isinstance(table, list):
        for value in table:
            found += _placeholders(value, path, owner)
    elif table == PLACEHOLDER:
        found.append((path, owner))
    return found


def _raw(directory: Path, region: Region) -> dict[str, Any]:
    for path in sorted(directory.glob("*.toml")):
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        if data.get("slug") == region.slug:
            return data
    return {}


def gaps_of(session: Session, region: Region, directory: Path) -> RegionGaps:
    result = RegionGaps(region)
    overleg = meeting_schedule.effective_overleg(session, region)
    for path, owner in _placeholders(_raw(directory, region)):
        if path[0] == "overleg" and (overleg is None or path[-1] in SCHEDULED_KEYS):
            continue  # the meeting moment is reported once below, as settings the procesregisseur makes
        where = f"{owner}: " if owner else ""
        result.gaps.append(f"{where}{LABELS.get(path[-1], path[-1].replace('_', ' '))} staat nog op "
                           f"‘{PLACEHOLDER}’ (niet in de bronnen)")
    if overleg is not None:
        missing = [MISSING[key] for key in overleg.missing if key in MISSING]
        if missing:
            result.gaps.append(f"{overleg.naam}: het vergadermoment is nog niet ingesteld (ontbreekt: "
                               f"{', '.join(missing)}); de procesregisseur stelt het in onder Overleg")
    result.gaps += region.gaps()  # contacts (only 112 counts as none outside acute), partners a route needs
    current = gemeenten.effective_region(session, region)
    without = [g.naam for g in current.gemeenten if current.zorgcoordinator_for(g.slug) is None]
    if without:
        result.gaps.append("Geen zorgcoördinator voor gemeente " + ", ".join(without))
    return result


def all_gaps(session: Session, regions: dict[str, Region], directory: Path) -> list[RegionGaps]:
    return [gaps_of(session, region, directory) for region in sorted(regions.values(), key=lambda r: r.naam)]
