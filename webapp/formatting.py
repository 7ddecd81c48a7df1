"""Jinja filters for Dutch dates ("2 maart 2026, 10.00 uur") and role names; dates come from engine.dutch."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, g

from engine.accounts.roles import ROLE_LABELS, Role
from engine.cases.names import Names
from engine.dutch import AMSTERDAM, MONTHS, datum
from webapp import db

__all__ = ["AMSTERDAM", "MONTHS", "datum", "init_app", "names", "organisatie", "proces", "rol"]


def rol(value: str) -> str:
    """The Dutch name of a role ("af" -> "Aandachtsfunctionaris")."""
    try:
        return ROLE_LABELS[Role(value)]
    except ValueError:
        return value


def names() -> Names:
    """One name lookup per request (engine.cases.names): each slug or process id is read once."""
    found: Names | None = g.get("signaalroute_names")
    if found is None:
        found = g.signaalroute_names = Names(db.session())
    return found


def organisatie(slug: str | None) -> str:
    """``{{ 'eersel'|organisatie }}`` -> "Gemeente Eersel"; never the slug itself."""
    return names().organisation(slug)


def proces(process_id: str | None, version: int | None = None) -> str:
    """``{{ case.process_id|proces(case.process_version) }}`` -> "Van signaal naar aanpak (…), versie 1"."""
    return names().process(process_id, version)


def init_app(app: Flask) -> None:
    app.add_template_filter(datum, "datum")
    app.add_template_filter(rol, "rol")
    app.add_template_filter(organisatie, "organisatie")
    app.add_template_filter(proces, "proces")
    vendor = Path(app.static_folder or "") / "vendor" / "utrecht" / "index.css"
    app.jinja_env.globals["vendor_css"] = vendor.is_file()
