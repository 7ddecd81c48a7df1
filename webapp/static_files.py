"""Static files under URLs that name their content, so browsers keep them instead of asking again.

With Flask's default (``Cache-Control: no-cache``) every page asked the server again for each of its
style sheets, scripts and icons (a conditional request, answered 304): five to eight requests per page,
and more on the modeller's pages. Now ``url_for('static', ...)`` adds ``?v=`` and the first twelve
hex digits of the file's SHA-256, and a request whose ``v`` is the file's current hash is answered with a
year's ``max-age`` and ``immutable``. A changed file gets a new URL; an old URL (a page still open during
a deployment) is served the current file without the long lifetime.

Files are the same for everyone, so their responses carry no session: no ``Set-Cookie`` (the idle timeout's
refresh on every request put one on each file, a public response a shared cache could hand to another person)
and no ``Vary: Cookie`` (with it, the browser asked again for every file each time the session cookie changed,
at each login and each page's refresh).
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from typing import Any

from flask import Flask, Response, current_app, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from werkzeug.security import safe_join

VERSION_ARG = "v"
A_YEAR = 365 * 24 * 3600


# The endpoints that answer with a file, the same for everyone (the theme's CSS and fonts too).
FILE_ENDPOINTS = frozenset({"static", "thema.bestand"})


class SessionlessFiles(SecureCookieSessionInterface):
    """Flask's signed-cookie session, except that a file's response neither sets the cookie nor varies by it."""

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if request.endpoint in FILE_ENDPOINTS:
            return
        super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    app.session_interface = SessionlessFiles()
    app.url_defaults(_add_version)
    app.after_request(_keep_versioned)


def content_version(static_folder: str, filename: str) -> str | None:
    """The file's content hash for its URL; None when there is no such file."""
    path = safe_join(static_folder, filename)
    if path is None:
        return None
    try:
        found = os.stat(path)
    except OSError:
        return None
    return _hash_of(path, found.st_mtime_ns, found.st_size)


@lru_cache(maxsize=512)
def _hash_of(path: str, _mtime_ns: int, _size: int) -> str:
    """Keyed by modification time and size too, so an edited file (``make run`` while developing) is read anew."""
    with open(path, "rb") as file:
        return hashlib.sha256(file.read()).hexdigest()[:12]


def _add_version(endpoint: str, values: dict[str, Any]) -> None:
    if endpoint != "static" or VERSION_ARG in values or "filename" not in values:
        return
    folder = current_app.static_folder
    version = content_version(folder, str(values["filename"])) if folder else None
    if version is not None:
        values[VERSION_ARG] = version


def keep_if_current(response: Response, folder: str, filename: str) -> Response:
    """A year's ``immutable`` for a file asked for under its current content hash (``?v=``); else as it was."""
    asked = request.args.get(VERSION_ARG)
    if response.status_code == 200 and asked and asked == content_version(folder, filename):
        response.cache_control.no_cache = None
        response.cache_control.public = True
        response.cache_control.max_age = A_YEAR
        response.cache_control.immutable = True
    return response


def _keep_versioned(response: Response) -> Response:
    folder = current_app.static_folder
    filename = (request.view_args or {}).get("filename")
    if request.endpoint != "static" or not folder or not filename:
        return response
    return keep_if_current(response, folder, str(filename))
