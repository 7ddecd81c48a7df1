"""Statistiek: aggregated counts without persons, for monitoring and CoMensha."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user, login_required

from engine.services import statistics
from webapp import db
from webapp.security import now, ui_actor

blueprint = Blueprint("statistiek", __name__)


@blueprint.app_context_processor
def _menu() -> dict[str, Any]:
    if current_user.is_authenticated and statistics.can_read(current_user.actor):
        return {"stats_menu": [("statistiek.overzicht", "Statistiek")]}
    return {"stats_menu": []}


def _year() -> int:
    year = request.args.get("jaar", type=int) or now().year
    return year if 2000 <= year <= 2100 else now().year


@blueprint.get("/statistiek")
@login_required  # type: ignore[misc]
def overzicht() -> str:
    if not statistics.can_read(ui_actor()):
        abort(403)
    year = _year()
    tables = statistics.report(db.session(), actor=ui_actor(), year=year)
    return render_template("ui/statistiek.html", tables=tables, year=year, small=statistics.SMALL_CELL)


@blueprint.get("/statistiek.csv")
@login_required  # type: ignore[misc]
def csv() -> Response:
    if not statistics.can_read(ui_actor()):
        abort(403)
    year = _year()
    text = statistics.csv_text(statistics.report(db.session(), actor=ui_actor(), year=year), year)
    return Response("\ufeff" + text, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="statistiek-{year}.csv"'})
