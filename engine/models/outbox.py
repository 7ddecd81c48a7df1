"""The e-mail outbox: messages enqueued with the change that caused them, sent by the scheduler."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base
from engine.models.types import IntPK, OptionalTimestamp, Timestamp


class OutboxState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after the configured number of attempts


class OutboxMessage(Base):
    """One e-mail to one address. ``idempotency_key`` makes enqueueing the same message twice a no-op.

    Subject and body hold a link into the application only, never case content (see engine.notify).
    ``next_attempt_at`` doubles as the lease of a sender that claimed the row.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (
        UniqueConstraint("idempotency_key"),
        Index("ix_outbox_message_due", "state", "next_attempt_at"),
    )

    id: Mapped[IntPK]
    idempotency_key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))  # e.g. task.reminder
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True, index=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("instance.id"), nullable=True, index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("human_task.id"), nullable=True)
    state: Mapped[str] = mapped_column(String(20), default=OutboxState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[Timestamp]
    last_error: Mapped[str | None] = mapped_column(String(300), nullable=True)
    created_at: Mapped[Timestamp]
    sent_at: Mapped[OptionalTimestamp]


__all__ = ["OutboxMessage", "OutboxState"]
