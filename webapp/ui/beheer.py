"""Beheer: the e-mail outbox, so a beheerder sees what was (not yet) sent while SMTP is off or failing."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from engine import access, notify
from engine.models.outbox import OutboxState
from webapp import db
from webapp.security import ui_actor

blueprint = Blueprint("beheer", __name__, url_prefix="/beheer")
STATE_LABELS = {OutboxState.PENDING: "wacht", OutboxState.SENT: "verstuurd", OutboxState.FAILED: "mislukt"}


@blueprint.app_context_processor
def _menu() -> dict[str, Any]:
    if current_user.is_authenticated and access.can_manage(current_user.actor):
        return {"beheer_menu": [("beheer.post", "Uitgaande e-mail"), ("bewaartermijnen.overzicht", "Bewaartermijnen"),
                                ("account.rechten", "Wie heeft welke rechten"),
                                ("regios.overzicht", "Regio's en gemeenten")]}
    return {"beheer_menu": []}


@blueprint.get("/post")
@login_required  # type: ignore[misc]
def post() -> str:
    if not access.can_manage(ui_actor()):
        abort(403)
    state = request.args.get("stand") or None
    if state not in (None, *STATE_LABELS):
        state = None
    page = max(request.args.get("pagina", 1, type=int) or 1, 1)
    messages, total = notify.list_messages(db.session(), page=page, state=state)
    pages = max((total + notify.PAGE_SIZE - 1) // notify.PAGE_SIZE, 1)
    return render_template("ui/beheer_post.html", messages=messages, total=total, page=page, pages=pages,
                           state=state, labels=STATE_LABELS)
