"""Regioprofielen: per regio de gemeenten, het vaste overleg, de ketenpartners en de zorgcoördinatie.

Each region routes signals differently (see docs/domain.md), so the facts a process needs —
who to call, when the triage meeting is, which ZoCo serves a gemeente — live in one TOML file per
region under ``processes/regions/`` instead of in code. The loader validates them strictly, because
a wrong phone number or a ZoCo pointing at nothing is worse than a region that fails to load.

Format (one file per region)::

    naam = "Oost-Brabant"
    slug = "oost-brabant"
    route_variant = "oost-brabant"        # oost-brabant | fryslan | limburg | soest
    bron = ["000_….txt"]                  # source document(s) in docs/bronnen/; a string or a list

    [[gemeenten]]                         # at least one; slugs unique
    slug = "eersel"
    naam = "Eersel"
    aliassen = ["Landerd"]                # optional: former names (before a merger) a source may still use
    bron = "…"                            # optional note

    [overleg]                             # optional: the recurring triage meeting (Fryslân, Limburg)
    naam = "Drieluik"
    cadans = "tweewekelijks"              # see CADANSEN, or the placeholder
    weekdag = "dinsdag"                   # maandag..vrijdag, or the placeholder
    tijd = "09:30"                        # HH:MM, or the placeholder
    deelnemers = ["politie", "zorgcoordinator"]   # names of engine.accounts.roles.Role
    partners = ["fier"]                   # optional: partner slugs at the table
    oproep_werkdagen_vooraf = 2           # int >= 0, or the placeholder
    oproep_ook = [{ rol = "oov", gemeente = "leeuwarden" }]   # optional: also asked for new signals
    bron = "…"

    [[partners]]
    slug = "avim"
    naam = "Politie, team AVIM"
    rol = "politie"                       # a Role value, or "overig" (CoMensha, Veilig Thuis, MMA, KMar, …)
    telefoon = [{ nummer = "088-…", wanneer = "ma t/m vr …" }]   # optional; wanneer optional
    email = "…"                           # optional
    bron = "…"

    [[zorgcoordinatie]]                   # which ZoCo (partner slug) serves which gemeenten
    zorgcoordinator = "lumens"
    gemeenten = ["eersel"]
    bron = "…"                            # optional

    [route]                               # optional: how this region's route differs
    regels = ["locatieroute"]             # region-only rules the shared models apply (see RULES); default none
    regels_bron = "004 §2.4"              # required when regels is not empty
    ontvanger = "procesregisseur"         # optional: the role that receives signals for the meeting
    ontvanger_bron = "…"                  # required with ontvanger: a source or "keuze van de regio"
    ondermijningsoverleg = "…"            # optional: the gemeente's table for ondermijning, in the source's words
    ondermijningsoverleg_bron = "…"

    [termijnen]                           # terms in working days; every one needs a *_bron note
    terugkoppeling_werkdagen = 5          # a partner's feedback, before the AF asks after it
    doorzetten_werkdagen = 2              # a step that passes the signal on (receiving, registering, classifying)

A telephone entry may say ``spoed = true`` (112): such a number is shown only in acute tasks.

A value the sources do not give is written as ``PLACEHOLDER`` ("AAN TE VULLEN") with a sibling
key ``<key>_bron`` saying so, e.g. ``weekdag_bron = "niet in de bronnen; aan te vullen door de regio"``.
The loader refuses a placeholder without that note, so a guess can never pass as a fact; in the
dataclasses a placeholder becomes ``None``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from engine.accounts.roles import Role
from engine.config import ConfigurationError, load_settings

PLACEHOLDER = "AAN TE VULLEN"
ROUTE_VARIANTEN = frozenset({"oost-brabant", "fryslan", "limburg", "soest"})
CADANSEN = frozenset({"wekelijks", "tweewekelijks", "driewekelijks", "vierwekelijks", "maandelijks"})
WEEKDAGEN = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag")
OVERIG = "overig"
_TIJD = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class RegionError(ValueError):
    """A region profile is invalid; the message is Dutch and names the file and the key."""


@dataclass(frozen=True)
class Telefoon:
    nummer: str
    wanneer: str | None = None  # e.g. "buiten kantooruren"; None when the source does not say
    spoed: bool = False  # an emergency number (112): shown in acute tasks only


@dataclass(frozen=True)
class Partner:
    slug: str
    naam: str
    rol: Role | None  # None means "overig": a partner that holds no role in our system
    telefoon: tuple[Telefoon, ...]
    email: str | None
    bron: str


@dataclass(frozen=True)
class Gemeente:
    slug: str
    naam: str
    # Former names: the sources predate mergers (Landerd and Uden are Maashorst since 2022).
    aliassen: tuple[str, ...] = ()


@dataclass(frozen=True)
class Overleg:
    """The recurring meeting; ``None`` fields are placeholders the region still has to supply."""

    naam: str
    cadans: str | None
    weekdag: str | None
    tijd: str | None
    deelnemers: tuple[Role, ...]
    partners: tuple[str, ...]
    oproep_werkdagen_vooraf: int | None
    bron: str
    startdatum: date | None = None  # anchors a two/three/four-weekly cadence on its first meeting
    # Working days before the meeting at which its agenda freezes; set by the procesregisseur in the web UI.
    agenda_dicht_werkdagen_vooraf: int | None = None
    oproep_ook: tuple[tuple[Role, str], ...] = ()  # (role, gemeente slug) also asked for new signals

    @property
    def missing(self) -> list[str]:
        """The facts the region still has to supply before meetings can be planned from the profile."""
        facts = {"cadans": self.cadans, "weekdag": self.weekdag, "tijd": self.tijd,
                 "oproep_werkdagen_vooraf": self.oproep_werkdagen_vooraf}
        return [key for key, value in facts.items() if value is None]


@dataclass(frozen=True)
class Zorgcoordinatie:
    zorgcoordinator: str
    gemeenten: tuple[str, ...]


# The main process each route variant runs (processes/signaal_<variant>.bpmn).
# Rules only one source gives; the shared models apply them where a region's profile turns them on.
RULES = {
    "locatieroute": "Signalenroute op een locatie (004 §2.4)",
    "dader_naar_politie_en_inspectie": "Signaal over een dader naar politie en Arbeidsinspectie (004 §2.3)",
    "anoniem_consult": "Onbekend slachtoffer: anoniem overleg met zorgcoördinator en CoMensha (004 §2.3)",
    "hulp_geweigerd_naar_riec": "Slachtoffer weigert hulp, zorg blijft: via de ketenregisseur naar het RIEC (004 §2.3)",
    "nidos_bij_amv": "Alleenstaande minderjarige vreemdeling: Nidos (003 Bijlage 2)",
}
ONTVANGERS = (Role.KETENREGISSEUR, Role.PROCESREGISSEUR)

VARIANT_PROCESSES = {
    "oost-brabant": "signaal_oost_brabant",
    "fryslan": "signaal_fryslan",
    "limburg": "signaal_limburg",
    "soest": "signaal_soest",
}


@dataclass(frozen=True)
class Region:
    naam: str
    slug: str
    route_variant: str
    bron: tuple[str, ...]
    gemeenten: tuple[Gemeente, ...]
    overleg: Overleg | None  # None: the region has no standing triage meeting (Oost-Brabant, Soest)
    partners: tuple[Partner, ...]
    zorgcoordinatie: tuple[Zorgcoordinatie, ...]
    riec: str | None = None
    terugkoppeling_werkdagen: int = 5
    doorzetten_werkdagen: int = 2  # every profile states it; the default serves hand-built test regions
    regels: frozenset[str] = frozenset()
    ontvanger: Role | None = None
    ondermijningsoverleg: str | None = None

    @property
    def process_id(self) -> str:
        return VARIANT_PROCESSES[self.route_variant]

    def organisation_slug(self, partner: Partner) -> str:
        """Partner slugs repeat between regions ('avim'), so their organisations carry the region's slug."""
        return f"{self.slug}-{partner.slug}"

    def gemeente(self, slug: str) -> Gemeente | None:
        return next((g for g in self.gemeenten if g.slug == slug), None)

    def partner(self, slug: str) -> Partner | None:
        return next((p for p in self.partners if p.slug == slug), None)

    def partner_for_role(self, role: Role) -> Partner | None:
        """The first partner holding ``role``: file order is the region's order of preference."""
        return next((p for p in self.partners if p.rol == role), None)

    def gaps(self) -> list[str]:
        """What the profile lacks that a task would show: for the beheerder, never in task instructions."""
        found = []
        for partner in self.partners:
            if partner.rol is None:
                continue
            regular = [t for t in partner.telefoon if not t.spoed]
            if not regular and not partner.email:
                found.append(f"{partner.naam}: geen telefoonnummer (buiten spoed) of e-mail")
        for role, what in ((Role.JEUGDHULP, "geen jeugdpartner voor minderjarige slachtoffers"),):
            if self.partner_for_role(role) is None:
                found.append(f"Regio {self.naam}: {what}")
        return found

    def zorgcoordinator_for(self, gemeente_slug: str) -> Partner | None:
        """The ZoCo serving a gemeente; None when the region's table does not cover it."""
        for zc in self.zorgcoordinatie:
            if gemeente_slug in zc.gemeenten:
                return self.partner(zc.zorgcoordinator)
        return None


