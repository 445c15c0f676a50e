"""The template components in templates/components/: each piece of shared markup has one macro, and
the pages call it instead of copying the markup (issue 21)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from jinja2 import nodes
from markupsafe import Markup

from tests.support import soup

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
COMPONENTS = TEMPLATES / "components"

# Markup that belongs to one component: a template outside templates/components/ that contains it
# copies the component instead of calling it.
OWNED_MARKUP = {
    "summary_list.html": re.compile(r"summary__row|<dl class=\"summary"),
    # A POST form holding nothing but its CSRF token, hidden inputs and one button.
    "post_button.html": re.compile(
        r"<form method=\"post\"[^>]*>\s*"
        r"(?:<input type=\"hidden\" name=\"csrf_token\"[^>]*>|\{\{ [\w.]*csrf_token(?:\([^)]*\))? \}\})"
        r"(?:\s*<input type=\"hidden\"[^>]*>)*\s*<button[^>]*>.*?</button>\s*</form>",
        re.S,
    ),
    "notice.html": re.compile(r"class=\"notice[ \"]"),
    "tag.html": re.compile(r"class=\"tag[ \"]"),
    "table.html": re.compile(r"<table\b|<th scope=\"col\""),
}
# The PDF documents (their own environment and print stylesheet) and the test identity provider's pages
# (a development stand-in) are not portal pages.
NOT_PORTAL_PAGES = ("pdf", "idp")


def copies_of(pattern: re.Pattern[str], templates: Path = TEMPLATES) -> list[str]:
    skipped = [templates / "components", *(templates / name for name in NOT_PORTAL_PAGES)]
    return sorted(
        str(path.relative_to(templates))
        for path in templates.rglob("*.html")
        if not any(folder in path.parents for folder in skipped) and pattern.search(path.read_text(encoding="utf-8"))
    )


@pytest.mark.parametrize("component", sorted(OWNED_MARKUP))
def test_no_template_copies_a_components_markup(component):
    assert (COMPONENTS / component).is_file()
    assert copies_of(OWNED_MARKUP[component]) == []


COPIES = {
    "summary_list.html": (
        '<dl class="summary"><div class="summary__row"><dt>Sent</dt><dd>{{ sent }}</dd></div></dl>',
        "{% call summary_list() %}{{ summary_row(_('Sent'), sent) }}{% endcall %}",
    ),
    "post_button.html": (
        '<form method="post" action="{{ url_for(\'mandates.end\', mandate_id=m.id) }}">\n'
        '  <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">\n'
        '  <input type="hidden" name="next" value="{{ next_url }}">\n'
        '  <button type="submit" class="button">{{ _("End") }}</button>\n</form>',
        '<form method="post" novalidate>\n  {{ form.csrf_token }}\n  {{ textarea(form.reason) }}\n'
        '  <button type="submit" class="button">{{ _("Refuse") }}</button>\n</form>',
    ),
    "notice.html": (
        '{% if refusal %}<div class="notice notice--warning" role="alert"><p>{{ refusal }}</p></div>{% endif %}',
        '{% if refusal %}{{ notice(refusal, kind="warning", role="alert") }}{% endif %}<p class="notice-board">',
    ),
    "tag.html": (
        '<td><span class="tag tag--{{ item.status }}">{{ label }}</span></td>',
        '<td>{{ tag(label, kind=item.status) }}</td><span class="tagline">',
    ),
    "table.html": (
        '<table class="table">\n  <caption class="visually-hidden">{{ _("Payments") }}</caption>\n</table>',
        '{% call table(_("Payments")) %}<thead><tr>{{ column(_("Date")) }}</tr></thead>{% endcall %}<p>tables</p>',
    ),
}


@pytest.mark.parametrize("component", sorted(COPIES))
def test_the_copy_check_finds_a_copy_and_only_a_copy(tmp_path, component):
    copy, not_a_copy = COPIES[component]
    (tmp_path / "components").mkdir()
    (tmp_path / "components" / component).write_text(copy)
    (tmp_path / "area").mkdir()
    (tmp_path / "area" / "copy.html").write_text(copy)
    (tmp_path / "area" / "call.html").write_text(not_a_copy)
    assert copies_of(OWNED_MARKUP[component], tmp_path) == ["area/copy.html"]


def render(app, source: str, **context) -> str:
    with app.test_request_context("/"):
        return app.jinja_env.from_string(source).render(**context)


def test_summary_list_escapes_text_and_keeps_markup(app):
    html = render(
        app,
        '{% from "components/summary_list.html" import summary_list, summary_row %}'
        '{% call summary_list(id="facts") %}'
        "{{ summary_row(key, value) }}"
        '{{ summary_row("Why", why, value_class="message-text", value_dir="auto", value_id="why") }}'
        '{% call summary_row(name) %}<span class="tag">{{ value }}</span>{% endcall %}'
        "{% endcall %}",
        key="Name",
        value="<script>x</script>",
        why="Hyran\nhöjdes",
        name=Markup("<bdi>{}</bdi>").format("Amira"),
    )
    doc = soup(html)
    dl = doc.find("dl", id="facts")
    assert dl["class"] == ["summary"]
    rows = dl.find_all("div", class_="summary__row", recursive=False)
    assert [row.dt.get_text() for row in rows] == ["Name", "Why", "Amira"]
    assert rows[0].dd.get_text() == "<script>x</script>" and doc.find("script") is None
    assert rows[1].dd.attrs == {"id": "why", "class": ["message-text"], "dir": "auto"}
    assert rows[2].dt.bdi.get_text() == "Amira"
    assert rows[2].dd.find("span", class_="tag").get_text() == "<script>x</script>"


def test_every_template_compiles_and_imports_macros_that_exist(app):
    # A call block left open, a misspelt tag or an import of a macro that is not there fails here, before
    # a page renders it (Jinja resolves {% from %} only when the page renders).
    # templates/pdf/ belongs to the document renderer's own environment (portal/exchange/pdf.py).
    env = app.jinja_env
    for path in sorted(TEMPLATES.rglob("*.html")):
        if TEMPLATES / "pdf" in path.parents:
            continue
        name = str(path.relative_to(TEMPLATES))
        env.get_template(name)
        for imported in env.parse(path.read_text(encoding="utf-8")).find_all(nodes.FromImport):
            assert isinstance(imported.template, nodes.Const), name
            source = (TEMPLATES / imported.template.value).read_text(encoding="utf-8")
            macros = {macro.name for macro in env.parse(source).find_all(nodes.Macro)}
            wanted = {entry if isinstance(entry, str) else entry[0] for entry in imported.names}
            assert wanted <= macros, (name, imported.template.value, wanted - macros)


def test_post_button_posts_the_token_and_its_fields(app):
    html = render(
        app,
        '{% from "components/post_button.html" import post_button %}'
        '{{ post_button("/mandates/7/end", "Revoke", context=ref, variant="secondary", inline=true,'
        ' fields={"next": nxt}, attrs={"hx-post": "/mandates/7/end", "hx-target": "#main"}) }}'
        '{{ post_button("/logout", "Log out", variant="link") }}',
        ref="D-2026-<7>",
        nxt='/x?a=1&b="2"',
    )
    revoke, logout = soup(html).find_all("form")
    assert revoke.attrs == {
        "method": "post",
        "action": "/mandates/7/end",
        "class": ["inline-form"],
        "hx-post": "/mandates/7/end",
        "hx-target": "#main",
    }
    hidden = {field["name"]: field for field in revoke.find_all("input", type="hidden")}
    assert set(hidden) == {"csrf_token", "next"}
    assert hidden["csrf_token"]["value"] and "id" not in hidden["csrf_token"].attrs
    assert hidden["next"]["value"] == '/x?a=1&b="2"'
    (button,) = revoke.find_all("button")
    assert button["type"] == "submit" and button["class"] == ["button", "button--secondary"]
    assert button.get_text() == "Revoke – D-2026-<7>"
    assert button.find("span", class_="visually-hidden").get_text() == " – D-2026-<7>"
    assert logout.attrs == {"method": "post", "action": "/logout"}
    assert logout.button["class"] == ["button", "button--link"] and logout.button.get_text() == "Log out"


def test_notice_and_tag_carry_their_kind_role_and_text(app):
    html = render(
        app,
        '{% from "components/notice.html" import notice %}{% from "components/tag.html" import tag %}'
        '{{ notice(refusal, kind="warning", role="alert") }}'
        '{% call notice(role="region", labelledby="t", id="n") %}'
        '<h2 id="t">Title</h2>{{ tag(state, kind="late") }}{% endcall %}'
        '{{ notice("One sentence.", element="p") }}'
        '{% call tag(kind="received", id="v") %}Verified<span class="visually-hidden">: sealed</span>{% endcall %}',
        refusal="<b>No</b>",
        state="Sent <late>",
    )
    doc = soup(html)
    alert, region = doc.find_all("div")
    assert alert.attrs == {"class": ["notice", "notice--warning"], "role": "alert"}
    assert alert.p.get_text() == "<b>No</b>" and doc.find("b") is None
    assert region.attrs == {"class": ["notice"], "role": "region", "aria-labelledby": "t", "id": "n"}
    assert region.find("span", class_="tag").attrs == {"class": ["tag", "tag--late"]}
    assert region.find("span", class_="tag").get_text() == "Sent <late>"
    paragraph = doc.find("p", class_="notice")
    assert paragraph.get_text() == "One sentence." and paragraph.find("p") is None
    verified = doc.find("span", id="v")
    assert verified["class"] == ["tag", "tag--received"]
    assert verified.find("span", class_="visually-hidden").get_text() == ": sealed"


def test_table_is_named_and_its_columns_are_headers(app):
    html = render(
        app,
        '{% from "components/table.html" import table, column %}'
        '{% call table(caption, class="table--compact") %}<thead><tr>'
        '{{ column("Cost") }}{{ column("Amount", numeric=true) }}{{ column("Actions", hidden=true) }}'
        '{{ column("Sum", numeric=true, class="working__amount") }}</tr></thead>{% endcall %}'
        '{% call table(id="lines", labelledby="lines-title") %}<tbody></tbody>{% endcall %}'
        '{% call table("Reads", caption_shown=true) %}{% endcall %}',
        caption="Costs <&>",
    )
    costs, lines, reads = soup(html).find_all("table")
    assert costs["class"] == ["table", "table--compact"]
    assert costs.caption.get_text() == "Costs <&>" and costs.caption["class"] == ["visually-hidden"]
    heads = costs.find_all("th")
    assert [th.attrs for th in heads] == [
        {"scope": "col"},
        {"scope": "col", "class": ["numeric"]},
        {"scope": "col"},
        {"scope": "col", "class": ["numeric", "working__amount"]},
    ]
    assert heads[2].find("span", class_="visually-hidden").get_text() == "Actions"
    assert lines.attrs == {"class": ["table"], "id": "lines", "aria-labelledby": "lines-title"}
    assert lines.caption is None
    assert reads.caption.get_text() == "Reads" and "class" not in reads.caption.attrs
