"""The web shell: log in and out, the werkbak with saved filters, the task page and the case page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from engine import access
from engine.accounts import passwords, users
from engine.cases import assignment, case_context, case_progress, lifecycle, saved_filters, timeline, worklist
from engine.errors import Forbidden, NotFound, ValidationFailed
from engine.meetings import meetings
from engine.modelling import form_catalogue
from engine.modelling.forms import FormRepository, validate_against
from engine.models import Case, HumanTask, Organisation, User
from webapp import db, formatting, oidc
from webapp.security import begin_login, end_session, now, ui_actor
from webapp.ui import landing, task_form
from webapp.ui.handling import TaskHandling, task_handling

blueprint = Blueprint("ui", __name__)

GENERIC_LOGIN_ERROR = "Gebruikersnaam of wachtwoord is onjuist."
LOCKED_MESSAGE = (
    "Dit account is tijdelijk geblokkeerd na te veel mislukte pogingen. Probeer het over 15 minuten opnieuw."
)


class LoginForm(FlaskForm):  # type: ignore[misc]
    username = StringField("Gebruikersnaam", validators=[DataRequired("Vul uw gebruikersnaam in."),
                                                         Length(max=80)])
    password = PasswordField("Wachtwoord", validators=[DataRequired("Vul uw wachtwoord in."), Length(max=200)])


@contextmanager
def hidden_as_forbidden(what: str) -> Iterator[None]:
    """Answer a case or task the user may not see with a Dutch 403 page, also when it does not exist.

    A user of another gemeente should get a page that says "no access" in Dutch; the services answer NotFound so
    that existence never leaks, and the API keeps that 404. Here every hidden *and* every missing
    id gets the same 403 "Geen toegang" page: people get the clearer message, and the page still
    cannot tell "exists in another gemeente" from "does not exist".
    """
    try:
        yield
    except NotFound as exc:
        raise Forbidden(f"U heeft geen toegang tot deze {what}, of die bestaat niet.") from exc


def safe_next(target: str | None) -> str:
    """Only same-site paths: a login link must never bounce a user to another host."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("ui.werkbak")


@blueprint.route("/inloggen", methods=["GET", "POST"])
def login() -> str | BaseResponse:
    """Step one: the password. A second factor, or enrolment in one, follows in webapp.ui.account."""
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        session_db = db.session()
        user = users.user_by_username(session_db, form.username.data.strip())
        moment = now()
        if user is not None and passwords.is_locked(user, now=moment):
            error = LOCKED_MESSAGE
        elif passwords.verify_password(user, form.password.data) and user is not None and user.active:
            passwords.record_good_credentials(user)
            return begin_login(user, method="wachtwoord", next_path=safe_next(request.args.get("next")))
        else:
            passwords.record_failed_login(user, now=moment)
            error = GENERIC_LOGIN_ERROR
    status = 200 if error is None else 401
    return render_template("ui/login.html", form=form, error=error,  # type: ignore[return-value]
                           oidc_name=oidc.display_name(), next=request.args.get("next")), status


@blueprint.post("/uitloggen")
@login_required  # type: ignore[misc]
def logout() -> BaseResponse:
    """Ends the server-side session too: a copy of the cookie is worth nothing afterwards."""
    form = FlaskForm()
    if form.validate_on_submit():
        logout_user()
        end_session()
        flash("U bent uitgelogd.", "uitgelogd")  # shown once on the login page (base.html)
    return redirect(url_for("ui.login"))


@blueprint.get("/")
@login_required  # type: ignore[misc]
def werkbak() -> tuple[str, int] | BaseResponse:
    """Tabs, filters, sorting, paging and search are GET parameters: every state is a plain link.

    The address every login lands on: whoever has no werkbak goes on to the page their role needs.
    """
    away = landing.elsewhere(db.session(), ui_actor(), plain=not request.args)
    if away is not None:
        return redirect(url_for(away))
    try:
        query = worklist.query_from_params(request.args, default_tab=worklist.AUTO)
    except ValidationFailed as exc:
        return _werkbak_page(worklist.WorklistQuery(tab=worklist.AUTO), dict(exc.details or {}))
    return _werkbak_page(query, {})


def _werkbak_page(query: worklist.WorklistQuery, errors: dict[str, str]) -> tuple[str, int]:
    session_db, actor = db.session(), ui_actor()
    listing = worklist.search(session_db, actor=actor, now=now(), query=query)
    own = session_db.get(Organisation, actor.organisation_id) if actor.organisation_id else None
    page = render_template(
        "ui/werkbak.html", listing=listing, errors=errors, user=current_user, worklist=worklist,
        options=worklist.filter_options(session_db, actor=actor),
        saved=saved_filters.list_filters(session_db, actor=actor),
        organisation_name=own.name if own is not None else "",
    )
    return page, 422 if errors else 200


