"""The template components in templates/components/: each piece of shared markup has one macro, and
the pages call it instead of copying the markup (issue 21)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markupsafe import Markup

from tests.support import soup

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
COMPONENTS = TEMPLATES / "components"

# Markup that belongs to one component: a template outside templates/components/ that contains it
# copies the component instead of calling it.
OWNED_MARKUP = {
    "summary_list.html": re.compile(r"summary__row|<dl class=\"summary"),
}


def copies_of(pattern: re.Pattern[str], templates: Path = TEMPLATES) -> list[str]:
    return sorted(
        str(path.relative_to(templates))
        for path in templates.rglob("*.html")
        if COMPONENTS not in path.parents and pattern.search(path.read_text(encoding="utf-8"))
    )


@pytest.mark.parametrize("component", sorted(OWNED_MARKUP))
def test_no_template_copies_a_components_markup(component):
    assert (COMPONENTS / component).is_file()
    assert copies_of(OWNED_MARKUP[component]) == []


def test_the_copy_check_finds_a_copy(tmp_path):
    (tmp_path / "components").mkdir()
    (tmp_path / "area").mkdir()
    (tmp_path / "area" / "page.html").write_text('<dl class="summary"><div class="summary__row"></div></dl>')
    (tmp_path / "area" / "other.html").write_text("{{ summary_row(_('Sent'), sent) }}")
    found = sorted(
        str(path.relative_to(tmp_path))
        for path in tmp_path.rglob("*.html")
        if OWNED_MARKUP["summary_list.html"].search(path.read_text())
    )
    assert found == ["area/page.html"]


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


def test_every_template_compiles(app):
    # A call block left open or a misspelt tag fails here, before any page renders it.
    # templates/pdf/ belongs to the document renderer's own environment (portal/exchange/pdf.py).
    for path in sorted(TEMPLATES.rglob("*.html")):
        if TEMPLATES / "pdf" in path.parents:
            continue
        app.jinja_env.get_template(str(path.relative_to(TEMPLATES)))
