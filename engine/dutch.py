"""Dutch presentation of dates and times: "2 maart 2026, 10.00 uur", in Europe/Amsterdam.

In the core because exports (PDF, CSV) speak the same Dutch as the web pages; the web layer's
``datum`` filter is this function.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
          "oktober", "november", "december"]


def datum(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        local = value.astimezone(AMSTERDAM)
        return f"{local.day} {MONTHS[local.month - 1]} {local.year}, {local:%H.%M} uur"
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def datum_tijd(value: datetime) -> str:
    """With seconds, for audit statements and dossiers: "2 maart 2026, 10.00.07 uur"."""
    local = value.astimezone(AMSTERDAM)
    return f"{local.day} {MONTHS[local.month - 1]} {local.year}, {local:%H.%M.%S} uur"


def local_iso(value: datetime) -> str:
    """ISO 8601 with the Amsterdam offset, for machine-readable exports."""
    return value.astimezone(AMSTERDAM).isoformat(timespec="seconds")
