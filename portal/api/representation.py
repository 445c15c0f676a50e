"""How the case looks to a municipality system: the JSON of timeline events, requests, messages,
decisions, payments and document versions. Names are camelCase like the exchange document;
times are UTC (``...Z``); amounts are whole kronor, as the case operations keep them."""

from __future__ import annotations

from datetime import UTC, date, datetime

from portal.application.models import Application, ApplicationEvent

# Timeline kinds (portal/case/services.py) as API event types. Kinds from before sending (the
# draft's life) are the applicant's own business and are not listed.
EVENT_TYPES = {
    "submitted": "submitted",
    "received": "received",
    "under_handling": "underHandling",
    "assigned": "assigned",
    "forwarded": "forwarded",
    "supplement_requested": "supplementRequested",
    "supplement_answered": "supplementAnswered",
    "interim_reply": "interimReply",
    "decision": "decision",
    "payment": "payment",
    "closed": "closed",
    "not_handled": "notHandled",
    "withdrawn": "withdrawn",
    "message": "message",
    "served": "served",  # delgivning (portal/delgivning): data.channel digital|paper, data.servedOn
    # The appeal (portal/appeal): data.appealId, .decisionId, .deadline, .late, .documentVersion; then
    # data.outcome kept|changed; then data.forwardedOn.
    "appealed": "appealed",
    "appeal_reconsidered": "appealReconsidered",
    "appeal_forwarded": "appealForwarded",
}
OUTCOMES = {"granted": "granted", "partly_granted": "partlyGranted", "refused": "refused", "dismissed": "dismissed"}
OUTCOME_OF_API = {value: key for key, value in OUTCOMES.items()}
# Where the API keeps an event's idempotency key in the event's data (never shown to the applicant).
KEY_FIELD = "_api_idempotency"


def utc(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def event(entry: ApplicationEvent) -> dict:
    data = {}
    for key, value in (entry.data or {}).items():
        if key.startswith("_"):
            continue
        if key == "outcome":
            value = OUTCOMES.get(value, value)
        data[_camel(key)] = value
    stamp = (entry.data or {}).get(KEY_FIELD) or {}
    return {
        "id": entry.id,
        "type": EVENT_TYPES[entry.kind],
        "at": utc(entry.at),
        "source": entry.source or "system",
        "data": data,
        "idempotencyKey": stamp.get("key"),
    }


def case(application: Application, unread: int, open_requests: int) -> dict:
    return {
        "id": application.id,
        "reference": application.reference,
        "status": application.status,
        "caseNumber": application.case_number,
        "municipalityCode": application.municipality_code,
        "inboxId": application.inbox_id,
        "assignedTo": application.assigned_to,
        "assignedName": application.assigned_name,
        "protected": application.protected,
        "submittedAt": utc(application.submitted_at),
        "receivedAt": utc(application.received_at),
        "decidedAt": utc(application.decided_at),
        "closedAt": utc(application.closed_at),
        "unreadMessages": unread,
        "openRequests": open_requests,
    }


def attachment(file) -> dict:
    return {
        "id": file.id,
        "name": file.original_name,
        "mediaType": file.media_type,
        "size": file.size,
        "sha256": file.sha256,
    }


def request(item, files: list) -> dict:
    answer = None
    if item.answered_at is not None:
        answer = {
            "text": item.answer or "",
            "answeredAt": utc(item.answered_at),
            "seenAt": utc(item.answer_seen_at),
            "documentId": item.document_id,
            "attachments": [attachment(f) for f in files],
        }
    return {
        "id": item.id,
        "what": item.what,
        "why": item.why,
        "dueDate": day(item.due_date),
        "itemId": item.item_id,
        "requestedBy": item.requested_by,
        "requestedAt": utc(item.requested_at),
        "open": item.is_open,
        "answer": answer,
    }


def message(item, files: list) -> dict:
    return {
        "id": item.id,
        "sender": item.sender,
        "authorName": item.author_name,
        "body": item.body,
        "replyRequested": item.reply_requested,
        "inReplyTo": item.in_reply_to,
        "documentRequirement": item.document_requirement,
        "sentAt": utc(item.sent_at),
        "readAt": utc(item.read_at),
        "attachments": [attachment(f) for f in files],
    }


def decision(item) -> dict:
    return {
        "id": item.id,
        "outcome": OUTCOMES[item.outcome],
        "amount": item.amount,
        "periodStart": day(item.period_start),
        "periodEnd": day(item.period_end),
        "reasoning": item.reasoning,
        "decidedBy": item.decided_by,
        "decidedAt": utc(item.decided_at),
        "documentSha256": item.document_sha256,
        "documentSize": len(item.document),
        "servedOn": day(item.served_on),
        "servedChannel": item.served_channel,
        "calculationLines": item.calculation_lines,
    }


def payment(item) -> dict:
    return {
        "id": item.id,
        "externalRef": item.external_ref,
        "amount": item.amount,
        "dueDate": day(item.due_date),
        "state": item.state,
        "updatedAt": utc(item.updated_at),
    }


def document(item) -> dict:
    # A later version names its kind in its schema version: supplement-1.0.0, appeal-1.0.0 (portal/appeal).
    kind = item.schema_version.rsplit("-", 1)[0] if item.refers_to else "application"
    return {
        "id": item.id,
        "version": item.version,
        "documentType": kind,
        "refersTo": item.refers_to,
        "schemaVersion": item.schema_version,
        "sha256": item.sha256,
        "createdAt": utc(item.created_at),
    }
