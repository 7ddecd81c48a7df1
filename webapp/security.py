"""Authentication (session login for people, bearer tokens for programs), CSRF, headers and limits.

A login has up to two steps. After the first factor (password, or an OIDC identity the beheerder
linked) the session holds only a *pending* login: nobody is logged in yet. Someone with TOTP then
types a code (``/inloggen/code``); a beheerder, auditor or procesregisseur without TOTP is sent to
enrolment (``/account/tweestaps``) and can reach nothing else. Only then does :func:`establish_session`
clear the session, create a server-side session row and log the person in.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask, Response, current_app, g, redirect, request, session, url_for
from flask.helpers import get_debug_flag
from flask_login import LoginManager, UserMixin, current_user, login_user
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response as BaseResponse

from engine.accounts import bearer_tokens, login_sessions, rate_limits, two_factor, users
from engine.accounts.actors import Actor
from engine.config import ConfigurationError, Settings
from engine.errors import DomainError, Unauthenticated
from engine.models import User
from webapp import db, oidc
from webapp.errors import error_response

logger = logging.getLogger(__name__)

csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "ui.login"
login_manager.login_message = "Log in om deze pagina te zien."
login_manager.session_protection = "strong"

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# dmn-js writes a few style attributes in markup: the bpmn.io logo its licence requires (a file that
# "must not be changed or exchanged") and the invisible drag image of a rule. The DMN editor's page
# allows exactly these values by hash; 'unsafe-hashes' admits no other attribute and no <style>.
# tests/webapp/test_editor_csp.py reads the values from node_modules, so an upgrade that changes
# one fails there instead of in a user's console.
DMN_STYLE_ATTRIBUTES = (
    "position: absolute; bottom: 15px; right: 15px; z-index: 100;",
    "vertical-align:middle",
    "z-index: 1001;position: fixed;top: 0;left: 0;right: 0;bottom: 0",
    "width: 100%;height: 100%;background: rgba(40,40,40,0.2)",
    "position: absolute;left: 50%;top: 40%;transform: translate(-50%);width: 260px;padding: 10px;"
    "background: white;box-shadow: 0 1px 4px rgba(0,0,0,0.3);font-family: Helvetica, Arial, sans-serif;"
    "font-size: 14px;display: flex;line-height: 1.3",
    "margin: 15px 20px 15px 10px; align-self: center;",
    "\n          visibility: hidden;\n          position: fixed;\n          top: -10000px\n      ",
)


def _style_hash(value: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(value.encode("utf-8")).digest()).decode("ascii") + "'"


def dmn_editor_policy(nonce: str) -> str:
    """The DMN editor's CSP: ours, plus the hashed style attributes above and one nonce for the
    <style> element CodeMirror (dmn-js' FEEL editor) writes its theme into (style-mod takes a nonce)."""
    policy = CONTENT_SECURITY_POLICY.replace("style-src 'self'", f"style-src 'self' 'nonce-{nonce}'")
    return (policy + "; style-src-attr 'unsafe-hashes' "
            + " ".join(_style_hash(value) for value in DMN_STYLE_ATTRIBUTES))
SESSION_ID = "sid"
PENDING = "_inloggen"
PENDING_FOR = timedelta(minutes=10)
CODE_STEP, ENROL_STEP = "code", "instellen"
# POSTs that test a password or a code: limited per IP address and per account.
LOGIN_ENDPOINTS = frozenset({"ui.login", "account.code"})
CODE_CHECKED_ENDPOINTS = frozenset({"account.herstelcodes", "account.uitschakelen"})


class LoginUser(UserMixin):  # type: ignore[misc]
    """What flask-login keeps: the id and the actor, never the password hash."""

    def __init__(self, user: User):
        self.id = str(user.id)
        self.display_name = user.display_name
        self.actor = users.actor_for(user)


class RateLimited(DomainError):
    """Too many requests for one key; the response carries ``Retry-After``."""

    code, status = "te_veel_verzoeken", 429

    def __init__(self, message: str, retry_after: int):
        super().__init__(message, {"retry_after": retry_after})
        self.retry_after = retry_after


def now() -> datetime:
    """The request's clock; tests inject one through ``app.config['CLOCK']``."""
    clock = current_app.config.get("CLOCK")
    return clock() if clock else datetime.now(UTC)


def settings() -> Settings:
    found: Settings = current_app.extensions["signaalroute.settings"]
    return found


def secret_box() -> two_factor.SecretBox:
    return two_factor.SecretBox(current_app.config["SECRET_KEY"])


@login_manager.user_loader
def _load_user(user_id: str) -> LoginUser | None:
    """Only a live server-side session counts: a copied cookie dies with its session (logout, reset)."""
    sid = session.get(SESSION_ID)
    if not user_id.isdigit() or not isinstance(sid, str):
        return None
    user = login_sessions.user_for_session(db.session(), user_id=int(user_id), sid=sid)
    return LoginUser(user) if user is not None else None


def begin_login(user: User, *, method: str, next_path: str) -> BaseResponse:
    """The first factor is right: log in now, or ask for the second factor first.

    The session is cleared here already, so nothing a visitor had in it before survives the login.
    """
    session.clear()
    if not user.two_factor_enabled and not two_factor.required_for(user.role):
        establish_session(user, method=method)
        return redirect(next_path)
    step = CODE_STEP if user.two_factor_enabled else ENROL_STEP
    session[PENDING] = {"user_id": user.id, "username": user.username.lower(), "step": step, "method": method,
                        "since": now().isoformat(), "next": next_path}
    return redirect(url_for("account.code" if step == CODE_STEP else "account.instellen"))


def pending_login(step: str) -> tuple[User, dict[str, Any]] | None:
    """The user half-way through logging in at ``step``, or None (no such login, expired, or locked)."""
    data = session.get(PENDING)
    if not isinstance(data, dict) or data.get("step") != step:
        return None
    try:
        since = datetime.fromisoformat(str(data["since"]))
    except (KeyError, ValueError):
        return None
    if not timedelta(0) <= now() - since <= PENDING_FOR:
        session.pop(PENDING, None)
        return None
    user = db.session().get(User, int(data["user_id"]))
    if user is None or not user.active:
        return None
    return user, data


def establish_session(user: User, *, method: str) -> None:
    """The complete login: a new session (new server-side id, nothing carried over), then flask-login."""
    session.clear()
    sid = login_sessions.start_session(db.session(), user=user, now=now(), method=method)
    login_user(LoginUser(user))
    session[SESSION_ID] = sid
    session.permanent = True


def end_session() -> None:
    sid = session.get(SESSION_ID)
    if isinstance(sid, str):
        login_sessions.end_session(db.session(), sid=sid, now=now())
    session.clear()


def api_actor() -> Actor:
    """The caller of an API request, from ``Authorization: Bearer <token>`` only."""
    if "api_actor" in g:
        actor: Actor = g.api_actor
        return actor
    token = _bearer_token()
    if token is None:
        raise Unauthenticated("Stuur een persoonlijk API-token mee: Authorization: Bearer <token>.")
    if "token_read" in g:  # read by the rate limiter, in its statement (_rate_limit)
        found = bearer_tokens.actor_from_row(db.session(), g.pop("token_read"), now=now())
    else:
        found = bearer_tokens.actor_for_token(db.session(), token, now=now())
    if found is None:
        raise Unauthenticated("Het API-token is onbekend, verlopen of ingetrokken.")
    g.api_actor = found
    return found


def ui_actor() -> Actor:
    actor: Actor = current_user.actor
    return actor


def _bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _keyed(kind: str, value: str) -> str:
    """Bucket keys are keyed hashes: the table never holds a username, an IP address or a token."""
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), f"{kind}:{value}".encode(), hashlib.sha256)
    return f"{kind}:{digest.hexdigest()[:40]}"


