"""Overleg: the meeting list, the agenda with a decision page per signal, minutes, and the iCal feed."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response as BaseResponse

from engine.errors import ValidationFailed
from engine.meetings import meeting_schedule, meetings
from engine.modelling.forms import FormRepository
from engine.regions.regions import WEEKDAGEN, Region
from engine.workflow.calendar import AMSTERDAM, WorkingDayCalendar
from webapp import db
from webapp.security import now, ui_actor
from webapp.ui import task_form

blueprint = Blueprint("overleg", __name__)
DECISION_FORM = "overleg-besluit.json"  # when the decision task names no form of its own


def _regions() -> dict[str, Region]:
    regions: dict[str, Region] = current_app.extensions["signaalroute.regions"]
    return regions


def _forms() -> FormRepository:
    forms: FormRepository = current_app.extensions["signaalroute.forms"]
    return forms


@blueprint.get("/overleg")
@login_required
def lijst() -> str:
    session, actor = db.session(), ui_actor()
    rows = meetings.list_for(session, actor=actor, now=now())
    chaired = meetings.region_of_chair(session, actor, _regions())
    return render_template("ui/overleg_lijst.html", meetings=rows, can_plan=chaired is not None,
                           overleg_naam=chaired.overleg.naam if chaired and chaired.overleg else None)


@blueprint.route("/overleg/vergadermoment", methods=["GET", "POST"])
@login_required
def vergadermoment() -> str | BaseResponse | tuple[str, int]:
    """The procesregisseur sets weekday, time and the call and freeze terms of the region's meeting."""
    session, actor = db.session(), ui_actor()
    region = meetings.region_of_chair(session, actor, _regions())
    if region is None or region.overleg is None:
        abort(403)
    overleg = meeting_schedule.effective_overleg(session, region)
    assert overleg is not None
    values = {"weekdag": overleg.weekdag or "", "tijd": overleg.tijd or "",
              "oproep": str(overleg.oproep_werkdagen_vooraf or ""),
              "agenda_dicht": str(overleg.agenda_dicht_werkdagen_vooraf or "")}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {key: (request.form.get(key) or "").strip() for key in values}
        try:
            planned = meetings.change_schedule(session, actor=actor, now=now(), regions=_regions(),
                                               calendar=WorkingDayCalendar(), weekday=values["weekdag"],
                                               time_of_day=values["tijd"], call_working_days=values["oproep"],
                                               freeze_working_days=values["agenda_dicht"])
        except ValidationFailed as exc:
            errors = {str(k): str(v) for k, v in exc.details.items()} if isinstance(exc.details, dict) else {}
        else:
            flash(f"Vergadermoment opgeslagen; {planned} overleggen gepland.")
            return redirect(url_for("overleg.lijst"))
    page = render_template("ui/overleg_vergadermoment.html", region=region, overleg=overleg, values=values,
                           errors=errors, weekdagen=WEEKDAGEN)
    return (page, 422) if errors else page


@blueprint.post("/overleg")
@login_required
def plannen() -> BaseResponse | tuple[str, int]:
    raw = (request.form.get("moment") or "").strip()
    try:
        starts_at = datetime.fromisoformat(raw).replace(tzinfo=AMSTERDAM)
    except ValueError:
        flash("Vul een datum en tijd in, bijvoorbeeld 2026-03-10 09:30.")
        return redirect(url_for("overleg.lijst"))
    try:
        meeting = meetings.plan_by_hand(db.session(), actor=ui_actor(), now=now(), regions=_regions(),
                                        calendar=WorkingDayCalendar(), starts_at=starts_at)
    except ValidationFailed as exc:
        flash(next(iter(exc.details.values())) if isinstance(exc.details, dict) and exc.details else exc.message)
        return redirect(url_for("overleg.lijst"))
    return redirect(url_for("overleg.overleg", meeting_id=meeting.id))


@blueprint.get("/overleg/<int:meeting_id>")
@login_required
def overleg(meeting_id: int) -> str:
    view = meetings.view(db.session(), actor=ui_actor(), now=now(), meeting_id=meeting_id)
    return render_template("ui/overleg.html", view=view)


@blueprint.route("/overleg/<int:meeting_id>/punt/<int:item_id>", methods=["GET", "POST"])
@login_required
def besluit(meeting_id: int, item_id: int) -> str | BaseResponse | tuple[str, int]:
    session, actor = db.session(), ui_actor()
    view = meetings.view(session, actor=actor, now=now(), meeting_id=meeting_id)
    entry = next((e for e in view.new + view.running if e.item.id == item_id), None)
    if entry is None or not view.can_decide or not entry.open:
        abort(404)
    form = entry.form or DECISION_FORM
    schema = _forms().load(form)
    fields, _unsupported = task_form.fields_of(schema)
    errors: dict[str, str] = {}
    values: dict[str, object] = {}
    if request.method == "POST":
        values = task_form.posted_values(fields, request.form)
        data, errors = task_form.read_values(fields, request.form)
        errors = {**_forms().validate(form, data), **errors}
        if not errors:
            meetings.decide(session, actor=actor, now=now(), meeting_id=meeting_id, item_id=item_id, data=data,
                            forms=_forms())
            flash(f"Besluit vastgelegd voor {entry.reference}.")
            return redirect(url_for("overleg.overleg", meeting_id=meeting_id))
    page = render_template("ui/overleg_besluit.html", view=view, entry=entry, fields=fields, errors=errors,
                           values=values)
    return (page, 422) if errors else page


@blueprint.post("/overleg/<int:meeting_id>/verslag")
@login_required
def verslag(meeting_id: int) -> BaseResponse:
    meetings.save_minutes(db.session(), actor=ui_actor(), now=now(), meeting_id=meeting_id,
                          text=request.form.get("verslag", ""))
    flash("Verslag opgeslagen.")
    return redirect(url_for("overleg.overleg", meeting_id=meeting_id))


@blueprint.post("/overleg/<int:meeting_id>/agenda-sluiten")
@login_required
def agenda_sluiten(meeting_id: int) -> BaseResponse:
    meetings.close_agenda(db.session(), actor=ui_actor(), now=now(), meeting_id=meeting_id)
    flash("De agenda is gesloten. Signalen die nu nog binnenkomen, gaan naar het volgende overleg.")
    return redirect(url_for("overleg.overleg", meeting_id=meeting_id))


@blueprint.post("/overleg/<int:meeting_id>/afsluiten")
@login_required
def afsluiten(meeting_id: int) -> BaseResponse:
    meetings.close(db.session(), actor=ui_actor(), now=now(), meeting_id=meeting_id)
    flash("Overleg afgesloten. Signalen zonder besluit staan op de agenda van het volgende overleg.")
    return redirect(url_for("overleg.overleg", meeting_id=meeting_id))


@blueprint.get("/overleg/agenda.ics")
@login_required
def ical() -> Response:
    feed = meetings.ics(db.session(), actor=ui_actor(), now=now())
    return Response(feed, mimetype="text/calendar",
                    headers={"Content-Disposition": 'attachment; filename="overleg.ics"'})

