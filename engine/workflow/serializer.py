"""Serialize a running workflow without its spec, so stored state stays lean (decision 4).

The spec is the immutable deployed model: parsed once per deployment and cached, never copied
into every case's state. Only tasks, data and subprocess state are stored per case.
"""

from __future__ import annotations

import json
from typing import Any

from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG


class LeanWorkflowConverter(BpmnWorkflowConverter):  # type: ignore[misc]
    """Like SpiffWorkflow's converter, minus the spec and subprocess specs."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any], *, spec: Any = None, subprocess_specs: Any = None,
                  script_engine: Any = None, **_: Any) -> BpmnWorkflow:
        from uuid import UUID

        workflow = self.target_class(spec, subprocess_specs, deserializing=True, script_engine=script_engine)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


_config = dict(SPIFF_CONFIG)
_config[BpmnWorkflow] = LeanWorkflowConverter
_SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(_config))
SERIALIZER_VERSION: str = _SERIALIZER.VERSION


def dumps(workflow: BpmnWorkflow) -> str:
    """The case state as compact JSON text."""
    _SERIALIZER.registry._encoder_mode = True
    try:
        dct = _SERIALIZER.to_dict(workflow)
    finally:
        _SERIALIZER.registry._encoder_mode = False
    # No sort_keys: SpiffWorkflow stores task data as deltas and restores parents before children
    # in mapping order, so the order of the tasks mapping is meaningful.
    return json.dumps(dct, cls=_SERIALIZER._encoder_cls, separators=(",", ":"))


def loads(state: str, *, spec: Any, subprocess_specs: dict[str, Any], script_engine: Any) -> BpmnWorkflow:
    """Rebuild a workflow from :func:`dumps` output and its (cached) specs."""
    dct = json.loads(state)
    workflow: BpmnWorkflow = _SERIALIZER.from_dict(
        dct, spec=spec, subprocess_specs=subprocess_specs, script_engine=script_engine
    )
    return workflow
