"""Jinja filters for Dutch dates ("2 maart 2026, 10.00 uur") and role names; dates come from engine.dutch."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from engine.dutch import AMSTERDAM, MONTHS, datum
from engine.roles import ROLE_LABELS, Role

__all__ = ["AMSTERDAM", "MONTHS", "datum", "init_app", "rol"]


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
