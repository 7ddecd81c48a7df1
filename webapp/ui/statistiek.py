"""Dashboard: the region's monitoring figures without persons (003 ch. 7), reports and the CoMensha export.

Views only parse the year and dimension, call engine.monitoring and render; who sees which scope
is decided in engine.monitoring.dashboard. The old /statistiek page now leads here.
"""

from __future__ import annotations

import base64
from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers.response import Response as BaseResponse

from engine.monitoring import charts, dashboard, reports
from webapp import db
from webapp.security import now, ui_actor

blueprint = Blueprint("statistiek", __name__)


@blueprint.app_context_processor
def _menu() -> dict[str, Any]:
    if current_user.is_authenticated and dashboard.can_read(current_user.actor):
        return {"stats_menu": [("statistiek.overzicht", "Dashboard")]}
    return {"stats_menu": []}


def _year() -> int:
    year = request.args.get("jaar", type=int) or now().year
    return year if 2000 <= year <= 2100 else now().year


def _build() -> dashboard.Dashboard:
    if not dashboard.can_read(ui_actor()):
        abort(403)
    return dashboard.build(db.session(), actor=ui_actor(), now=now(), year=_year(),
                           dimension=request.args.get("indeling", "vorm"))


def _download(body: bytes | str, mimetype: str, name: str) -> Response:
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@blueprint.get("/dashboard")
@login_required  # type: ignore[misc]
def overzicht() -> str:
    board = _build()
    images = {slug: base64.b64encode(charts.svg(board.tables[slug])).decode()
              for slug in [*board.counts, board.lead_times.slug]}
    return render_template("ui/dashboard.html", board=board, images=images, dimensions=dashboard.DIMENSIONS,
                           threshold=dashboard.THRESHOLD, mark=dashboard.HIDDEN_MARK)


@blueprint.get("/dashboard/tabel/<slug>.csv")
@login_required  # type: ignore[misc]
def tabel_csv(slug: str) -> Response:
    board = _build()
    if slug not in board.tables:
        abort(404)
    return _download("\ufeff" + board.tables[slug].csv(), "text/csv", f"{slug}-{board.year}.csv")


@blueprint.get("/dashboard/jaarverslag.<fmt>")
@login_required  # type: ignore[misc]
def jaarverslag(fmt: str) -> Response:
    if fmt not in ("pdf", "xlsx"):
        abort(404)
    board = _build()
    if fmt == "pdf":
        return _download(reports.pdf(board, now=now()), "application/pdf", f"jaarverslag-{board.year}.pdf")
    return _download(reports.xlsx(board, now=now()),
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     f"jaarverslag-{board.year}.xlsx")


@blueprint.get("/dashboard/comensha.csv")
@login_required  # type: ignore[misc]
def comensha() -> Response:
    if not dashboard.can_read(ui_actor()):
        abort(403)
    year = _year()
    scope, tables, _ = dashboard.comensha(db.session(), actor=ui_actor(), year=year)
    return _download("\ufeff" + reports.comensha_csv(tables, year=year, scope_label=scope.label), "text/csv",
                     f"comensha-{year}.csv")


@blueprint.get("/statistiek")
@login_required  # type: ignore[misc]
def oud() -> BaseResponse:
    """The former yearly tables: their figures are on the dashboard now."""
    if not dashboard.can_read(ui_actor()):
        abort(403)
    return redirect(url_for("statistiek.overzicht", jaar=_year()))
