"""Moved from tests/audit/test_exports.py: shared by several test modules."""

from __future__ import annotations

import re
import zlib


def pdf_streams(body: bytes) -> list[bytes]:
    """Every content stream of the PDF, decompressed where it is compressed."""
    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", body, re.S):
        try:
            chunks.append(zlib.decompress(stream))
        except zlib.error:
            chunks.append(stream)
    return chunks


def pdf_page_contents(body: bytes) -> bytes:
    """The pages' content streams only (they draw text: ``BT`` ... ``Tj``), without the embedded font and
    image streams, whose binary bytes vary with the glyphs and pictures a document uses."""
    return b"\n".join(stream for stream in pdf_streams(body) if b"BT " in stream and b" Tj" in stream)


def pdf_text(body: bytes) -> str:
    """The text operators of every page: enough to assert on what the PDF says."""
    return b"\n".join(pdf_streams(body)).decode("cp1252", "replace")
