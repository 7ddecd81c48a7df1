"""Beheer: the retention rules, what the next run would destroy (dry run), and the destruction records.

Read-only. Destroying happens only through the nightly planner job or ``signaalroute bewaartermijnen toepassen``:
there is deliberately no button, so no person can destroy a case outside the rules. The page shows case
numbers, references and counts, never case content (the beheerder reads no case content).
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_login import login_required

from engine.retention import retention
from engine.retention.retention_rules import RetentionRules
from webapp import db
from webapp.security import now, ui_actor

blueprint = Blueprint("bewaartermijnen", __name__, url_prefix="/beheer")
RULES = "signaalroute.retention"


@blueprint.get("/bewaartermijnen")
@login_required  # type: ignore[misc]
def overzicht() -> str:
    rules: RetentionRules = current_app.extensions[RULES]
    view = retention.overview(db.session(), actor=ui_actor(), rules=rules, now=now())
    return render_template("ui/bewaartermijnen.html", view=view, due=view.plan.due_per_rule(),
                           triggers=retention.TRIGGER_LABELS, removed_labels=retention.REMOVED_LABELS)
