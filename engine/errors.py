"""Typed errors of the core; the web layer maps each to one HTTP status in one place."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base: a Dutch ``message`` for people, a stable ``code`` for programs, optional ``details``."""

    code = "fout"
    status = 400

    def __init__(self, message: str, details: Any = None):
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(DomainError):
    code, status = "niet_gevonden", 404


class Forbidden(DomainError):
    code, status = "geen_toegang", 403


class Conflict(DomainError):
    code, status = "conflict", 409


class ValidationFailed(DomainError):
    """Invalid input; ``details`` maps field names to Dutch messages."""

    code, status = "ongeldige_invoer", 422


class ModelRejected(DomainError):
    """A model cannot be deployed; ``details`` lists problems with file, line and element id."""

    code, status = "model_ongeldig", 422


class Unauthenticated(DomainError):
    code, status = "niet_ingelogd", 401