@blueprint.post("/werkbak/filters")
@login_required  # type: ignore[misc]
def filter_opslaan() -> tuple[str, int] | BaseResponse:
    """Save the filter in the action's query string under the posted name (post/redirect/get)."""
    query = worklist.query_from_params(request.args, default_tab=worklist.AUTO)
    try:
        saved = saved_filters.save_filter(db.session(), actor=ui_actor(), now=now(),
                                          name=request.form.get("naam", ""), query=query)
    except ValidationFailed as exc:
        return _werkbak_page(query, dict(exc.details or {}))
    flash(f"Filter ‘{saved.name}’ is bewaard.")
    return redirect(url_for("ui.werkbak", **saved.params))


@blueprint.post("/werkbak/filters/<int:filter_id>/verwijderen")
@login_required  # type: ignore[misc]
def filter_verwijderen(filter_id: int) -> BaseResponse:
    """Delete one of your saved filters and return to the werkbak as it was (its query string)."""
    query = worklist.query_from_params(request.args, default_tab=worklist.AUTO)
    name = saved_filters.delete_filter(db.session(), actor=ui_actor(), filter_id=filter_id)
    flash(f"Filter ‘{name}’ is verwijderd.")
    return redirect(url_for("ui.werkbak", **query.params()))


@blueprint.route("/taken/<int:task_id>", methods=["GET", "POST"])
@login_required  # type: ignore[misc]
def taak(task_id: int) -> tuple[str, int] | BaseResponse:
    """Open a task, fill in its form, complete it. CSRF is checked app-wide for every POST.

    A POST whose ``actie`` adds or removes a row of a repeatable group only shows the form
    again with one row more or less and everything typed kept; nothing is validated or stored.
    """
    with hidden_as_forbidden("taak"):
        session_db, actor = db.session(), ui_actor()
        try:
            task = lifecycle.view_task(session_db, actor=actor, now=now(), task_id=task_id)
        except NotFound:  # a coordinator still sees a team task a colleague holds, read-only
            held = assignment.view_held_task(session_db, actor=actor, now=now(), task_id=task_id)
            return _held_by_colleague(held, posted=request.method == "POST")
        repository: FormRepository = current_app.extensions["signaalroute.forms"]
        schema = (form_catalogue.form_for(session_db, task.instance.definition_id, task.form, fallback=repository)
                  or {}) if task.form else {}
        fields, unsupported = task_form.fields_of(schema)
        state = task_form.FormState(fields, unsupported, values={})
        errors: dict[str, str] = {}
        if request.method == "POST":
            state = task_form.from_post(schema, request.form, request.form.get("actie", ""))
            if not state.row_action:
                errors = state.problems
                if errors and task.form:  # report every field at once, not unreadable ones first
                    errors = {**validate_against(schema, state.data), **errors}
                if not errors:
                    try:
                        instance = lifecycle.complete_task(session_db, actor=actor, now=now(), task_id=task_id,
                                                           data=state.data, forms=repository)
                    except ValidationFailed as exc:
                        errors = dict(exc.details or {})
                    else:
                        flash(_what_happens_next(task.name, lifecycle.view_of(session_db, instance)))
                        return redirect(url_for("ui.werkbak"))
        context = case_context.read_case(session_db, actor=actor, instance_id=task.instance_id, forms=repository,
                                         names=formatting.names())
        page = render_template("ui/taak.html", task=task, fields=state.fields, unsupported=state.unsupported,
                               summary=task_form.flat(state.fields), errors=errors, values=state.values,
                               focus=state.focus, title=schema.get("title") or task.name,
                               description=schema.get("description"), context=context,
                               may_see_case=access.can_see_case(session_db, actor, task.instance_id),
                               behandeling=_handling(task),
                               meeting=meetings.meeting_for_task(session_db, actor=actor, task_id=task_id))
    return page, 422 if errors else 200


def _handling(task: HumanTask) -> TaskHandling:
    """Who holds the task and what this person may do about it (take, give back, assign)."""
    return task_handling(db.session(), actor=ui_actor(), task=task)


def _held_by_colleague(task: HumanTask, *, posted: bool) -> tuple[str, int]:
    """The read-only task page for a coordinator: what the task is, who holds it, and to whom to hand it.

    A POST (completing) is for the holder only: the page says so with 409 and stores nothing.
    """
    handling = _handling(task)
    session_db, actor = db.session(), ui_actor()
    repository: FormRepository = current_app.extensions["signaalroute.forms"]
    context = case_context.read_case(session_db, actor=actor, instance_id=task.instance_id, forms=repository,
                                     names=formatting.names())
    page = render_template("ui/taak_bij_collega.html", task=task, behandeling=handling, posted=posted,
                           reference=lifecycle.reference(task.instance), context=context)
    return page, 409 if posted else 200


@blueprint.post("/taken/<int:task_id>/oppakken")
@login_required  # type: ignore[misc]
def oppakken(task_id: int) -> BaseResponse:
    with hidden_as_forbidden("taak"):
        assignment.claim(db.session(), actor=ui_actor(), now=now(), task_id=task_id)
    flash("U heeft deze taak in behandeling; collega's zien haar niet meer in hun werkbak.")
    return redirect(url_for("ui.taak", task_id=task_id))


