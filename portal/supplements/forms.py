"""Forms for what the applicant adds: amounts typed the way people type them, months within
the application's period, and free text in any language."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal

from flask_babel import format_decimal, format_number
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import Field, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, StopValidation, ValidationError
from wtforms.widgets import TextInput

from portal.i18n.lazy import _l
from portal.supplements import labels
from portal.supplements.models import DESCRIPTION_MAX, TEXT_MAX
from portal.web.text import clean_text

INCOME_MAX_ORE = 1_000_000 * 100
COST_MAX_ORE = 1_000_000 * 100
ASSET_MAX_ORE = 100_000_000 * 100


# -- Amounts ---------------------------------------------------------------------------------


class MalformedAmount(ValueError):
    """Not an amount in kronor."""


class NegativeAmount(ValueError):
    """An amount below zero."""


_MINUS = "-\u2212\u2012\u2013\u2014\ufe63\uff0d"  # hyphen-minus, minus sign, dashes
_GROUP_MARKS = "'\u2019\u066c_"  # apostrophe (4'500), right single quote, Arabic thousands separator
_DECIMAL_MARKS = {"\u066b": ","}  # Arabic decimal separator
_CURRENCY = re.compile(r"^(sek|kr\.?|kronor|krona)|(sek|kr\.?|kronor|krona|:-|,-|\.-)$")
_SHAPE = re.compile(r"^[0-9.,]+$")
_MAX_LENGTH = 40


def parse_kronor(text: str) -> int:
    """An amount in kronor as a person types it, to integer öre.

    Accepts spaces (also non-breaking and thin) or ``'`` between thousands, a decimal comma or
    point with at most two decimals, digits of any script (``٤٥٠٠``), and ``kr``/``SEK``/``:-``
    around it, so what the portal itself shows (``4 500,00 kr``) can be typed back. One
    separator followed by exactly three digits groups thousands (``4,500`` and ``4.500`` are
    4 500 kr), because kronor never have three decimals.
    """
    if len(text) > _MAX_LENGTH:
        raise MalformedAmount(text)
    chars = []
    for ch in unicodedata.normalize("NFKC", text):
        digit = unicodedata.decimal(ch, None)
        if digit is not None:
            chars.append(str(digit))
        elif ch in _DECIMAL_MARKS:
            chars.append(_DECIMAL_MARKS[ch])
        elif ch.isspace() or ch in _GROUP_MARKS or unicodedata.category(ch) == "Cf":
            continue  # spaces and direction marks (Arabic formatting adds U+200F)
        else:
            chars.append(ch.lower())
    value = _CURRENCY.sub("", "".join(chars))
    value = _CURRENCY.sub("", value)  # both ends: "SEK 4500 kr" is unusual but harmless
    negative = False
    if value and value[0] in _MINUS:
        negative, value = True, value[1:]
    elif value.startswith("+"):
        value = value[1:]
    if not value or not _SHAPE.match(value) or not any(ch.isdigit() for ch in value):
        raise MalformedAmount(text)
    kronor = _to_decimal(value, text)
    if negative and kronor != 0:
        raise NegativeAmount(text)
    return int(kronor * 100)


def _to_decimal(value: str, original: str) -> Decimal:
    separators = [ch for ch in value if ch in ".,"]
    if not separators:
        return Decimal(value)
    if len(set(separators)) == 2:
        # One kind groups thousands, the other (last, once) marks decimals: 1.234,50 or 1,234.50
        last = max(value.rfind("."), value.rfind(","))
        head, tail = value[:last], value[last + 1 :]
        if separators.count(value[last]) != 1 or len(tail) > 2:
            raise MalformedAmount(original)
        return Decimal(_ungroup(head, original) + "." + (tail or "0"))
    if len(separators) == 1:
        head, tail = value.split(separators[0])
        if len(tail) == 3 and head:
            return Decimal(_ungroup(value, original))  # 4,500 and 4.500: kronor have no 3 decimals
        if len(tail) <= 2:
            return Decimal((head or "0") + "." + (tail or "0"))  # 4500,50  4500.5  ,50  4500,
        raise MalformedAmount(original)
    return Decimal(_ungroup(value, original))  # 1.234.567


def _ungroup(value: str, original: str) -> str:
    """``1.234.567`` to ``1234567``, only when the groups are those of thousands."""
    groups = re.split(r"[.,]", value)
    first = groups[0]
    if len(groups) > 1 and (
        not first or len(first) > 3 or first.startswith("0") or any(len(group) != 3 for group in groups[1:])
    ):
        raise MalformedAmount(original)
    return "".join(groups)


def format_kronor(ore: int | None) -> str:
    """Öre back to what a person would type, in the reader's locale: 4500 or 4500,50."""
    if ore is None:
        return ""
    kronor = Decimal(ore) / 100
    return format_decimal(kronor, format="#0.00" if ore % 100 else "#0")


