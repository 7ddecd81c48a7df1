"""Deployed versions of a process: history, contents, downloads and the diff between two versions."""

from __future__ import annotations

import json
from pathlib import PurePath
from typing import Any

from flask import (
    Response,
    jsonify,
    render_template,
    request,
)

from engine.errors import ValidationFailed
from engine.modelling import model_ownership, model_versions
from engine.workflow import diff as model_diff
from webapp import db
from webapp.security import ui_actor
from webapp.ui.modelleren.common import blueprint, xml_download, xml_text

# --- versions, history, diff, download -------------------------------------------------------------


@blueprint.get("/<process_id>")
def versies(process_id: str) -> str:
    session_db, actor = db.session(), ui_actor()
    rows = model_versions.history(session_db, actor=actor, process_id=process_id)
    return render_template("ui/modelleren/versies.html", process_id=process_id, name=rows[0].name, rows=rows,
                           refusal=model_ownership.process_refusal(session_db, actor, process_id))


@blueprint.get("/<process_id>/versies/<int:version>/inhoud")
def versie_inhoud(process_id: str, version: int) -> Response:
    file = model_versions.version_file(db.session(), actor=ui_actor(), process_id=process_id, version=version)
    return jsonify({"xml": xml_text(file.content), "filename": file.filename})


@blueprint.get("/<process_id>/versies/<int:version>/download")
def versie_download(process_id: str, version: int) -> Response:
    file = model_versions.version_file(db.session(), actor=ui_actor(), process_id=process_id, version=version)
    path = PurePath(file.filename)
    return xml_download(file.content, f"{path.stem}-v{version}{path.suffix}")


@blueprint.get("/bestanden/<int:file_id>/download")
def bestand_download(file_id: int) -> Response:
    file = model_versions.stored_file(db.session(), actor=ui_actor(), file_id=file_id)
    return xml_download(file.content, f"uitrol-{file.deployment_id}-{file.filename}")


@blueprint.get("/<process_id>/verschil")
def verschil(process_id: str) -> tuple[str, int]:
    return diff_page("ui/modelleren/verschil.html", process_id)


def diff_page(template: str, process_id: str, **extra: Any) -> tuple[str, int]:
    """Two versions side by side (``van``/``naar``, default the newest two); the modeller's and the
    auditor's pages differ only in their template and links."""
    session_db, actor = db.session(), ui_actor()
    rows = model_versions.history(session_db, actor=actor, process_id=process_id)
    old = request.args.get("van", type=int) or (rows[1].version if len(rows) > 1 else rows[0].version)
    new = request.args.get("naar", type=int) or rows[0].version
    errors: dict[str, str] = {}
    result = None
    try:
        result = model_versions.diff_versions(session_db, actor=actor, process_id=process_id, old=old, new=new)
    except ValidationFailed as exc:
        errors = dict(exc.details or {})
    page = render_template(template, process_id=process_id, name=rows[0].name, rows=rows,
                           old=old, new=new, result=result, errors=errors, aspects=model_diff.ASPECTS,
                           markers=json.dumps(diff_markers(result)) if result else "{}", **extra)
    return page, 422 if errors else 200


def diff_markers(result: model_versions.VersionDiff | None) -> dict[str, list[str]]:
    if result is None:
        return {}
    return {kind: result.diff.ids(kind) for kind in (model_diff.ADDED, model_diff.REMOVED, model_diff.CHANGED)}


