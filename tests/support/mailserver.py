"""A real SMTP server (aiosmtpd) on a free localhost port, recording what it receives."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.db import unit_of_work
from engine.models import User
from engine.notify import SmtpConfig

SENDER = "signaalroute@gemeente.example"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Received:
    recipients: list[str]
    message: EmailMessage

    @property
    def body(self) -> str:
        return str(self.message.get_content())


@dataclass
class Handler:
    """Accepts mail, or answers DATA with ``refuse`` (e.g. a 451) to play a failing server."""

    refuse: str | None = None
    received: list[Received] = field(default_factory=list)
    attempts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd hook
        with self.lock:
            self.attempts += 1
            if self.refuse:
                return self.refuse
            message = message_from_bytes(envelope.content, policy=policy.default)
            assert isinstance(message, EmailMessage)
            self.received.append(Received(list(envelope.rcpt_tos), message))
        return "250 Bericht aangenomen"


class MailServer:
    def __init__(self, refuse: str | None = None):
        self.handler = Handler(refuse=refuse)
        self.port = free_port()
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> MailServer:
        self._controller.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._controller.stop()

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    @property
    def config(self) -> SmtpConfig:
        return SmtpConfig(host="127.0.0.1", port=self.port, sender=SENDER, starttls=False, timeout=5)


def give_everyone_an_address(factory: sessionmaker[Session]) -> None:
    """``<username>@<organisation>.example`` for every account (RFC 2606 names, never delivered)."""
    with unit_of_work(factory) as session:
        for user in session.scalars(select(User)):
            user.email = f"{user.username}@{user.organisation.slug}.example"
