"""Process and form changes as the auditor reads them (they decide where signals go): read-only, no editing rights.

Who deployed which version when and why, every stored file and form with its SHA-256 and its exact
bytes, and the diff of two versions. The views call the modeller's own services
(:mod:`engine.modelling.model_versions`, :mod:`engine.modelling.form_editing`) and draw the diff with
the modeller's partial, without the draft, deploy or migrate actions. Models hold policy, no personal
data: reading them is not written to an access log (the modeller's pages do not either).
"""

from __future__ import annotations

from pathlib import PurePath

from flask import Blueprint, Response, current_app, jsonify, render_template
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from engine import access
from engine.errors import Forbidden
from engine.modelling import form_editing, model_versions
from webapp import db
from webapp.downloads import attachment
from webapp.security import ui_actor
from webapp.ui.modelleren import XML_MIMETYPE, diff_page, xml_text

blueprint = Blueprint("audit_modellen", __name__, url_prefix="/audit/modellen")
_MIMETYPES = {"bpmn": XML_MIMETYPE, "dmn": XML_MIMETYPE}


@blueprint.before_request
def _only_model_auditors() -> BaseResponse | None:
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined,no-any-return]
    if not access.can_audit_models(current_user.actor):
        raise Forbidden("Alleen een auditor of beheerder mag de proces- en formulierwijzigingen inzien.")
    return None


def _exact(content: bytes, mimetype: str, filename: str, fallback: str) -> Response:
    """The stored bytes unchanged, as a download the browser never renders or sniffs."""
    return Response(content, mimetype=mimetype, headers={
        "Content-Disposition": attachment(filename, fallback=fallback),
        "X-Content-Type-Options": "nosniff",
    })


@blueprint.get("")
def overzicht() -> str:
    session_db, actor = db.session(), ui_actor()
    processes = model_versions.trail(session_db, actor=actor)
    deployments = {row.deployment_id for process in processes for row in process.versions}
    return render_template(
        "ui/audit/modellen.html", processes=processes,
        decisions=model_versions.decision_history(session_db, actor=actor),
        forms=form_editing.deployment_forms(session_db, actor=actor, deployment_ids=deployments),
    )


@blueprint.get("/<process_id>/verschil")
def verschil(process_id: str) -> tuple[str, int]:
    return diff_page("ui/audit/modellen_verschil.html", process_id, inhoud_endpoint="audit_modellen.versie_inhoud")


@blueprint.get("/<process_id>/versies/<int:version>/inhoud")
def versie_inhoud(process_id: str, version: int) -> Response:
    """The version's BPMN as text for the read-only viewer of the diff page."""
    file = model_versions.version_file(db.session(), actor=ui_actor(), process_id=process_id, version=version)
    return jsonify({"xml": xml_text(file.content), "filename": file.filename})


@blueprint.get("/uitrollen/<int:deployment_id>/bestanden/<filename>")
def bestand(deployment_id: int, filename: str) -> Response:
    file = model_versions.deployment_file(db.session(), actor=ui_actor(), deployment_id=deployment_id,
                                          filename=filename)
    return _exact(file.content, _MIMETYPES.get(file.kind, "application/octet-stream"),
                  f"uitrol-{deployment_id}-{file.filename}", "model.xml")


@blueprint.get("/uitrollen/<int:deployment_id>/formulieren/<name>")
def formulier(deployment_id: int, name: str) -> Response:
    row = form_editing.deployment_form(db.session(), actor=ui_actor(), deployment_id=deployment_id, name=name)
    path = PurePath(row.name)
    return _exact(row.content, "application/json", f"uitrol-{deployment_id}-{path.stem}{path.suffix}",
                  "formulier.json")
