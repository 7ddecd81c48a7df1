"""How every JSON request body is read: nesting is limited before the parser recurses.

Flask's ``request.get_json`` goes through ``app.json.loads``, so one provider covers every JSON
endpoint (API v1 and the modeller's save and check). A body that is too deep is refused with 422 in
Dutch, even where a view reads it with ``silent=True``: ``get_json`` swallows only ``ValueError``.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider

from engine.errors import ValidationFailed
from engine.json_limits import MAX_JSON_DEPTH, TOO_DEEP_MESSAGE, too_deep


class DepthLimitedJSONProvider(DefaultJSONProvider):
    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        if too_deep(s, MAX_JSON_DEPTH):
            raise ValidationFailed(TOO_DEEP_MESSAGE, {"body": f"Hoogstens {MAX_JSON_DEPTH} niveaus diep."})
        try:
            return super().loads(s, **kwargs)
        except RecursionError:  # defence in depth: the measure above should make this unreachable
            raise ValidationFailed(TOO_DEEP_MESSAGE, {"body": f"Hoogstens {MAX_JSON_DEPTH} niveaus diep."}) from None


def init_app(app: Flask) -> None:
    app.json_provider_class = DepthLimitedJSONProvider
    app.json = DepthLimitedJSONProvider(app)
