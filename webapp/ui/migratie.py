"""Zaken overzetten naar een nieuwe procesversie: the plan, the batch, a revert (a fix must reach running cases).

The process editor (webapp/ui/modelleren.py) links here as ``/modelleren/<process_id>/migratie``.
Plain forms with CSRF, no script needed. The batch is the one view that does not run in the
request's transaction: each case gets its own unit of work (signaalroute.passes.migrate_each),
so one case that cannot move never undoes the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from engine import access
from engine.cases.lifecycle import reference
from engine.errors import Conflict, Forbidden
from engine.modelling import migration
from signaalroute import passes
from webapp import db
from webapp.security import now, ui_actor

blueprint = Blueprint("migratie", __name__, url_prefix="/modelleren")
PAGE_SIZE = 50  # cases per table on the page; "alle geschikte zaken migreren" still covers every page


@blueprint.before_request
def _only_migrators() -> BaseResponse | None:
    """Procesregisseurs and beheerders only; the services check again."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined,no-any-return]
    if not access.can_migrate(current_user.actor):
        raise Forbidden("Alleen een procesregisseur of beheerder mag zaken naar een andere procesversie overzetten.")
    return None


def _target(process_id: str) -> int:
    """``?naar=N`` (or the form field), else the newest version."""
    wanted = request.values.get("naar", type=int)
    return wanted if wanted and wanted > 0 else migration.newest_version(db.session(), process_id)


@dataclass(frozen=True)
class Page:
    """One page of a case table; ``param`` is the query parameter that picks it."""

    cases: list[migration.CasePlan]
    number: int
    pages: int
    param: str


def _page(cases: list[migration.CasePlan], param: str) -> Page:
    """The page ``?<param>=N`` asks for, clamped to the pages there are (an old link still shows a page)."""
    pages = max(1, ceil(len(cases) / PAGE_SIZE))
    number = min(max(request.args.get(param, default=1, type=int) or 1, 1), pages)
    return Page(cases[(number - 1) * PAGE_SIZE:number * PAGE_SIZE], number, pages, param)


@blueprint.get("/<process_id>/migratie")
def overzicht(process_id: str) -> str:
    """The plan; each table shows :data:`PAGE_SIZE` cases a page, its heading counts them all."""
    found = migration.plan(db.session(), actor=ui_actor(), now=now(), process_id=process_id,
                           to_version=_target(process_id))
    eligible, ineligible = _page(found.eligible, "pagina_geschikt"), _page(found.ineligible, "pagina_ongeschikt")
    shown = {"naar": found.to_version, eligible.param: eligible.number, ineligible.param: ineligible.number}

    def page_url(param: str, number: int) -> str:
        return url_for("migratie.overzicht", process_id=process_id, **(shown | {param: number}))

    return render_template("ui/migratie/overzicht.html", plan=found, eligible=eligible, ineligible=ineligible,
                           page_url=page_url)


@blueprint.post("/<process_id>/migratie")
def migreren(process_id: str) -> str | BaseResponse:
    """Migrate the chosen cases, or every eligible one; show per case what happened."""
    actor, to_version = ui_actor(), _target(process_id)
    if request.form.get("actie") == "alle":
        chosen = migration.eligible_ids(db.session(), actor=actor, now=now(), process_id=process_id,
                                        to_version=to_version)
    else:
        chosen = {}
        for raw in request.form.getlist("zaak"):
            if raw.isascii() and raw.isdigit():
                chosen[int(raw)] = request.form.get(f"versie-{raw}", type=int) or 0
        chosen = {case: version for case, version in chosen.items() if version > 0}
    if not chosen:
        flash("Kies minstens één zaak om over te zetten.", "fout")
        return redirect(url_for("migratie.overzicht", process_id=process_id, naar=to_version))
    db.end_request_transaction()
    outcomes = passes.migrate_each(db.factory(), actor=actor, now=now(), instance_ids=sorted(chosen),
                                      to_version=to_version, expected_versions=chosen)
    return render_template("ui/migratie/resultaat.html", process_id=process_id, to_version=to_version,
                           outcomes=outcomes)


@blueprint.post("/<process_id>/migratie/<int:instance_id>/terugdraaien")
def terugdraaien(process_id: str, instance_id: int) -> BaseResponse:
    """Post/redirect/get: the outcome is a message on the overview."""
    back = redirect(url_for("migratie.overzicht", process_id=process_id, naar=request.form.get("naar", type=int)))
    session = db.session()
    try:
        row = migration.revert(session, actor=ui_actor(), now=now(), instance_id=instance_id)
    except Conflict as exc:
        session.rollback()  # whatever the refused revert flushed; the redirect would commit otherwise
        flash(f"Zaak {instance_id}: {exc.message}", "fout")
        return back
    flash(f"Overzetting teruggedraaid: zaak {reference(row)} staat weer op versie {row.definition.version}.")
    return back
