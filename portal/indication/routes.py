from __future__ import annotations

from flask import Blueprint, abort, g, render_template, request

from portal.application import services as applications
from portal.application.access import load_application
from portal.auth import household
from portal.auth.access import requires
from portal.indication.calculate import LINE_TEXT, NOTE_TEXT, NormUnavailable
from portal.indication.services import indication

bp = Blueprint("indication", __name__)


@bp.get("/applications/<application_id>/indication")
@requires("household")
def show(application_id: str):
    application = load_application(application_id, "household")
    # Computed from the whole household's incomes: not for a member who sees only what concerns them.
    if not household.sees_whole_household(application, g.subject_id):
        abort(404)
    applications.remember_place(application, request.path)
    try:
        result = indication(application)
    except (NormUnavailable, ValueError):
        result = None
    return render_template(
        "indication/show.html", application=application, result=result, line_text=LINE_TEXT, note_text=NOTE_TEXT
    )
