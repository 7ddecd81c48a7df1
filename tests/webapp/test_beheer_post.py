"""The beheerder reads the outbox (what was and was not sent); nobody else does."""

from __future__ import annotations

from engine import notify
from engine.db import unit_of_work


def enqueue(factory, at, n):
    with unit_of_work(factory) as session:
        for i in range(n):
            subject, body = notify.task_mail(notify.REMINDER, base_url="https://sr.example", task_id=i + 1)
            notify.enqueue(session, key=f"k{i}", kind=notify.REMINDER, recipient=f"af{i}@eersel.example",
                           subject=subject, body=body, now=at())


def test_the_beheerder_sees_pending_mail_with_paging_and_a_state_filter(client, log_in, factory, at):
    enqueue(factory, at, 51)
    log_in("beheerder")
    page = client.get("/beheer/post").get_data(as_text=True)
    assert "51 berichten" in page and "pagina 1 van 2" in page and "af50@eersel.example" in page
    assert "Uitgaande e-mail" in page.split("<main")[0], "the menu links to the page"
    assert "af0@eersel.example" in client.get("/beheer/post?pagina=2").get_data(as_text=True)
    assert "0 berichten" in client.get("/beheer/post?stand=sent").get_data(as_text=True)


def test_nobody_else_reads_the_outbox(client, log_in, factory, at):
    enqueue(factory, at, 1)
    for person in ("af", "auditor", "regisseur"):
        log_in(person)
        assert client.get("/beheer/post").status_code == 403
