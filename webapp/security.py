"""Authentication (session login for people, bearer tokens for programs), CSRF and headers."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask, Response, current_app, g, request
from flask_login import LoginManager, UserMixin, current_user
from flask_wtf.csrf import CSRFProtect

from engine.actors import Actor
from engine.errors import Unauthenticated
from engine.models import User
from engine.services import users
from webapp import db

csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "ui.login"
login_manager.login_message = "Log in om deze pagina te zien."
login_manager.session_protection = "strong"

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


class LoginUser(UserMixin):  # type: ignore[misc]
    """What flask-login keeps: the id and the actor, never the password hash."""

    def __init__(self, user: User):
        self.id = str(user.id)
        self.display_name = user.display_name
        self.actor = users.actor_for(user)


def now() -> datetime:
    """The request's clock; tests inject one through ``app.config['CLOCK']``."""
    clock = current_app.config.get("CLOCK")
    return clock() if clock else datetime.now(UTC)


@login_manager.user_loader
def _load_user(user_id: str) -> LoginUser | None:
    if not user_id.isdigit():
        return None
    user = db.session().get(User, int(user_id))
    return LoginUser(user) if user is not None and user.active else None


def api_actor() -> Actor:
    """The caller of an API request, from ``Authorization: Bearer <token>`` only."""
    if "api_actor" in g:
        actor: Actor = g.api_actor
        return actor
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Stuur een persoonlijk API-token mee: Authorization: Bearer <token>.")
    user = users.user_for_token(db.session(), token.strip(), now=now())
    if user is None:
        raise Unauthenticated("Het API-token is onbekend of ingetrokken.")
    g.api_actor = users.actor_for(user)
    return g.api_actor


def ui_actor() -> Actor:
    actor: Actor = current_user.actor
    return actor


def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.path.startswith("/api/") or current_user.is_authenticated:
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    csrf.init_app(app)
    login_manager.init_app(app)
    app.after_request(_headers)
