"""The type of a case file comes from its bytes: what is allowed is recognised, everything else refused."""

from __future__ import annotations

import pytest

from engine.cases import file_types
from engine.cases.file_types import sniff
from tests.support import file_samples as s

ALLOWED = [
    ("pdf", s.PDF, file_types.PDF), ("png", s.png(), file_types.PNG), ("jpeg", s.JPEG, file_types.JPEG),
    ("gif", s.GIF, file_types.GIF), ("webp", s.WEBP, file_types.WEBP), ("docx", s.DOCX, file_types.DOCX),
    ("xlsx", s.XLSX, file_types.XLSX), ("odt", s.ODT, file_types.ODT), ("text", s.TEXT, file_types.TEXT),
    ("dutch text", "Zorgcoördinator: één café, ‘s nachts.\r\n\tEinde.".encode(), file_types.TEXT),
]
REFUSED = [
    ("empty", b""), ("plain zip", s.ZIP), ("exe", s.EXE), ("html with NUL", s.HTML),
    ("svg with a control character", s.SVG_WITH_CONTROL), ("pptx", s.PPTX), ("latin-1 text", "café".encode("latin-1")),
    ("docx signature without its members", s.DOCX[:40]),
    ("odt without content", s._zip({"mimetype": "application/vnd.oasis.opendocument.text"}, stored_first="mimetype")),
]


@pytest.mark.parametrize(("name", "data", "expected"), ALLOWED, ids=[a[0] for a in ALLOWED])
def test_each_allowed_type_is_recognised_from_its_bytes(name, data, expected):
    assert sniff(data) == expected


@pytest.mark.parametrize(("name", "data"), REFUSED, ids=[r[0] for r in REFUSED])
def test_other_bytes_are_refused(name, data):
    assert sniff(data) is None


def test_a_word_document_whose_zip_entries_come_in_another_order_is_still_a_word_document():
    reordered = s._zip({"word/document.xml": "<w:document/>", "docProps/app.xml": "<x/>",
                        "[Content_Types].xml": "<Types/>"})
    assert sniff(reordered) == file_types.DOCX


def test_a_pdf_named_like_a_picture_is_still_a_pdf_because_names_are_never_read():
    assert sniff(s.PDF).mime == "application/pdf"  # the name never reaches sniff() at all
