"""The look of the application: the NL Design System theme a municipality chooses, without a code change.

``SIGNAALROUTE_THEMA_CSS`` names a tokens CSS file on disk and ``SIGNAALROUTE_THEMA_KLASSE`` the class
that switches it on (``base.html`` puts it on ``<body>``). The CSP allows styles and fonts from this
origin only, so the app serves the file itself, with the fonts beside it that it refers to.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, Response, abort, current_app, send_from_directory, url_for

from engine.config import Settings
from webapp import static_files

blueprint = Blueprint("thema", __name__)
# A theme's own fonts may sit beside (or below) its tokens file; nothing else in that directory is served.
FONT_SUFFIXES = frozenset({".woff2", ".woff"})
SETTINGS = "signaalroute.settings"


def _settings() -> Settings:
    settings: Settings = current_app.extensions[SETTINGS]
    return settings


@blueprint.get("/thema/<path:naam>")
def bestand(naam: str) -> Response:
    """The tokens file under its own name, or a font file in its directory (safe join, no traversal)."""
    css = _settings().thema_css
    if naam != css.name and Path(naam).suffix.lower() not in FONT_SUFFIXES:
        abort(404)
    response = send_from_directory(css.parent, naam, max_age=3600)
    response.headers["X-Content-Type-Options"] = "nosniff"
    # The tokens file is linked under its content hash, as the static files are: kept a year.
    return static_files.keep_if_current(response, str(css.parent), naam)


def init_app(app: Flask) -> None:
    settings: Settings = app.extensions[SETTINGS]
    app.register_blueprint(blueprint)

    @app.context_processor
    def thema() -> dict[str, object]:
        css = settings.thema_css
        version = static_files.content_version(str(css.parent), css.name)  # None: no such file
        url = url_for("thema.bestand", naam=css.name, v=version) if version else None
        return {"thema_css": url, "thema_klasse": settings.thema_klasse}
