"""The leading scheduler reminds overdue tasks and sends the outbox; without SMTP mail waits in the outbox."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine import notify
from engine.config import Settings
from engine.db import unit_of_work
from engine.models import HumanTask, OutboxMessage
from scheduler import jobs
from scheduler.main import build
from tests.support.helpers import deploy, ready, start
from tests.support.mailserver import SENDER, MailServer, give_everyone_an_address
from tests.support.scheduler import Lines  # noqa: F401

pytestmark = pytest.mark.postgres

BASE_URL = "https://signaalroute.gemeente.example"


@pytest.fixture
def mail_server():
    with MailServer() as server:
        yield server


@pytest.fixture
def settings(db_url, tmp_path) -> Settings:
    return Settings(instance_dir=tmp_path, database_url=db_url, secret_key="k" * 64, base_url=BASE_URL)


def overdue_task(factory, world, forms, at) -> int:
    give_everyone_an_address(factory)
    deploy(factory, world.regisseur, at(), forms, "drie_taken.bpmn")
    case = start(factory, world.af, at(), "drie_taken", {"slachtoffer": "Anna de Vries"})
    [task] = ready(factory, case).values()
    with unit_of_work(factory) as session:
        session.get(HumanTask, task.id).due_at = at() + timedelta(days=1)
    return task.id


def test_the_leader_mails_one_reminder_for_an_overdue_task_however_often_the_jobs_run(
        factory, world, forms, at, settings, leading, mail_server):
    task_id = overdue_task(factory, world, forms, at)
    leading(replace(settings, smtp_host="127.0.0.1", smtp_port=mail_server.port, smtp_starttls=False,
                    smtp_from=SENDER))
    jobs.send_reminders()
    jobs.send_mail()
    assert mail_server.received == [], "not due yet"
    at.advance(days=1, minutes=1)
    for _ in range(3):
        jobs.send_reminders()
        jobs.send_mail()
    [mail] = mail_server.received
    assert mail.recipients == ["af@eersel.example"]
    assert f"{BASE_URL}/taken/{task_id}" in mail.body and "Anna" not in mail.message.as_string()


def test_without_an_smtp_host_mail_stays_in_the_outbox_and_the_log_says_so_once(
        factory, world, forms, at, settings, leading, log_lines):
    overdue_task(factory, world, forms, at)
    leading(settings)
    at.advance(days=2)
    jobs.send_reminders()
    jobs.send_mail()
    jobs.send_mail()
    with unit_of_work(factory) as session:
        [row] = session.scalars(select(OutboxMessage))
        assert (row.state, row.attempts, row.sent_at) == ("pending", 0, None)
        assert notify.pending_count(session) == 1
    warnings = [line for line in log_lines if "no SMTP host" in line]
    assert len(warnings) == 1 and '"pending": 1' in warnings[0]
    assert not any("@" in line for line in log_lines), "no e-mail address in any log line"


def test_a_standby_sends_no_mail(factory, world, forms, at, settings, mail_server):
    overdue_task(factory, world, forms, at)
    build(replace(settings, smtp_host="127.0.0.1", smtp_port=mail_server.port, smtp_starttls=False), factory)
    jobs._runtime.clock = lambda: at() + timedelta(days=2)
    jobs.send_reminders()
    jobs.send_mail()
    assert mail_server.received == []
    with unit_of_work(factory) as session:
        assert session.scalars(select(OutboxMessage)).all() == []
