"""The rules behind the rights pages: who has read a person's data (from the audit log), and the
accessibility feedback that reaches the operator."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from sqlalchemy import and_, not_, or_, select

from portal import clock
from portal.audit.models import AuditEvent
from portal.case import notify
from portal.extensions import db
from portal.rights.models import AccessibilityFeedback
from portal.routing.services import UnknownMunicipality, municipality

log = logging.getLogger(__name__)


# --- who has read my data ------------------------------------------------------------------------


def _by_someone_else(subject_id: str):
    """Reads of the subject's data by anyone but the subject acting for themselves: staff, API clients,
    proxies (a citizen under a mandate, or anyone else logged in as a citizen) and the system."""
    own = and_(AuditEvent.actor_type == "citizen", AuditEvent.actor_id == subject_id, AuditEvent.mandate_id.is_(None))
    return and_(
        AuditEvent.subject_id == subject_id, AuditEvent.action == "read", or_(not_(own), AuditEvent.actor_id.is_(None))
    )


def _month_bounds(month: date) -> tuple[datetime, datetime]:
    """A calendar month in Swedish time, as UTC instants (the log stores UTC)."""
    start = datetime.combine(month.replace(day=1), time(), tzinfo=clock.SWEDEN)
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    end = datetime.combine(following, time(), tzinfo=clock.SWEDEN)
    return start, end


def parse_month(value: str) -> date | None:
    """ "2026-11" -> 1 November 2026; ValueError for anything else."""
    year, month = value.split("-")
    if len(year) != 4 or len(month) != 2:
        raise ValueError(value)
    return date(int(year), int(month), 1)


def months_with_reads(subject_id: str) -> list[date]:
    """The months (Swedish time, newest first) in which someone else read the subject's data."""
    months = {
        _aware(at).astimezone(clock.SWEDEN).date().replace(day=1)
        for at in db.session.scalars(select(AuditEvent.at).where(_by_someone_else(subject_id)))
    }
    return sorted(months, reverse=True)


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Read:
    at: datetime
    actor_type: str
    actor_role: str | None
    name: str | None
    unit: str | None
    municipality: str | None
    on_mandate: bool
    object_type: str
    purpose: str


def reads(subject_id: str, month: date | None = None, limit: int = 1000) -> list[Read]:
    """Every read of the subject's data by someone else, newest first (in ``month`` when given)."""
    query = select(AuditEvent).where(_by_someone_else(subject_id))
    if month is not None:
        start, end = _month_bounds(month)
        query = query.where(AuditEvent.at >= start, AuditEvent.at < end)
    names: dict[str, str] = {}
    rows = []
    for event in db.session.scalars(query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)):
        place = None
        if event.actor_municipality:
            if event.actor_municipality not in names:
                try:
                    names[event.actor_municipality] = municipality(event.actor_municipality).name
                except UnknownMunicipality:
                    names[event.actor_municipality] = event.actor_municipality
            place = names[event.actor_municipality]
        rows.append(
            Read(
                at=event.at,
                actor_type=event.actor_type,
                actor_role=event.actor_role,
                name=event.actor_name,
                unit=event.actor_unit,
                municipality=place,
                on_mandate=event.mandate_id is not None,
                object_type=event.object_type,
                purpose=event.purpose,
            )
        )
    return rows


# --- accessibility feedback ------------------------------------------------------------------------


def receive_feedback(
    problem: str, page: str | None, contact: str | None, language: str, operator_email: str | None, config=None
) -> AccessibilityFeedback:
    """Store the report, then e-mail it to the operator through the portal's mail path. Stored first, so a
    mail server that is down loses nothing: ``emailed`` stays false and the operator still has it."""
    feedback = AccessibilityFeedback(
        problem=problem.strip(),
        page=(page or "").strip() or None,
        contact=(contact or "").strip() or None,
        language=language,
    )
    db.session.add(feedback)
    db.session.commit()
    if operator_email and config is not None:
        try:
            _mail(feedback, operator_email, config)
        except Exception as exc:  # the mail path's own errors (NotSent, OSError, SMTPException)
            log.warning("accessibility feedback %s not e-mailed: %s", feedback.id, type(exc).__name__)
        else:
            feedback.emailed = True
            db.session.commit()
    return feedback


def _mail(feedback: AccessibilityFeedback, to: str, config) -> None:
    message = EmailMessage()
    message["From"] = config.smtp_from
    message["To"] = to
    message["Subject"] = f"Tillgänglighet: synpunkt nr {feedback.id}"
    message["Date"] = format_datetime(feedback.received_at)
    message["Message-ID"] = notify.new_message_id(config)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(
        "\n".join(
            [
                f"Synpunkt nr {feedback.id} om tillgängligheten i Egna utrymmet, "
                f"mottagen {feedback.received_at:%Y-%m-%d %H:%M} UTC.",
                f"Språk: {feedback.language}",
                f"Sida: {feedback.page or '–'}",
                f"Kontakt: {feedback.contact or 'ingen (vill inte ha svar)'}",
                "",
                feedback.problem,
            ]
        )
        + "\n"
    )
    notify.send_mail(config, message)
