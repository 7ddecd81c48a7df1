"""The web shell: log in and out, the werkbak with saved filters, the task page and the case page."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from engine.errors import Forbidden, NotFound, ValidationFailed
from engine.forms import FormRepository, validate_against
from engine.services import assignment, form_versions, instances, meetings, saved_filters, timeline, users, worklist
from webapp import db, formatting, oidc
from webapp.security import begin_login, end_session, now, ui_actor
from webapp.ui import task_form

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

    Issue 4 asks that a user of another gemeente gets a 403 page; the services answer NotFound so
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
        if user is not None and users.is_locked(user, now=moment):
            error = LOCKED_MESSAGE
        elif users.verify_password(user, form.password.data) and user is not None and user.active:
            users.record_good_credentials(user)
            return begin_login(user, method="wachtwoord", next_path=safe_next(request.args.get("next")))
        else:
            users.record_failed_login(user, now=moment)
            error = GENERIC_LOGIN_ERROR
    status = 200 if error is None else 401
    if error is not None:
        db.keep_on_error()  # the failed-attempt counter must survive the 401
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
    return redirect(url_for("ui.login"))


@blueprint.get("/")
@login_required  # type: ignore[misc]
def werkbak() -> tuple[str, int]:
    """Tabs, filters, sorting, paging and search are GET parameters: every state is a plain link."""
    try:
        query = worklist.query_from_params(request.args, default_tab=worklist.AUTO)
    except ValidationFailed as exc:
        return _werkbak_page(worklist.WorklistQuery(tab=worklist.AUTO), dict(exc.details or {}))
    return _werkbak_page(query, {})


def _werkbak_page(query: worklist.WorklistQuery, errors: dict[str, str]) -> tuple[str, int]:
    session_db, actor = db.session(), ui_actor()
    listing = worklist.search(session_db, actor=actor, now=now(), query=query)
    page = render_template(
        "ui/werkbak.html", listing=listing, errors=errors, user=current_user, worklist=worklist,
        options=worklist.filter_options(session_db, actor=actor),
        saved=saved_filters.list_filters(session_db, actor=actor),
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
        task = instances.view_task(session_db, actor=actor, now=now(), task_id=task_id)
        repository: FormRepository = current_app.extensions["signaalroute.forms"]
        schema = (form_versions.form_for(session_db, task.instance.definition_id, task.form, fallback=repository)
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
                        instance = instances.complete_task(session_db, actor=actor, now=now(), task_id=task_id,
                                                           data=state.data, forms=repository)
                    except ValidationFailed as exc:
                        errors = dict(exc.details or {})
                    else:
                        flash(_what_happens_next(task.name, instances.view_of(session_db, instance)))
                        return redirect(url_for("ui.werkbak"))
                db.keep_on_error()  # the access-log entry of this view stays; nothing else changed
        page = render_template("ui/taak.html", task=task, fields=state.fields, unsupported=state.unsupported,
                               summary=task_form.flat(state.fields), errors=errors, values=state.values,
                               focus=state.focus, title=schema.get("title") or task.name,
                               description=schema.get("description"),
                               meeting=meetings.meeting_for_task(session_db, actor=actor, task_id=task_id))
    return page, 422 if errors else 200


@blueprint.post("/taken/<int:task_id>/oppakken")
@login_required  # type: ignore[misc]
def oppakken(task_id: int) -> BaseResponse:
    with hidden_as_forbidden("taak"):
        assignment.claim(db.session(), actor=ui_actor(), now=now(), task_id=task_id)
    flash("U heeft deze taak in behandeling; collega's zien haar niet meer in hun werkbak.")
    return redirect(url_for("ui.taak", task_id=task_id))


@blueprint.post("/taken/<int:task_id>/teruggeven")
@login_required  # type: ignore[misc]
def teruggeven(task_id: int) -> BaseResponse:
    with hidden_as_forbidden("taak"):
        assignment.release(db.session(), actor=ui_actor(), now=now(), task_id=task_id)
    flash("De taak staat weer in de werkbak van uw team.")
    return redirect(url_for("ui.werkbak"))


def _what_happens_next(done: str, view: instances.InstanceView) -> str:
    if view.status == "completed":
        return f"Taak ‘{done}’ is afgerond. De zaak is hiermee afgesloten."
    if not view.ready_tasks:
        return f"Taak ‘{done}’ is afgerond. De zaak wacht nu op een termijn of een ander proces."
    following = "; ".join(f"‘{t.name}’ ({formatting.rol(t.role)})" for t in view.ready_tasks)
    return f"Taak ‘{done}’ is afgerond. Volgende stap: {following}."


@blueprint.get("/zaken/<int:instance_id>")
@login_required  # type: ignore[misc]
def zaak(instance_id: int) -> str:
    """Summary, current tasks and the timeline; the view lands in the access log."""
    session_db, actor = db.session(), ui_actor()
    with hidden_as_forbidden("zaak"):
        view = instances.get_instance(session_db, actor=actor, now=now(), instance_id=instance_id)
    entries = timeline.timeline(session_db, actor=actor, now=now(), instance_id=instance_id)
    return render_template("ui/zaak.html", case=view, entries=entries)


@blueprint.get("/gezond")
def health() -> Response:
    return Response("ok", mimetype="text/plain")
