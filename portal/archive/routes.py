"""The municipality's export of a case as an archive package: a page saying what the package holds
and when the case is due for gallring, and the ZIP itself. Caseworkers of the case's municipality
only (the inbox's own scope, so another municipality or unit gets a 404); every view audited. The routes
are the inbox's own (``municipality.archive``, ``municipality.archive_download``): portal/municipality/routes.py
imports this module after making its blueprint."""

from __future__ import annotations

from flask import render_template

from portal.application.access import load_application
from portal.archive import package as packages
from portal.archive import retention
from portal.audit.services import record_read
from portal.auth.access import requires
from portal.municipality.routes import bp
from portal.web.files import send_private_file


@bp.get("/inbox/<application_id>/archive", endpoint="archive")
@requires("inbox")
def export(application_id: str):
    application = load_application(application_id, "inbox")
    record_read(
        "archive_package",
        application.id,
        "caseworker opens the case's archive package page",
        subject_id=application.applicant_id,
    )
    assert application.municipality_code is not None  # a case, so sent and routed
    years = retention.retention_years(application.municipality_code)
    pending = retention.pending(application)
    return render_template("archive/export.html", item=application, years=years, pending=pending)


@bp.get("/inbox/<application_id>/archive.zip", endpoint="archive_download")
@requires("inbox")
def download(application_id: str):
    application = load_application(application_id, "inbox")
    record_read(
        "archive_package",
        application.id,
        "caseworker exports the case as an archive package",
        subject_id=application.applicant_id,
    )
    package = packages.build(application)
    return send_private_file(package.zip_bytes(), filename=package.name, mimetype="application/zip")
