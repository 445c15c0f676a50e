"""One form per situation page, built from the questions (questions.py) for the people the page asks
about. Every message is the question's own ("Enter the rent you pay each month"); what was typed is
shown back unchanged when a page is refused."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, SelectMultipleField, StringField
from wtforms.widgets import CheckboxInput, ListWidget

from portal.i18n.lazy import _l
from portal.situation import bankaccount
from portal.situation.questions import INTERPRETER_LANGUAGES, Page, Question
from portal.supplements.forms import AmountField, one_line

TEXT_MAX = 500
AMOUNT_MAX_ORE = 10_000_000 * 100

ACCOUNT_REASONS = {
    "characters": ("account", _l("Enter the account number using digits only")),
    "clearing_missing": ("clearing", _l("Enter the clearing number")),
    "clearing_length": ("clearing", _l("Enter the clearing number with 4 digits (5 for some Swedbank accounts)")),
    "clearing_unknown": ("clearing", _l("There is no bank with this clearing number. Check it with your bank")),
    "clearing_check": ("clearing", _l("The clearing number's last digit does not match. Check it with your bank")),
    "account_missing": ("account", _l("Enter the account number")),
    "account_length": ("account", _l("The account number has the wrong number of digits for %(bank)s")),
    "account_check": (
        "account",
        _l("The account number is not a valid %(bank)s account number. Check it with your bank"),
    ),
}


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def language_choices() -> list[tuple[str, str]]:
    """The interpreter languages named in the reader's language, in its alphabetical order."""
    locale = get_locale()
    named = []
    for code in INTERPRETER_LANGUAGES:
        name = locale.languages.get(code) if locale else None
        named.append((code, (name or code)[:1].upper() + (name or code)[1:]))
    return sorted(named, key=lambda pair: pair[1].casefold())


def language_name(code: str | None) -> str:
    return dict(language_choices()).get(code or "", code or "")


def field_name(question: Question, member_id: int | None) -> str:
    return question.key if member_id is None else f"m{member_id}-{question.key}"


def _field(question: Question):
    # Choices are set on the bound field (build): WTForms warns on tuples given in the class.
    if question.kind in ("choice", "yesno"):
        return RadioField(question.label, validate_choice=False)
    if question.kind == "amount":
        return AmountField(question.label)
    if question.kind == "language":
        return SelectField(question.label, validate_choice=False)
    if question.kind == "multi":
        return MultiCheckboxField(question.label, validate_choice=False)
    if question.kind == "members":
        return MultiCheckboxField(question.label, coerce=str, validate_choice=False)
    if question.kind == "confirm":
        return BooleanField(question.label)
    return StringField(question.label, filters=[one_line])


class PageForm(FlaskForm):
    """The fields are added by ``build``; ``rows`` says which field is which person's answer."""

    page: Page
    rows: list  # (member or None, [(question, field name)])
    fetched_accounts: list[str]  # last four digits of the applicant's own fetched accounts

    def answers(self) -> dict[int | None, dict]:
        """By member id (None for the household's): the values to store."""
        result: dict[int | None, dict] = {}
        for member, fields in self.rows:
            values = {}
            for question, name in fields:
                data = self[name].data
                if question.kind == "members":
                    data = [int(v) for v in data or () if v.isdigit()]
                elif question.kind in ("clearing", "account"):
                    data = bankaccount.digits(data or "") if data else None
                values[question.key] = data if data not in ("", None, []) and data is not False else None
            if self.page.key == "payout" and values.get("clearing"):
                account = bankaccount.check(values["clearing"], values.get("account") or "")
                values["bank"] = account.bank
                values["holder"] = "fetched" if account.number[-4:] in self.fetched_accounts else "confirmed"
            result[member.id if member is not None else None] = values
        return result

    def _values(self, fields) -> dict:
        return {q.key: self[name].data for q, name in fields}

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)  # runs the amount fields' parsing
        ok = True
        for _member, fields in self.rows:
            given = self._values(fields)
            for question, name in fields:
                field = self[name]
                if not question.asked(given):
                    field.errors = []  # a follow-up not asked: nothing typed there is held against it
                    continue
                if field.errors:
                    field.errors = [field.errors[0]]
                    ok = False
                    continue
                message = self._check(question, field, given)
                if message:
                    field.errors = [str(message)]
                    ok = False
        if ok and self.page.key == "payout":
            ok = self._check_account()
        return ok

    def _check(self, question: Question, field, given: dict):
        data = field.data
        empty = data in (None, "", [], False)
        if empty:
            if question.kind == "confirm" and self._holder_known(given):
                return None
            return question.missing if question.required else None
        if question.kind in ("choice", "yesno") and data not in {v for v, _label in question.choices}:
            return question.missing
        if question.kind == "multi" and not set(data) <= {v for v, _label in question.choices}:
            return _l("Choose only from the list")
        if question.kind == "members" and not set(data) <= {v for v, _label in field.choices}:
            return _l("Choose only people listed in your household")
        if question.kind == "language":
            return question.missing if data not in INTERPRETER_LANGUAGES else None
        if question.kind == "amount" and data > AMOUNT_MAX_ORE:
            return _l("Enter an amount of at most 10 000 000 kronor")
        if question.kind == "text" and len(data) > TEXT_MAX:
            return _("Write at most %(max)s characters", max=TEXT_MAX)
        return None

    def _holder_known(self, given: dict) -> bool:
        try:
            number = bankaccount.digits(given.get("account") or "")
        except bankaccount.AccountError:
            return False
        return bool(number) and number[-4:] in self.fetched_accounts

    def _check_account(self) -> bool:
        try:
            bankaccount.check(self["clearing"].data or "", self["account"].data or "")
        except bankaccount.AccountError as refused:
            target, message = ACCOUNT_REASONS[refused.reason]
            bank = ""
            with contextlib.suppress(bankaccount.AccountError):
                bank = bankaccount.bank_for(bankaccount.digits(self["clearing"].data or ""))[0]
            self[target].errors = [str(message) % {"bank": bank} if "%(bank)s" in str(message) else str(message)]
            return False
        return True


def build(
    page: Page,
    subjects: list,
    *,
    members: Sequence[tuple[int, str]] = (),
    data: dict | None = None,
    fetched_accounts: Sequence[str] = (),
    formdata=None,
) -> PageForm:
    """A form for ``page`` asking each of ``subjects`` (household members, or [None] for the
    household); ``data`` holds the stored answers by member id (None for the household)."""
    fields = {}
    rows = []
    for member in subjects:
        member_id = member.id if member is not None else None
        row = []
        for question in page.questions:
            name = field_name(question, member_id)
            fields[name] = _field(question)
            row.append((question, name))
        rows.append((member, row))
    form_class = type(f"{page.key.title()}Form", (PageForm,), fields)
    initial = {}
    for member, row in rows:
        stored = (data or {}).get(member.id if member is not None else None, {})
        for question, name in row:
            if question.key in stored:
                value = stored[question.key]
                initial[name] = [str(v) for v in value] if question.kind == "members" else value
    form = form_class(formdata=formdata, data=initial) if formdata is not None else form_class(data=initial)
    form.page = page
    form.rows = rows
    form.fetched_accounts = list(fetched_accounts)
    for _member, row in rows:
        for question, name in row:
            field = form[name]
            if not isinstance(field, SelectField):  # radios and checkboxes are select fields too (_field)
                continue
            if question.kind == "language":
                field.choices = [("", _("Choose a language")), *language_choices()]
            elif question.kind == "members":
                field.choices = [(str(i), text) for i, text in members]
            elif question.choices:
                field.choices = list(question.choices)
    return form
