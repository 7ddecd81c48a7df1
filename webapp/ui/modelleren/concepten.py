"""Drafts in bpmn-js/dmn-js: the overview of processes, making, saving, checking and deploying a draft."""

from __future__ import annotations

import secrets
from typing import Any

from flask import (
    Response,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response as BaseResponse

from engine.accounts.roles import ROLE_LABELS, lane_names
from engine.errors import ModelRejected, ValidationFailed
from engine.modelling import drafts, element_ids, form_catalogue, model_ownership, model_versions
from webapp import db
from webapp.security import dmn_editor_policy, now, ui_actor
from webapp.ui.modelleren.common import (
    LANE_ROLES,
    blueprint,
    form_repository,
    json_body,
    max_bytes,
    problem_view,
    revision,
    xml_body,
    xml_text,
)

# --- processes and drafts -----------------------------------------------------------------------


def _overview(**extra: Any) -> str:
    """The Modelleren page; "Concept maken" only where the actor may change the model (else: whom to ask)."""
    session_db, actor = db.session(), ui_actor()
    processes = model_versions.processes(session_db, actor=actor)
    decisions = model_versions.decision_files(session_db, actor=actor)
    return render_template(
        "ui/modelleren/overzicht.html", processes=processes, decisions=decisions,
        refusals={row.process_id: model_ownership.process_refusal(session_db, actor, row.process_id)
                  for row in processes},
        decision_refusals={file.file_id: model_ownership.decisions_refusal(session_db, actor, file.decision_ids)
                           for file in decisions},
        drafts=drafts.list_open(session_db, actor=actor), author=lambda d: drafts.author(session_db, d),
        max_mb=max_bytes() / (1024 * 1024), **{"fields": {}, "values": {}, **extra},
    )


@blueprint.get("/")
def overzicht() -> str:
    return _overview()


@blueprint.post("/concepten")
def concept_maken() -> BaseResponse | tuple[str, int]:
    """A new draft: from a deployed version, from a stored file, from an upload, or empty."""
    session_db, actor, moment = db.session(), ui_actor(), now()
    source = request.form.get("bron", "")
    try:
        if source == "versie":
            draft = drafts.open_version(session_db, actor=actor, now=moment, process_id=request.form.get("proces", ""),
                                        version=request.form.get("versie", type=int) or 0, max_bytes=max_bytes())
        elif source == "bestand":
            draft = drafts.open_file(session_db, actor=actor, now=moment,
                                     file_id=request.form.get("bestand_id", type=int) or 0, max_bytes=max_bytes())
        elif source == "upload":
            upload = request.files.get("bestand")
            if upload is None or not upload.filename:
                raise ValidationFailed("Kies een bestand.", {"bestand": "Kies een .bpmn- of .dmn-bestand."})
            content = upload.stream.read(max_bytes() + 1)
            draft = drafts.upload(session_db, actor=actor, now=moment, filename=upload.filename, content=content,
                                  max_bytes=max_bytes())
        else:
            draft = drafts.create_empty(session_db, actor=actor, now=moment, kind=request.form.get("soort", ""),
                                        element_id=request.form.get("id", "").strip(),
                                        name=request.form.get("naam", ""), max_bytes=max_bytes())
    except (ValidationFailed, ModelRejected) as exc:
        page = _overview(error=exc.message, problems=exc.details if isinstance(exc.details, list) else [],
                         fields=exc.details if isinstance(exc.details, dict) else {}, values=request.form)
        return page, 422
    return redirect(url_for("modelleren.concept", draft_id=draft.id))


@blueprint.get("/concepten/<int:draft_id>")
def concept(draft_id: int) -> Response:
    session_db = db.session()
    draft = drafts.get(session_db, actor=ui_actor(), draft_id=draft_id)
    base = drafts.base_file(session_db, draft)
    nonce = secrets.token_urlsafe(18) if draft.kind == "dmn" else None
    # An upload of a new process has no versions yet: no link to a page that would say "not found".
    deployed_before = drafts.deployed_file(session_db, draft) is not None
    response = Response(render_template("ui/modelleren/editor.html", draft=draft, base=base, stijl_nonce=nonce,
                                        deployed_before=deployed_before,
                                        author=drafts.author(session_db, draft)), mimetype="text/html")
    if nonce:
        # dmn-js needs a few style attributes (by hash) and CodeMirror one <style> (by nonce): this page only.
        response.headers["Content-Security-Policy"] = dmn_editor_policy(nonce)
    return response


@blueprint.get("/concepten/<int:draft_id>/inhoud")
def concept_inhoud(draft_id: int) -> Response:
    draft = drafts.get(db.session(), actor=ui_actor(), draft_id=draft_id)
    return jsonify({"xml": xml_text(draft.content), "revision": draft.revision, "kind": draft.kind,
                    "filename": draft.filename, "deployed": draft.deployment_id is not None,
                    "ids_in_gebruik": drafts.ids_in_use(db.session(), draft),
                    "vaste_ids": element_ids.RUNTIME_IDS if draft.kind == "bpmn" else {},
                    "problems": problem_view(draft, draft.problems or [])
                    if draft.checked_sha256 == draft.sha256 else []})


@blueprint.post("/concepten/<int:draft_id>/opslaan")
def concept_opslaan(draft_id: int) -> Response:
    body = json_body()
    draft = drafts.save(db.session(), actor=ui_actor(), now=now(), draft_id=draft_id, content=xml_body(body),
                        revision=revision(body), max_bytes=max_bytes())
    return jsonify({"revision": draft.revision, "message": "Concept opgeslagen."})


@blueprint.post("/concepten/<int:draft_id>/controleren")
def concept_controleren(draft_id: int) -> Response:
    """Save what the editor shows (when sent) and run the full deploy validation on it."""
    session_db, actor, moment = db.session(), ui_actor(), now()
    body = json_body()
    if body.get("xml") is not None:
        drafts.save(session_db, actor=actor, now=moment, draft_id=draft_id, content=xml_body(body),
                    revision=revision(body), max_bytes=max_bytes())
    check = drafts.validate(session_db, actor=actor, now=moment, draft_id=draft_id, forms=form_repository(),
                            max_bytes=max_bytes())
    draft = drafts.get(session_db, actor=actor, draft_id=draft_id)
    return jsonify({"ok": check.ok, "revision": check.revision, "files": check.files,
                    "problems": problem_view(draft, check.problems),
                    "warnings": problem_view(draft, check.warnings)})


@blueprint.post("/concepten/<int:draft_id>/uitrollen")
def concept_uitrollen(draft_id: int) -> Response:
    session_db, actor = db.session(), ui_actor()
    body = json_body()
    comment = body.get("toelichting")
    if not isinstance(comment, str):
        comment = ""
    try:
        deployment = drafts.deploy(session_db, actor=actor, now=now(), draft_id=draft_id, revision=revision(body),
                                   comment=comment, forms=form_repository(), max_bytes=max_bytes())
    except ModelRejected as exc:
        draft = drafts.get(session_db, actor=actor, draft_id=draft_id)
        response = jsonify({"error": {"code": exc.code, "message": exc.message,
                                      "details": problem_view(draft, exc.details or [])}})
        response.status_code = exc.status
        return response
    draft = drafts.get(session_db, actor=actor, draft_id=draft_id)
    own = drafts.deployed_definition(session_db, deployment, draft)
    versions = [f"{d.name} versie {d.version}" for d in deployment.definitions]
    flash("Uitgerold: " + "; ".join(versions) + ". Lopende zaken blijven op hun eigen versie.")
    target = (url_for("modelleren.versies", process_id=own.process_id) if own is not None
              else url_for("modelleren.overzicht"))
    return jsonify({"url": target, "deployment_id": deployment.id, "versions": versions})


@blueprint.post("/concepten/<int:draft_id>/verwijderen")
def concept_verwijderen(draft_id: int) -> BaseResponse:
    title = drafts.discard(db.session(), actor=ui_actor(), draft_id=draft_id)
    flash(f"Concept ‘{title}’ is verwijderd.")
    return redirect(url_for("modelleren.overzicht"))


@blueprint.get("/api/gegevens")
def gegevens() -> Response:
    """What the properties panel offers: roles for lanes, forms for user tasks, known decisions."""
    session_db, actor = db.session(), ui_actor()
    catalog = form_catalogue.FormCatalog(session_db, form_repository())
    forms = []
    for name in catalog.names():
        try:
            title = str(catalog.load(name).get("title") or name)
        except (ValueError, FileNotFoundError):
            title = name
        forms.append({"name": name, "title": title})
    return jsonify({
        "roles": [{"value": r.value, "label": ROLE_LABELS[r], "names": lane_names(r)} for r in LANE_ROLES],
        "forms": forms,
        "decisions": model_versions.known_decisions(session_db, actor=actor),
    })


