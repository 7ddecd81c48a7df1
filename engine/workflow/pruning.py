"""Keep a long-running case's state lean: drop finished history the engine no longer needs.

SpiffWorkflow keeps every task it ever created. A "lopend signaal" that returns to the triage
meeting forty times would carry forty rounds of finished tasks, and every later step would pay
to load and store them (docs/architecture.md, decision 4: the cost of a step must not grow with the
history). The history itself lives in the audit log, not in the execution state.

Rule: when a task tree grows past a threshold, re-root it a few levels above the lowest common
ancestor of every unfinished task. Everything outside the new root's subtree is finished (all
unfinished tasks lie below that ancestor), so execution cannot reach it again; finished
subprocesses hanging off removed tasks go with them.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

PRUNE_ABOVE_TASKS = 30
KEEP_ANCESTORS = 3


def _path(task: Task) -> list[UUID]:
    path = []
    node: Task | None = task
    while node is not None:
        path.append(node.id)
        node = node.parent
    return path[::-1]


def _common_prefix(paths: list[list[UUID]]) -> list[UUID]:
    prefix = paths[0]
    for path in paths[1:]:
        length = 0
        for a, b in zip(prefix, path, strict=False):
            if a != b:
                break
            length += 1
        prefix = prefix[:length]
    return prefix


def _subtree(workflow: Any, root: Task) -> set[UUID]:
    keep, stack = set(), [root]
    while stack:
        node = stack.pop()
        keep.add(node.id)
        stack.extend(child for child in node.children if child is not None)
    return keep


def _prune_tree(top: BpmnWorkflow, workflow: Any) -> int:
    if len(workflow.tasks) <= PRUNE_ABOVE_TASKS:
        return 0
    unfinished = [t for t in workflow.tasks.values() if not t.has_state(TaskState.FINISHED_MASK)]
    if not unfinished:
        return 0
    prefix = _common_prefix([_path(t) for t in unfinished])
    if len(prefix) <= KEEP_ANCESTORS + 1:
        return 0
    new_root = workflow.tasks[prefix[-1 - KEEP_ANCESTORS]]
    keep = _subtree(workflow, new_root)
    dropped = [task_id for task_id in workflow.tasks if task_id not in keep]
    for task_id in dropped:
        if task_id in top.subprocesses:
            top.delete_subprocess(workflow.tasks[task_id])
    new_root.data = dict(new_root.data)  # materialize: it no longer has a parent to inherit from
    for task_id in dropped:
        del workflow.tasks[task_id]
    new_root._parent = None
    workflow.task_tree = new_root
    if workflow.last_task is not None and workflow.last_task.id not in workflow.tasks:
        workflow.last_task = None
    return len(dropped)


def prune(workflow: BpmnWorkflow) -> int:
    """Remove unreachable finished history from the workflow and its subprocesses; return the count."""
    removed = _prune_tree(workflow, workflow)
    for parent_task_id, subprocess in list(workflow.subprocesses.items()):
        if parent_task_id in workflow.subprocesses:  # not deleted while pruning an outer tree
            removed += _prune_tree(workflow, subprocess)
    return removed
