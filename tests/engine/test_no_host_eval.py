"""SpiffWorkflow's own script environment (plain eval/exec) is never used, not even once."""

from __future__ import annotations

import pytest
from SpiffWorkflow.bpmn.script_engine.python_environment import TaskDataEnvironment

from engine.workflow import runner
from engine.workflow.bundle import load_bundle
from tests.support.base import START, model_files


@pytest.fixture(autouse=True)
def forbid_host_eval(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("SpiffWorkflow's eval environment was used")

    monkeypatch.setattr(TaskDataEnvironment, "evaluate", refuse)
    monkeypatch.setattr(TaskDataEnvironment, "execute", refuse)


@pytest.mark.parametrize("vorm", ["SU", "AU", "onbekend"])
def test_conditions_decisions_and_scripts_all_run_in_the_sandbox(vorm):
    spec, subs = load_bundle(model_files("routering.bpmn", "partner_per_vorm.dmn")).specs("routering")
    workflow = runner.start(spec, subs, {}, START)
    [task] = runner.ready_human_tasks(workflow)
    runner.complete_human_task(workflow, task.spiff_task_id, {"vorm": vorm}, START)
    assert len(runner.ready_human_tasks(workflow)) == 1
    spec, subs = load_bundle(model_files("parallel_sub.bpmn", "riec_opschaling.bpmn")).specs("parallel_sub")
    workflow = runner.start(spec, subs, {"signalen": [1, 2]}, START)
    assert runner.ready_human_tasks(workflow)[0].data["score"] == 4
    assert workflow.script_engine is runner.SCRIPT_ENGINE
