"""What every modeller page shares: the blueprint, who may come here, and reading XML and JSON bodies."""

from __future__ import annotations

import re
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    request,
)
from flask_login import current_user
from lxml import etree
from werkzeug.wrappers import Response as BaseResponse

from engine import access
from engine.accounts.roles import Role
from engine.config import Settings
from engine.errors import Forbidden, ValidationFailed
from engine.modelling.forms import FormRepository
from engine.models import ModelDraft
from webapp.downloads import attachment

blueprint = Blueprint("modelleren", __name__, url_prefix="/modelleren")

# No lane for these: they do no case work (engine.access.NO_CASE_WORK).
LANE_ROLES = [r for r in Role if r not in (Role.AUDITOR, Role.BEHEERDER)]
XML_MIMETYPE = "application/xml"  # BPMN and DMN have no registered media type of their own
STARTER_FORM = {
    "title": "Nieuw formulier",
    "type": "object",
    "required": ["toelichting"],
    "properties": {
        "toelichting": {"type": "string", "title": "Toelichting", "maxLength": 2000},
    },
}


def modeller_settings() -> Settings:
    settings: Settings = current_app.extensions["signaalroute.settings"]
    return settings


def max_bytes() -> int:
    return modeller_settings().max_upload_bytes


def form_repository() -> FormRepository:
    forms: FormRepository = current_app.extensions["signaalroute.forms"]
    return forms


@blueprint.before_request
def _only_deployers() -> BaseResponse | None:
    """Everything here is for procesregisseurs and beheerders: log in first, a 403 page for anyone else."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined,no-any-return]
    if not access.can_deploy(current_user.actor):
        raise Forbidden("Alleen een procesregisseur of beheerder mag procesmodellen bekijken en wijzigen.")
    return None


@blueprint.app_context_processor
def _menu() -> dict[str, Any]:
    if current_user.is_authenticated and access.can_deploy(current_user.actor):
        return {"model_menu": [("modelleren.overzicht", "Modelleren"), ("modelleren.formulieren", "Formulieren")]}
    return {"model_menu": []}


_DECLARED_ENCODING = re.compile(r"""^(\s*<\?xml[^>]*?encoding\s*=\s*)(["'])[^"']*\2""")


def xml_text(content: bytes) -> str:
    """Stored bytes as text for the browser, decoded as the XML declares (MIWG files use Latin-1).

    The text is Unicode from here on, so its declaration says UTF-8 (what the editor saves);
    the stored bytes themselves never change.
    """
    try:
        encoding = etree.fromstring(content, etree.XMLParser(resolve_entities=False, no_network=True,
                                                              load_dtd=False)).getroottree().docinfo.encoding
    except etree.XMLSyntaxError:
        encoding = "utf-8"
    try:
        text = content.decode(encoding or "utf-8")
    except (LookupError, UnicodeDecodeError):
        return content.decode("utf-8", errors="replace")
    return _DECLARED_ENCODING.sub(r"\1\2UTF-8\2", text, count=1)


def xml_download(content: bytes, filename: str) -> Response:
    return Response(content, mimetype=XML_MIMETYPE, headers={
        "Content-Disposition": attachment(filename, fallback="model.xml"),
        "X-Content-Type-Options": "nosniff",
    })


def json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationFailed("Stuur een JSON-object.", {"body": "Ongeldig verzoek."})
    return body


def revision(body: dict[str, Any]) -> int:
    number = body.get("revision")
    if not isinstance(number, int) or isinstance(number, bool):
        raise ValidationFailed("De versie van het concept ontbreekt.", {"revision": "Verplicht"})
    return number


def xml_body(body: dict[str, Any]) -> bytes:
    xml = body.get("xml")
    if not isinstance(xml, str) or not xml.strip():
        raise ValidationFailed("Het model ontbreekt.", {"xml": "Verplicht"})
    return xml.encode("utf-8")


def problem_view(draft: ModelDraft, problems: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Problems as the page shows them: in this file (so markable on the canvas) or in another one."""
    return [{**p, "in_model": not p.get("file") or p.get("file") == draft.filename} for p in problems]


