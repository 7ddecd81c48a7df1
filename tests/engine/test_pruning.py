"""A case that loops for months keeps a bounded state and still behaves exactly the same."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.workflow import pruning, runner, serializer
from engine.workflow.bundle import load_bundle
from tests.support.base import START, model_files


def fresh(*names: str, process: str):
    spec, subprocess_specs = load_bundle(model_files(*names)).specs(process)
    workflow = runner.start(spec, subprocess_specs, {"ronde": 0}, START)
    return workflow, spec, subprocess_specs


def round_trip(workflow, spec, subprocess_specs):
    pruning.prune(workflow)
    state = serializer.dumps(workflow)
    restored = serializer.loads(state, spec=spec, subprocess_specs=subprocess_specs,
                                script_engine=runner.SCRIPT_ENGINE)
    assert serializer.dumps(restored) == state
    return restored, len(state)


def complete(workflow, element_id, data, moment):
    [task] = [t for t in runner.ready_human_tasks(workflow) if t.element_id == element_id]
    runner.complete_human_task(workflow, task.spiff_task_id, data, moment)


def test_a_signal_discussed_at_a_hundred_meetings_keeps_a_bounded_state():
    workflow, spec, subs = fresh("lus.bpmn", process="lopend_signaal")
    sizes = []
    for meeting in range(100):
        complete(workflow, "bespreken", {"besluit": "lopend", "ronde": meeting}, START + timedelta(days=7 * meeting))
        workflow, size = round_trip(workflow, spec, subs)
        sizes.append(size)
        assert len(workflow.tasks) <= pruning.PRUNE_ABOVE_TASKS + 4
    assert max(sizes[50:]) <= max(sizes[:50]), "state size must not grow with the number of rounds"
    assert [t.data["ronde"] for t in runner.ready_human_tasks(workflow)] == [99], "data survives re-rooting"
    complete(workflow, "bespreken", {"besluit": "afgerond"}, START + timedelta(days=800))
    assert workflow.completed


@pytest.mark.parametrize("rounds", [1, 30])
def test_a_loop_with_a_parallel_join_and_a_subprocess_still_waits_for_both_branches(rounds):
    workflow, spec, subs = fresh("lus_parallel.bpmn", process="lus_parallel")
    moment = START
    for round_number in range(rounds):
        assert sorted(t.element_id for t in runner.ready_human_tasks(workflow)) == ["politie_check", "zorg_taak"]
        complete(workflow, "politie_check", {"politie": round_number}, moment)
        workflow, _ = round_trip(workflow, spec, subs)
        assert [t.element_id for t in runner.ready_human_tasks(workflow)] == ["zorg_taak"], "the join waits"
        complete(workflow, "zorg_taak", {"zorg": round_number}, moment)
        workflow, _ = round_trip(workflow, spec, subs)
        besluit = "afgerond" if round_number == rounds - 1 else "lopend"
        complete(workflow, "bespreken", {"besluit": besluit}, moment)
        workflow, _ = round_trip(workflow, spec, subs)
        assert len(workflow.subprocesses) <= 6, "finished subprocesses are pruned with their history"
        moment += timedelta(days=7)
    assert workflow.completed
