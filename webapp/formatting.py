"""Dutch presentation of dates and times: "2 maart 2026, 10.00 uur", in Europe/Amsterdam."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask

from engine.roles import ROLE_LABELS, Role

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


def rol(value: str) -> str:
    """The Dutch name of a role ("af" -> "Aandachtsfunctionaris")."""
    try:
        return ROLE_LABELS[Role(value)]
    except ValueError:
        return value


def init_app(app: Flask) -> None:
    app.add_template_filter(datum, "datum")
    app.add_template_filter(rol, "rol")
    vendor = Path(app.static_folder or "") / "vendor" / "utrecht" / "index.css"
    app.jinja_env.globals["vendor_css"] = vendor.is_file()
