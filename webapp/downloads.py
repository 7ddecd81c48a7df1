"""``Content-Disposition`` for downloads whose file name may come from a user (a model file, a form name).

A name is reduced to its last path segment and stripped of control characters, so it cannot start
a new header (CR/LF) or point into a directory; quotes, ``;`` and ``\\`` cannot close the quoted
``filename``, because that fallback keeps only ``[A-Za-z0-9._-]``. The full name, non-ASCII
included, travels percent-encoded in ``filename*`` (RFC 6266 section 4.3, RFC 8187), which browsers
prefer over the fallback.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9._-]+")
_WINDOWS_RESERVED = re.compile(r'[<>:"|?*]')


def _readable(filename: str) -> str:
    """The last path segment without control or format characters, trimmed of dots and blanks.

    Characters Windows refuses in a file name become ``_`` (browsers would do so, each its own way).
    """
    name = re.split(r"[/\\]", filename)[-1]
    name = "".join(c for c in name if unicodedata.category(c) not in {"Cc", "Cf", "Zl", "Zp"})
    name = _WINDOWS_RESERVED.sub("_", name)
    return name.strip().strip(".").strip()


def attachment(filename: str, *, fallback: str = "download") -> str:
    """The header value that makes the browser save the body as ``filename`` (or ``fallback``)."""
    name = _readable(filename) or fallback
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    ascii_name = _UNSAFE_ASCII.sub("_", ascii_name).strip("._") or fallback
    if ascii_name == name:
        return f'attachment; filename="{ascii_name}"'
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
