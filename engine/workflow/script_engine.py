"""SpiffWorkflow's script engine, re-plumbed onto our sandbox.

SpiffWorkflow's default environment is plain ``eval``/``exec`` (decision 8): it is never used.
Every condition, timer expression, script task and DMN cell goes through
:mod:`engine.workflow.sandbox` with the helpers below.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from engine.workflow import clock, sandbox


def _nu() -> str:
    """The workflow clock as ISO 8601, usable in timer expressions (``nu()``)."""
    return clock.now().isoformat()


MODEL_HELPERS: Mapping[str, Callable[..., Any]] = {"nu": _nu}


class SandboxEnvironment(BasePythonScriptEngineEnvironment):  # type: ignore[misc]
    """Evaluates and executes model code in the sandbox, never with the host's eval."""

    def __init__(self, time_limit: float = sandbox.DEFAULT_TIME_LIMIT):
        super().__init__({})
        self.time_limit = time_limit

    def evaluate(self, expression: str, context: dict[str, Any], external_context: Any = None) -> Any:
        variables = {**context, **(external_context or {})}
        return sandbox.evaluate(expression, variables, helpers=MODEL_HELPERS, time_limit=self.time_limit)

    def execute(self, script: str, context: dict[str, Any], external_context: Any = None) -> bool:
        external = dict(external_context or {})
        variables = {**context, **external}
        sandbox.execute(script, variables, helpers=MODEL_HELPERS, time_limit=self.time_limit)
        for key in [k for k in context if k not in variables]:
            del context[key]
        context.update({k: v for k, v in variables.items() if k not in external})
        return True

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> Any:
        raise sandbox.SandboxRuntimeError("Servicetaken worden niet ondersteund")


class SandboxScriptEngine(PythonScriptEngine):  # type: ignore[misc]
    """The script engine every workflow of ours runs with."""

    def __init__(self, time_limit: float = sandbox.DEFAULT_TIME_LIMIT):
        super().__init__(environment=SandboxEnvironment(time_limit))

    def validate(self, expression: str) -> None:
        # DMN's parser probes cells with validate() and expects SyntaxError for "< 5"-style
        # cells; ast.parse only parses, it never runs anything.
        ast.parse(expression)
