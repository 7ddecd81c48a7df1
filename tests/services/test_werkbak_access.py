"""The werkbak's indexed queries show exactly what the access rule allows, and paging reaches every task once.

The service splits :func:`engine.access.worklist_filter` into index branches (holder, completed-by,
team) and pages by position beyond :data:`worklist.COUNT_LIMIT` (issue 19). The oracle here is the
rule as one SQL condition, as the werkbak evaluated it before: every combination of holder
(me, a colleague, someone of another gemeente, nobody), completer, state and team must give the
same set of tasks in every tab and status, walked page by page forwards and backwards.
"""

from __future__ import annotations

import itertools
import random

import pytest

from engine.cases import worklist
from engine.errors import ValidationFailed
from engine.models import TaskState
from tests.support.werkbak_rows import STATES, STATUS_OF, Werkbak


@pytest.fixture
def werkbak(db_url):
    return Werkbak(db_url)


@pytest.fixture
def every_combination(werkbak):
    """108 tasks: each holder x completer x state x team, with acute flags and terms mixed in."""
    holders = ["af", "af2", "leeg", None]
    completers = ["af", "af2", None]
    for number, (holder, completer, state, team) in enumerate(
            itertools.product(holders, completers, STATES, werkbak.teams)):
        werkbak.add(team=team, holder=holder, completer=completer, state=state, acuut=number % 5 == 0,
                    due=[None, -2, 4, 9][number % 4], age=number * 7 % 50)
    return werkbak


@pytest.mark.parametrize("limit", [3, 1000], ids=["keyset beyond 3", "page numbers"])
@pytest.mark.parametrize("who", ["af", "af2", "leeg", "avim"])
def test_every_tab_and_status_shows_exactly_what_the_access_rule_allows(every_combination, monkeypatch, limit, who):
    werkbak = every_combination
    monkeypatch.setattr(worklist, "COUNT_LIMIT", limit)
    actor = werkbak.people[who]
    for tab, status in itertools.product((worklist.MIJN, worklist.TEAM, worklist.ALLE), STATUS_OF):
        allowed = werkbak.allowed(actor, tab, status)
        for sort in worklist.SORTERINGEN:
            params = {"tab": tab, "status": status, "sorteer": sort, "per_pagina": "5"}
            seen, first = werkbak.walk(actor, params)
            assert sorted(seen) == sorted(allowed), (who, tab, status, sort)
            assert first.total == min(len(allowed), limit) and first.exact == (len(allowed) <= limit)
            if first.exact:
                continue  # numbered pages: the same links both ways
            back, _ = werkbak.walk(actor, params, backwards=True)
            assert sorted(back) == sorted(allowed), ("backwards", who, tab, status, sort)


def test_holder_team_and_completer_each_decide_their_own_part(werkbak):
    mine_elsewhere = werkbak.add(team="af elders", holder="af")
    colleague_open = werkbak.add(holder="af2")
    colleague_done = werkbak.add(holder="af2", completer="af2", state=TaskState.COMPLETED)
    done_by_me_unclaimed = werkbak.add(completer="af", state=TaskState.COMPLETED)
    done_by_me_held_by_colleague = werkbak.add(holder="af2", completer="af", state=TaskState.COMPLETED)
    free_in_team = werkbak.add()
    other_gemeente = werkbak.add(team="af elders")
    other_role = werkbak.add(team="politie hier")
    af = werkbak.people["af"]

    def ids(**params: str) -> set[int]:
        return set(werkbak.walk(af, {"per_pagina": "100", **params})[0]) - werkbak.existing

    assert ids(tab="mijn") == {mine_elsewhere}, "held by me counts wherever the task is offered"
    assert ids(tab="team") == {colleague_open, free_in_team}, "the team sees a colleague's open task, with holder"
    assert ids(tab="mijn", status="afgerond") == {done_by_me_unclaimed}, (
        "done without claiming is mine; done while a colleague held it stays the colleague's")
    assert ids(tab="team", status="afgerond") == {done_by_me_unclaimed}
    assert colleague_done not in ids(status="alle") and done_by_me_held_by_colleague not in ids(status="alle")
    assert not ids(status="alle") & {other_gemeente, other_role}, "role and organisation must both match"
    assert ids(status="alle") == {mine_elsewhere, colleague_open, free_in_team, done_by_me_unclaimed}
    bladel = set(werkbak.walk(werkbak.people["leeg"], {"status": "alle"})[0]) - werkbak.existing
    assert bladel == {mine_elsewhere, other_gemeente}, "Bladel's AF sees Bladel's open tasks, also the one I hold"


@pytest.mark.parametrize("sort", list(worklist.SORTERINGEN))
def test_paging_meets_every_task_once_while_tasks_are_added_between_pages(werkbak, monkeypatch, sort):
    """New tasks land anywhere in the order between two page requests; no task is skipped or shown twice."""
    monkeypatch.setattr(worklist, "COUNT_LIMIT", 5)
    chance = random.Random(19)

    def add_some() -> int:
        return werkbak.add(holder=chance.choice([None, "af", "af2"]), acuut=chance.random() < 0.2,
                           due=chance.choice([None, -5, 0, 2, 8, 20]), age=chance.randrange(0, 400))

    before = {add_some() for _ in range(40)}
    added: list[int] = []
    for backwards in (False, True):
        seen, _ = werkbak.walk(werkbak.people["af"], {"tab": "team", "sorteer": sort, "per_pagina": "3"},
                               backwards=backwards, between=lambda: added.extend([add_some(), add_some()]))
        assert len(seen) == len(set(seen)), "no task twice"
        direction = "backwards" if backwards else "forwards"
        assert before <= set(seen), f"every task that was there from the start is met ({direction})"
        before |= set(added)


def test_a_position_from_another_sort_order_or_an_edited_one_is_refused(werkbak, monkeypatch):
    monkeypatch.setattr(worklist, "COUNT_LIMIT", 2)
    for age in range(6):
        werkbak.add(age=age)
    af = werkbak.people["af"]
    following = werkbak.page(af, {"tab": "team", "per_pagina": "2"}).links["next"]
    assert following is not None and "na" in following
    with pytest.raises(ValidationFailed) as refused:
        werkbak.page(af, {**following, "sorteer": "nieuwste"})
    assert "na" in (refused.value.details or {})
    with pytest.raises(ValidationFailed):
        werkbak.page(af, {**following, "na": following["na"][:-4] + "AAAA"})
    with pytest.raises(ValidationFailed) as beyond:
        werkbak.page(af, {"tab": "team", "per_pagina": "2", "pagina": "3"})
    assert "pagina" in (beyond.value.details or {}), "page numbers stop where the count stops"
