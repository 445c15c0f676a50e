"""The pages the law requires and the person's rights (issue 18): the accessibility statement and its
feedback form, the privacy notice (public, linked from every page's footer), and "who has read my data"
(the logged-in person, from the audit log)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_wtf import FlaskForm

from portal.application.services import DRAFT_LIFETIME_DAYS
from portal.audit.services import record_read
from portal.auth.access import authorize, requires
from portal.i18n.lazy import _l
from portal.providers.registry import providers
from portal.rights import copy, correction, services
from portal.rights.copy import LIFETIME
from portal.rights.forms import FeedbackForm
from portal.rights.states import CopyStatus
from portal.web.files import send_private_file

bp = Blueprint("rights", __name__)

# DIGG's reporting function for its supervision (lag 2018:1937 17–18 §§), the link DIGG asks every statement
# to carry: where to turn when the operator's answer to a reported problem is not good enough.
DIGG_URL = "https://www.digg.se/tdosanmalan"

# Who read, in words: by the kind of actor and their role.
READER_LABEL = {
    ("staff", "caseworker"): _l("Caseworker"),
    ("staff", "administrator"): _l("Administrator of Egna utrymmet"),
    ("api", None): _l("The municipality's case system (API)"),
    ("citizen", "proxy"): _l("Your proxy (ombud), under a mandate"),
    ("citizen", None): _l("Another person in your application (for example a co-applicant)"),
    ("system", None): _l("Egna utrymmet itself (automatically, for example when delivering)"),
}
WHAT_LABEL = {
    "application": _l("your application"),
    "application_list": _l("your list of applications"),
    "exchange_document": _l("your application as the municipality received it"),
    "attachment": _l("an attachment"),
    "attachment_list": _l("your attachments"),
    "decision": _l("a decision"),
    "case": _l("your case"),
    "case_messages": _l("your messages"),
    "case_message": _l("a message"),
    "supplement_request": _l("a request for more information"),
    "receipt": _l("the receipt"),
    "provider_data": _l("information fetched about you"),
    "information_item": _l("information fetched about you"),
    "free_text": _l("your message to the municipality"),
    "consent": _l("a consent"),
    "consent_list": _l("your consents"),
    "contact_details": _l("your contact details"),
    "mandate": _l("a mandate"),
    "mandate_list": _l("your mandates"),
    "mandate_trail": _l("what proxies did in your name"),
    "delivery": _l("the delivery of your application"),
}


def reader_label(read: services.Read) -> str:
    if read.actor_type == "citizen":
        key = ("citizen", "proxy" if read.on_mandate else None)
    elif read.actor_type == "staff":
        key = ("staff", read.actor_role)
    else:
        key = (read.actor_type, None)
    return str(READER_LABEL.get(key, READER_LABEL[("system", None)]))


def what_label(read: services.Read) -> str:
    return str(WHAT_LABEL.get(read.object_type, _l("information in your application")))


@bp.app_template_global()
def correction_for(provider_name: str | None):
    """For the page of one fetched item: who holds it and how to ask for a correction (portal/rights/correction.py)."""
    return correction.correction_for(provider_name)


@bp.get("/accessibility")
@requires("public")
def statement():
    return render_template("rights/statement.html", digg_url=DIGG_URL)


@bp.route("/accessibility/feedback", methods=["GET", "POST"])
@requires("public")
def feedback():
    form = FeedbackForm()
    if request.method == "GET" and not form.page.data:
        form.page.data = request.args.get("page", "")[:500]
    if form.validate_on_submit():
        assert form.problem.data is not None  # DataRequired: a valid form has the problem
        config = current_app.config["PORTAL"]
        services.receive_feedback(
            form.problem.data, form.page.data, form.contact.data, str(get_locale()), config.accessibility_email, config
        )
        return redirect(url_for("rights.feedback_sent"))
    return render_template("rights/feedback.html", form=form), 400 if form.errors else 200


@bp.get("/accessibility/feedback/sent")
@requires("public")
def feedback_sent():
    return render_template("rights/feedback_sent.html")


@bp.get("/privacy")
@requires("public")
def privacy():
    return render_template(
        "rights/privacy.html", providers=providers(), draft_days=DRAFT_LIFETIME_DAYS, copy_days=LIFETIME.days
    )


@bp.get("/my-data/readers")
@requires("own")
def readers():
    """Who has read my data: every read by someone else, newest first, by month."""
    month, error = None, None
    if request.args.get("month"):
        try:
            month = services.parse_month(request.args["month"])
        except ValueError:
            error = _l("Choose a month from the list")
    record_read("reader_list", None, "the person looks at who has read their data", subject_id=g.subject_id)
    rows = services.reads(g.subject_id, month)
    return render_template(
        "rights/readers.html",
        rows=rows,
        month=month,
        error=error,
        months=services.months_with_reads(g.subject_id),
        reader_label=reader_label,
        what_label=what_label,
    ), 400 if error else 200


# --- a copy of my data (portal/rights/copy.py) -------------------------------------------------------


@bp.route("/my-data/copy", methods=["GET", "POST"])
@requires("own")
def data_copy():
    """Ask for a copy of everything held about me; the worker prepares it and this page shows how far it is."""
    form = FlaskForm()
    if request.method == "POST":
        if form.validate_on_submit():
            copy.request_copy(g.subject_id, str(get_locale()))
        return redirect(url_for("rights.data_copy"))
    return render_template(
        "rights/data_copy.html", form=form, copies=copy.copies_of(g.subject_id), lifetime_days=copy.LIFETIME.days
    )


def _own_copy(copy_id: str):
    """The logged-in person's own copy, for themselves (never through a mandate), else 404: a caseworker, a
    proxy or another person learns nothing, not even that the copy exists."""
    actor = g.actor
    if not authorize(actor, "own", actor.id):
        abort(404)
    found = copy.copy_of(actor.id, copy_id)
    if found is None:
        abort(404)
    return found


@bp.get("/my-data/copy/<copy_id>/status")
@requires("authenticated")  # anyone logged in reaches the view, which answers 404 unless the copy is theirs
def data_copy_status(copy_id: str):
    """Polled by htmx while the copy is prepared; without JavaScript the page's refresh link reloads it."""
    return render_template("rights/_data_copy_status.html", copy=_own_copy(copy_id))


@bp.get("/my-data/copy/<copy_id>/download")
@requires("authenticated")  # as the status: 404 unless the copy is the person's own
def data_copy_download(copy_id: str):
    """The ZIP, to the person who asked for it only: anyone else, and an expired copy, get 404."""
    found = _own_copy(copy_id)
    if found.status != CopyStatus.READY:
        abort(404)
    record_read("data_copy", found.id, "the person downloads the copy of their data", subject_id=g.subject_id)
    # copy.py sets the package and ready_at in the same step as READY.
    assert found.ready_at is not None and found.package is not None
    day = found.ready_at.strftime("%Y-%m-%d")
    return send_private_file(found.package, filename=f"egna-utrymmet-my-data-{day}.zip", mimetype="application/zip")
