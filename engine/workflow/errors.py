"""Errors of the workflow layer, carrying where in which file a model went wrong."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class ModelProblem:
    """One problem in an uploaded model, in Dutch, located as precisely as we can."""

    message: str
    file: str | None = None
    line: int | None = None
    element_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class ModelInvalid(Exception):
    """The model cannot be deployed; ``problems`` lists every reason found."""

    def __init__(self, problems: list[ModelProblem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


class WorkflowFailed(Exception):
    """A running case hit an error in the model (a script or condition failed)."""

    def __init__(self, message: str, element_id: str | None = None):
        super().__init__(message)
        self.message = message
        self.element_id = element_id
