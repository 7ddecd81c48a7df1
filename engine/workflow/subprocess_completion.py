"""An embedded sub-process hands its data to the parent once, when it completes the first time.

SpiffWorkflow (3.2) leaves a non-interrupting boundary timer inside a sub-process waiting after a
terminate end event ended that sub-process. When the timer is already due in the same step (the
partner answered after the term, before the planner fired it), it fires afterwards and the finished
sub-process signals completion a second time: the parent's task is set back to ready, runs again,
and takes the timer's data instead of the partner's answer. A case then lost the partner's fields
("hulp_geweigerd") and stopped with a model error, or would run the steps after the sub-process twice.

The rule here: a sub-process task that already finished ignores later completions of its sub-process.
It is installed once, when :mod:`engine.workflow.runner` is imported; only this package touches
SpiffWorkflow.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.util.task import TaskState

_original = SubWorkflowTask._on_subworkflow_completed


def _complete_once(self: SubWorkflowTask, subworkflow: Any, my_task: Any) -> None:
    if my_task.state != TaskState.STARTED:  # it already took the data of the first completion and ran on
        return
    _original(self, subworkflow, my_task)


def install() -> None:
    if SubWorkflowTask._on_subworkflow_completed is not _complete_once:
        SubWorkflowTask._on_subworkflow_completed = _complete_once
