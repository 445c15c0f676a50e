"""Notifications through a real SMTP server (aiosmtpd, in-process) and the sandbox's SMS gateway:
an event that needs the applicant produces "there is news" and nothing more."""

from __future__ import annotations

import re
from datetime import date, timedelta
from email import message_from_bytes, policy

import httpx
import pytest
from flask_babel import force_locale
from sqlalchemy import select

from devstack.mailsink import MailSink
from portal import clock
from portal.application.models import Application
from portal.auth.models import Person
from portal.case import notify
from portal.case import services as case
from portal.case.models import ContactDetails, Notification
from portal.config import Config, ConfigError
from portal.db import utcnow
from portal.delivery.models import NotificationAttempt
from portal.delivery.services import run_once
from portal.extensions import db
from tests import factories
from tests.support import free_port, idp_login, send_application
from tests.test_journey import SINGLE_ADULT, start_application

EMAIL = "anders.testsson@example.se"
MOBILE = "+46701234567"


@pytest.fixture
def mail_sink():
    sink = MailSink("127.0.0.1", free_port()).start()
    yield sink
    sink.stop()


@pytest.fixture
def config(config, mail_sink):
    config.smtp_port = mail_sink.port
    return config


@pytest.fixture
def sms(live_services):
    control = httpx.Client(base_url=live_services["sandbox_url"], headers={"Authorization": "Bearer sandbox-token"})
    control.delete("/_control/sms")
    yield lambda: control.get("/_control/sms").json()["messages"]
    control.delete("/_control/sms")
    control.close()


@pytest.fixture
def sent(app):
    """Anders Testsson's application, sent, delivered and registered in Uppsala."""
    applicant = app.test_client()
    idp_login(applicant, "/auth/login", {"subject": SINGLE_ADULT})
    path = start_application(applicant)
    send_application(applicant, path, SINGLE_ADULT)
    assert run_once() == 1
    application = db.session.get(Application, path.rsplit("/", 1)[1])
    assert application.status == "submitted"
    return application


def contact(application, email=EMAIL, phone=None, language=None, notify_email=True, notify_sms=False):
    db.session.add(
        ContactDetails(
            person_id=application.applicant_id,
            email=email,
            phone=phone,
            language=language,
            notify_email=notify_email,
            notify_sms=notify_sms,
        )
    )
    db.session.commit()


def personal_details(application) -> list[str]:
    """Everything about the person and the case that must never be in a notification."""
    person = db.session.get(Person, application.applicant_id)
    secrets = [
        person.given_name,
        person.family_name,
        person.personnummer,
        person.personnummer[2:],
        f"{person.personnummer[2:8]}-{person.personnummer[8:]}",
        application.reference,
    ]
    if application.case_number:
        secrets.append(application.case_number)
    return [s for s in secrets if s]


def assert_generic(raw: bytes, application, forbidden=()):
    text = raw.decode("utf-8", "replace")
    message = message_from_bytes(raw, policy=policy.default)
    decoded = f"{message['Subject']}\n{message.get_body(('plain',)).get_content()}"
    for secret in [*personal_details(application), *forbidden]:
        assert secret not in text and secret not in decoded, f"{secret!r} leaked into the notification"
    assert not re.search(r"\b\d[\d  ]{2,}\s?kr\b", decoded), "no amounts"


def test_a_supplement_request_mails_there_is_news_and_nothing_more(app, sent, mail_sink):
    contact(sent)
    case.register(sent)
    case.request_supplement(
        sent,
        "Rent contract for Storgatan 1",
        "To see your housing cost",
        utcnow().date() + timedelta(days=7),
        "Per Handläggare",
    )
    assert notify.send_pending() == 2  # "received" and "supplement_requested"
    mails = mail_sink.wait_for(2)
    assert [m.recipients for m in mails] == [[EMAIL], [EMAIL]]
    for mail in mails:
        message = message_from_bytes(mail.raw, policy=policy.default)
        assert message["To"] == EMAIL and message["Content-Language"] == "sv"
        assert message["Auto-Submitted"] == "auto-generated"
        with force_locale("sv"):
            expected = notify.text_for("sv", "http://localhost/overview")
        assert message["Subject"] == expected.subject
        assert mail.body == expected.body
        assert "http://localhost/overview" in mail.body
        assert_generic(mail.raw, sent, forbidden=["Storgatan", "Rent contract", "housing cost", "Per Handläggare"])
    statuses = db.session.scalars(select(Notification.status).where(Notification.application_id == sent.id)).all()
    assert statuses == ["sent", "sent"]