class _Reader:
    """Reads keys from one TOML table and reports problems as ``file: key: message``."""

    def __init__(self, path: Path, table: dict[str, Any], where: str = "") -> None:
        self.path, self.table, self.where = path, table, where

    def fail(self, key: str, message: str) -> RegionError:
        return RegionError(f"{self.path.name}: {self.where}{key}: {message}")

    def sub(self, table: Any, where: str) -> _Reader:
        if not isinstance(table, dict):
            raise RegionError(f"{self.path.name}: {where}: moet een tabel zijn")
        return _Reader(self.path, table, where + ".")

    def text(self, key: str, *, required: bool = True) -> str | None:
        value = self.table.get(key)
        if value is None:
            if required:
                raise self.fail(key, "verplichte sleutel ontbreekt")
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, "moet een niet-lege tekst zijn")
        return value

    def req(self, key: str) -> str:
        value = self.text(key)
        assert value is not None
        return value

    def slug(self, key: str = "slug") -> str:
        value = self.req(key)
        if not _SLUG.match(value):
            raise self.fail(key, f"ongeldige slug {value!r} (alleen a-z, 0-9 en '-')")
        return value

    def placeholder(self, key: str) -> bool:
        """True when the value is the placeholder; then a ``<key>_bron`` note is required."""
        if self.table.get(key) != PLACEHOLDER:
            return False
        if not isinstance(self.table.get(f"{key}_bron"), str):
            raise self.fail(key, f"{PLACEHOLDER!r} vereist een toelichting in '{key}_bron'")
        return True

    def items(self, key: str, *, required: bool = True) -> list[Any]:
        value = self.table.get(key, None if required else [])
        if value is None:
            raise self.fail(key, "verplichte sleutel ontbreekt")
        if not isinstance(value, list):
            raise self.fail(key, "moet een lijst zijn")
        return value

    def bron(self) -> str:
        value = self.table.get("bron")
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            return "; ".join(value)
        return self.req("bron")


