"""SpiffWorkflow's script engine, re-plumbed onto our sandbox.

SpiffWorkflow's default environment is plain ``eval``/``exec`` (decision 8): it is never used.
Every condition, timer expression, script task and DMN cell goes through
:mod:`engine.workflow.sandbox` with the helpers below.
"""

from __future__ import annotations

import ast
import functools
import os
import reprlib
from collections.abc import Callable, Mapping
from datetime import UTC
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from engine.workflow import clock, sandbox
from engine.workflow.calendar import ENV_VARIABLE, WorkingDayCalendar, calendar_from_env

MAX_WORKING_DAYS = 3650  # bounds the helpers' day loops: a model cannot keep a request busy
MAX_OFFICE_HOURS = 20_000


def _nu() -> str:
    """The workflow clock as ISO 8601, usable in timer expressions (``nu()``)."""
    return clock.now().isoformat()


@functools.cache
def _calendar() -> WorkingDayCalendar:
    """Built at first use, so a bad setting fails the first timer that needs it, with its own message."""
    try:
        return calendar_from_env(os.environ.get(ENV_VARIABLE))
    except ValueError as exc:  # the sandbox would reduce a ValueError to "Ongeldige waarde"
        raise sandbox.SandboxRuntimeError(str(exc)) from exc


def _amount(helper: str, value: Any, limit: int, unit: str, *, whole: bool) -> Any:
    """Refuse what a model should not pass (SandboxRuntimeError keeps the Dutch message intact)."""
    if isinstance(value, float) and whole and value.is_integer():
        value = int(value)
    kinds = int if whole else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or not 0 <= value <= limit:
        kind = "een geheel aantal" if whole else "een aantal"
        raise sandbox.SandboxRuntimeError(
            f"{helper}() verwacht {kind} {unit} van 0 tot en met {limit}, niet {reprlib.repr(value)}")
    return value


def _werkdagen(n: Any) -> str:
    """The workflow clock plus ``n`` working days (Atw), same Amsterdam time, as ISO 8601 in UTC."""
    days = _amount("werkdagen", n, MAX_WORKING_DAYS, "werkdagen", whole=True)
    return _calendar().add_working_days(clock.now(), days).astimezone(UTC).isoformat()


def _kantooruren(n: Any) -> str:
    """The workflow clock plus ``n`` hours counted within office hours on working days, as ISO 8601 in UTC."""
    hours = _amount("kantooruren", n, MAX_OFFICE_HOURS, "uren", whole=False)
    return _calendar().add_office_hours(clock.now(), hours).astimezone(UTC).isoformat()


MODEL_HELPERS: Mapping[str, Callable[..., Any]] = {"nu": _nu, "werkdagen": _werkdagen, "kantooruren": _kantooruren}


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