def test_decision_and_message_each_mail_the_applicant_in_their_language(app, sent, mail_sink):
    contact(sent, language="ar")
    case.register(sent)
    case.send_message(sent, "municipality", "Per Handläggare", "Please call me about your rent of 6 500 kr.")
    case.decide(
        sent,
        "partly_granted",
        "Rent is above the reasonable level.",
        "Per Handläggare",
        amount=7450,
        period_start=date(2026, 12, 1),
        period_end=date(2026, 12, 31),
    )
    assert notify.send_pending() == 3
    mails = mail_sink.wait_for(3)
    expected = notify.text_for("ar", "http://localhost/overview")
    assert {m.language for m in mails} == {"ar"}
    assert {m.subject for m in mails} == {expected.subject}
    for mail in mails:
        assert_generic(
            mail.raw, sent, forbidden=["7450", "7 450", "6 500", "reasonable level", "partly", "Per Handläggare"]
        )
    reasons = db.session.scalars(
        select(Notification.reason).where(Notification.application_id == sent.id).order_by(Notification.id)
    ).all()
    assert reasons == ["received", "message", "decision"]


def test_the_applicants_own_actions_and_an_applicant_without_contact_details_get_nothing(app, sent, mail_sink):
    case.register(sent)
    case.send_message(sent, "municipality", "Per Handläggare", "Hello")
    assert db.session.scalar(select(Notification.id)) is None
    assert notify.send_pending() == 0
    contact(sent)
    case.send_message(sent, "applicant", "Anders Testsson", "Hello back")  # from the applicant: no news to them
    assert notify.send_pending() == 0
    assert mail_sink.wait_for(1, timeout=0.5) == []


def test_sms_arrives_at_the_gateway_in_e164_with_the_generic_text(app, sent, mail_sink, sms):
    contact(sent, email=None, phone=MOBILE, notify_email=False, notify_sms=True)
    case.register(sent)
    assert notify.send_pending() == 1
    messages = sms()
    assert [m["to"] for m in messages] == [MOBILE]
    assert messages[0]["text"] == notify.text_for("sv", "http://localhost/overview").sms
    for secret in personal_details(sent):
        assert secret not in messages[0]["text"]
    assert mail_sink.mails == []


def test_a_mail_server_that_is_down_leaves_the_notification_pending_and_it_is_sent_later(app, sent, mail_sink):
    contact(sent)
    config = app.config["PORTAL"]
    working_port, config.smtp_port = config.smtp_port, free_port()  # nothing listens there
    case.register(sent)  # the caseworker's action is not held up by the mail server
    assert sent.status == "received"
    assert notify.send_pending() == 0
    notification = db.session.scalar(select(Notification))
    assert notification.status == "pending" and notification.attempts == 1
    assert notification.last_error == "ConnectionRefusedError"
    assert notification.next_attempt_at > utcnow()
    assert notify.send_pending() == 0  # not due yet: backoff
    config.smtp_port = working_port
    notification.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert notify.send_pending() == 1
    db.session.refresh(notification)
    assert notification.status == "sent" and notification.attempts == 2 and notification.sent_at
    (mail,) = mail_sink.wait_for(1)
    assert mail.recipients == [EMAIL]
    tries = attempts_of(notification)
    assert [(a.number, a.outcome) for a in tries] == [(1, "retry"), (2, "sent")]
    assert {a.message_id for a in tries} == {message_from_bytes(mail.raw, policy=policy.default)["Message-ID"]}


def attempts_of(notification) -> list[NotificationAttempt]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(NotificationAttempt)
            .where(NotificationAttempt.notification_id == notification.id)
            .order_by(NotificationAttempt.number)
        )
    )


class Killed(BaseException):
    """The worker process dying: nothing after it runs, no ``except Exception`` catches it."""


