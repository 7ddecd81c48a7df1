"""Auditor pages (read-only case history, access log, exports) and the audit log check for beheerders.

Views parse the request, call one service and render; who may do what is decided in
:mod:`engine.access` through the services. Exports and the check are POSTs with CSRF: each one
writes a record (an audit event or a verification row), so no link or prefetch may trigger them.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as BaseResponse

from engine import access
from engine.audit import audit_export, audit_history, dossier, verification
from engine.audit.seal_key import SealVerifier, available_seal_key, available_verifier, seal_verifier
from engine.dutch import AMSTERDAM
from engine.errors import Forbidden, ValidationFailed
from engine.modelling.forms import FormRepository
from webapp import db
from webapp.downloads import attachment
from webapp.security import now, ui_actor

blueprint = Blueprint("audit", __name__, url_prefix="/audit")

_MIMETYPES = {
    audit_export.CSV: "text/csv; charset=utf-8",
    audit_export.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _forms() -> FormRepository:
    forms: FormRepository = current_app.extensions["signaalroute.forms"]
    return forms


def _verifier() -> SealVerifier | None:
    return available_verifier(current_app.extensions["signaalroute.settings"])


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": attachment(filename)})


@blueprint.app_context_processor
def _menu() -> dict[str, Any]:
    """Menu links for the roles that have audit pages; every page's header shows them."""
    links: list[tuple[str, str]] = []
    if current_user.is_authenticated:
        actor = current_user.actor
        if access.can_audit(actor):
            links += [("audit.zaken", "Zaken (audit)"), ("audit.export", "Auditlog exporteren")]
        if access.can_audit_models(actor):
            links.append(("audit_modellen.overzicht", "Proces- en formulierwijzigingen"))
        if access.can_check_audit_log(actor):
            links.append(("audit.controle", "Controle auditlog"))
    return {"audit_menu": links}


@blueprint.get("/zaken")
@login_required  # type: ignore[misc]
def zaken() -> str:
    page = request.args.get("pagina", default=1, type=int) or 1
    listing = audit_history.list_cases(db.session(), actor=ui_actor(), page=page)
    return render_template("ui/audit/zaken.html", listing=listing)


@blueprint.get("/zaken/<int:instance_id>")
@login_required  # type: ignore[misc]
def zaak(instance_id: int) -> str:
    """The full history; ``type`` and ``persoon`` filter it (a plain GET form, no script needed)."""
    event_type = request.args.get("type", "").strip() or None
    person = request.args.get("persoon", "").strip() or None
    history = audit_history.case_audit(db.session(), actor=ui_actor(), now=now(), instance_id=instance_id,
                                       event_type=event_type, username=person, forms=_forms(),
                                       verifier=_verifier())
    return render_template("ui/audit/zaak.html", history=history, event_type=event_type or "", person=person or "")


@blueprint.post("/zaken/<int:instance_id>/dossier")
@login_required  # type: ignore[misc]
def dossier_pdf(instance_id: int) -> Response:
    body = dossier.dossier_pdf(db.session(), actor=ui_actor(), now=now(), instance_id=instance_id, forms=_forms(),
                               verifier=_verifier())
    return _download(body, "application/pdf", f"dossier-zaak-{instance_id}.pdf")


@blueprint.route("/export", methods=["GET", "POST"])
@login_required  # type: ignore[misc]
def export() -> str | Response:
    actor = ui_actor()
    if not access.can_audit(actor):  # the service checks again; this keeps even the empty form to auditors
        raise Forbidden("Alleen een auditor mag het auditlog exporteren.")
    today = now().astimezone(AMSTERDAM).date()
    values = {"van": today.replace(day=1).isoformat(), "tot": today.isoformat(), "formaat": audit_export.CSV}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {key: request.form.get(key, "") for key in values}
        try:
            period = audit_export.parse_period(values["van"], values["tot"])
            fmt = values["formaat"]
            rows = audit_export.audit_rows(db.session(), actor=actor, now=now(), period=period, fmt=fmt,
                                           verifier=_verifier(), forms=_forms())
        except ValidationFailed as exc:
            errors = dict(exc.details or {})
        else:
            body = audit_export.to_csv(rows) if fmt == audit_export.CSV else audit_export.to_xlsx(rows)
            return _download(body, _MIMETYPES[fmt], f"auditlog-{period.start}-tot-en-met-{period.end}.{fmt}")
    page = render_template("ui/audit/export.html", values=values, errors=errors, max_days=audit_export.MAX_DAYS)
    return page, 422 if errors else 200  # type: ignore[return-value]


@blueprint.get("/controle")
@login_required  # type: ignore[misc]
def controle() -> str:
    runs = verification.recent(db.session(), actor=ui_actor())
    latest = runs[0] if runs else None
    return render_template(
        "ui/audit/controle.html", runs=runs, latest=latest, triggers=verification.TRIGGER_LABELS,
        kinds=verification.KIND_LABELS, can_audit=access.can_audit(ui_actor()),
        problems=verification.problems_per_case(latest) if latest else {},
    )


@blueprint.post("/controle")
@login_required  # type: ignore[misc]
def controle_uitvoeren() -> BaseResponse:
    """Post/redirect/get: the result lands on the page, a reload does not run the check again."""
    settings = current_app.extensions["signaalroute.settings"]
    key = available_seal_key(settings)
    verifier = None if key or not settings.seal_public_key_file else seal_verifier(settings)
    result = verification.run_now(db.session(), actor=ui_actor(), now=now(), key=key, verifier=verifier)
    if result.ok:
        flash(f"Het auditlog is intact: {result.chains_checked} keten(s) en {result.events_checked} "
              "gebeurtenis(sen) gecontroleerd.")
    else:
        flash(f"Het auditlog is NIET intact: {len(result.problems)} probleem/problemen gevonden. Zie hieronder.",
              "fout")
    return redirect(url_for("audit.controle"))
