"""The case-file store and the download response, shared by the UI and the API."""

from __future__ import annotations

from flask import Response, current_app
from werkzeug.datastructures import FileStorage

from engine.cases.notes import FileDownload, Upload
from engine.cases.storage import BlobStore, DirectoryBlobStore
from engine.config import Settings
from webapp.downloads import attachment

_KEY = "signaalroute.file_store"


def store() -> BlobStore:
    """The app's blob store (a directory from the settings unless a test or an S3 adapter put another)."""
    found: BlobStore | None = current_app.extensions.get(_KEY)
    if found is None:
        settings: Settings = current_app.extensions["signaalroute.settings"]
        found = DirectoryBlobStore(settings.file_store_dir)
        current_app.extensions[_KEY] = found
    return found


def max_file_bytes() -> int:
    settings: Settings = current_app.extensions["signaalroute.settings"]
    return settings.max_file_bytes


def upload_of(file: FileStorage | None) -> Upload | None:
    """The posted file, read up to one byte past the limit (the service reports it as too big)."""
    if file is None:
        return None
    data = file.stream.read(max_file_bytes() + 1)
    return Upload(name=file.filename or "", data=data)


def download_response(found: FileDownload) -> Response:
    """The bytes as an attachment: sniffed type, RFC 6266 name, and no sniffing by the browser."""
    response = Response(found.data, mimetype=None, content_type=found.mime)
    response.headers["Content-Disposition"] = attachment(found.name, fallback="bestand")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