def test_a_worker_dying_between_sending_and_committing_is_recognised_and_resends_the_same_message(
    app, sent, mail_sink, monkeypatch, caplog
):
    from portal import clock

    contact(sent)
    case.register(sent)
    real_send = notify.send_mail

    def send_then_die(config, message):
        real_send(config, message)
        raise Killed  # after the SMTP server has the mail, before the outcome is committed

    monkeypatch.setattr(notify, "send_mail", send_then_die)
    with pytest.raises(Killed):
        notify.send_pending()
    db.session.rollback()  # the dead worker's transaction goes with it
    notification = db.session.scalar(select(Notification))
    assert (notification.status, notification.attempts) == ("sending", 1)
    (first,) = attempts_of(notification)
    assert (first.outcome, first.finished_at) == (None, None) and first.message_id  # recorded before sending
    (mail,) = mail_sink.wait_for(1)

    monkeypatch.setattr(notify, "send_mail", real_send)
    assert notify.send_pending() == 0  # its lease holds: no other worker takes it at once
    clock.travel(utcnow() + notify.LEASE + timedelta(seconds=1))
    assert notify.send_pending() == 1
    db.session.refresh(notification)
    assert (notification.status, notification.attempts) == ("sent", 2)
    tries = attempts_of(notification)
    assert [(a.number, a.outcome) for a in tries] == [(1, "interrupted"), (2, "sent")]
    assert tries[0].message_id == tries[1].message_id
    mails = mail_sink.wait_for(2)
    assert len(mails) == 2  # at least once: the mail went twice ...
    ids = [message_from_bytes(m.raw, policy=policy.default)["Message-ID"] for m in mails]
    assert ids == [first.message_id, first.message_id]  # ... as the same message, recognisably
    warned = [r.getMessage() for r in caplog.records if "unfinished attempt" in r.getMessage()]
    assert len(warned) == 1 and f"notification={notification.id}" in warned[0] and EMAIL not in warned[0]


def test_every_notification_has_its_own_message_id(app, sent, mail_sink):
    contact(sent)
    case.register(sent)
    case.send_message(sent, "municipality", "Per Handläggare", "Hello")
    assert notify.send_pending() == 2
    ids = [message_from_bytes(m.raw, policy=policy.default)["Message-ID"] for m in mail_sink.wait_for(2)]
    assert len(set(ids)) == 2 and all(i.startswith("<") and i.endswith(">") for i in ids)


def test_after_many_failures_a_notification_is_marked_failed(app, sent):
    contact(sent)
    app.config["PORTAL"].smtp_port = free_port()
    case.register(sent)
    notification = db.session.scalar(select(Notification))
    for _ in range(notify.MAX_ATTEMPTS):
        notification.next_attempt_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        notify.send_pending()
        db.session.refresh(notification)
    assert notification.status == "failed" and notification.attempts == notify.MAX_ATTEMPTS


def test_a_removed_address_fails_the_notification_without_retrying(app, sent, mail_sink):
    contact(sent)
    case.register(sent)
    db.session.get(ContactDetails, sent.applicant_id).email = None
    db.session.commit()
    assert notify.send_pending() == 0
    notification = db.session.scalar(select(Notification))
    assert (notification.status, notification.last_error) == ("failed", "no_address")


def test_a_claimed_notification_is_not_sent_twice(app, sent, mail_sink):
    contact(sent)
    case.register(sent)
    first = notify.claim()
    assert len(first) == 1 and notify.claim() == []  # another worker finds nothing due
    assert notify.send_one(first[0]) == "sent"
    assert notify.send_one(first[0]) == "skipped"
    assert len(mail_sink.wait_for(1)) == 1


