"""Account pages: the second login step, TOTP enrolment and recovery codes, OIDC login, the access review.

Wired by :func:`webapp.security.init_app`. The enrolment page serves two people: someone half-way
through logging in whose role requires TOTP (not logged in yet, can reach nothing else), and a
logged-in person who turns it on voluntarily from ``/account``.
"""

from __future__ import annotations

import logging
from typing import Any

import segno
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from engine import access
from engine.accounts import access_review, oidc_identities, passwords, two_factor, users
from engine.errors import ValidationFailed
from engine.models import User
from webapp import db, oidc
from webapp.security import (
    CODE_STEP,
    ENROL_STEP,
    PENDING,
    begin_login,
    establish_session,
    now,
    pending_login,
    secret_box,
    settings,
    ui_actor,
)
from webapp.ui.views import LOCKED_MESSAGE, safe_next

logger = logging.getLogger(__name__)
blueprint = Blueprint("account", __name__)

WRONG_CODE = "De code is onjuist of verlopen."
DRAFT = "_totp_concept"


class CodeForm(FlaskForm):  # type: ignore[misc]
    code = StringField("Code", validators=[DataRequired("Vul de code in."), Length(max=40)])


def _status(page: str, status: int) -> tuple[str, int]:
    return page, status


# --- step two of the login -------------------------------------------------------------------------

@blueprint.route("/inloggen/code", methods=["GET", "POST"])
def code() -> str | tuple[str, int] | BaseResponse:
    """The TOTP code (or a recovery code), under the same lockout as the password."""
    pending = pending_login(CODE_STEP)
    if pending is None:
        return redirect(url_for("ui.login"))
    user, data = pending
    form = CodeForm()
    error = None
    if form.validate_on_submit():
        moment = now()
        if passwords.is_locked(user, now=moment):
            session.pop(PENDING, None)
            error = LOCKED_MESSAGE
        else:
            method = two_factor.verify(db.session(), actor=users.actor_for(user), now=moment, user=user,
                                       code=form.code.data, box=secret_box())
            if method is not None:
                establish_session(user, method=str(data.get("method", "wachtwoord")))
                if method == "herstelcode":
                    left = two_factor.remaining_recovery_codes(db.session(), user=user)
                    flash(f"U bent ingelogd met een herstelcode; u heeft er nog {left}. Maak nieuwe codes aan "
                          "onder ‘Mijn account’ als u ze bijna op heeft.")
                return redirect(safe_next(str(data.get("next", ""))))
            passwords.record_failed_login(user, now=moment)
            if passwords.is_locked(user, now=moment):
                session.pop(PENDING, None)
                error = LOCKED_MESSAGE
            else:
                error = WRONG_CODE
    if error is not None:
        return _status(render_template("ui/login_code.html", form=form, error=error), 401)
    return render_template("ui/login_code.html", form=form, error=None)


# --- enrolment ------------------------------------------------------------------------------------

def _enrolling() -> tuple[User, dict[str, Any] | None] | None:
    """Whose enrolment this is: a pending login that requires it, or the logged-in person."""
    pending = pending_login(ENROL_STEP)
    if pending is not None:
        return pending
    if current_user.is_authenticated:
        user = db.session().get(User, int(current_user.id))
        if user is not None:
            return user, None
    return None


@blueprint.route("/account/tweestaps", methods=["GET", "POST"])
def instellen() -> str | tuple[str, int] | BaseResponse:
    """Show a new secret (QR code, the key as text, the otpauth URI) and confirm it with a first code.

    The secret waits in the session, encrypted, until confirmed; the recovery codes are shown once,
    in the answer to the confirmation (no redirect, nothing to come back to).
    """
    enrolling = _enrolling()
    if enrolling is None:
        return redirect(url_for("ui.login"))
    user, pending = enrolling
    if user.two_factor_enabled:
        return redirect(url_for("account.overzicht"))
    box = secret_box()
    sealed = session.get(DRAFT)
    secret = box.open(sealed) if isinstance(sealed, str) else None
    if secret is None:
        secret = two_factor.new_secret()
        session[DRAFT] = box.seal(secret)
    form = CodeForm()
    error = None
    if form.validate_on_submit():
        try:
            codes = two_factor.enable(db.session(), actor=users.actor_for(user), now=now(), user=user, secret=secret,
                                      code=form.code.data, box=box)
        except ValidationFailed as exc:
            error = exc.message
        else:
            session.pop(DRAFT, None)
            next_path = url_for("account.overzicht")
            if pending is not None:
                establish_session(user, method=str(pending.get("method", "wachtwoord")))
                next_path = safe_next(str(pending.get("next", "")))
            return render_template("ui/herstelcodes.html", codes=codes, next_path=next_path, first=True)
    uri = two_factor.provisioning_uri(secret, user.username)
    page = render_template("ui/tweestaps_instellen.html", form=form, error=error, secret=secret, uri=uri,
                           qr=segno.make(uri, error="m").svg_data_uri(scale=5, border=2),
                           verplicht=two_factor.required_for(user.role), pending=pending is not None)
    return _status(page, 422) if error else page


# --- the person's own account -------------------------------------------------------------------------

@blueprint.get("/account")
@login_required  # type: ignore[misc]
def overzicht() -> str:
    user = db.session().get(User, int(current_user.id))
    assert user is not None
    left = two_factor.remaining_recovery_codes(db.session(), user=user) if user.two_factor_enabled else 0
    return render_template("ui/account.html", account=user, left=left, form=CodeForm(),
                           verplicht=two_factor.required_for(user.role))


