from datetime import date

from portal.application.models import Application, HouseholdMember
from portal.consent import services


def household(*members):
    application = Application(applicant_id="p1", period=date(2026, 12, 1), status="draft")
    for position, (relation, born) in enumerate(members):
        application.members.append(
            HouseholdMember(
                position=position, relation=relation, given_name=f"M{position}", family_name="X", birth_date=born
            )
        )
    return application


def test_applicant_is_guardian_of_minor_children_only():
    application = household(
        ("applicant", date(1980, 1, 1)),
        ("child", date(2012, 5, 5)),
        ("child", date(2008, 12, 1)),
        ("child", date(2008, 12, 2)),
    )
    wards = services.wards(application, application.members[0])
    # 18 on the first day of the month applied for: an adult; a day younger: still a child.
    assert [m.position for m in wards] == [1, 3]


def test_adults_other_than_the_applicant_consent_themselves():
    application = household(
        ("applicant", date(1980, 1, 1)),
        ("spouse", date(1981, 1, 1)),
        ("child", date(2003, 4, 30)),
        ("child", date(2015, 1, 1)),
        ("parent", date(1950, 1, 1)),
    )
    assert [m.relation for m in services.self_consenting(application)] == ["spouse", "child", "parent"]


def test_a_co_applicant_is_guardian_of_no_one():
    application = household(("applicant", date(1980, 1, 1)), ("spouse", date(1981, 1, 1)), ("child", date(2015, 1, 1)))
    assert services.wards(application, application.members[1]) == []


def test_member_without_birth_date_is_not_treated_as_a_minor():
    application = household(("applicant", date(1980, 1, 1)), ("child", None))
    assert services.wards(application, application.members[0]) == []


def test_guardian_consent_covers_only_the_child_sets_and_only_while_a_minor():
    from portal.consent.models import Consent

    application = household(("applicant", date(1980, 1, 1)), ("child", date(2015, 1, 1)), ("child", date(2000, 1, 1)))
    child, grown = application.members[1], application.members[2]
    for unit in services.units():
        if not unit.child_sets:
            continue
        consent = Consent(provider=unit.provider.name, scope=unit.scope, as_guardian=True)
        assert [s.key for s in services.sets_for(consent, child, application.period)] == [
            s.key for s in unit.child_sets
        ]
        assert services.sets_for(consent, grown, application.period) == []
        own = Consent(provider=unit.provider.name, scope=unit.scope, as_guardian=False)
        assert len(services.sets_for(own, grown, application.period)) == len(unit.sets)
    assert any(u.child_sets for u in services.units())  # CSN, efterlevandepension, underhållsstöd
