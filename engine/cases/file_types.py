"""What a file is, read from its bytes, never from its name: the types a case may hold.

``filetype`` recognises the binary formats by their signature; an Office document is a zip and
``filetype`` looks only at its first bytes, so the zip is opened to check it has the members that
make it that document. Plain text is what ``filetype`` does not know: valid UTF-8 without control
characters. Anything else (executables, HTML or SVG, archives) is refused.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

import filetype


@dataclass(frozen=True)
class FileType:
    label: str  # what people read: "PDF", "Afbeelding (PNG)"
    mime: str  # the Content-Type a download is served with
    extension: str


PDF = FileType("PDF", "application/pdf", "pdf")
PNG = FileType("Afbeelding (PNG)", "image/png", "png")
JPEG = FileType("Afbeelding (JPEG)", "image/jpeg", "jpg")
GIF = FileType("Afbeelding (GIF)", "image/gif", "gif")
WEBP = FileType("Afbeelding (WebP)", "image/webp", "webp")
DOCX = FileType("Word-document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx")
XLSX = FileType("Excel-werkmap", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")
ODT = FileType("OpenDocument-tekst", "application/vnd.oasis.opendocument.text", "odt")
TEXT = FileType("Tekst", "text/plain; charset=utf-8", "txt")

ALLOWED = (PDF, PNG, JPEG, GIF, WEBP, DOCX, XLSX, ODT, TEXT)
ALLOWED_TEXT = "PDF, afbeelding (PNG, JPEG, GIF, WebP), Word (.docx), Excel (.xlsx), OpenDocument-tekst (.odt) of tekst"
BY_MIME = {t.mime: t for t in ALLOWED}
_SIGNATURES = {"application/pdf": PDF, "image/png": PNG, "image/jpeg": JPEG, "image/gif": GIF, "image/webp": WEBP}
# The members without which the zip is not that document (ECMA-376 part 2; ODF 1.2 part 3, 3.3).
_OOXML = {DOCX.mime: (DOCX, "word/document.xml"), XLSX.mime: (XLSX, "xl/workbook.xml")}
# filetype names a zip by its first entries; the members decide (a docx is also a zip, an odt too).
_ZIPS = {"application/zip", DOCX.mime, XLSX.mime, ODT.mime}
# Control characters a text file has no business holding: all C0/C1 but tab, line feed, form feed, return.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def _zip_members(data: bytes) -> zipfile.ZipFile | None:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        return None


def _office(data: bytes) -> FileType | None:
    """The Office document a zip is, by its members; None for any other zip."""
    archive = _zip_members(data)
    if archive is None:
        return None
    with archive:
        names = set(archive.namelist())
        if "[Content_Types].xml" in names:
            for kind, member in _OOXML.values():
                if member in names:
                    return kind
            return None
        entries = archive.infolist()
        if entries and entries[0].filename == "mimetype" and "content.xml" in names:
            if archive.read(entries[0]).strip() == ODT.mime.encode():
                return ODT
    return None


def _text(data: bytes) -> FileType | None:
    try:
        decoded = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return None if _CONTROLS.search(decoded) else TEXT


def sniff(data: bytes) -> FileType | None:
    """The allowed type these bytes are, or None when they are none of them."""
    if not data:
        return None
    guessed = filetype.guess(data)
    if guessed is not None:
        if guessed.mime in _SIGNATURES:
            return _SIGNATURES[guessed.mime]
        if guessed.mime in _ZIPS:
            return _office(data)
        return None
    return _text(data)
