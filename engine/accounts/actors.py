"""Who performs an action: a person with a role in an organisation, or the system itself."""

from __future__ import annotations

from dataclasses import dataclass

from engine.accounts.roles import Role


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    role: Role | None
    organisation_id: int | None
    organisation_slug: str | None
    coordinator: bool = False  # may assign the team's tasks to a colleague

    @classmethod
    def system(cls, name: str = "systeem") -> Actor:
        """The scheduler or a CLI command acting without a person."""
        return cls(user_id=None, username=name, role=None, organisation_id=None, organisation_slug=None)

    @property
    def is_system(self) -> bool:
        return self.user_id is None