def _limited_keys() -> list[tuple[str, int]]:
    config = settings()
    address = request.remote_addr or "onbekend"
    if request.path.startswith("/api/"):
        token = _bearer_token()
        if token is not None:
            return [(_keyed("api-token", token), config.api_per_minute_token)]
        return [(_keyed("api-ip", address), config.api_per_minute_token)]
    if request.method == "POST" and request.endpoint in LOGIN_ENDPOINTS:
        keys = [(_keyed("login-ip", address), config.login_per_minute_ip)]
        if request.endpoint == "ui.login":
            name = request.form.get("username", "")
        else:
            pending = session.get(PENDING)
            name = str(pending.get("username", "")) if isinstance(pending, dict) else ""
        if name.strip():
            keys.append((_keyed("login-account", name.strip().lower()), config.login_per_minute_account))
        return keys
    if request.method == "POST" and request.endpoint in CODE_CHECKED_ENDPOINTS:
        # Logged in already; the cookie's user id (no database yet: see _rate_limit) names the bucket.
        return [(_keyed("login-ip", address), config.login_per_minute_ip),
                (_keyed("account-id", str(session.get("_user_id", ""))), config.login_per_minute_account)]
    if request.endpoint == "account.oidc_terug":
        return [(_keyed("login-ip", address), config.login_per_minute_ip)]
    return []


