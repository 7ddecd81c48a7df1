"""The e-mail outbox: enqueue in the caller's transaction, deliver later from the scheduler.

Why an outbox: a message enqueued in the same unit of work as the change that caused it is
sent if and only if that change committed (decision 1), and a slow or absent mail server never
blocks a user's action. Mail leaves the trusted environment, so it carries a link into the app
and nothing else: no case content, no names of people, no task names.

Delivery is at least once. A sender claims one row at a time in a short transaction
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL, the database write lock on SQLite), leases it by
moving ``next_attempt_at`` ahead, sends outside any transaction and settles the row afterwards;
so two schedulers never send one message twice. A sender that dies between sending and settling
leaves the row to be sent again once the lease ends, under the same Message-ID.
"""

from __future__ import annotations

import hashlib
import logging
import re
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine.config import Settings
from engine.models import OutboxMessage, OutboxState

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)  # far above SMTP_TIMEOUT: a live sender always settles within it
SMTP_TIMEOUT_SECONDS = 30.0
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=6)
REMINDER = "task.reminder"
MEETING_CALL = "meeting.call"

_SUBJECTS = {REMINDER: "Herinnering: een taak in Signaalroute is over de termijn",
             MEETING_CALL: "Oproep: nieuwe signalen voor het overleg"}
_INTROS = {REMINDER: "Een taak in Signaalroute die bij u ligt, is over de termijn.",
           MEETING_CALL: "Het volgende overleg komt eraan. Breng nieuwe signalen in vóór de agenda sluit; "
                         "de agenda staat op de overlegpagina."}
_BODY = """Goedendag,

{intro}

Open de taak{about} via deze link (u logt eerst in):
{link}

Dit bericht bevat bewust geen gegevens over de zaak.
Dit is een automatisch bericht van Signaalroute; u kunt er niet op antwoorden.
"""
_REFERENCE = re.compile(r"SR-\d{4}-\d{5,}")  # only a kenmerk may join the fixed text
_ADDRESS = re.compile(r"[^\s<>\"'@,;()]+@[^\s<>\"'@,;()]+")
_ENHANCED_STATUS = re.compile(r"[245]\.\d{1,3}\.\d{1,3}")


def task_link(base_url: str, task_id: int) -> str:
    return f"{base_url.rstrip('/')}/taken/{task_id}"


def task_mail(kind: str, *, base_url: str, task_id: int, reference: str | None = None) -> tuple[str, str]:
    """Subject and body about a task: a fixed text, the case's kenmerk (its name, no content) and the link."""
    about = f" bij zaak {reference}" if reference and _REFERENCE.fullmatch(reference) else ""
    return _SUBJECTS[kind], _BODY.format(intro=_INTROS[kind], about=about, link=task_link(base_url, task_id))


def meeting_mail(*, base_url: str, meeting_id: int) -> tuple[str, str]:
    """The call for new signals: the link to the meeting page, never its agenda."""
    link = f"{base_url.rstrip('/')}/overleg/{meeting_id}"
    return _SUBJECTS[MEETING_CALL], _BODY.format(intro=_INTROS[MEETING_CALL], about="", link=link).replace(
        "Open de taak via deze link", "Open de overlegpagina via deze link")


def signal_call_mail(*, base_url: str) -> tuple[str, str]:
    """The call for whoever the profile also asks for new signals without a seat at the meeting (001 Bijlage 5:
    the OOV'er of Leeuwarden): they report through "Signaal melden", since the meeting page is not theirs."""
    link = f"{base_url.rstrip('/')}/melden"
    return _SUBJECTS[MEETING_CALL], _BODY.format(intro=_INTROS[MEETING_CALL], about="", link=link).replace(
        "Open de taak via deze link", "Meld een nieuw signaal via deze link")


def is_address(text: str) -> bool:
    """Plausibly an e-mail address, and nothing that could smuggle in a header (no spaces, no newlines)."""
    return len(text) <= 254 and _ADDRESS.fullmatch(text) is not None


def enqueue(session: Session, *, key: str, kind: str, recipient: str, subject: str, body: str, now: datetime,
            user_id: int | None = None, instance_id: int | None = None, task_id: int | None = None) -> bool:
    """Add a message in the caller's transaction; False when ``key`` was enqueued before (never twice).

    ``INSERT ... ON CONFLICT DO NOTHING`` rather than check-then-insert, so a concurrent enqueue
    of the same key cannot abort the caller's transaction with an IntegrityError.
    """
    if not is_address(recipient):
        raise ValueError("recipient is not an e-mail address")
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(OutboxMessage)
        .values(idempotency_key=key, kind=kind, recipient=recipient, subject=subject, body=body, user_id=user_id,
                instance_id=instance_id, task_id=task_id, state=OutboxState.PENDING, attempts=0,
                next_attempt_at=now, created_at=now)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(OutboxMessage.id)
    )
    return session.execute(statement).scalar_one_or_none() is not None


def pending_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(OutboxMessage)
                              .where(OutboxMessage.state == OutboxState.PENDING)) or 0)


