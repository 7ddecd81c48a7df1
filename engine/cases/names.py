"""The names people read instead of identifiers: "Gemeente Eersel", not ``eersel``.

Humans never see slugs or BPMN ids: they are configuration, not words a colleague uses. Pages, exports and e-mails
that would otherwise
print an organisation slug or a process id ask one :class:`Names` per request; it reads each
name once and falls back to a neutral phrase, never to the identifier itself.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Organisation, ProcessDefinition

UNKNOWN_ORGANISATION = "onbekende organisatie"
UNKNOWN_PROCESS = "onbekend proces"


def process_title(name: str | None, version: int | None) -> str:
    """"Van signaal naar aanpak (Oost-Brabant), versie 1"; without version just the name."""
    title = name or UNKNOWN_PROCESS
    return f"{title}, versie {version}" if version is not None else title


class Names:
    """Organisation and process names, each looked up once per instance (one per request)."""

    def __init__(self, session: Session):
        self.session = session
        self._organisations: dict[str, str] = {}
        self._processes: dict[str, str] = {}
        self._by_id: dict[int, str] = {}

    def organisation(self, slug: str | None) -> str:
        """The organisation's name for its slug; unknown slugs read as a phrase, not as the slug."""
        if not slug:
            return ""
        if slug not in self._organisations:
            found = self.session.scalar(select(Organisation.name).where(Organisation.slug == slug))
            self._organisations[slug] = found or UNKNOWN_ORGANISATION
        return self._organisations[slug]

    def organisations(self, slugs: set[str]) -> dict[str, str]:
        """Several at once (one query), e.g. for a table of tasks."""
        missing = {s for s in slugs if s and s not in self._organisations}
        if missing:
            rows = self.session.execute(select(Organisation.slug, Organisation.name)
                                        .where(Organisation.slug.in_(sorted(missing))))
            found = {row.slug: row.name for row in rows}
            for slug in missing:
                self._organisations[slug] = found.get(slug) or UNKNOWN_ORGANISATION
        return {s: self._organisations[s] for s in slugs if s}

    def organisation_id(self, organisation_id: int | None) -> str:
        """The name of an organisation by its row id (tasks and cases store the id)."""
        if organisation_id is None:
            return ""
        return self.organisation_ids({organisation_id}).get(organisation_id, UNKNOWN_ORGANISATION)

    def organisation_ids(self, ids: set[int]) -> dict[int, str]:
        missing = ids - set(self._by_id)
        if missing:
            rows = self.session.execute(select(Organisation.id, Organisation.slug, Organisation.name)
                                        .where(Organisation.id.in_(sorted(missing))))
            for row in rows:
                self._by_id[row.id] = row.name
                self._organisations[row.slug] = row.name
        return {i: self._by_id.get(i, UNKNOWN_ORGANISATION) for i in ids}

    def process(self, process_id: str | None, version: int | None = None) -> str:
        """The process's name as deployed (its newest version's name), with "versie n" when given."""
        if not process_id:
            return ""
        if process_id not in self._processes:
            found = self.session.scalar(select(ProcessDefinition.name)
                                        .where(ProcessDefinition.process_id == process_id)
                                        .order_by(ProcessDefinition.version.desc()).limit(1))
            self._processes[process_id] = found if found and found != process_id else UNKNOWN_PROCESS
        return process_title(self._processes[process_id], version)
