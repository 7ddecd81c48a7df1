"""Typed core errors -> HTTP, in one place (convention 6 in docs/architecture.md).

No stack trace ever leaves the server.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import ClientDisconnected, HTTPException

from engine.errors import DomainError

logger = logging.getLogger(__name__)

_HTTP_MESSAGES = {
    400: ("ongeldig_verzoek", "Het verzoek is ongeldig."),
    401: ("niet_ingelogd", "Log in om verder te gaan."),
    403: ("geen_toegang", "U heeft geen toegang tot deze pagina."),
    404: ("niet_gevonden", "Niet gevonden."),
    405: ("methode_niet_toegestaan", "Deze methode is hier niet toegestaan."),
    408: ("te_langzaam", "Het verzoek kwam niet op tijd binnen. Probeer het opnieuw."),
    413: ("te_groot", "Het verzoek is te groot."),
    414: ("adres_te_lang", "Het adres (URL) is te lang."),
    415: ("verkeerd_formaat", "Dit gegevensformaat wordt niet ondersteund."),
    431: ("kopregels_te_groot", "De kopregels (headers) van het verzoek zijn te groot."),
    429: ("te_veel_verzoeken", "Te veel verzoeken; probeer het later opnieuw."),
    500: ("serverfout", "Er ging iets mis aan onze kant. De fout is gelogd."),
}


class HttpError(DomainError):
    """A framework-level refusal (404 route, 413 body, CSRF...) in the same error shape."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code


def wants_json() -> bool:
    """The API always; elsewhere a script's fetch that asks for JSON only (the modeller's save and check).

    A browser navigating asks for text/html first, so people keep getting the Dutch error page.
    """
    if request.path.startswith("/api/"):
        return True
    return request.accept_mimetypes.best == "application/json"


def error_response(error: DomainError) -> Response:
    body = {"error": {"code": error.code, "message": error.message, "details": error.details}}
    response = jsonify(body) if wants_json() else Response(
        render_template("ui/fout.html", status=error.status, message=error.message, details=error.details),
        mimetype="text/html",
    )
    response.status_code = error.status
    return response


def _domain(error: DomainError) -> Response:
    return error_response(error)


# Headers a refusal must keep (RFC 9110): 405 says which methods are allowed, 401 how to authenticate,
# 413/429/503 when to come back.
_KEPT_HEADERS = ("Allow", "WWW-Authenticate", "Retry-After")


def _http(error: HTTPException) -> Response:
    status = error.code or 500
    if isinstance(error, ClientDisconnected) and isinstance(error.__context__, TimeoutError):
        return _body_timed_out(error.__context__)  # werkzeug wraps the socket's read timeout
    code, message = _HTTP_MESSAGES.get(status, ("fout", error.name))
    response = error_response(HttpError(status, code, message))
    for name, value in error.get_headers():
        if name in _KEPT_HEADERS:
            response.headers[name] = value
    return response


def _csrf(_error: CSRFError) -> Response:
    message = "Het formulier is verlopen of ongeldig. Laad de pagina opnieuw en probeer het nog eens."
    return error_response(HttpError(400, "csrf", message))


NUMERIC_VALUE_OUT_OF_RANGE = "22003"  # SQLSTATE
UNTRANSLATABLE_CHARACTER = "22P05"  # SQLSTATE: PostgreSQL JSONB refuses \u0000 in a string


def _out_of_range(_error: OverflowError) -> Response:
    """A number beyond what the database stores (an id or page number of 2**64) names nothing: 404, not 500.

    SQLite's driver raises OverflowError while binding such a parameter, PostgreSQL answers SQLSTATE
    22003 (see :func:`_data_error`). Found by the API fuzzing in tests/security/test_api_fuzz.py: every
    ``<int:...>`` route and numeric query parameter answered 500.
    """
    code, message = _HTTP_MESSAGES[404]
    return error_response(HttpError(404, code, message))


NUL_IN_TEXT = "De gegevens bevatten een NUL-teken (\\u0000); dat kan niet worden opgeslagen. Haal het weg."


def _data_error(error: DataError) -> Response:
    """Input the database cannot even compare is the request's fault, not the server's.

    A NUL byte in a text filter (``?proces=a%00b``) makes psycopg refuse the query before it reaches
    PostgreSQL: 400. Found by tests/security/test_injection.py.
    """
    if getattr(error.orig, "sqlstate", None) == NUMERIC_VALUE_OUT_OF_RANGE:
        return _out_of_range(OverflowError(str(error.orig)))
    if "NUL (0x00)" in str(error.orig):
        code, message = _HTTP_MESSAGES[400]
        return error_response(HttpError(400, code, message))
    if getattr(error.orig, "sqlstate", None) == UNTRANSLATABLE_CHARACTER:  # the transaction is rolled back
        return error_response(HttpError(422, "ongeldige_invoer", NUL_IN_TEXT))
    return _unexpected(error)


def _body_timed_out(_error: TimeoutError) -> Response:
    """The client stopped sending its body: the socket's read timeout (signaalroute.server) fired."""
    code, message = _HTTP_MESSAGES[408]
    response = error_response(HttpError(408, code, message))
    response.headers["Connection"] = "close"
    return response


def http_message(status: int) -> tuple[str, str]:
    """Code and Dutch message for a status, also for refusals written outside Flask (the server's own)."""
    return _HTTP_MESSAGES.get(status, _HTTP_MESSAGES[400] if status < 500 else _HTTP_MESSAGES[500])


def _unexpected(error: Exception) -> Response:
    logger.exception("unhandled error", extra={"path": request.path, "method": request.method})
    code, message = _HTTP_MESSAGES[500]
    return error_response(HttpError(500, code, message))


def init_app(app: Flask) -> None:
    app.register_error_handler(DomainError, _domain)
    app.register_error_handler(CSRFError, _csrf)
    app.register_error_handler(HTTPException, _http)
    app.register_error_handler(OverflowError, _out_of_range)
    app.register_error_handler(DataError, _data_error)
    app.register_error_handler(TimeoutError, _body_timed_out)
    app.register_error_handler(Exception, _unexpected)
