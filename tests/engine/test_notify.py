"""The e-mail outbox, delivered to a real local SMTP server (aiosmtpd), with an injected clock."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine import notify
from engine.db import unit_of_work
from engine.models import HumanTask, OutboxMessage
from engine.notify import SmtpConfig
from signaalroute import passes
from tests.support.helpers import deploy, ready, start
from tests.support.mailserver import MailServer, free_port, give_everyone_an_address

pytestmark = pytest.mark.postgres

BASE_URL = "https://signaalroute.gemeente.example"
VICTIM = "Anna de Vries"
SUSPECT = "Kees Bakker"


@pytest.fixture
def mail_server():
    with MailServer() as server:
        yield server


def overdue_task(factory, world, forms, at) -> int:
    """A case full of personal data whose first task (for the AF of Eersel) is due in a day."""
    give_everyone_an_address(factory)
    deploy(factory, world.regisseur, at(), forms, "drie_taken.bpmn")
    case = start(factory, world.af, at(), "drie_taken",
                 {"slachtoffer": VICTIM, "samenvatting": f"{VICTIM} werkt 70 uur per week voor {SUSPECT}"})
    [task] = ready(factory, case).values()
    with unit_of_work(factory) as session:
        session.get(HumanTask, task.id).due_at = at() + timedelta(days=1)
    return task.id


def enqueue(factory, at, count=1, recipient="af@eersel.example"):
    with unit_of_work(factory) as session:
        for number in range(count):
            notify.enqueue(session, key=f"test:{number}", kind=notify.REMINDER, recipient=recipient,
                           subject="Herinnering", body=f"{BASE_URL}/taken/{number}", now=at())


def deliver(factory, config, now, max_attempts=3) -> notify.Delivery:
    with notify.SmtpTransport(config) as transport:
        return passes.deliver_due(factory, transport=transport, now=now, max_attempts=max_attempts)


def outbox(factory) -> list[OutboxMessage]:
    with unit_of_work(factory) as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_the_reminder_arrives_with_a_link_to_the_task_and_nothing_about_the_case(factory, world, forms, at,
                                                                                 mail_server):
    task_id = overdue_task(factory, world, forms, at)
    assert passes.send_due_reminders(factory, now=at.advance(days=1), base_url=BASE_URL) == 1
    delivery = deliver(factory, mail_server.config, at())
    assert (delivery.sent, delivery.retrying, delivery.failed) == (1, 0, 0)
    [mail] = mail_server.received
    assert mail.recipients == ["af@eersel.example"]
    assert mail.message["From"] == "signaalroute@gemeente.example"
    assert mail.message["Subject"] == "Herinnering: een taak in Signaalroute is over de termijn"
    assert f"{BASE_URL}/taken/{task_id}" in mail.body
    raw = mail.message.as_string()
    for secret in (VICTIM, SUSPECT, "70 uur", "Signaal verrijken", "Gemeente Eersel"):
        assert secret not in raw, f"{secret!r} must never leave the application by e-mail"
    [row] = outbox(factory)
    assert (row.state, row.attempts, row.sent_at, row.last_error) == ("sent", 1, at(), None)
    assert deliver(factory, mail_server.config, at.advance(hours=1)).sent == 0, "a sent message is never sent again"
    assert len(mail_server.received) == 1


def test_a_message_is_enqueued_once_per_idempotency_key(factory, at):
    with unit_of_work(factory) as session:
        first = notify.enqueue(session, key="k", kind=notify.REMINDER, recipient="af@eersel.example",
                               subject="s", body="b", now=at())
        again = notify.enqueue(session, key="k", kind=notify.REMINDER, recipient="af@eersel.example",
                               subject="s", body="b", now=at())
    assert (first, again) == (True, False)
    assert len(outbox(factory)) == 1


def test_a_message_enqueued_in_a_transaction_that_rolls_back_is_never_sent(factory, at):
    with pytest.raises(RuntimeError), unit_of_work(factory) as session:
        notify.enqueue(session, key="k", kind=notify.REMINDER, recipient="af@eersel.example",
                       subject="s", body="b", now=at())
        raise RuntimeError("the action that caused the mail failed")
    assert outbox(factory) == []


def test_an_address_that_could_inject_headers_is_refused(factory, at):
    with pytest.raises(ValueError), unit_of_work(factory) as session:
        notify.enqueue(session, key="k", kind=notify.REMINDER, recipient="af@eersel.example\nBcc: x@y.example",
                       subject="s", body="b", now=at())


def test_a_failing_server_gets_retries_with_growing_waits_and_the_message_fails_after_n(factory, at):
    enqueue(factory, at, recipient="af@eersel.example")
    start = at()
    with MailServer(refuse="451 4.3.0 <af@eersel.example> tijdelijk niet beschikbaar") as server:
        def attempt():
            return deliver(factory, server.config, at())

        assert attempt().retrying == 1
        [row] = outbox(factory)
        assert (row.state, row.attempts, row.next_attempt_at) == ("pending", 1, start + timedelta(minutes=1))
        assert row.last_error == "SMTPDataError 451 4.3.0", "codes only: the server's text names the address"
        at.advance(seconds=59)
        assert attempt().retrying == 0, "not before the wait is over"
        at.advance(seconds=1)
        assert attempt().retrying == 1
        [row] = outbox(factory)
        assert (row.attempts, row.next_attempt_at) == (2, at() + timedelta(minutes=2)), "the wait doubles"
        at.advance(minutes=2)
        assert attempt().failed == 1
        at.advance(days=1)
        assert (attempt().sent, attempt().failed, attempt().retrying) == (0, 0, 0), "given up means given up"
        assert server.handler.attempts == 3 and server.received == []
    [row] = outbox(factory)
    assert (row.state, row.attempts) == ("failed", 3)


def test_an_unreachable_server_is_retried_and_the_error_names_no_address(factory, at):
    enqueue(factory, at)
    config = SmtpConfig(host="127.0.0.1", port=free_port(), sender="s@gemeente.example", starttls=False, timeout=2)
    assert deliver(factory, config, at(), max_attempts=5).retrying == 1
    [row] = outbox(factory)
    assert row.state == "pending" and row.last_error == "ConnectionRefusedError: Connection refused"


def test_a_sender_that_died_after_claiming_leaves_the_message_to_be_sent_after_the_lease(factory, at, mail_server):
    enqueue(factory, at)
    with unit_of_work(factory) as session:
        assert notify.claim_due(session, now=at()) is not None  # ... and then the process was killed
    assert deliver(factory, mail_server.config, at.advance(minutes=5)).sent == 0
    assert deliver(factory, mail_server.config, at() + notify.LEASE).sent == 1
    assert len(mail_server.received) == 1


@pytest.mark.postgres_only  # SQLite has one writer at a time: the interleaving needs PostgreSQL
def test_two_senders_at_once_never_deliver_one_message_twice(factory, at, mail_server, monkeypatch):
    enqueue(factory, at, count=20)
    # Force the interleaving (convention 11 in docs/architecture.md): each sender holds its first claim,
    # uncommitted, until the other has claimed too. That only happens if the second claim skips the locked row.
    barrier = threading.Barrier(2, timeout=10)
    original, first_claim = notify.claim_due, threading.local()

    def claim_and_hold(session, *, now):
        claimed = original(session, now=now)
        if not getattr(first_claim, "done", False):
            first_claim.done = True
            barrier.wait()
        return claimed

    monkeypatch.setattr(notify, "claim_due", claim_and_hold)
    errors = []

    def sender():
        try:
            deliver(factory, mail_server.config, at())
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [] and not barrier.broken
    bodies = sorted(mail.body.strip() for mail in mail_server.received)
    assert bodies == sorted(f"{BASE_URL}/taken/{n}" for n in range(20)), "each message exactly once"
    with unit_of_work(factory) as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage)
                              .where(OutboxMessage.state == "sent", OutboxMessage.attempts == 1)) == 20
