"""Build the specs every worker shares, complete and wired exactly as SpiffWorkflow restores them.

Two facts of SpiffWorkflow 3.2 make a parser-built spec unsafe to share:

* ``ProcessParser.get_spec()`` builds lazily and returns ``self.spec`` as soon as it is assigned,
  before its tasks are connected: a second thread asking meanwhile gets a half-built spec and a
  case started on it never moves.
* Loop and multi-instance tasks connect their child's ``completed_event`` to their merge callback
  only when they create a child, in that process. SpiffWorkflow's own spec restore
  (``BpmnProcessSpecConverter.from_dict``) makes that connection up front; a worker that restores a
  case onto a parser-built spec it never ran children on has no connection, so a finished child
  is never merged and the case is stranded.

So specs are built once under a lock and then passed through SpiffWorkflow's spec converter
(``to_dict`` then ``from_dict``): what every worker runs on is what SpiffWorkflow's restore path
produces, with whatever wiring that path does (loops, multi-instance, ad-hoc subprocesses), and it
shares nothing with the parser, which may go on building lazily for other callers.
"""

from __future__ import annotations

import threading
from typing import Any

from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from engine.workflow.bundle import Bundle

# Its own serializer: the case serializer flips a registry-wide "encoder mode" while it dumps.
_SPEC_REGISTRY = BpmnWorkflowSerializer.configure(dict(SPIFF_CONFIG))
# One build at a time: the parser's lazy build is not thread-safe, and parsing is done once per worker.
_BUILD_LOCK = threading.Lock()


def restored(spec: Any) -> Any:
    """The spec as SpiffWorkflow's restore path rebuilds it from its own serialized form."""
    return _SPEC_REGISTRY.restore(_SPEC_REGISTRY.convert(spec))


def build(bundle: Bundle, process_id: str) -> tuple[Any, dict[str, Any]]:
    """The complete process spec and subprocess specs of ``process_id``, safe to share between threads."""
    with _BUILD_LOCK:
        spec, subprocess_specs = bundle.specs(process_id)
        return restored(spec), {name: restored(each) for name, each in subprocess_specs.items()}