def _rate_limit() -> None:
    """Spend a token per limited request, committed on its own (so even when refused, or when the
    request fails afterwards), on the connection the request's transaction will use next.

    Runs before anything else touches the database in this request: on SQLite the request's own
    transaction would hold the write lock this one needs.
    """
    keys = [(key, limit) for key, limit in _limited_keys() if limit > 0]
    if not keys:
        return
    # An API caller's token (its only key) is read along with the spend (one round trip on PostgreSQL).
    token = _bearer_token() if request.path.startswith("/api/") else None
    reading = bearer_tokens.token_reading(token) if token is not None else None
    with db.committed_first() as connection:
        verdicts = [rate_limits.take(connection, key=key, per_minute=limit, now=now(), reading=reading)
                    for key, limit in keys]
    if reading is not None:
        g.token_read = verdicts[0].read  # api_actor() uses it instead of reading the token again
    refused = [v for v in verdicts if not v.allowed]
    if not refused:
        return
    wait = max(v.retry_after for v in refused)
    logger.warning("rate limit reached", extra={"endpoint": request.endpoint, "retry_after": wait})
    if request.path.startswith("/api/"):
        raise RateLimited(f"Te veel verzoeken. Probeer het over {_duration(wait)} opnieuw.", wait)
    raise RateLimited(f"Te veel inlogpogingen vanaf hier of voor dit account. Probeer het over {_duration(wait)} "
                      "opnieuw.", wait)


def _duration(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} seconde{'n' if seconds != 1 else ''}"
    minutes = -(-seconds // 60)
    return f"{minutes} minu{'ten' if minutes != 1 else 'ut'}"


def _rate_limited(error: RateLimited) -> Response:
    response = error_response(error)
    response.headers["Retry-After"] = str(error.retry_after)
    return response


def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.endpoint == "static":
        return response  # the same files for everyone: nothing personal to keep out of caches
    # Whether the session claims a login, not whether it is still valid: loading the user here cost every
    # response the view had not already authenticated (a page's CSS, scripts and fonts) two queries.
    if request.path.startswith("/api/") or PENDING in session or SESSION_ID in session:
        response.headers.setdefault("Cache-Control", "no-store")
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


class _NoDebugger:
    """Refuse to serve inside Werkzeug's debugger (``flask run --debugger``): it runs code from the browser."""

    def __init__(self, wsgi_app: Callable[..., Iterable[bytes]]):
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if "werkzeug.debug.preserve_context" in environ:
            start_response("500 Internal Server Error", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"Signaalroute draait niet onder de Werkzeug-debugger."]
        return self.wsgi_app(environ, start_response)


def _no_development_server(*_args: Any, **_kwargs: Any) -> None:
    raise RuntimeError("Gebruik 'signaalroute webserver' (gunicorn): de ontwikkelserver van Flask is uitgeschakeld.")


def _refuse_debug_mode(app: Flask) -> None:
    """Debug mode is never on: not by FLASK_DEBUG, not by config, not by ``app.run(debug=True)``."""
    if get_debug_flag() or app.debug:
        raise ConfigurationError("Signaalroute start nooit in debugmodus: zet FLASK_DEBUG uit. De debugger van "
                                 "Werkzeug voert code uit vanuit de browser.")
    app.config["DEBUG"] = False
    app.run = _no_development_server  # type: ignore[method-assign]


def init_app(app: Flask) -> None:
    _refuse_debug_mode(app)
    config: Settings = app.extensions["signaalroute.settings"]
    if app.config.get("SESSION_COOKIE_SECURE"):
        # The __Host- prefix: the browser keeps the cookie only if Secure, Path=/ and without Domain.
        app.config["SESSION_COOKIE_NAME"] = "__Host-session"
    if config.proxy_count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=config.proxy_count,  # type: ignore[method-assign]
                                x_proto=config.proxy_count)
    app.wsgi_app = _NoDebugger(app.wsgi_app)  # type: ignore[method-assign]
    csrf.init_app(app)
    login_manager.init_app(app)
    app.before_request(_rate_limit)
    app.register_error_handler(RateLimited, _rate_limited)
    app.after_request(_headers)
    oidc.init_app(app, config)
