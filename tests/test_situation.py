"""The applicant's situation (issue 16): skip logic, what the answers state, prefill."""

from __future__ import annotations

from portal.situation import services
from portal.situation.questions import BY_KEY
from tests import factories

FAMILY = "196108283166"  # couple-with-children, Göteborg: married, two children


def _answer(application, page_key, household=None, **by_member):
    page = BY_KEY[page_key]
    given = {None: household} if household is not None else {int(k): v for k, v in by_member.items()}
    return services.save_page(application, page, given)


def test_rent_page_is_shown_only_to_someone_who_rents(app):
    application = factories.draft(FAMILY)
    assert "rent" not in [p.key for p in services.visible_pages(application, services.current(application))]
    _answer(application, "housing", {"housing": "parents"})
    assert "rent" not in [p.key for p in services.visible_pages(application, services.current(application))]
    _answer(application, "housing", {"housing": "own_contract"})
    assert "rent" in [p.key for p in services.visible_pages(application, services.current(application))]


def test_stated_costs_come_from_the_answers_that_count(app):
    application = factories.draft(FAMILY)
    child = services.children(application)[0]
    _answer(application, "housing", {"housing": "own_contract"})
    _answer(
        application,
        "rent",
        {
            "rent": 812_000,
            "rent_paid_to": "landlord",
            "rent_arrears": "no",
            "rent_arrears_amount": 50_000,
            "eviction_notice": "no",
        },
    )
    _answer(
        application,
        "children",
        **{str(child.id): {"lives": "part", "alternating": "yes", "maintenance": "none", "childcare": 120_000}},
    )
    _answer(
        application,
        "needs",
        {"needs": ["dental", "glasses"], "dental_amount": 350_000, "glasses_amount": 150_000, "moving_amount": 900_000},
    )
    costs = services.stated_costs(application)
    assert [(c.kind, c.amount_ore, c.member_id) for c in costs] == [
        ("rent", 812_000, None),
        ("childcare", 120_000, child.id),
        ("dental", 350_000, None),
        ("glasses", 150_000, None),
    ]
    # Moving to the parents' home: the rent page is skipped, and its rent no longer counts.
    _answer(application, "housing", {"housing": "parents"})
    assert [c.kind for c in services.stated_costs(application)] == ["childcare", "dental", "glasses"]


def test_a_follow_up_is_kept_only_when_its_condition_holds(app):
    application = factories.draft(FAMILY)
    _answer(application, "debts", {"debts": "no", "debts_amount": 10_000, "kronofogden": "yes"})
    assert "debts_amount" not in services.effective(application)
    assert services.effective(application)["debts"] == "no"