def _role(reader: _Reader, key: str, value: Any, *, overig: bool) -> Role | None:
    if overig and value == OVERIG:
        return None
    if isinstance(value, str) and value in {r.value for r in Role}:
        return Role(value)
    known = ", ".join([r.value for r in Role] + ([OVERIG] if overig else []))
    raise reader.fail(key, f"onbekende rol {value!r}; kies uit: {known}")


def _unique(reader: _Reader, key: str, slugs: list[str]) -> None:
    dubbel = sorted({s for s in slugs if slugs.count(s) > 1})
    if dubbel:
        raise reader.fail(key, f"slug komt meer dan eens voor: {', '.join(dubbel)}")


def _overleg(top: _Reader, partner_slugs: set[str]) -> Overleg:
    r = top.sub(top.table.get("overleg"), "overleg")
    cadans = None if r.placeholder("cadans") else r.req("cadans")
    if cadans is not None and cadans not in CADANSEN:
        raise r.fail("cadans", f"onbekende cadans {cadans!r}; kies uit: {', '.join(sorted(CADANSEN))}")
    weekdag = None if r.placeholder("weekdag") else r.req("weekdag")
    if weekdag is not None and weekdag not in WEEKDAGEN:
        raise r.fail("weekdag", f"onbekende weekdag {weekdag!r}; kies uit: {', '.join(WEEKDAGEN)}")
    tijd = None if r.placeholder("tijd") else r.req("tijd")
    if tijd is not None and not _TIJD.match(tijd):
        raise r.fail("tijd", f"ongeldige tijd {tijd!r}; verwacht UU:MM, bijvoorbeeld 09:30")
    oproep: int | None = None
    if not r.placeholder("oproep_werkdagen_vooraf"):
        raw = r.table.get("oproep_werkdagen_vooraf")
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
            raise r.fail("oproep_werkdagen_vooraf", f"moet een geheel getal >= 0 zijn of {PLACEHOLDER!r}")
        oproep = raw
    deelnemers = tuple(_role(r, "deelnemers", d, overig=False) for d in r.items("deelnemers"))
    if not deelnemers and not isinstance(r.table.get("deelnemers_bron"), str):
        raise r.fail("deelnemers", "een lege lijst vereist een toelichting in 'deelnemers_bron'")
    partners = tuple(str(p) for p in r.items("partners", required=False))
    for p in partners:
        if p not in partner_slugs:
            raise r.fail("partners", f"onbekende partner {p!r}")
    startdatum = r.table.get("startdatum")
    if startdatum is not None and not isinstance(startdatum, date):
        raise r.fail("startdatum", "moet een datum zijn, bijvoorbeeld 2026-01-06 (zonder aanhalingstekens)")
    if isinstance(startdatum, date) and weekdag is not None and WEEKDAGEN.index(weekdag) != startdatum.weekday():
        raise r.fail("startdatum", f"valt niet op een {weekdag}")
    oproep_ook = []
    for i, entry in enumerate(r.items("oproep_ook", required=False)):
        er = r.sub(entry, f"overleg.oproep_ook[{i}]")
        role = _role(er, "rol", er.req("rol"), overig=False)
        assert role is not None
        oproep_ook.append((role, er.slug("gemeente")))
    return Overleg(r.req("naam"), cadans, weekdag, tijd, tuple(d for d in deelnemers if d is not None),
                   partners, oproep, r.bron(), startdatum, oproep_ook=tuple(oproep_ook))


