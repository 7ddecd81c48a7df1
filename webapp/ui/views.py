"""The minimal web shell: log in, see your ready tasks, log out. The full UI grows from here."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, Response, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from engine.services import instances, users
from webapp import db
from webapp.security import LoginUser, now, ui_actor

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


@blueprint.get("/gezond")
def health() -> Response:
    return Response("ok", mimetype="text/plain")
