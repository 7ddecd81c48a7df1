"""Flask application factory: wires configuration, database, login, CSRF and blueprints.

It never acts (docs/architecture.md, convention 1): no migrations, no network, no scheduler start here.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask

from engine.config import Settings, load_settings
from engine.modelling.forms import FormRepository
from engine.regions.regions import load_regions
from engine.retention.retention_rules import load_rules
from webapp import db, errors, formatting, json_body, security, static_files, thema
from webapp.api import v1
from webapp.ui import (
    account,
    afspelen,
    audit,
    audit_modellen,
    beheer,
    bewaartermijnen,
    melden,
    migratie,
    modelleren,
    notities,
    overleg,
    regios,
    statistiek,
    views,
)


def create_app(settings: Settings | None = None, test_config: dict[str, Any] | None = None) -> Flask:
    settings = settings or load_settings()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=max(settings.max_upload_bytes * 4, settings.max_file_bytes) + 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        REMEMBER_COOKIE_SECURE=settings.secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=settings.session_idle_minutes),
        SESSION_REFRESH_EACH_REQUEST=True,
        WTF_CSRF_TIME_LIMIT=None,
        JSON_SORT_KEYS=False,
    )
    if test_config:
        app.config.update(test_config)
    app.extensions["signaalroute.settings"] = settings
    app.extensions["signaalroute.forms"] = FormRepository(settings.forms_dir)
    app.extensions["signaalroute.regions"] = load_regions(settings.regions_dir)
    app.extensions[bewaartermijnen.RULES] = load_rules(settings.retention_file)
    json_body.init_app(app)
    db.init_app(app, settings.database_url)
    security.init_app(app)
    errors.init_app(app)
    formatting.init_app(app)
    thema.init_app(app)
    static_files.init_app(app)
    app.register_blueprint(v1.blueprint)
    app.register_blueprint(views.blueprint)
    app.register_blueprint(account.blueprint)  # second factor, OIDC, access review
    app.register_blueprint(melden.blueprint)
    app.register_blueprint(overleg.blueprint)
    app.register_blueprint(beheer.blueprint)
    app.register_blueprint(regios.blueprint)
    app.register_blueprint(bewaartermijnen.blueprint)
    app.register_blueprint(statistiek.blueprint)
    app.register_blueprint(afspelen.blueprint)
    app.register_blueprint(audit.blueprint)
    app.register_blueprint(audit_modellen.blueprint)
    app.register_blueprint(modelleren.blueprint)
    app.register_blueprint(migratie.blueprint)
    app.register_blueprint(notities.blueprint)
    security.csrf.exempt(v1.blueprint)  # the API authenticates by bearer token only, never by cookie
    return app
