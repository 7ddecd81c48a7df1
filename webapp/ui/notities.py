"""Notes and files on the case page: add one (with who may read it), download a file."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response as BaseResponse

from engine import access
from engine.accounts.roles import ROLE_LABELS
from engine.cases import notes
from engine.cases.lifecycle import reference
from engine.errors import ValidationFailed
from engine.models import Case
from webapp import db, files
from webapp.security import now, ui_actor
from webapp.ui.views import hidden_as_forbidden

blueprint = Blueprint("notities", __name__)

FIELDS = [{"name": "tekst", "label": "Notitie"}, {"name": "bestand", "label": "Bestand"},
          {"name": "lezers", "label": "Wie mag dit lezen"}]


def _form_context(instance_id: int, *, readers: list[str] | None = None) -> dict[str, object]:
    """What the add form needs: the roles on the case to choose from, and which are ticked."""
    actor = ui_actor()
    choices = notes.reader_choices(db.session(), instance_id)
    ticked = readers if readers is not None else [str(r) for r in choices]
    return {"choices": [(str(r), ROLE_LABELS[r]) for r in choices], "ticked": ticked,
            "may_add": access.can_start_cases(actor), "max_mb": files.max_file_bytes() // (1024 * 1024)}


@blueprint.app_context_processor
def case_notes() -> dict[str, object]:
    """``zaak_notities(id)`` for the case page's include: the notes this person may read, and the add form."""

    def zaak_notities(instance_id: int) -> dict[str, object]:
        found = notes.visible_notes(db.session(), actor=ui_actor(), instance_id=instance_id)
        return {"notes": found, **_form_context(instance_id)}

    return {"zaak_notities": zaak_notities}


@blueprint.post("/zaken/<int:instance_id>/notities")
@login_required  # type: ignore[misc]
def toevoegen(instance_id: int) -> tuple[str, int] | BaseResponse:
    """Add a note and/or a file; on bad input the form comes back with Dutch errors and nothing is stored."""
    session_db, actor = db.session(), ui_actor()
    text = request.form.get("tekst", "")
    readers = request.form.getlist("lezers")
    with hidden_as_forbidden("zaak"):
        try:
            notes.add_note(session_db, actor=actor, now=now(), instance_id=instance_id, text=text, readers=readers,
                           upload=files.upload_of(request.files.get("bestand")), store=files.store(),
                           max_file_bytes=files.max_file_bytes())
        except ValidationFailed as exc:
            errors = dict(exc.details) if isinstance(exc.details, dict) else {"tekst": exc.message}
            instance = session_db.get(Case, instance_id)
            page = render_template("ui/notitie_toevoegen.html", instance_id=instance_id, errors=errors,
                                   fields=FIELDS, text=text, kenmerk=reference(instance) if instance else "",
                                   **_form_context(instance_id, readers=readers))
            return page, 422
    return redirect(url_for("ui.zaak", instance_id=instance_id, _anchor="notities"))


@blueprint.get("/zaken/<int:instance_id>/notities/<int:note_id>/bestand")
@login_required  # type: ignore[misc]
def bestand(instance_id: int, note_id: int) -> Response:
    """The file, if this person may read the note; the download lands in the access log."""
    with hidden_as_forbidden("zaak of dit bestand"):
        found = notes.read_file(db.session(), actor=ui_actor(), now=now(), instance_id=instance_id,
                                note_id=note_id, store=files.store())
    return files.download_response(found)
