"""What changed since last month: the comparison on its own (portal/application/nextmonth.compare)."""

from __future__ import annotations

from datetime import date

from portal.application.nextmonth import Fact, compare, document_member_keys, facts_from_document, stable_details

ME = ("applicant", 0)
CHILD1 = ("child", 0)
CHILD2 = ("child", 1)
NOV, DEC, JAN = date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1)


def payment(kind, month, amount, member=ME, provider="forsakringskassan", info_set="bostadsbidrag", **details):
    end = date(month.year + month.month // 12, month.month % 12 + 1, 1).replace(day=1)
    end = date.fromordinal(end.toordinal() - 1)
    return Fact(
        provider, info_set, f"{provider}.{info_set}.{kind}", member, month, end, amount, tuple(sorted(details.items()))
    )


def status_item(kind, start, end, member=ME, **details):
    return Fact(
        "arbetsformedlingen",
        "program",
        f"arbetsformedlingen.program.{kind}",
        member,
        start,
        end,
        None,
        tuple(sorted(details.items())),
    )


def by_status(changes):
    result = {}
    for change in changes:
        result.setdefault(change.status, []).append((change.kind.rsplit(".", 1)[1], change.member))
    return result


def test_new_ended_changed_and_unchanged():
    before = [
        payment("bostadsbidrag", NOV, 150000),
        payment("bostadsbidrag", DEC, 150000),
        payment("barnbidrag", DEC, 125000, info_set="barnbidrag"),
        payment("sjukpenning", DEC, 800000, info_set="sjukpenning"),
    ]
    after = [
        payment("bostadsbidrag", DEC, 150000),
        payment("bostadsbidrag", JAN, 175000),
        payment("barnbidrag", JAN, 125000, info_set="barnbidrag"),
        payment("aktivitetsstod", JAN, 600000, info_set="aktivitetsstod"),
    ]
    changes = compare(before, after, before_month=DEC, after_month=JAN)
    assert by_status(changes) == {
        "new": [("aktivitetsstod", ME)],
        "changed": [("bostadsbidrag", ME)],
        "ended": [("sjukpenning", ME)],
        "unchanged": [("barnbidrag", ME)],
    }
    changed = next(c for c in changes if c.status == "changed")
    assert (changed.old_amount, changed.new_amount, changed.amount_changed) == (150000, 175000, True)
    ended = next(c for c in changes if c.status == "ended")
    assert (ended.old_amount, ended.new_amount) == (800000, None)
    new = next(c for c in changes if c.status == "new")
    assert (new.old_amount, new.new_amount) == (None, 600000)


def test_the_same_payment_not_yet_paid_this_month_is_unchanged():
    """Last month's latest payment is the latest now too: nothing has changed."""
    before = [payment("bostadsbidrag", DEC, 150000)]
    after = [payment("bostadsbidrag", NOV, 150000), payment("bostadsbidrag", DEC, 150000)]
    assert by_status(compare(before, after, before_month=DEC, after_month=JAN)) == {
        "unchanged": [("bostadsbidrag", ME)]
    }


def test_members_are_matched_by_relation_and_order():
    before = [
        payment("underhallsstod", DEC, 157300, member=CHILD1, info_set="underhallsstod"),
        payment("underhallsstod", DEC, 157300, member=CHILD2, info_set="underhallsstod"),
    ]
    after = [
        payment("underhallsstod", JAN, 157300, member=CHILD1, info_set="underhallsstod"),
        payment("underhallsstod", JAN, 180000, member=CHILD2, info_set="underhallsstod"),
    ]
    assert by_status(compare(before, after)) == {
        "changed": [("underhallsstod", CHILD2)],
        "unchanged": [("underhallsstod", CHILD1)],
    }


def test_several_items_of_one_kind_in_the_same_period_are_summed():
    balance = [
        Fact("bank", "konton", "bank.konton.balance", ME, DEC, DEC, 10000, (("account", "…1234"),)),
        Fact("bank", "konton", "bank.konton.balance", ME, DEC, DEC, 5000, (("account", "…9876"),)),
    ]
    moved = [
        Fact("bank", "konton", "bank.konton.balance", ME, JAN, JAN, 15000, (("account", "…1234"),)),
        Fact("bank", "konton", "bank.konton.balance", ME, JAN, JAN, 0, (("account", "…9876"),)),
    ]
    change = compare(balance, moved)[0]
    assert change.status == "unchanged" and change.old_amount == change.new_amount == 15000
    grown = [Fact("bank", "konton", "bank.konton.balance", ME, JAN, JAN, 90000, (("account", "…1234"),))]
    change = compare(balance, grown)[0]
    assert change.status == "changed" and change.details_changed  # one account fewer
    assert (change.old_amount, change.new_amount) == (15000, 90000)


def test_a_status_change_without_amounts_is_a_change_and_payment_days_are_not():
    before = [status_item("registration", date(2026, 3, 1), None, category="job_seeker", paid_on="2026-12-20")]
    same = [status_item("registration", date(2026, 3, 1), None, category="job_seeker", paid_on="2027-01-20")]
    other = [status_item("registration", date(2026, 3, 1), None, category="programme")]
    assert compare(before, same)[0].status == "unchanged"
    change = compare(before, other)[0]
    assert change.status == "changed" and change.details_changed and change.old_amount is None


def test_a_period_that_ends_before_the_month_applied_for_has_ended():
    before = [status_item("programme", date(2026, 9, 1), date(2026, 12, 31))]
    after = [status_item("programme", date(2026, 9, 1), date(2026, 12, 31))]
    assert by_status(compare(before, after, before_month=DEC, after_month=JAN)) == {"ended": [("programme", ME)]}
    longer = [status_item("programme", date(2026, 9, 1), date(2027, 3, 31))]
    assert by_status(compare(before, longer, before_month=DEC, after_month=JAN)) == {"unchanged": [("programme", ME)]}


def test_sets_fetched_only_one_of_the_times_are_left_out():
    before = [payment("bostadsbidrag", DEC, 150000)]
    after = [payment("bostadsbidrag", JAN, 150000), Fact("bank", "konton", "bank.konton.balance", ME, JAN, JAN, 1)]
    changes = compare(before, after, comparable=lambda provider, info_set, member: provider != "bank")
    assert by_status(changes) == {"unchanged": [("bostadsbidrag", ME)]}


def test_nothing_on_either_side_is_nothing():
    assert compare([], []) == []


def test_stable_details_leave_out_dates_and_counts():
    assert stable_details({"status": "granted", "paid_on": "2026-12-25", "days_used": 40, "full": True}) == (
        ("full", True),
        ("status", "granted"),
    )


def test_facts_from_a_frozen_document():
    doc = {
        "applicant": {"memberId": 7},
        "household": {"members": [{"memberId": 8, "relation": "child"}, {"memberId": 9, "relation": "child"}]},
        "fetched": [
            {
                "kind": "csn.studiemedel.grant",
                "memberId": 9,
                "amountOre": 350000,
                "period": {"start": "2026-12-01", "end": "2026-12-31"},
                "source": {"provider": "csn", "set": "studiemedel"},
                "details": {"term": "HT26"},
            }
        ],
    }
    assert document_member_keys(doc) == {7: ME, 8: CHILD1, 9: CHILD2}
    assert facts_from_document(doc) == [
        Fact(
            "csn", "studiemedel", "csn.studiemedel.grant", CHILD2, DEC, date(2026, 12, 31), 350000, (("term", "HT26"),)
        )
    ]
