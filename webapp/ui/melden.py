"""Melden: report a signal in a short form, get a reference, later read the feedback meant for you."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as BaseResponse

from engine import access
from engine.accounts.roles import Role
from engine.cases import intake
from engine.errors import ValidationFailed
from engine.modelling.forms import FormRepository
from engine.models import Organisation
from engine.regions import gemeenten
from engine.regions.regions import Region
from webapp import db
from webapp.security import now, ui_actor
from webapp.ui import task_form

blueprint = Blueprint("melden", __name__)


def _regions() -> dict[str, Region]:
    regions: dict[str, Region] = current_app.extensions["signaalroute.regions"]
    return regions


def _own_gemeente() -> str | None:
    """A gemeente's people report for their own gemeente; partners choose one."""
    actor = ui_actor()
    own = db.session().get(Organisation, actor.organisation_id) if actor.organisation_id else None
    return own.slug if own is not None and own.kind == "gemeente" else None


@blueprint.app_context_processor
def work_menu() -> dict[str, object]:
    """Menu links for people who do case work (auditors and beheerders get their own menu)."""
    if not current_user.is_authenticated or not access.can_start_cases(current_user.actor):
        return {"work_menu": []}
    menu = [("ui.werkbak", "Werkbak"), ("melden.melden", "Signaal melden"), ("melden.mijn_meldingen", "Mijn meldingen"),
            ("overleg.lijst", "Overleg")]
    if current_user.actor.role == Role.MELDER:  # a melder starts on melden; the werkbak only if tasks come
        menu = menu[1:]
    return {"work_menu": menu}


@blueprint.route("/melden", methods=["GET", "POST"])
@login_required
def melden() -> str | BaseResponse:
    if not access.can_start_cases(ui_actor()):
        abort(403)
    repository: FormRepository = current_app.extensions["signaalroute.forms"]
    schema = repository.load(intake.INTAKE_FORM)
    fields, _unsupported = task_form.fields_of(schema)
    own = _own_gemeente()
    errors: dict[str, str] = {}
    values: dict[str, object] = {}
    gemeente = own or (request.form.get("gemeente") or "").strip() or None
    if request.method == "POST":
        values = task_form.posted_values(fields, request.form)
        data, errors = task_form.read_values(fields, request.form)
        if not errors:
            try:
                case = intake.report_signal(db.session(), actor=ui_actor(), now=now(), regions=_regions(),
                                            forms=repository, melding=data, gemeente=gemeente)
                return redirect(url_for("melden.gemeld", instance_id=case.id))
            except ValidationFailed as exc:
                errors = dict(exc.details) if isinstance(exc.details, dict) else {"melding": exc.message}
        else:
            errors = {**repository.validate(intake.INTAKE_FORM, data), **errors}
    status = 422 if errors else 200
    return render_template("ui/melden.html", fields=fields, errors=errors, values=values, own_gemeente=own,
                           gemeente=gemeente, regions=gemeenten.effective_regions(db.session(), _regions()),
                           description=schema.get("description")), status


@blueprint.get("/melden/<int:instance_id>")
@login_required
def gemeld(instance_id: int) -> str:
    report = next((r for r in intake.my_reports(db.session(), actor=ui_actor()) if r.instance_id == instance_id),
                  None)
    if report is None:
        abort(404)
    return render_template("ui/gemeld.html", report=report)


@blueprint.get("/mijn-meldingen")
@login_required
def mijn_meldingen() -> str:
    return render_template("ui/mijn_meldingen.html", reports=intake.my_reports(db.session(), actor=ui_actor()))