def _partner(top: _Reader, i: int, table: Any) -> Partner:
    r = top.sub(table, f"partners[{i}]")
    telefoon = []
    for j, t in enumerate(r.items("telefoon", required=False)):
        tr = r.sub(t, f"partners[{i}].telefoon[{j}]")
        spoed = tr.table.get("spoed", False)
        if not isinstance(spoed, bool):
            raise tr.fail("spoed", "moet true of false zijn")
        telefoon.append(Telefoon(tr.req("nummer"), tr.text("wanneer", required=False), spoed))
    rol = _role(r, "rol", r.req("rol"), overig=True)
    return Partner(r.slug(), r.req("naam"), rol, tuple(telefoon), r.text("email", required=False), r.bron())


def load_region(path: Path) -> Region:
    """Load and validate one region profile; raises RegionError on the first problem found."""
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise RegionError(f"{path.name}: geen geldige TOML: {exc}") from exc
    top = _Reader(path, data)
    variant = top.req("route_variant")
    if variant not in ROUTE_VARIANTEN:
        known = ", ".join(sorted(ROUTE_VARIANTEN))
        raise top.fail("route_variant", f"onbekende variant {variant!r}; kies uit: {known}")
    bronnen = tuple(top.bron().split("; "))

    gemeenten = []
    for i, g in enumerate(top.items("gemeenten")):
        gr = top.sub(g, f"gemeenten[{i}]")
        aliassen = tuple(str(a) for a in gr.items("aliassen", required=False))
        gemeenten.append(Gemeente(gr.slug(), gr.req("naam"), aliassen))
    if not gemeenten:
        raise top.fail("gemeenten", "noem minstens één gemeente")
    _unique(top, "gemeenten", [g.slug for g in gemeenten])

    partners = [_partner(top, i, p) for i, p in enumerate(top.items("partners"))]
    _unique(top, "partners", [p.slug for p in partners])
    by_slug = {p.slug: p for p in partners}

    zorg = []
    for i, z in enumerate(top.items("zorgcoordinatie", required=False)):
        zr = top.sub(z, f"zorgcoordinatie[{i}]")
        zoco = zr.req("zorgcoordinator")
        if zoco not in by_slug:
            raise zr.fail("zorgcoordinator", f"onbekende partner {zoco!r}")
        if by_slug[zoco].rol is not Role.ZORGCOORDINATOR:
            raise zr.fail("zorgcoordinator", f"partner {zoco!r} heeft niet de rol 'zorgcoordinator'")
        slugs = tuple(str(s) for s in zr.items("gemeenten"))
        for s in slugs:
            if s not in {g.slug for g in gemeenten}:
                raise zr.fail("gemeenten", f"onbekende gemeente {s!r}")
        zorg.append(Zorgcoordinatie(zoco, slugs))
    gediend = [s for z in zorg for s in z.gemeenten]
    _unique(top, "zorgcoordinatie.gemeenten", gediend)

    riec = top.text("riec", required=False)
    if riec is not None and riec not in by_slug:
        raise top.fail("riec", f"onbekende partner {riec!r}")
    regels, ontvanger, ondermijningsoverleg = _route(top, partners)
    return Region(top.req("naam"), top.slug(), variant, bronnen, tuple(gemeenten),
                  _overleg(top, set(by_slug)) if "overleg" in data else None, tuple(partners), tuple(zorg), riec,
                  _termijn(top, "terugkoppeling_werkdagen"), _termijn(top, "doorzetten_werkdagen"),
                  regels, ontvanger, ondermijningsoverleg)


