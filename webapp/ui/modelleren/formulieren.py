"""The form editor: list, create, edit and preview a task form's JSON Schema, download a version."""

from __future__ import annotations

import json
from pathlib import PurePath
from typing import Any

from flask import (
    Response,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response as BaseResponse

from engine.errors import ValidationFailed
from engine.modelling import form_catalogue, form_editing
from engine.modelling.forms import is_safe_name
from webapp import db
from webapp.downloads import attachment
from webapp.security import now, ui_actor
from webapp.ui import task_form
from webapp.ui.modelleren.common import STARTER_FORM, blueprint, form_repository

# --- forms ----------------------------------------------------------------------------------------


@blueprint.get("/formulieren")
def formulieren() -> str:
    rows = form_editing.list_forms(db.session(), actor=ui_actor(), repository=form_repository())
    return render_template("ui/modelleren/formulieren.html", rows=rows, errors={}, values={})


@blueprint.post("/formulieren/nieuw")
def formulier_nieuw() -> BaseResponse | tuple[str, int]:
    name = request.form.get("naam", "").strip()
    if name and not name.endswith(".json"):
        name += ".json"
    catalog = form_catalogue.FormCatalog(db.session(), form_repository())
    error = None
    if not is_safe_name(name):
        error = "Gebruik letters, cijfers, - en _, bijvoorbeeld ‘zorg-overleg’."
    elif catalog.exists(name):
        error = "Er bestaat al een formulier met deze naam."
    if error:
        rows = form_editing.list_forms(db.session(), actor=ui_actor(), repository=form_repository())
        page = render_template("ui/modelleren/formulieren.html", rows=rows, errors={"naam": error},
                               values={"naam": request.form.get("naam", "")})
        return page, 422
    return redirect(url_for("modelleren.formulier", name=name, nieuw=1))


def _preview(text: str) -> dict[str, Any]:
    """Check the typed schema and draw it with the task page's own renderer (task_form + _velden)."""
    check = form_editing.check_schema_text(text)
    fields: list[task_form.Field] = []
    unsupported: list[str] = []
    if check.schema is not None:
        fields, unsupported = task_form.fields_of(check.schema)
    return {"check": check, "fields": fields, "unsupported": unsupported,
            "title": (check.schema or {}).get("title"), "description": (check.schema or {}).get("description")}


@blueprint.route("/formulieren/<name>", methods=["GET", "POST"])
def formulier(name: str) -> tuple[str, int] | BaseResponse:
    """Edit a form's JSON Schema. Works without script: "Voorbeeld tonen" posts and redraws the preview."""
    session_db, actor = db.session(), ui_actor()
    new = request.args.get("nieuw") == "1"
    history: list[Any] = []
    if new:
        if not is_safe_name(name):
            raise ValidationFailed("Ongeldige naam voor een formulier.", {"naam": "Ongeldige naam."})
        text = json.dumps(STARTER_FORM, ensure_ascii=False, indent=2) + "\n"
    else:
        stored = form_editing.form_text(session_db, actor=actor, repository=form_repository(), name=name)
        text, history = stored.text, stored.history
    errors: dict[str, str] = {}
    comment = ""
    if request.method == "POST":
        text = request.form.get("schema", "")
        comment = request.form.get("toelichting", "")
        if request.form.get("actie") == "opslaan":
            try:
                version = form_editing.save_form(session_db, actor=actor, now=now(), repository=form_repository(),
                                                  name=name, text=text, comment=comment, new=new)
            except ValidationFailed as exc:
                errors = dict(exc.details or {})
            else:
                flash(f"Versie {version.version} van ‘{name}’ is opgeslagen. Processen gebruiken haar vanaf hun "
                      "volgende uitrol; lopende zaken houden hun formulier.")
                return redirect(url_for("modelleren.formulier", name=name))
    page = render_template("ui/modelleren/formulier.html", name=name, text=text, comment=comment, new=new,
                           history=history, errors=errors, **_preview(text))
    return page, 422 if errors else 200


@blueprint.post("/formulieren/voorbeeld")
def formulier_voorbeeld() -> str:
    """The preview alone (for the live preview while typing), drawn by the server."""
    return render_template("ui/modelleren/_voorbeeld.html", **_preview(request.form.get("schema", "")))


@blueprint.get("/formulieren/<name>/versies/<int:version>/download")
def formulier_download(name: str, version: int) -> Response:
    row = form_editing.form_version_bytes(db.session(), actor=ui_actor(), name=name, version=version)
    stem = PurePath(name).stem
    return Response(row.content, mimetype="application/json", headers={
        "Content-Disposition": attachment(f"{stem}-v{version}.json", fallback="formulier.json"),
        "X-Content-Type-Options": "nosniff",
    })
