"""Bewaartermijnen: how long a case is kept, per outcome, read from ``retention.toml``.

Why a TOML file and not environment variables like the rest of :mod:`engine.config`: every period
must carry its source (the legal basis, a source document or the decision that set it), exactly like the facts
in the region profiles, and an environment variable has no room for that. A retention period is also
a policy decision of the gemeente (with its Functionaris Gegevensbescherming), not a deployment knob:
it belongs in a reviewed, versioned file whose history shows who changed a period and why. The file's
location is the one setting in :mod:`engine.config` (``SIGNAALROUTE_RETENTION_FILE``, default
``retention.toml`` at the top of the repository), so an installation can keep its own.

Format::

    bron = "…"                       # the basis of the policy as a whole

    [geen_mensenhandel]              # one table per outcome, all five required (see OUTCOMES)
    jaren = 1                        # or: maanden = 18 — exactly one of the two
    jaren_bron = "…"                 # required: where this value comes from
    toelichting = "…"                # optional

A value the sources do not give is written as ``"AAN TE VULLEN"``, also with its ``_bron`` note; such a
rule destroys nothing until it is filled in. A value without a note is refused, so a guess can never
pass as a decided period (the same rule as :mod:`engine.regions.regions`).

Which period runs from when is fixed per outcome, not configurable: a closed case from its closure,
an open signal that never got a decision from its last activity (someone started it, completed a
task, or one of its timers fired). An open case that *did* get a decision (a casus still being
handled) has no period running: it is kept until it is closed.
"""

from __future__ import annotations

import calendar
import tomllib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from engine.regions.regions import PLACEHOLDER


class RetentionError(ValueError):
    """The retention file is invalid; the message is Dutch and names the file and the key."""


class Outcome(StrEnum):
    GEEN_MENSENHANDEL = "geen_mensenhandel"
    ONWENSELIJKE_SITUATIE = "onwenselijke_situatie"
    CASUS = "casus"
    AFGESLOTEN_ZONDER_BESLUIT = "afgesloten_zonder_besluit"
    LOPEND_SIGNAAL = "lopend_signaal"


CLOSURE, LAST_ACTIVITY = "afsluiting", "laatste_activiteit"
START_LABELS = {CLOSURE: "na afsluiting van de zaak", LAST_ACTIVITY: "na de laatste activiteit"}

OUTCOMES: dict[Outcome, tuple[str, str]] = {  # label, what the period runs from
    Outcome.GEEN_MENSENHANDEL: ("Geen mensenhandel (besluit overleg)", CLOSURE),
    Outcome.ONWENSELIJKE_SITUATIE: ("Onwenselijke situatie (besluit overleg)", CLOSURE),
    Outcome.CASUS: ("Casus: opgeplust (besluit overleg)", CLOSURE),
    Outcome.AFGESLOTEN_ZONDER_BESLUIT: ("Afgesloten zonder besluit van een overleg", CLOSURE),
    Outcome.LOPEND_SIGNAAL: ("Lopend signaal zonder besluit", LAST_ACTIVITY),
}

# The meeting decision (form ``besluit_overleg``) that settles a case's outcome; "nog_niet_concreet" does not.
DECISIONS = {"geen_mensenhandel": Outcome.GEEN_MENSENHANDEL,
             "onwenselijke_situatie": Outcome.ONWENSELIJKE_SITUATIE,
             "opplussen": Outcome.CASUS,
             # the screeningsoverleg's words (003 §5.1): partners act on the signal either way
             "casus_opstarten": Outcome.CASUS,
             "route_bepaald": Outcome.CASUS}

MAX_MONTHS = 100 * 12
_UNITS = {"jaren": 12, "maanden": 1}
_RULE_KEYS = {"jaren", "jaren_bron", "maanden", "maanden_bron", "toelichting"}


def add_months(moment: datetime, months: int) -> datetime:
    """Calendar months later, same time; the 31st becomes the last day of a shorter month."""
    year, month = divmod(moment.month - 1 + months, 12)
    year += moment.year
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def period_text(months: int | None) -> str:
    if months is None:
        return PLACEHOLDER
    if months % 12 == 0:
        years = months // 12
        return f"{years} jaar"
    return f"{months} {'maand' if months == 1 else 'maanden'}"


