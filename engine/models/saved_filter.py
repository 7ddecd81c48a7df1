"""Werkbak filters a person saved under a name, kept on the server so they follow them to any device."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base
from engine.models.types import IntPK, JsonDict, Timestamp


class SavedFilter(Base):
    """One named werkbak filter of one user; ``params`` are the werkbak's own query parameters.

    Stored as the normalised parameters (not a URL), so a saved filter keeps working when the
    page's address changes, and only parameters the werkbak knows survive a save.
    """

    __tablename__ = "saved_filter"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[IntPK]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    params: Mapped[JsonDict]
    created_at: Mapped[Timestamp]
    updated_at: Mapped[Timestamp]
