"""Beheer of the region profiles: their gaps, and the gemeenten (add, rename, choose the ZoCo, merge).

The profiles stay in TOML; what changes with municipal boundaries is kept here, audited, in the
database (engine/regions/gemeenten.py), and survives ``signaalroute regio laden``.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response as BaseResponse

from engine import access
from engine.accounts.roles import Role
from engine.config import Settings
from engine.errors import Conflict, ValidationFailed
from engine.models import Organisation
from engine.regions import gemeenten, profile_gaps
from engine.regions.regions import Region
from webapp import db
from webapp.security import now, ui_actor

blueprint = Blueprint("regios", __name__, url_prefix="/beheer")


def _regions() -> dict[str, Region]:
    regions: dict[str, Region] = current_app.extensions["signaalroute.regions"]
    return regions


def _regions_dir() -> Path:
    settings: Settings = current_app.extensions["signaalroute.settings"]
    return settings.regions_dir


def _require_beheerder() -> None:
    if not access.can_manage(ui_actor()):
        abort(403)


def _zocos(region: Region) -> list[tuple[str, str]]:
    return [(p.slug, p.naam) for p in region.partners if p.rol is Role.ZORGCOORDINATOR]


def _errors(exc: ValidationFailed | Conflict) -> dict[str, str]:
    return {str(k): str(v) for k, v in exc.details.items()} if isinstance(exc.details, dict) else {}


def _overview(errors: dict[str, str] | None = None, region_slug: str | None = None,
              values: dict[str, str] | None = None) -> tuple[str, int]:
    session, regions = db.session(), _regions()
    current = gemeenten.effective_regions(session, regions)
    rows = {slug: gemeenten.listing(session, slug) for slug in regions}
    page = render_template("ui/beheer_regios.html", gaps=profile_gaps.all_gaps(session, regions, _regions_dir()),
                           current=current, rows=rows, zocos={s: _zocos(r) for s, r in regions.items()},
                           errors=errors or {}, error_region=region_slug, values=values or {},
                           display_name=gemeenten.display_name)
    return page, 422 if errors else 200


@blueprint.get("/regios")
@login_required  # type: ignore[misc]
def overzicht() -> tuple[str, int]:
    _require_beheerder()
    return _overview()


@blueprint.post("/regios/<region_slug>/gemeenten")
@login_required  # type: ignore[misc]
def toevoegen(region_slug: str) -> BaseResponse | tuple[str, int]:
    _require_beheerder()
    values = {"naam": request.form.get("naam", ""), "zorgcoordinator": request.form.get("zorgcoordinator", "")}
    try:
        row = gemeenten.add(db.session(), actor=ui_actor(), now=now(), regions=_regions(), region_slug=region_slug,
                            naam=values["naam"], zorgcoordinator=values["zorgcoordinator"] or None)
    except (ValidationFailed, Conflict) as exc:
        return _overview(_errors(exc) or {"naam": exc.message}, region_slug, values)
    flash(f"{row.name} is toegevoegd.")
    return redirect(url_for("regios.overzicht") + f"#regio-{region_slug}")


def _gemeente_page(row: Organisation, errors: dict[str, str] | None = None,
                   values: dict[str, str] | None = None) -> tuple[str, int]:
    region = _regions().get(row.region or "")
    if region is None:
        abort(404)
    others = [o for o in gemeenten.listing(db.session(), region.slug) if o.id != row.id]
    page = render_template("ui/beheer_gemeente.html", row=row, region=region, zocos=_zocos(region), others=others,
                           errors=errors or {}, values=values or {}, naam=gemeenten.display_name(row),
                           profile_zoco=region.zorgcoordinator_for(row.slug))
    return page, 422 if errors else 200


def _row(organisation_id: int) -> Organisation:
    row = db.session().get(Organisation, organisation_id)
    if row is None or row.kind != gemeenten.GEMEENTE or row.merged_into_id is not None:
        abort(404)
    return row


@blueprint.get("/gemeenten/<int:organisation_id>")
@login_required  # type: ignore[misc]
def gemeente(organisation_id: int) -> tuple[str, int]:
    _require_beheerder()
    return _gemeente_page(_row(organisation_id))


@blueprint.post("/gemeenten/<int:organisation_id>")
@login_required  # type: ignore[misc]
def wijzigen(organisation_id: int) -> BaseResponse | tuple[str, int]:
    _require_beheerder()
    row = _row(organisation_id)
    values = {"naam": request.form.get("naam", ""), "zorgcoordinator": request.form.get("zorgcoordinator", "")}
    try:
        gemeenten.change(db.session(), actor=ui_actor(), now=now(), regions=_regions(), organisation_id=row.id,
                         naam=values["naam"], zorgcoordinator=values["zorgcoordinator"] or None)
    except (ValidationFailed, Conflict) as exc:
        return _gemeente_page(row, _errors(exc) or {"naam": exc.message}, values)
    flash(f"{row.name} is gewijzigd.")
    return redirect(url_for("regios.gemeente", organisation_id=row.id))


@blueprint.post("/gemeenten/<int:organisation_id>/samenvoegen")
@login_required  # type: ignore[misc]
def samenvoegen(organisation_id: int) -> BaseResponse | tuple[str, int]:
    _require_beheerder()
    row = _row(organisation_id)
    target = request.form.get("doel", type=int)
    if target is None:
        return _gemeente_page(row, {"doel": "Kies de gemeente waarin deze gemeente opgaat."})
    try:
        survivor = gemeenten.merge(db.session(), actor=ui_actor(), now=now(), source_id=row.id, target_id=target)
    except (ValidationFailed, Conflict) as exc:
        return _gemeente_page(row, _errors(exc) or {"doel": exc.message})
    flash(f"{row.name} is samengevoegd met {survivor.name}.")
    return redirect(url_for("regios.gemeente", organisation_id=survivor.id))