@dataclass(frozen=True)
class Rule:
    outcome: Outcome
    months: int | None  # None: "AAN TE VULLEN" — the rule destroys nothing yet
    source: str  # the value's ``_bron`` note
    note: str | None = None

    @property
    def label(self) -> str:
        return OUTCOMES[self.outcome][0]

    @property
    def starts_from(self) -> str:
        return OUTCOMES[self.outcome][1]

    @property
    def period(self) -> str:
        """"1 jaar na afsluiting van de zaak"; "AAN TE VULLEN" while the period is missing."""
        if self.months is None:
            return PLACEHOLDER
        return f"{period_text(self.months)} {START_LABELS[self.starts_from]}"

    @property
    def description(self) -> str:
        return f"{self.label}: {self.period}"

    def expires(self, start: datetime) -> datetime | None:
        return None if self.months is None else add_months(start, self.months)


@dataclass(frozen=True)
class RetentionRules:
    rules: dict[Outcome, Rule]
    source: str
    path: Path

    def __getitem__(self, outcome: Outcome) -> Rule:
        return self.rules[outcome]

    def ordered(self) -> list[Rule]:
        return [self.rules[o] for o in OUTCOMES]


def _fail(path: Path, key: str, message: str) -> RetentionError:
    return RetentionError(f"{path.name}: {key}: {message}")


def _rule(path: Path, outcome: Outcome, table: Any) -> Rule:
    if not isinstance(table, dict):
        raise _fail(path, outcome, "moet een tabel zijn, bijvoorbeeld [geen_mensenhandel]")
    unknown = sorted(set(table) - _RULE_KEYS)
    if unknown:
        raise _fail(path, f"{outcome}.{unknown[0]}", "onbekende sleutel; gebruik jaren of maanden met een _bron")
    units = [unit for unit in _UNITS if unit in table]
    if len(units) != 1:
        raise _fail(path, outcome, "geef precies één termijn op: 'jaren' of 'maanden'")
    unit = units[0]
    where = f"{outcome}.{unit}"
    source = table.get(f"{unit}_bron")
    if not isinstance(source, str) or not source.strip():
        raise _fail(path, where, f"vereist een toelichting in '{unit}_bron' (wet, bron of besluit)")
    raw = table[unit]
    months: int | None
    if raw == PLACEHOLDER:
        months = None
    elif isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw * _UNITS[unit] <= MAX_MONTHS:
        raise _fail(path, where, f"moet een geheel getal zijn (hoogstens {MAX_MONTHS // 12} jaar) of {PLACEHOLDER!r}")
    else:
        months = raw * _UNITS[unit]
    note = table.get("toelichting")
    if note is not None and not isinstance(note, str):
        raise _fail(path, f"{outcome}.toelichting", "moet een tekst zijn")
    return Rule(outcome, months, source.strip(), note)


def load_rules(path: Path) -> RetentionRules:
    """Load and validate the retention file; raises RetentionError on the first problem."""
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError as exc:
        raise RetentionError(f"{path}: bestand met bewaartermijnen ontbreekt") from exc
    except tomllib.TOMLDecodeError as exc:
        raise RetentionError(f"{path.name}: geen geldige TOML: {exc}") from exc
    source = data.get("bron")
    if not isinstance(source, str) or not source.strip():
        raise _fail(path, "bron", "verplichte sleutel ontbreekt: de grondslag van het bewaarbeleid")
    unknown = sorted(set(data) - {"bron"} - {str(o) for o in Outcome})
    if unknown:
        known = ", ".join(str(o) for o in Outcome)
        raise _fail(path, unknown[0], f"onbekende uitkomst; kies uit: {known}")
    rules = {}
    for outcome in Outcome:
        if str(outcome) not in data:
            raise _fail(path, str(outcome), "regel ontbreekt; elke uitkomst heeft een bewaartermijn nodig")
        rules[outcome] = _rule(path, outcome, data[str(outcome)])
    return RetentionRules(rules, source.strip(), path)
