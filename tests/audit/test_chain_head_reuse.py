"""The chain head a transaction learnt (read under the lock, or written by its own event) is reused only inside it."""

from __future__ import annotations

from engine.accounts.actors import Actor
from engine.audit import log
from engine.audit.events import EventType
from engine.db import unit_of_work
from tests.support.audit import log_problems

SYSTEM = Actor.system("test")


def test_a_session_reused_for_a_second_transaction_reads_the_head_again(factory, at):
    """Between two transactions of one session another writer moved the chain: the second must not fork it."""
    session = factory()
    session.begin()
    first = log.record(session, event_type=EventType.TIMER_FIRED, actor=SYSTEM, now=at(), payload={"n": 1})
    session.commit()
    with unit_of_work(factory) as other:  # meanwhile, another process appends to the same chain
        log.record(other, event_type=EventType.TIMER_FIRED, actor=SYSTEM, now=at(), payload={"n": 2})
    session.begin()
    third = log.record(session, event_type=EventType.TIMER_FIRED, actor=SYSTEM, now=at(), payload={"n": 3})
    session.commit()
    session.close()
    assert third.seq == first.seq + 2
    assert log_problems(factory) == ({}, [])


def test_two_events_in_one_transaction_chain_onto_each_other(factory, at):
    with unit_of_work(factory) as session:
        first = log.record(session, event_type=EventType.TIMER_FIRED, actor=SYSTEM, now=at(), payload={"n": 1})
        second = log.record(session, event_type=EventType.TIMER_FIRED, actor=SYSTEM, now=at(), payload={"n": 2})
    assert (second.seq, second.prev_hash) == (first.seq + 1, first.hash)
    assert log_problems(factory) == ({}, [])


def test_a_rolled_back_event_is_not_the_head_of_the_next_transaction(factory, at):
    session = factory()
    session.begin()
    undone = log.record(session, event_type=EventType.TIMER_FIRED, actor=SYSTEM, now=at(), payload={"n": 1})
    session.rollback()
    session.begin()
    kept = log.record(session, event_type=EventType.TIMER_FIRED, actor=SYSTEM, now=at(), payload={"n": 2})
    session.commit()
    session.close()
    assert (kept.seq, kept.prev_hash) == (undone.seq, undone.prev_hash)
    assert log_problems(factory) == ({}, [])