@blueprint.post("/taken/<int:task_id>/toewijzen")
@login_required  # type: ignore[misc]
def toewijzen(task_id: int) -> BaseResponse:
    """A coordinator hands a team task to a colleague (also one a colleague holds); audited by the service."""
    actor = ui_actor()
    with hidden_as_forbidden("taak"):
        try:
            task = assignment.assign(db.session(), actor=actor, now=now(), task_id=task_id,
                                     username=request.form.get("collega", "").strip())
        except ValidationFailed as exc:
            flash(f"Niet toegewezen: {exc.message}")
            return redirect(url_for("ui.taak", task_id=task_id))
    if task.assignee_id == actor.user_id:
        flash("U heeft deze taak nu zelf in behandeling.")
        return redirect(url_for("ui.taak", task_id=task_id))
    holder = db.session().get(User, task.assignee_id)
    flash(f"Taak ‘{task.name}’ is toegewezen aan {holder.display_name if holder else 'een collega'}.")
    return redirect(url_for("ui.werkbak", tab=worklist.TEAM))


@blueprint.post("/taken/<int:task_id>/teruggeven")
@login_required  # type: ignore[misc]
def teruggeven(task_id: int) -> BaseResponse:
    with hidden_as_forbidden("taak"):
        assignment.release(db.session(), actor=ui_actor(), now=now(), task_id=task_id)
    flash("De taak staat weer in de werkbak van uw team.")
    return redirect(url_for("ui.werkbak"))


def _what_happens_next(done: str, view: lifecycle.CaseView) -> str:
    if view.status == "completed":
        return f"Taak ‘{done}’ is afgerond. De zaak is hiermee afgesloten."
    if not view.ready_tasks:
        return f"Taak ‘{done}’ is afgerond. De zaak wacht nu op een termijn of een ander proces."
    following = "; ".join(f"‘{t.name}’ ({formatting.rol(t.role)})" for t in view.ready_tasks)
    return f"Taak ‘{done}’ is afgerond. Volgende stap: {following}."


@blueprint.get("/zaken/<int:instance_id>")
@login_required  # type: ignore[misc]
def zaak(instance_id: int) -> str:
    """The dossier for the people on the case: summary, data by step within need-to-know, open tasks,
    where the case stands (diagram), notes and the history. The view lands in the access log."""
    session_db, actor = db.session(), ui_actor()
    with hidden_as_forbidden("zaak"):
        view = lifecycle.get_case(session_db, actor=actor, now=now(), instance_id=instance_id)
    entries = timeline.timeline(session_db, actor=actor, now=now(), instance_id=instance_id)
    context = case_context.read_case(session_db, actor=actor, instance_id=instance_id,
                                     forms=current_app.extensions["signaalroute.forms"], names=formatting.names())
    return render_template("ui/zaak.html", case=view, entries=entries, context=context,
                           bpmn_viewer=_viewer_built())


VIEWER = "vendor/bpmn-js/bpmn-navigated-viewer.production.min.js"


def _viewer_built() -> bool:
    """The viewer comes from npm via `make assets`; without it the case page shows no diagram."""
    return (Path(current_app.static_folder or "") / VIEWER).is_file()


@blueprint.get("/zaken/<int:instance_id>/verloop.json")
@login_required  # type: ignore[misc]
def zaak_verloop(instance_id: int) -> Response:
    """Path taken and open elements, for the diagram; only for those who may see the case."""
    with hidden_as_forbidden("zaak"):
        found = case_progress.progress(db.session(), actor=ui_actor(), instance_id=instance_id,
                                       names=formatting.names())
    body = found.as_dict()
    body["models"] = {pid: url_for("ui.zaak_model", instance_id=instance_id, process_id=pid)
                      for pid in found.processes}
    return jsonify(body)


_PROCESS_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,199}")


@blueprint.get("/zaken/<int:instance_id>/modellen/<process_id>.bpmn")
@login_required  # type: ignore[misc]
def zaak_model(instance_id: int, process_id: str) -> Response:
    """The BPMN file that holds ``process_id`` in the deployment the case runs on (its called processes too)."""
    session_db, actor = db.session(), ui_actor()
    if not _PROCESS_ID.fullmatch(process_id) or not access.can_see_case(session_db, actor, instance_id):
        raise Forbidden("U heeft geen toegang tot deze zaak, of die bestaat niet.")
    instance = session_db.get(Case, instance_id)
    if instance is None:
        raise Forbidden("U heeft geen toegang tot deze zaak, of die bestaat niet.")
    pattern = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?process\b[^>]*\bid=\"" + re.escape(process_id.encode()) + rb"\"")
    for model in instance.definition.deployment.files:
        if model.filename.endswith(".bpmn") and pattern.search(model.content):
            return Response(model.content, mimetype="application/xml",
                            headers={"X-Content-Type-Options": "nosniff"})
    raise NotFound("Dit proces hoort niet bij deze zaak.")


@blueprint.get("/gezond")
def health() -> Response:
    return Response("ok", mimetype="text/plain")