def _route(top: _Reader, partners: list[Partner]) -> tuple[frozenset[str], Role | None, str | None]:
    """The [route] table: region-only rules, who receives signals for the meeting, the ondermijning table."""
    r = top.sub(top.table.get("route", {}), "route")
    regels = [str(x) for x in r.items("regels", required=False)]
    for regel in regels:
        if regel not in RULES:
            raise r.fail("regels", f"onbekende regel {regel!r}; kies uit: {', '.join(RULES)}")
    if regels and not isinstance(r.table.get("regels_bron"), str):
        raise r.fail("regels", "vereist een toelichting in 'regels_bron'")
    ontvanger: Role | None = None
    if "ontvanger" in r.table:
        role = _role(r, "ontvanger", r.table["ontvanger"], overig=False)
        if role not in ONTVANGERS:
            raise r.fail("ontvanger", "kies 'ketenregisseur' of 'procesregisseur'")
        if not any(p.rol == role for p in partners):
            raise r.fail("ontvanger", f"geen partner met de rol {role}")
        if not isinstance(r.table.get("ontvanger_bron"), str):
            raise r.fail("ontvanger", "vereist een toelichting in 'ontvanger_bron'")
        ontvanger = role
    overleg = r.text("ondermijningsoverleg", required=False)
    if overleg is not None and not isinstance(r.table.get("ondermijningsoverleg_bron"), str):
        raise r.fail("ondermijningsoverleg", "vereist een toelichting in 'ondermijningsoverleg_bron'")
    return frozenset(regels), ontvanger, overleg


def _termijn(top: _Reader, key: str) -> int:
    """A term in working days; a number without a source note would pass a guess off as a fact."""
    r = top.sub(top.table.get("termijnen"), "termijnen")
    raw = r.table.get(key)
    if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= 60:
        raise r.fail(key, "moet een geheel aantal werkdagen van 1 tot en met 60 zijn")
    if not isinstance(r.table.get(f"{key}_bron"), str):
        raise r.fail(key, f"vereist een toelichting in '{key}_bron'")
    return raw


def load_regions(directory: Path) -> dict[str, Region]:
    """All ``*.toml`` profiles in a directory, by slug; two files with one slug is an error."""
    regions: dict[str, Region] = {}
    gemeente_region: dict[str, str] = {}
    for path in sorted(directory.glob("*.toml")):
        region = load_region(path)
        if region.slug in regions:
            raise RegionError(f"{path.name}: slug: regio {region.slug!r} is al in een ander bestand gedefinieerd")
        for g in region.gemeenten:
            if g.slug in gemeente_region:
                raise RegionError(f"{path.name}: gemeenten: {g.slug!r} hoort al bij regio {gemeente_region[g.slug]!r}")
            gemeente_region[g.slug] = region.slug
        regions[region.slug] = region
    return regions


def region_of_gemeente(regions: dict[str, Region], gemeente_slug: str) -> Region | None:
    return next((r for r in regions.values() if r.gemeente(gemeente_slug) is not None), None)


@lru_cache(maxsize=4)
def _region_names(directory: Path) -> dict[str, str]:
    try:
        return {slug: region.naam for slug, region in load_regions(directory).items()}
    except (OSError, RegionError):
        return {}


def region_name(slug: str) -> str:
    """"Oost-Brabant" for ``oost-brabant``: people read the profile's name, never the slug."""
    try:
        directory = load_settings(require_secret=False).regions_dir
    except ConfigurationError:
        return slug
    return _region_names(directory).get(slug, slug)
