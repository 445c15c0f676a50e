"""The situation as the exchange document carries it (``situation`` and ``expectedDocuments``, schema
1.2.0), and the rows shown from it: the applicant's check page (from the live answers), the caseworker's
view and the application PDF (from the frozen document). One shape for all three, so the caseworker sees
exactly what was sealed, in the reader's own language."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from portal.i18n.lazy import _l
from portal.i18n.services import money
from portal.situation import documents, services
from portal.situation.forms import language_name
from portal.situation.questions import BY_KEY, PAGES

SOURCE = "applicant"

TO_EXPLAIN = {
    "working_no_income": _l("Says they are working, but no income from an employer was fetched."),
    "renting_no_rent": _l("Says they rent their home, but no rent is stated."),
}
DOCUMENT_STATE = {
    "met": _l("Attached"),
    "later": _l("Will be sent later"),
    "unavailable": _l("Not available"),
    "missing": _l("Missing"),
}


def _utc(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else None


def situation_block(application, items: list | None = None) -> dict | None:
    """The ``situation`` property: every answer that counts, marked with the applicant as its source;
    None when the applicant answered nothing."""
    view = services.current(application)
    if view.stored is None:
        return None
    answers = services.effective(application, view)
    rows = []
    for page in PAGES:
        for question in page.questions:
            if question.key in answers:
                rows.append(
                    {
                        "topic": page.key,
                        "question": question.key,
                        "memberId": None,
                        "value": answers[question.key],
                        "source": SOURCE,
                    }
                )
        for member_id, given in sorted((answers.get("members") or {}).items(), key=lambda kv: int(kv[0])):
            for question in page.questions:
                if page.per and question.key in given:
                    rows.append(
                        {
                            "topic": page.key,
                            "question": question.key,
                            "memberId": int(member_id),
                            "value": given[question.key],
                            "source": SOURCE,
                        }
                    )
    block = {
        "source": SOURCE,
        "answeredAt": _utc(view.stored.updated_at),
        "answers": rows,
        "interpreter": {
            "needed": answers.get("interpreter") == "yes",
            # A BCP 47 tag for the municipality's interpreter booking ("fa_AF" -> "fa-AF").
            "language": (answers.get("interpreter_language") or "").replace("_", "-") or None,
        },
        "toExplain": [
            {"code": t.code, "memberId": t.member_id, "text": str(TO_EXPLAIN[t.code])}
            for t in services.to_explain(application, items)
        ],
    }
    if answers.get("clearing"):
        block["payoutAccount"] = {
            "bank": answers.get("bank"),
            "clearing": answers["clearing"],
            "account": answers.get("account"),
            "holder": answers.get("holder"),
            "source": SOURCE,
        }
    return block


def documents_block(application, items: list | None = None, calls: list | None = None) -> list[dict]:
    """The ``expectedDocuments`` property: each document the answers call for, why, and what the
    applicant did about it. ``items``, ``calls``: the fetched items and fetch calls, if already read."""
    result = []
    for status in documents.statuses(application, items=items, calls=calls):
        r = status.requirement
        result.append(
            {
                "requirement": r.key,
                "kind": r.kind,
                "memberId": r.member_id,
                "title": str(r.title),
                "reason": str(r.reason),
                "status": status.state,
                "attachmentId": status.response.attachment_id if status.response is not None and status.met else None,
                "reasonGiven": status.response.reason if status.response is not None else None,
                "source": SOURCE,
            }
        )
    return result


# -- Shown ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    member: str | None  # whose answer, by name (None: the household's)
    question: str
    answer: str
    unconfirmed: bool = False


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    rows: list[Row]


def display(topic: str, key: str, value, names: dict[int, str]) -> str:
    question = next((q for q in BY_KEY[topic].questions if q.key == key), None) if topic in BY_KEY else None
    if question is None:
        return str(value)
    choices = {k: str(v) for k, v in question.choices}
    if question.kind in ("choice", "yesno"):
        return choices.get(value, str(value))
    if question.kind == "multi":
        return ", ".join(choices.get(v, str(v)) for v in value)
    if question.kind == "members":
        return ", ".join(names.get(int(v), str(v)) for v in value)
    if question.kind == "amount":
        return money(int(value))
    if question.kind == "language":
        return language_name(value)
    if question.kind == "confirm":
        return _("Yes")
    return str(value)


def sections(block: dict | None, names: dict[int, str], unconfirmed: AbstractSet[str] = frozenset()) -> list[Section]:
    """The answers by topic, in the order of the pages, for the reader's language."""
    if not block:
        return []
    result = []
    for page in PAGES:
        rows = []
        for answer in block.get("answers", []):
            if answer["topic"] != page.key or answer["question"] in ("bank", "holder"):
                continue
            question = next((q for q in page.questions if q.key == answer["question"]), None)
            if question is None:
                continue
            member = answer.get("memberId")
            uid = answer["question"] if member is None else f"{member}:{answer['question']}"
            rows.append(
                Row(
                    names.get(member) if member is not None else None,
                    str(question.label),
                    display(page.key, answer["question"], answer["value"], names),
                    uid in unconfirmed,
                )
            )
        if page.key == "payout" and block.get("payoutAccount"):
            account = block["payoutAccount"]
            number = f"{account['clearing']}-{account.get('account') or ''}"
            rows = [
                Row(None, _("Payout account"), f"{account.get('bank') or ''} {number}".strip()),
                Row(
                    None,
                    _("Account holder"),
                    _("Checked against the accounts fetched from the bank")
                    if account.get("holder") == "fetched"
                    else _("Confirmed by the applicant"),
                ),
            ]
        if rows:
            result.append(Section(page.key, str(page.title), rows))
    return result


