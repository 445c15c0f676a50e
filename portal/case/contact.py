"""The applicant's own contact details: an e-mail address and a mobile number, used only to say
that there is news in Egna utrymmet (portal/case/notify.py). Only the person themselves may see
or change them: never a proxy (access rule ``own``)."""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email
from flask import Blueprint, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from portal.audit.services import record, record_read
from portal.auth.access import requires
from portal.case.models import ContactDetails
from portal.extensions import db
from portal.i18n.lazy import _l
from portal.i18n.services import NATIVE_NAMES, SUPPORTED

bp = Blueprint("contact", __name__)

# Swedish mobile numbers: 070, 072, 073, 076 and 079 followed by seven digits.
_MOBILE = re.compile(r"^0(7[02369])([0-9]{7})$")
_SEPARATORS = re.compile(r"[\s\-().]")


# --- rules -------------------------------------------------------------------------------------


def normalise_mobile(raw: str) -> str:
    """A Swedish mobile number as typed (``070-123 45 67``, ``+46 70 123 45 67``,
    ``0046701234567``) in E.164 form (``+46701234567``); ValueError when it is not one."""
    number = _SEPARATORS.sub("", raw or "")
    if number.startswith("+46"):
        number = "0" + number[3:]
    elif number.startswith("0046"):
        number = "0" + number[4:]
    if number.startswith("00"):  # 0046 070... written with both prefixes
        number = number[1:]
    if number.startswith("+") or not number.isdigit():
        raise ValueError("not a Swedish mobile number")
    match = _MOBILE.match(number)
    if match is None:
        raise ValueError("not a Swedish mobile number")
    return f"+46{match.group(1)}{match.group(2)}"


def normalise_email(raw: str) -> str:
    """The address checked for form (not for deliverability: no DNS look-ups), normalised."""
    return validate_email(raw.strip(), check_deliverability=False).normalized


def details_of(person_id: str) -> ContactDetails | None:
    return db.session.get(ContactDetails, person_id)


def save(
    person_id: str, email: str | None, phone: str | None, notify_email: bool, notify_sms: bool, language: str | None
) -> ContactDetails:
    """Create or change the person's contact details (already normalised)."""
    contact = details_of(person_id)
    if contact is None:
        contact = ContactDetails(person_id=person_id)
        db.session.add(contact)
    contact.email = email or None
    contact.phone = phone or None
    contact.notify_email = bool(notify_email and contact.email)
    contact.notify_sms = bool(notify_sms and contact.phone)
    contact.language = language if language in SUPPORTED else None
    record("change", "contact_details", person_id, "the person changes their own contact details", subject_id=person_id)
    db.session.commit()
    return contact


def save_language(person_id: str, language: str) -> None:
    """The language the person chose in the header: theirs from now on, for the pages after their
    next login and for the notifications (the same preference the contact details page sets)."""
    if language not in SUPPORTED:
        return
    contact = details_of(person_id)
    if contact is None:
        contact = ContactDetails(person_id=person_id, notify_email=False, notify_sms=False)
        db.session.add(contact)
    elif contact.language == language:
        return
    contact.language = language
    record(
        "change", "contact_details", person_id, "the person chooses the language of the portal", subject_id=person_id
    )
    db.session.commit()


# --- the form ----------------------------------------------------------------------------------


class ContactForm(FlaskForm):
    email = StringField(
        _l("E-mail address"),
        validators=[Optional(), Length(max=254, message=_l("The e-mail address can be at most 254 characters"))],
        filters=[lambda v: v.strip() if v else v],
    )
    phone = StringField(_l("Mobile number"), filters=[lambda v: v.strip() if v else v])
    notify_email = BooleanField(_l("By e-mail"))
    notify_sms = BooleanField(_l("By text message (SMS)"))
    language = SelectField(_l("Language of the messages"))

    def validate_email(self, field):
        if not field.data:
            if self.notify_email.data:
                raise ValidationError(_l("Enter your e-mail address, or untick e-mail"))
            return
        try:
            field.normalised = normalise_email(field.data)
        except EmailNotValidError:
            raise ValidationError(_l("Enter an e-mail address in the right format, like name@example.com")) from None

    def validate_phone(self, field):
        if not field.data:
            if self.notify_sms.data:
                raise ValidationError(_l("Enter your mobile number, or untick text message"))
            return
        try:
            field.normalised = normalise_mobile(field.data)
        except ValueError:
            raise ValidationError(_l("Enter a Swedish mobile number, like 070 123 45 67 or +46 70 123 45 67")) from None


def _form(contact: ContactDetails | None) -> ContactForm:
    form = ContactForm()
    form.language.choices = [(code, NATIVE_NAMES[code]) for code in SUPPORTED]
    if request.method == "GET":
        if contact is not None:
            form.email.data = contact.email
            form.phone.data = contact.phone
            # A row holding only the language chosen in the header: e-mail proposed as for anyone new.
            form.notify_email.data = contact.notify_email if (contact.email or contact.phone) else True
            form.notify_sms.data = contact.notify_sms
            form.language.data = contact.language or str(get_locale())
        else:
            form.notify_email.data = True
            form.language.data = str(get_locale())
    return form


@bp.route("/contact-details", methods=["GET", "POST"])
@requires("own")
def edit():
    contact = details_of(g.subject_id)
    form = _form(contact)
    if form.validate_on_submit():
        save(
            g.subject_id,
            getattr(form.email, "normalised", None),
            getattr(form.phone, "normalised", None),
            form.notify_email.data,
            form.notify_sms.data,
            form.language.data,
        )
        return redirect(url_for("contact.edit", saved=1))
    if request.method == "GET":
        record_read(
            "contact_details", g.subject_id, "the person views their own contact details", subject_id=g.subject_id
        )
    return render_template(
        "contact/edit.html",
        form=form,
        contact=contact,
        saved=request.method == "GET" and request.args.get("saved") == "1",
    ), 400 if form.errors else 200


def has_contact(application) -> bool:
    """Whether the applicant can be told when something happens (the receipt asks for it otherwise)."""
    if application.is_draft or application.applicant_id != g.subject_id:
        return True
    found = details_of(application.applicant_id)
    return found is not None and bool(found.email or found.phone)
