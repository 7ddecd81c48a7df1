"""The minimal web shell: log in, see your ready tasks, log out. The full UI grows from here."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from engine.errors import ValidationFailed
from engine.forms import FormRepository
from engine.services import assignment, instances, timeline, users
from webapp import db, formatting
from webapp.security import LoginUser, now, ui_actor
from webapp.ui import task_form

blueprint = Blueprint("ui", __name__)

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
GENERIC_LOGIN_ERROR = "Gebruikersnaam of wachtwoord is onjuist."
LOCKED_MESSAGE = (
    "Dit account is tijdelijk geblokkeerd na te veel mislukte pogingen. Probeer het over 15 minuten opnieuw."
)


class LoginForm(FlaskForm):  # type: ignore[misc]
    username = StringField("Gebruikersnaam", validators=[DataRequired("Vul uw gebruikersnaam in."),
                                                         Length(max=80)])
    password = PasswordField("Wachtwoord", validators=[DataRequired("Vul uw wachtwoord in."), Length(max=200)])


def _safe_next(target: str | None) -> str:
    """Only same-site paths: a login link must never bounce a user to another host."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("ui.werkbak")


@blueprint.route("/inloggen", methods=["GET", "POST"])
def login() -> str | BaseResponse:
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        session_db = db.session()
        user = users.user_by_username(session_db, form.username.data.strip())
        moment = now()
        if user is not None and user.locked_until is not None and user.locked_until > moment:
            error = LOCKED_MESSAGE
        elif users.verify_password(user, form.password.data) and user is not None and user.active:
            user.failed_logins = 0
            user.locked_until = None
            session.clear()  # a fresh session at login: no fixation
            login_user(LoginUser(user))
            session.permanent = True
            return redirect(_safe_next(request.args.get("next")))
        else:
            if user is not None:
                user.failed_logins += 1
                if user.failed_logins >= MAX_FAILED_LOGINS:
                    user.locked_until = moment + LOCKOUT
                    user.failed_logins = 0
            error = GENERIC_LOGIN_ERROR
    status = 200 if error is None else 401
    if error is not None:
        db.keep_on_error()  # the failed-attempt counter must survive the 401
    return render_template("ui/login.html", form=form, error=error), status  # type: ignore[return-value]


@blueprint.post("/uitloggen")
@login_required  # type: ignore[misc]
def logout() -> BaseResponse:
    form = FlaskForm()
    if form.validate_on_submit():
        logout_user()
        session.clear()
    return redirect(url_for("ui.login"))


@blueprint.get("/")
@login_required  # type: ignore[misc]
def werkbak() -> str:
    tasks = instances.list_tasks(db.session(), actor=ui_actor(), limit=200)
    return render_template("ui/werkbak.html", tasks=tasks, user=current_user)


@blueprint.route("/taken/<int:task_id>", methods=["GET", "POST"])
@login_required  # type: ignore[misc]
def taak(task_id: int) -> str | BaseResponse:
    """Open a task, fill in its form, complete it. CSRF is checked app-wide for every POST."""
    session_db, actor = db.session(), ui_actor()
    task = instances.view_task(session_db, actor=actor, now=now(), task_id=task_id)
    repository: FormRepository = current_app.extensions["signaalroute.forms"]
    schema = repository.load(task.form) if task.form and repository.exists(task.form) else {}
    fields, unsupported = task_form.fields_of(schema)
    errors: dict[str, str] = {}
    values: Any = {}
    if request.method == "POST":
        values = task_form.posted_values(fields, request.form)
        data, errors = task_form.read_values(fields, request.form)
        if errors and task.form:  # report every field at once, not unreadable ones first
            errors = {**repository.validate(task.form, data), **errors}
        if not errors:
            try:
                instance = instances.complete_task(session_db, actor=actor, now=now(), task_id=task_id, data=data,
                                                   forms=repository)
            except ValidationFailed as exc:
                errors = dict(exc.details or {})
            else:
                flash(_what_happens_next(task.name, instances.view_of(session_db, instance)))
                return redirect(url_for("ui.werkbak"))
        db.keep_on_error()  # the access-log entry of this view stays; nothing else changed
    page = render_template("ui/taak.html", task=task, fields=fields, unsupported=unsupported, errors=errors,
                           values=values, title=schema.get("title") or task.name,
                           description=schema.get("description"))
    return page, 422 if errors else 200  # type: ignore[return-value]


@blueprint.post("/taken/<int:task_id>/oppakken")
@login_required  # type: ignore[misc]
def oppakken(task_id: int) -> BaseResponse:
    assignment.claim(db.session(), actor=ui_actor(), now=now(), task_id=task_id)
    flash("U heeft deze taak in behandeling; collega's zien haar niet meer in hun werkbak.")
    return redirect(url_for("ui.taak", task_id=task_id))


@blueprint.post("/taken/<int:task_id>/teruggeven")
@login_required  # type: ignore[misc]
def teruggeven(task_id: int) -> BaseResponse:
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
    view = instances.get_instance(session_db, actor=actor, now=now(), instance_id=instance_id)
    entries = timeline.timeline(session_db, actor=actor, now=now(), instance_id=instance_id)
    return render_template("ui/zaak.html", case=view, entries=entries)


@blueprint.get("/gezond")
def health() -> Response:
    return Response("ok", mimetype="text/plain")
