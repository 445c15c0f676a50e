from __future__ import annotations

from flask import Blueprint, current_app, g, redirect, render_template, request, session, url_for

from portal.auth.access import requires
from portal.auth.services import safe_next
from portal.i18n.services import PERSON_LANGUAGE, SUPPORTED, cookie_name

bp = Blueprint("i18n", __name__)


@bp.get("/language")
@requires("public")
def choose():
    """The language links: this browser's choice (a cookie), nothing kept on the server (a GET
    changes nothing there; a logged-in person's header sends the POST below instead)."""
    lang = request.args.get("lang", "")
    target = safe_next(request.args.get("next"), url_for("web.start"))
    if lang not in SUPPORTED:
        return render_template("i18n/unknown_language.html", next=target), 400
    return _with_cookie(redirect(target), lang)


@bp.post("/language")
@requires("public")
def choose_for_person():
    """A logged-in person's choice: kept with their contact details too, so their notifications and
    their next login in another browser use it. A proxy's choice is only their browser's."""
    lang = request.form.get("lang", "")
    target = safe_next(request.form.get("next"), url_for("web.start"))
    if lang not in SUPPORTED:
        return render_template("i18n/unknown_language.html", next=target), 400
    actor = g.get("actor")
    if actor is not None and actor.kind == "citizen" and not actor.is_proxy:
        # portal.case sits above this layer (i18n.routes -> portal.** in ignore_imports, pyproject.toml)
        from portal.case.contact import save_language

        save_language(actor.id, lang)
        session[PERSON_LANGUAGE] = lang
    return _with_cookie(redirect(target, code=303), lang)


def _with_cookie(response, lang: str):
    config = current_app.config["PORTAL"]
    response.set_cookie(
        cookie_name(),
        lang,
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=config.secure_cookies,
        path="/",
    )
    return response


def remember_person_language(person_id: str) -> None:
    """At login: the language the person chose before (in another browser too) for this session."""
    # portal.case sits above this layer (i18n.routes -> portal.** in ignore_imports, pyproject.toml)
    from portal.case.contact import details_of

    contact = details_of(person_id)
    if contact is not None and contact.language in SUPPORTED:
        session[PERSON_LANGUAGE] = contact.language