@blueprint.post("/account/herstelcodes")
@login_required  # type: ignore[misc]
def herstelcodes() -> str | tuple[str, int]:
    """New recovery codes after a current code from the app; the old ones stop working."""
    user, form = _me(), CodeForm()
    if not form.validate_on_submit() or _locked(user, form):
        return _account_page(user, form)
    try:
        codes = two_factor.renew_recovery_codes(db.session(), actor=ui_actor(), now=now(), user=user,
                                                code=form.code.data, box=secret_box())
    except ValidationFailed as exc:
        return _wrong_code(user, form, exc)
    return render_template("ui/herstelcodes.html", codes=codes, next_path=url_for("account.overzicht"), first=False)


@blueprint.post("/account/tweestaps/uit")
@login_required  # type: ignore[misc]
def uitschakelen() -> str | tuple[str, int] | BaseResponse:
    user, form = _me(), CodeForm()
    if not form.validate_on_submit() or _locked(user, form):
        return _account_page(user, form)
    try:
        two_factor.disable(db.session(), actor=ui_actor(), now=now(), user=user, code=form.code.data, box=secret_box())
    except ValidationFailed as exc:
        return _wrong_code(user, form, exc)
    flash("Tweestapsverificatie staat uit.")
    return redirect(url_for("account.overzicht"))


def _me() -> User:
    user = db.session().get(User, int(current_user.id))
    assert user is not None
    return user


def _locked(user: User, form: CodeForm) -> bool:
    if passwords.is_locked(user, now=now()):
        form.code.errors = [LOCKED_MESSAGE]
        return True
    return False


def _wrong_code(user: User, form: CodeForm, error: ValidationFailed) -> tuple[str, int]:
    """A wrong code here counts towards the lockout too: a stolen session must not guess at leisure
    and mint itself recovery codes."""
    passwords.record_failed_login(user, now=now())
    form.code.errors = [error.message]
    return _account_page(user, form)


def _account_page(user: User, form: CodeForm) -> tuple[str, int]:
    left = two_factor.remaining_recovery_codes(db.session(), user=user) if user.two_factor_enabled else 0
    page = render_template("ui/account.html", account=user, form=form, left=left,
                           verplicht=two_factor.required_for(user.role))
    return page, 422


# --- OpenID Connect -----------------------------------------------------------------------------------

@blueprint.get("/inloggen/oidc")
def oidc_start() -> BaseResponse:
    client = oidc.client()
    if client is None:
        abort(404)
    session["_oidc_next"] = safe_next(request.args.get("next"))
    try:
        redirect_uri: BaseResponse = client.authorize_redirect(settings().base_url + url_for("account.oidc_terug"))
    except Exception:  # the provider is unreachable or its discovery document is broken
        logger.exception("oidc provider unavailable")
        return _oidc_failed(503, f"Inloggen met {oidc.display_name()} is nu niet mogelijk. Log in met uw "
                                 "gebruikersnaam en wachtwoord of probeer het later opnieuw.")
    return redirect_uri


@blueprint.get("/inloggen/oidc/terug")
def oidc_terug() -> BaseResponse:
    """The provider's answer: state, code (with PKCE) and a signed ID token, or no login at all."""
    client = oidc.client()
    if client is None:
        abort(404)
    name = oidc.display_name()
    try:
        token = client.authorize_access_token()
    except Exception:  # OAuthError, a mismatching state, a bad signature, an unreachable token endpoint
        logger.warning("oidc login refused by validation", exc_info=True)
        return _oidc_failed(401, f"Inloggen met {name} is mislukt. Probeer het opnieuw.")
    claims = token.get("userinfo") if isinstance(token, dict) else None
    if not claims or not claims.get("iss") or not claims.get("sub"):
        return _oidc_failed(401, f"Inloggen met {name} is mislukt: de aanbieder stuurde geen geldig ID-token.")
    username_claim = settings().oidc_username_claim
    moment = now()
    user = oidc_identities.user_for_oidc(db.session(), now=moment, issuer=str(claims["iss"]),
                                         subject=str(claims["sub"]),
                                         username=str(claims[username_claim]) if claims.get(username_claim) else None)
    if user is None:
        logger.info("oidc identity without an account")
        return _oidc_failed(403, f"Er is geen Signaalroute-account gekoppeld aan uw account bij {name}. Vraag de "
                                 "beheerder om uw account te koppelen; zelf een account aanmaken kan niet.")
    if passwords.is_locked(user, now=moment):
        return _oidc_failed(401, LOCKED_MESSAGE)
    next_path = str(session.get("_oidc_next") or url_for("ui.werkbak"))
    return begin_login(user, method="oidc", next_path=safe_next(next_path))


def _oidc_failed(status: int, message: str) -> BaseResponse:
    session.pop("_oidc_next", None)
    page = render_template("ui/login.html", form=_login_form(), error=message, oidc_name=oidc.display_name(),
                           next=None)
    return Response(page, status=status, mimetype="text/html")


def _login_form() -> FlaskForm:
    from webapp.ui.views import LoginForm

    return LoginForm(formdata=None)


# --- the yearly access review ---------------------------------------------------------------------------

@blueprint.get("/beheer/rechten")
@login_required  # type: ignore[misc]
def rechten() -> str:
    actor = ui_actor()
    if not access.can_review_access(actor):
        abort(403)
    return render_template("ui/rechten.html", rows=access_review.access_review(db.session(), actor=actor, now=now()))


@blueprint.get("/beheer/rechten.csv")
@login_required  # type: ignore[misc]
def rechten_csv() -> Response:
    actor = ui_actor()
    if not access.can_review_access(actor):
        abort(403)
    body = access_review.access_review_csv(db.session(), actor=actor, now=now())
    stamp = now().date().isoformat()
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="rechten-{stamp}.csv"'})
