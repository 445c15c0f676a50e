"""The task list and the check-answers page."""

from portal.consent import services as consents
from tests import factories
from tests.support import csrf_from, page_checks, soup
from tests.test_journey import start_application

SINGLE_ADULT = "199006022397"


def test_task_list_shows_every_step_with_its_state(login, client):
    login(SINGLE_ADULT)
    path = start_application(client)
    doc = page_checks(client.get(path))
    items = doc.find("ol", class_="task-list").find_all("li")
    names = [li.find(class_="task-list__name").get_text(strip=True) for li in items]
    assert names[0].startswith("Ditt hushåll") and names[-1] == "Kontrollera dina svar och skicka"
    assert len(items) == 11
    states = {
        li.find(class_="task-list__name").get("id"): li.find(class_="tag").get_text(strip=True)
        for li in items
        if li.find(class_="tag")
    }
    assert states["task-household"] == "Klar" and states["task-consent"] == "Inte påbörjad"
    assert states["task-situation"] == "Inte påbörjad"


def test_check_answers_lists_everything_with_change_links(login, client):
    login(SINGLE_ADULT)
    path = start_application(client)
    form = client.get(f"{path}/costs/new")
    months = [i["value"] for i in soup(form).find_all("input", attrs={"name": "month"})]
    response = client.post(
        f"{path}/costs/new",
        data={
            "csrf_token": csrf_from(form),
            "category": "rent",
            "amount": "6 250",
            "month": months[-1],
            "description": "",
        },
    )
    assert response.status_code == 302, soup(response).find(class_="error-summary")
    check = page_checks(client.get(f"{path}/check"))
    sections = {s.find("h2").get_text(strip=True): s for s in check.find_all("section", class_="check-section")}
    assert "6\xa0250,00\xa0kr" in sections["Dina kostnader"].get_text()
    for title, section in sections.items():
        if title != "Ditt hushåll och din kommun":
            assert section.find("a"), f"no change link in {title}"
    assert check.find("form", action=f"{path}/submit")


def test_check_page_lists_the_consents_as_they_are_now(app, login, client):
    """The list of consents is kept rendered (portal/application/render.py): a consent taken back or given
    shows at once, and another language lists them in that language."""
    login(SINGLE_ADULT)
    application = factories.with_consents(factories.draft(SINGLE_ADULT), ["csn.basic", "skatteverket.basic"])
    path = f"/applications/{application.id}/check"

    def listed(language="sv"):
        client.get(f"/language?lang={language}&next=/")
        page = page_checks(client.get(path), lang=language)
        section = page.find("section", attrs={"aria-labelledby": "check-consent"})
        return sorted(li.get_text(" ", strip=True).split(" – ")[0] for li in section.find_all("li"))

    assert listed() == ["CSN", "Skatteverket"]
    given = consents.active(application)
    consents.revoke(next(c for c in given if c.provider == "skatteverket" and c.scope == "basic"))
    assert listed() == ["CSN"]
    factories.with_consents(application, ["csn.basic", "arbetsformedlingen.extended"])
    assert listed() == ["Arbetsförmedlingen (fler uppgifter)", "CSN"]
    assert listed("en") == ["Arbetsförmedlingen (more information)", "CSN"]