class AmountField(Field):
    """An amount in kronor, kept as integer öre in ``data``.

    What was typed is shown back unchanged when the form is re-rendered, right or wrong.
    """

    widget = TextInput()

    def __init__(self, label=None, validators=None, malformed=None, negative=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.malformed_message = malformed or _l("Enter the amount in kronor, for example 4 500 or 4500,50")
        self.negative_message = negative or _l("The amount cannot be negative")
        self.parse_error = None

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        self.data = None
        self.parse_error = None
        text = valuelist[0].strip()
        if not text:
            return
        try:
            self.data = parse_kronor(text)
        except NegativeAmount:
            self.parse_error = self.negative_message
        except MalformedAmount:
            self.parse_error = self.malformed_message

    def pre_validate(self, form):
        if self.parse_error is not None:
            raise StopValidation(str(self.parse_error))

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return format_kronor(self.data)


class AmountRequired:
    """The amount must be given; the message may depend on the rest of the form."""

    field_flags = {"required": True}

    def __init__(self, message: str | Callable):
        self.message = message

    def __call__(self, form, field):
        if field.data is None:
            message = self.message(form) if callable(self.message) else self.message
            raise StopValidation(str(message))


class AmountAtMost:
    def __init__(self, max_ore: int, message: str):
        self.max_ore = max_ore
        self.message = message

    def __call__(self, form, field):
        if field.data is not None and field.data > self.max_ore:
            raise ValidationError(str(self.message))


# -- Text ------------------------------------------------------------------------------------


def one_line(value: str | None) -> str | None:
    cleaned = clean_text(value)
    return " ".join(cleaned.split()) if cleaned is not None else None


class RequiredWhen:
    """Required when another field has one of the given values (a description for "other")."""

    def __init__(self, other: str, values: Iterable[str], message: str):
        self.other = other
        self.values = set(values)
        self.message = message

    def __call__(self, form, field):
        if form[self.other].data in self.values and not field.data:
            raise StopValidation(str(self.message))


class TextAtMost:
    """At most ``max`` characters; ``message(count)`` tells how many were written."""

    def __init__(self, max: int, message: Callable[[str], str]):
        self.max = max
        self.message = message

    def __call__(self, form, field):
        count = len(field.data or "")
        if count > self.max:
            raise ValidationError(self.message(format_number(count)))


# -- Months and household ------------------------------------------------------------------


class OneOf:
    """The value must be one of the field's choices; a custom message instead of WTForms'."""

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field):
        if field.data and field.data not in {value for value, _label in field.choices}:
            raise StopValidation(str(self.message))


def _month_field(label, required):
    return RadioField(
        label,
        validate_choice=False,
        validators=[
            InputRequired(message=required),
            OneOf(_l("The month must be one of the months this application covers")),
        ],
    )