def explain_texts(block: dict | None, names: dict[int, str]) -> list[str]:
    out = []
    for item in (block or {}).get("toExplain", []):
        text = str(TO_EXPLAIN.get(item["code"], item.get("text", "")))
        member = item.get("memberId")
        out.append(f"{names[member]}: {text}" if member in names else text)
    return out


@dataclass(frozen=True)
class DocumentRow:
    title: str
    member: str | None
    reason: str
    state: str
    state_label: str
    reason_given: str | None
    sent_at: datetime | None = None  # sent after the application, with a message (said to come later)


def document_rows(
    entries: list[dict], names: dict[int, str], sent: dict[str, datetime] | None = None
) -> list[DocumentRow]:
    """``sent``: requirement key -> when a message carrying the document was sent, where one was."""
    sent = sent or {}
    rows = []
    for entry in entries or []:
        kind = entry.get("kind")
        member_id = entry.get("memberId")
        title, reason = documents.texts(kind, entry.get("requirement")) or (entry.get("title"), entry.get("reason"))
        rows.append(
            DocumentRow(
                str(title),
                names.get(member_id) if member_id is not None else None,
                str(reason),
                entry["status"],
                str(DOCUMENT_STATE.get(entry["status"], entry["status"])),
                entry.get("reasonGiven"),
                sent.get(entry.get("requirement") or ""),
            )
        )
    return rows


def document_names(doc: dict) -> dict[int, str]:
    """memberId -> the member's name in a frozen document (the relation only, when protected)."""
    names: dict[int, str] = {}
    applicant = doc.get("applicant") or {}
    if applicant.get("memberId") is not None:  # the schema requires it: always there in a frozen document
        names[applicant["memberId"]] = f"{applicant.get('givenName', '')} {applicant.get('familyName', '')}".strip()
    for member in (doc.get("household") or {}).get("members", []):
        if member.get("memberId") is None:  # required as well
            continue
        if doc.get("protected") or "givenName" not in member:
            names[member["memberId"]] = member.get("relationLabel") or member.get("relation") or ""
        else:
            names[member["memberId"]] = f"{member.get('givenName', '')} {member.get('familyName', '')}".strip()
    return names


def for_document(doc: dict | None, sent: dict[str, datetime] | None = None) -> dict | None:
    """What the caseworker's view and the application PDF show of the situation, from the frozen
    document alone (in the reader's language: call under ``force_locale`` for another). None when the
    document has no situation (a document before 1.2.0, or nothing answered). ``sent``: the documents sent
    since with a message (``document_rows``)."""
    if not doc or (not doc.get("situation") and not doc.get("expectedDocuments")):
        return None
    names = document_names(doc)
    block = doc.get("situation") or {}
    interpreter = block.get("interpreter") or {}
    language = (interpreter.get("language") or "").replace("-", "_")
    return {
        "sections": sections(block, names),
        "explain": explain_texts(block, names),
        "documents": document_rows(doc.get("expectedDocuments") or [], names, sent),
        "interpreter": language_name(language) if interpreter.get("needed") else None,
        "interpreter_code": interpreter.get("language") if interpreter.get("needed") else None,
    }