def test_production_requires_a_mail_server():
    production = {
        "env": "production",
        "secret_key": "x" * 40,
        "base_url": "https://portal.example",
        "database_url": "postgresql+psycopg://u@h/db",
        "secure_cookies": True,
        "citizen_client_secret": "c" * 32,
        "staff_client_secret": "s" * 32,
    }
    with pytest.raises(ConfigError, match="PORTAL_SMTP_HOST"):
        Config(**production).validate()  # the demo's sender address is refused
    with pytest.raises(ConfigError, match="PORTAL_SMTP_HOST"):
        Config(**production, smtp_host="", smtp_from="EU <no-reply@portal.example>").validate()
    with pytest.raises(ConfigError, match="STARTTLS"):
        Config(
            **production,
            smtp_host="smtp.example",
            smtp_from="EU <no-reply@portal.example>",
            smtp_username="portal",
            smtp_password="secret",
        ).validate()
    Config(
        **production,
        smtp_host="smtp.example",
        smtp_from="EU <no-reply@portal.example>",
        smtp_starttls=True,
        smtp_username="portal",
        smtp_password="secret",
    ).validate()
    assert Config(**production, smtp_host="smtp.example", smtp_from="x@portal.example").sms_url == ""


def test_production_environment_has_no_mail_defaults(monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.delenv("PORTAL_SMTP_HOST", raising=False)
    monkeypatch.setenv("PORTAL_SECRET_KEY", "x" * 40)
    monkeypatch.setenv("PORTAL_BASE_URL", "https://portal.example")
    monkeypatch.setenv("PORTAL_DATABASE_URL", "postgresql+psycopg://u@h/db")
    monkeypatch.setenv("PORTAL_CITIZEN_CLIENT_SECRET", "c" * 32)
    monkeypatch.setenv("PORTAL_STAFF_CLIENT_SECRET", "s" * 32)
    with pytest.raises(ConfigError, match="PORTAL_SMTP_HOST"):
        Config.from_env()
    monkeypatch.setenv("PORTAL_SMTP_HOST", "smtp.portal.example")
    monkeypatch.setenv("PORTAL_SMTP_FROM", "Egna utrymmet <no-reply@portal.example>")
    config = Config.from_env()
    assert (config.smtp_port, config.smtp_starttls) == (587, True)


def test_the_demo_stack_runs_a_mail_sink_and_a_mailbox_page_that_shows_mails_and_sms(live_services, tmp_path):
    from devstack.stack import Stack, start_mail_sink

    config = Config(
        smtp_port=0,
        demo_mailbox_url=f"http://127.0.0.1:{free_port()}",
        sandbox_url=live_services["sandbox_url"],
        instance_path=tmp_path,
    )
    stack = Stack()
    start_mail_sink(stack, config, "127.0.0.1")
    try:
        assert stack.mail_sink is not None and config.smtp_port == stack.mail_sink.port != 0
        text = notify.Text("sv", "Nyheter <b>", "Hej\n<script>alert(1)</script>\n", "sms")
        notify.send_mail(config, notify.build_mail(config, EMAIL, text))
        httpx.post(
            f"{live_services['sandbox_url']}/sms",
            json={"to": MOBILE, "text": "Det finns nyheter"},
            headers={"Authorization": "Bearer sandbox-token"},
        ).raise_for_status()
        page = httpx.get(config.demo_mailbox_url + "/")
        assert page.status_code == 200 and page.headers["Content-Security-Policy"] == "default-src 'none'"
        assert EMAIL in page.text and "Nyheter &lt;b&gt;" in page.text and "<script>" not in page.text
        assert MOBILE in page.text and "Det finns nyheter" in page.text
        listed = httpx.get(config.demo_mailbox_url + "/mails.json").json()["mails"]
        assert [m["recipients"] for m in listed] == [[EMAIL]]
    finally:
        stack.shutdown()
    assert not stack.mail_sink.running


MARIA, JOHAN = "196108283166", "196201082697"
JOHANS_EMAIL = "johan.lindqvist@example.se"


def test_a_co_applicant_hears_a_signature_waits_and_the_applicant_that_the_last_one_sent_it(app, mail_sink):
    """A joint application waits for the co-applicant: without a notice he learns of it only by logging in."""
    johan = factories.person(JOHAN)  # he has logged in before, and left an address
    db.session.add(ContactDetails(person_id=johan.id, email=JOHANS_EMAIL, language="fi", notify_email=True))
    db.session.commit()
    maria_application = factories.draft(MARIA)
    assert maria_application.members[1].person_id is None  # not since she made her draft

    factories.sign(maria_application, MARIA)
    assert maria_application.status == "awaiting_cosign"
    waiting = db.session.scalars(select(Notification).where(Notification.application_id == maria_application.id))
    assert [(n.person_id, n.reason) for n in waiting] == [(johan.id, "awaiting_cosignature")]
    assert notify.send_pending() == 1
    (mail,) = mail_sink.wait_for(1)
    assert mail.recipients == [JOHANS_EMAIL] and mail.language == "fi"  # his address, in his language
    assert_generic(mail.raw, maria_application, forbidden=["Maria", "Johan", "Lindqvist", JOHAN])

    # Maria has no contact details yet: his signature sends it, and she would hear only once she leaves them.
    db.session.add(ContactDetails(person_id=maria_application.applicant_id, email=EMAIL, notify_email=True))
    db.session.commit()
    factories.sign(maria_application, JOHAN)  # logging in to sign links him to it
    assert maria_application.status == "submitted"
    reasons = db.session.scalars(
        select(Notification.reason).where(
            Notification.application_id == maria_application.id,
            Notification.person_id == maria_application.applicant_id,
        )
    ).all()
    assert reasons == ["cosigned_and_sent"]
    assert notify.send_pending() == 1
    assert [m.recipients for m in mail_sink.wait_for(2)][1:] == [[EMAIL]]


def test_a_co_applicant_who_never_logged_in_is_waited_for_without_a_notice(app, mail_sink):
    maria_application = factories.draft(MARIA)
    assert maria_application.members[1].person_id is None
    factories.sign(maria_application, MARIA)
    assert maria_application.status == "awaiting_cosign"
    assert db.session.scalar(select(Notification.id)) is None


def test_the_applicant_signing_a_joint_application_is_not_told_of_her_own_signature(app, mail_sink):
    maria_application = factories.draft(MARIA)
    db.session.add(ContactDetails(person_id=maria_application.applicant_id, email=EMAIL, notify_email=True))
    db.session.commit()
    factories.sign(maria_application, MARIA)
    assert db.session.scalar(select(Notification.id)) is None


MARGARETA, LARS = "194408139089", "196404153832"  # the principal (pensioner, Örebro) and her proxy
LARS_EMAIL = "lars.proxy@example.se"


def mandate_for_lars(scopes: tuple[str, ...]):
    """Margareta's mandate to Lars with ``scopes``, signed, and accepted by him (he has logged in)."""
    from portal.mandates import services as mandates

    margareta = factories.person(MARGARETA)
    chosen = mandates.check_grant(margareta, LARS, scopes, clock.today() + timedelta(days=90))
    mandate = mandates.grant(margareta, chosen, utcnow(), "test")
    lars = factories.person(LARS)
    db.session.refresh(mandate)
    mandates.accept(mandate, lars)
    db.session.add(ContactDetails(person_id=lars.id, email=LARS_EMAIL, notify_email=True))
    db.session.commit()
    return mandate, lars


def test_a_proxy_who_reads_the_messages_hears_of_news_as_the_principal_does(app, mail_sink):
    mandate, lars = mandate_for_lars(("view", "messages"))
    application = factories.delivered(factories.sent(MARGARETA))
    contact(application)  # Margareta's own address
    case.register(application)
    assert notify.send_pending() == 2
    assert sorted(m.recipients[0] for m in mail_sink.wait_for(2)) == sorted([EMAIL, LARS_EMAIL])
    to_lars = db.session.scalars(select(Notification.reason).where(Notification.person_id == lars.id)).all()
    assert to_lars == ["received"]

    # Ended, the mandate tells him nothing more.
    from portal.mandates import services as mandates

    mandates.end(mandate, lars)
    case.send_message(application, "municipality", "Per Handläggare", "Hej")
    assert db.session.scalars(select(Notification.reason).where(Notification.person_id == lars.id)).all() == [
        "received"
    ]


def test_a_proxy_without_the_messages_scope_hears_nothing(app, mail_sink):
    _mandate, lars = mandate_for_lars(("view", "prepare"))
    application = factories.delivered(factories.sent(MARGARETA))
    case.register(application)
    assert db.session.scalar(select(Notification.id).where(Notification.person_id == lars.id)) is None
