"""The regional triage meeting (Drieluik, screeningsoverleg): occurrences, their agendas and minutes."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base
from engine.models.types import IntPK, OptionalTimestamp, Timestamp


class MeetingState(StrEnum):
    PLANNED = "gepland"      # on the calendar; the call for signals has not gone out yet
    CALLED = "opgeroepen"    # participants were asked for new signals
    FROZEN = "bevroren"      # the agenda is fixed; only acute signals are still added (flagged)
    HELD = "gehouden"        # the chair closed it; undecided signals return on the next agenda


class Meeting(Base):
    """One occurrence of a region's meeting series, at a wall-clock time in Europe/Amsterdam (stored in UTC)."""

    __tablename__ = "meeting"
    __table_args__ = (UniqueConstraint("region", "starts_at"),)

    id: Mapped[IntPK]
    region: Mapped[str] = mapped_column(String(80), index=True)
    name: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[Timestamp]
    call_at: Mapped[Timestamp]       # the call for new signals goes out
    freeze_at: Mapped[Timestamp]     # the call's deadline: the agenda is frozen
    # Roles taking part, ",politie,procesregisseur,": a snapshot of the profile when it was planned.
    participant_roles: Mapped[str] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(20), default=MeetingState.PLANNED)
    planned_by: Mapped[str] = mapped_column(String(80))  # "planner" (from the profile) or a username
    called_at: Mapped[OptionalTimestamp]
    frozen_at: Mapped[OptionalTimestamp]
    held_at: Mapped[OptionalTimestamp]
    minutes: Mapped[str | None] = mapped_column(Text, nullable=True)
    minutes_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    def roles(self) -> list[str]:
        return [r for r in self.participant_roles.split(",") if r]


class MeetingSchedule(Base):
    """The region's meeting moment as its procesregisseur set it in the web UI.

    The sources give the cadence but not the weekday and time ("op een vast tijdstip", 001 Bijlage 5),
    so the profile says "AAN TE VULLEN"; this row overrides those values and survives reloading the
    profile. Changes take effect for meetings whose call has not gone out yet.
    """

    __tablename__ = "meeting_schedule"

    region: Mapped[str] = mapped_column(String(80), primary_key=True)
    weekday: Mapped[str] = mapped_column(String(20))         # maandag..vrijdag
    time_of_day: Mapped[str] = mapped_column(String(5))      # HH:MM, Europe/Amsterdam
    call_working_days: Mapped[int] = mapped_column(Integer)  # the call goes out this many working days before
    freeze_working_days: Mapped[int] = mapped_column(Integer)  # the agenda freezes this many working days before
    updated_by: Mapped[str] = mapped_column(String(80))
    updated_at: Mapped[Timestamp]
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}


class AgendaSection(StrEnum):
    NEW = "nieuw"
    RUNNING = "lopend"


class MeetingItem(Base):
    """A signal on a meeting's agenda: its decision task, the section, and whether it was decided there."""

    __tablename__ = "meeting_item"
    __table_args__ = (UniqueConstraint("meeting_id", "instance_id"),)

    id: Mapped[IntPK]
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id"), index=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("human_task.id"))
    section: Mapped[str] = mapped_column(String(20))
    acute_after_freeze: Mapped[bool] = mapped_column(Boolean, default=False)
    added_at: Mapped[Timestamp]
    decision: Mapped[str | None] = mapped_column(String(40), nullable=True)
    decided_at: Mapped[OptionalTimestamp]