def backoff(attempts: int) -> timedelta:
    """Wait after the ``attempts``-th failure: 1, 2, 4, 8 ... minutes, at most six hours."""
    exponent = min(max(attempts - 1, 0), 20)  # 2**20 minutes is far past the cap; keeps the number small
    wait: timedelta = BACKOFF_BASE * (1 << exponent)
    return min(wait, BACKOFF_MAX)


def describe_error(exc: BaseException) -> str:
    """The error's kind and SMTP codes only: server texts may quote the recipient's address."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({str(code) for code, _text in exc.recipients.values()})
        text = f"{type(exc).__name__} {','.join(codes)}"
    elif isinstance(exc, smtplib.SMTPResponseException):
        reply = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        status = _ENHANCED_STATUS.match(reply.strip())
        text = f"{type(exc).__name__} {exc.smtp_code}" + (f" {status.group()}" if status else "")
    elif isinstance(exc, OSError) and exc.strerror:
        text = f"{type(exc).__name__}: {exc.strerror}"
    else:
        text = type(exc).__name__
    return _ADDRESS.sub("<adres>", text)[:300]


class Transport(Protocol):
    def send(self, mail: EmailMessage) -> None: ...


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    sender: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = True
    timeout: float = SMTP_TIMEOUT_SECONDS

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpConfig | None:
        """None without ``SIGNAALROUTE_SMTP_HOST``: mail then stays in the outbox."""
        if not settings.smtp_host:
            return None
        return cls(host=settings.smtp_host, port=settings.smtp_port, sender=settings.smtp_from,
                   user=settings.smtp_user, password=settings.smtp_password, starttls=settings.smtp_starttls)


class SmtpTransport:
    """One connection reused for a pass; dropped after any error so the next message starts clean."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config
        self._client: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpTransport:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _connect(self) -> smtplib.SMTP:
        if self._client is None:
            client = smtplib.SMTP(self.config.host, self.config.port, timeout=self.config.timeout)
            try:
                if self.config.starttls:
                    client.starttls(context=ssl.create_default_context())
                if self.config.user:
                    client.login(self.config.user, self.config.password or "")
            except BaseException:
                client.close()
                raise
            self._client = client
        return self._client

    def send(self, mail: EmailMessage) -> None:
        if "From" not in mail:
            mail["From"] = self.config.sender
        try:
            self._connect().send_message(mail)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self._client is not None:
            try:
                self._client.quit()
            except (smtplib.SMTPException, OSError):
                self._client.close()
            self._client = None


@dataclass
class Delivery:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


@dataclass(frozen=True)
class ClaimedMessage:
    """What a sender needs after the claim committed: a copy, not a row bound to a closed session."""

    id: int
    key: str
    recipient: str
    subject: str
    body: str

    def email(self, now: datetime) -> EmailMessage:
        mail = EmailMessage()
        mail["To"] = self.recipient
        mail["Subject"] = self.subject
        mail["Date"] = format_datetime(now)
        # Stable per row: should a crash make us send twice, the receiving side sees one message.
        digest = hashlib.sha256(self.key.encode()).hexdigest()[:16]
        mail["Message-ID"] = f"<outbox-{self.id}.{digest}@signaalroute>"
        mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies
        mail.set_content(self.body)
        return mail


def claim_due(session: Session, *, now: datetime) -> ClaimedMessage | None:
    """Lease the oldest due message; rows another sender holds are skipped, never waited for."""
    message = session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.state == OutboxState.PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if message is None:
        return None
    message.attempts += 1
    message.next_attempt_at = now + LEASE
    session.flush()
    return ClaimedMessage(message.id, message.idempotency_key, message.recipient, message.subject, message.body)


def settle(session: Session, *, message_id: int, now: datetime, error: str | None, max_attempts: int) -> str:
    message = session.get(OutboxMessage, message_id, with_for_update=True)
    if message is None:
        return OutboxState.FAILED
    log: dict[str, Any] = {"outbox_id": message.id, "kind": message.kind, "attempts": message.attempts}
    if error is None:
        message.state, message.sent_at, message.last_error = OutboxState.SENT, now, None
        logger.info("mail sent", extra=log)
    elif message.attempts >= max_attempts:
        message.state, message.last_error = OutboxState.FAILED, error
        logger.warning("mail given up", extra=log | {"error": error})
    else:
        message.next_attempt_at = now + backoff(message.attempts)
        message.last_error = error
        logger.info("mail attempt failed", extra=log | {"error": error, "next_attempt_at": message.next_attempt_at})
    return message.state




PAGE_SIZE = 50


def list_messages(session: Session, *, page: int = 1, state: str | None = None) -> tuple[list[OutboxMessage], int]:
    """The outbox for the beheerder, newest first, and the number of messages matching ``state``."""
    query = select(OutboxMessage)
    counted = select(func.count()).select_from(OutboxMessage)
    if state:
        query, counted = query.where(OutboxMessage.state == state), counted.where(OutboxMessage.state == state)
    rows = session.scalars(query.order_by(OutboxMessage.id.desc()).offset((max(page, 1) - 1) * PAGE_SIZE)
                           .limit(PAGE_SIZE))
    return list(rows), int(session.scalar(counted) or 0)