class _SupplementForm(FlaskForm):
    # The radio field holding the kind or category, and its labels.
    kinds: tuple[str, dict] = ("kind", {})

    def __init__(self, *args, months: Iterable[tuple[date, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        name, names = self.kinds
        kind = self[name]
        assert isinstance(kind, RadioField)  # each form's kinds names its kind or category radio field
        kind.choices = list(names.items())  # set here: WTForms warns on tuples in the class
        if "month" in self:
            month = self["month"]
            assert isinstance(month, RadioField)  # every form with a month makes it with _month_field
            month.choices = [(d.isoformat(), text) for d, text in months]

    @property
    def month_value(self) -> date:
        return date.fromisoformat(self["month"].data)


class IncomeForm(_SupplementForm):
    kinds = ("kind", labels.INCOME_KIND)
    kind = RadioField(
        _l("What kind of income is it?"),
        validate_choice=False,
        validators=[
            InputRequired(message=_l("Choose what kind of income it is")),
            OneOf(_l("Choose what kind of income it is")),
        ],
    )
    description = StringField(
        _l("Describe the income"),
        filters=[one_line],
        validators=[
            RequiredWhen("kind", ["other"], _l("Describe the income, for example who pays it")),
            Length(max=DESCRIPTION_MAX, message=_l("Describe the income in at most 200 characters")),
        ],
    )
    amount = AmountField(
        _l("Amount"),
        validators=[
            AmountRequired(_l("Enter the amount of the income")),
            AmountAtMost(INCOME_MAX_ORE, _l("The amount is too large – check it and enter it in kronor per month")),
        ],
    )
    month = _month_field(_l("Which month is the income for?"), _l("Choose the month the income is for"))
    member = SelectField(
        _l("Whose income is it? (optional)"),
        validate_choice=False,
        validators=[OneOf(_l("Choose a person in your household"))],
    )

    def __init__(self, *args, members: Iterable[tuple[int, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.member.choices = [("", _("Not stated"))] + [(str(i), name) for i, name in members]

    def values(self) -> dict:
        """What the service stores, from a validated form."""
        return {
            "kind": self.kind.data,
            "description": self.description.data or None,
            "amount_ore": self.amount.data,
            "month": self.month_value,
            "member_id": int(self.member.data) if self.member.data else None,
        }

    @staticmethod
    def initial(entry) -> dict:
        return {
            "kind": entry.kind,
            "description": entry.description or "",
            "amount": entry.amount_ore,
            "month": entry.month.isoformat(),
            "member": str(entry.member_id or ""),
        }


def _cost_amount_required(form) -> str:
    return labels.COST_AMOUNT_REQUIRED.get(form.category.data, labels.COST_AMOUNT_REQUIRED["other"])


class CostForm(_SupplementForm):
    kinds = ("category", labels.COST_CATEGORY)
    category = RadioField(
        _l("What is the cost for?"),
        validate_choice=False,
        validators=[InputRequired(message=_l("Choose what the cost is for")), OneOf(_l("Choose what the cost is for"))],
    )
    description = StringField(
        _l("Describe the cost"),
        filters=[one_line],
        validators=[
            RequiredWhen("category", ["other"], _l("Describe the cost, for example what you pay for")),
            Length(max=DESCRIPTION_MAX, message=_l("Describe the cost in at most 200 characters")),
        ],
    )
    amount = AmountField(
        _l("Amount per month"),
        validators=[
            AmountRequired(_cost_amount_required),
            AmountAtMost(COST_MAX_ORE, _l("The amount is too large – check it and enter it in kronor per month")),
        ],
    )
    month = _month_field(_l("Which month is the cost for?"), _l("Choose the month the cost is for"))

    def values(self) -> dict:
        return {
            "category": self.category.data,
            "description": self.description.data or None,
            "amount_ore": self.amount.data,
            "month": self.month_value,
        }

    @staticmethod
    def initial(entry) -> dict:
        return {
            "category": entry.category,
            "description": entry.description or "",
            "amount": entry.amount_ore,
            "month": entry.month.isoformat(),
        }


class AssetForm(_SupplementForm):
    kinds = ("kind", labels.ASSET_KIND)
    kind = RadioField(
        _l("What kind of asset is it?"),
        validate_choice=False,
        validators=[
            InputRequired(message=_l("Choose what kind of asset it is")),
            OneOf(_l("Choose what kind of asset it is")),
        ],
    )
    description = StringField(
        _l("Describe the asset"),
        filters=[one_line],
        validators=[
            RequiredWhen("kind", ["other"], _l("Describe the asset, for example what it is")),
            Length(max=DESCRIPTION_MAX, message=_l("Describe the asset in at most 200 characters")),
        ],
    )
    value = AmountField(
        _l("Value"),
        malformed=_l("Enter the value in kronor, for example 25 000 or 1500,50"),
        negative=_l("The value cannot be negative"),
        validators=[
            AmountRequired(_l("Enter what the asset is worth in kronor")),
            AmountAtMost(ASSET_MAX_ORE, _l("The value is too large – check it and enter it in kronor")),
        ],
    )

    def values(self) -> dict:
        return {"kind": self.kind.data, "description": self.description.data or None, "value_ore": self.value.data}

    @staticmethod
    def initial(entry) -> dict:
        return {"kind": entry.kind, "description": entry.description or "", "value": entry.value_ore}


def _too_long(count: str) -> str:
    return _("Write at most 5 000 characters (you have written %(count)s)", count=count)


class MessageForm(FlaskForm):
    text = TextAreaField(
        _l("What do you want the municipality to know?"),
        filters=[clean_text],
        validators=[TextAtMost(TEXT_MAX, _too_long)],
    )
