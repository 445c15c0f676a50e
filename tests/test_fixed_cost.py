"""What every page pays, made cheaper (issue 15, point 5), gives what the slower code gave: a read's audit event,
the mandate banner's read, Jinja's imports and ``_`` in templates."""

from __future__ import annotations

from flask import g, render_template_string
from flask_babel import force_locale, get_locale, get_timezone, gettext, refresh
from jinja2 import DictLoader, Environment, Template
from markupsafe import Markup
from sqlalchemy import event, select

from portal.audit.models import AuditEvent
from portal.audit.services import record, record_read
from portal.auth.actor import CITIZEN, Actor
from portal.extensions import db
from portal.i18n import cached
from portal.mandates import services as mandates
from portal.web.templating import PortalTemplate
from tests import factories


def test_a_read_is_recorded_with_the_columns_and_in_the_order_of_an_event_added_before_it(app):
    actor = Actor(kind=CITIZEN, id="p-reader", name="Maria Nilsson")
    with app.test_request_context():
        g.actor, g.subject_id, g.request_id = actor, "p-reader", "request-1"
        record("update", "contact", "c1", "changed the phone number")  # pending when the read is recorded
        record_read("application", "a1", "reads the application", subject_id="p-subject")
    changed, read = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert (changed.action, read.action) == ("update", "read")
    assert (read.actor_type, read.actor_id, read.actor_role, read.actor_name, read.subject_id) == (
        "citizen",
        "p-reader",
        None,
        "Maria Nilsson",
        "p-subject",
    )
    assert (read.object_type, read.object_id, read.purpose, read.request_id) == (
        "application",
        "a1",
        "reads the application",
        "request-1",
    )
    assert read.at.tzinfo is not None and read.at >= changed.at
    assert changed.subject_id == "p-reader"  # the request's subject where none is given


def test_a_citizen_without_mandates_costs_the_banner_one_bare_read(app):
    person_id = factories.person("196108283166").id
    statements: list[str] = []

    def listen(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        assert mandates.banner(person_id) == ([], [], [])
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    assert len(statements) == 1 and "LIMIT" in statements[0].upper()


def test_an_import_gives_what_jinjas_own_gives(app):
    """Jinja's template and the portal's, importing a macro that reads a global only the importing template has:
    the same page each time; and on the portal's pages an import takes the cached module."""
    sources = {
        "macros.html": "{% macro who() %}{{ extra | default('none') }}{% endmacro %}",
        "page.html": '{% from "macros.html" import who %}{{ who() }}',
    }
    pages = []
    for template_class in (Template, PortalTemplate):
        env = Environment(loader=DictLoader(sources))
        env.template_class = template_class
        pages.append([env.get_template("page.html").render(), env.from_string(sources["page.html"]).render()])
        pages[-1].append(env.get_template("page.html", globals={"extra": "own"}).render())
    assert pages[0] == pages[1] == ["none", "none", "own"]
    assert app.jinja_env.template_class is PortalTemplate
    imported = app.jinja_env.get_template("components/notice.html")
    importing = app.jinja_env.get_template("base.html").new_context({})
    assert imported._get_default_module(importing) is imported._get_default_module()


def test_underscore_in_templates_is_jinjas_newstyle_gettext(app):
    with app.test_request_context(), force_locale("sv"):
        assert app.jinja_env.globals["_"] is app.jinja_env.globals["gettext"]
        assert render_template_string('{{ _("Error:") }}') == gettext("Error:") != "Error:"
        name = "<b>Maria</b>"
        escaped = Markup(gettext("Logged in as %(name)s")) % {"name": name}
        assert render_template_string('{{ _("Logged in as %(name)s", name=name) }}', name=name) == escaped
        assert "&lt;b&gt;" in escaped
        raw = '{% autoescape false %}{{ _("Logged in as %(name)s", name=name) }}{% endautoescape %}'
        assert render_template_string(raw, name=name) == gettext("Logged in as %(name)s") % {"name": name}
        assert render_template_string("{% trans %}Error:{% endtrans %}") == gettext("Error:")


def test_the_locale_and_zone_read_where_flask_babel_keeps_them_are_its_own(app):
    assert cached.locale_code() == str(get_locale())  # the app context the test holds, no request
    with app.test_request_context(headers={"Accept-Language": "en"}):
        refresh()  # the test's app context worked one out already: Flask-Babel works it out again
        assert cached.locale_code() == str(get_locale()) == "en"
        with force_locale("ar"):
            assert cached.locale_code() == str(get_locale()) == "ar"
        assert cached.locale_code() == str(get_locale()) == "en"
        assert cached._zone() == str(get_timezone())


def test_underscore_renders_what_jinjas_own_newstyle_gettext_renders(app):
    """The same sources through Jinja's own i18n callables (over the same translations) and through the portal's:
    escaping, "%%", variables and strings without any "%" alike."""
    sources = [
        '{{ _("Error:") }}',
        '{{ _("A & B <i>") }}',
        '{{ _("100%% sure") }}',
        '{{ _("Logged in as %(name)s", name=name) }}',
        '{% autoescape false %}{{ _("A & B") }}{{ _("100%% sure") }}{% endautoescape %}',
        "{% trans %}Error:{% endtrans %}",
        "{% trans n=2 %}{{ n }} of 100%{% endtrans %}",
    ]
    jinjas = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    jinjas.install_gettext_callables(  # pyright: ignore[reportAttributeAccessIssue]  (added by the extension)
        gettext=lambda s: cached.translations().ugettext(s),
        ngettext=lambda s, p, n: cached.translations().ungettext(s, p, n),
        newstyle=True,
    )
    with app.test_request_context(), force_locale("sv"):
        for source in sources:
            expected = jinjas.from_string(source).render(name="<b>Maria</b>")
            assert app.jinja_env.from_string(source).render(name="<b>Maria</b>") == expected, source
