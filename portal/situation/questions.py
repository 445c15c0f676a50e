"""The situation's questions, as data: pages, the questions on each, their help texts and when they are
asked.

Skip logic has two levels, both decided on the server so the pages work without JavaScript:

- a page is shown only when ``Page.show(application, answers)`` holds on the answers already saved (the
  rent page only to someone who rents, the children page only to a household with children);
- a question on a page may depend on another question of the same page and the same person
  (``Question.when``: "how much are the arrears?" only after "yes"). Without JavaScript such a follow-up
  is shown beneath its question, labelled as a follow-up; it is required, and kept, only when its
  condition holds on what was sent.

``per`` says whose answer it is: the household's (``None``), each adult applicant's (``"adult"``, the
applicant and a spouse or partner), or each child's (``"child"``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from portal.i18n.lazy import _l

YES, NO = "yes", "no"
YES_NO = ((YES, _l("Yes")), (NO, _l("No")))

RENTING = ("own_contract", "sublet", "lodger", "emergency_housing")
HOUSING = (
    ("own_contract", _l("I rent with my own contract (first-hand)")),
    ("sublet", _l("I sublet (second-hand contract)")),
    ("lodger", _l("I rent a room as a lodger")),
    ("owner", _l("I own my home (house or tenant-owned flat)")),
    ("parents", _l("I live with my parents")),
    ("emergency_housing", _l("I live in emergency or temporary housing")),
    ("homeless", _l("I have no home")),
)
RENT_PAID_TO = (
    ("landlord", _l("A landlord or housing company")),
    ("private", _l("A private person")),
    ("municipality", _l("The municipality")),
)
OCCUPATION = (
    ("working", _l("Working")),
    ("looking", _l("Looking for work")),
    ("studying", _l("Studying")),
    ("sick", _l("On sick leave")),
    ("parental_leave", _l("On parental leave")),
    ("unable", _l("Unable to work for another reason")),
)
CHILD_LIVES = (
    ("all", _l("All the time")),
    ("part", _l("Part of the time")),
    ("not", _l("Not with me")),
)
MAINTENANCE = (
    ("none", _l("No maintenance is paid")),
    ("received", _l("Maintenance is paid to me for the child (underhållsbidrag)")),
    ("paid", _l("I pay maintenance for the child")),
)
# One-off needs this month: the question key of the amount, and the stated-cost kind it becomes.
NEEDS = (
    ("dental", _l("Dental care")),
    ("glasses", _l("Glasses")),
    ("medicine", _l("Medicine beyond the high-cost ceiling (högkostnadsskydd)")),
    ("furniture", _l("Furniture or household equipment")),
    ("moving", _l("Moving costs")),
)
CONTACT = (
    ("email", _l("E-mail")),
    ("sms", _l("Text message (SMS)")),
    ("phone", _l("Phone call")),
    ("letter", _l("Letter")),
)
# Languages an interpreter can be booked for, by ISO 639 code; names come from Babel in the reader's
# language, so the list needs no translation of its own. The code goes to the municipality.
INTERPRETER_LANGUAGES = (
    "ar",
    "so",
    "fa",
    "fa_AF",
    "ti",
    "uk",
    "fi",
    "en",
    "ps",
    "ckb",
    "ku",
    "tr",
    "ru",
    "pl",
    "bs",
    "sr",
    "hr",
    "sq",
    "es",
    "fr",
    "de",
    "am",
    "om",
    "sw",
    "ur",
    "hi",
    "bn",
    "ta",
    "th",
    "vi",
    "zh",
    "mn",
    "uz",
    "ro",
    "bg",
    "hu",
    "el",
    "ka",
    "hy",
    "az",
    "rom",
    "se",
    "fit",
    "yi",
    "syr",
)


@dataclass(frozen=True)
class Question:
    # The texts are lazy translations (portal.i18n.lazy._l), typed as the text they stand for.
    key: str
    label: str
    help: str
    kind: str  # choice, yesno, amount, text, language, multi, clearing, account, confirm, members
    choices: tuple[tuple[str, str], ...] = ()  # (value, label)
    required: bool = True
    # Asked only when this holds on the same person's answers on the same page (a follow-up).
    when: Condition | None = None
    # The message when it is required and empty (each question names what is missing).
    missing: str | None = None

    @property
    def follow_up(self) -> bool:
        return self.when is not None

    def asked(self, values: dict) -> bool:
        return self.when is None or self.when(values)


@dataclass(frozen=True)
class Page:
    key: str
    title: str
    questions: tuple[Question, ...]
    per: str | None = None  # None (household), "adult" or "child"
    show: Callable[[object, dict], bool] = field(default=lambda application, answers: True)


@dataclass(frozen=True)
class Condition:
    """A follow-up's condition on another answer of the same page and person: that answer is one of
    ``values`` (or, for checkboxes, ``chosen``: one of them is among those ticked). Data rather than a
    function, so the page can also show and hide the follow-up in the browser (static/js/situation.js)."""

    key: str
    values: tuple[str, ...]
    chosen: bool = False

    def __call__(self, answers: dict) -> bool:
        given = answers.get(self.key)
        if self.chosen:
            return bool(set(given or ()) & set(self.values))
        return given in self.values


def _is(key: str, *values: str) -> Condition:
    return Condition(key, values)


def _chose(key: str, value: str) -> Condition:
    return Condition(key, (value,), chosen=True)


def _renting(application, answers: dict) -> bool:
    return answers.get("housing") in RENTING


def _has_children(application, answers: dict) -> bool:
    from portal.situation.services import children  # portal.situation.services imports this module

    return bool(children(application))


PAGES: tuple[Page, ...] = (
    Page(
        "housing",
        _l("Where you live"),
        (
            Question(
                "housing",
                _l("How do you live?"),
                _l("Choose what fits best. If you live in several places, choose where you sleep most nights."),
                "choice",
                HOUSING,
                missing=_l("Choose how you live"),
            ),
        ),
    ),
    Page(
        "rent",
        _l("Your rent"),
        (
            Question(
                "rent",
                _l("How much rent do you pay each month?"),
                _l("The whole rent for the home, in kronor, as it says on the rent notice (hyresavi)."),
                "amount",
                missing=_l("Enter the rent you pay each month"),
            ),
            Question(
                "rent_paid_to",
                _l("Who do you pay the rent to?"),
                _l("The municipality asks because rent paid to a private person is checked differently."),
                "choice",
                RENT_PAID_TO,
                missing=_l("Choose who you pay the rent to"),
            ),
            Question(
                "rent_arrears",
                _l("Do you owe rent from earlier months?"),
                _l(
                    "Rent arrears (hyresskuld) can put your home at risk. Saying so helps the municipality act in time."
                ),
                "yesno",
                YES_NO,
                missing=_l("Say whether you owe rent"),
            ),
            Question(
                "rent_arrears_amount",
                _l("If yes: how much rent do you owe?"),
                _l("The total you owe, in kronor."),
                "amount",
                when=_is("rent_arrears", YES),
                missing=_l("Enter how much rent you owe"),
            ),
            Question(
                "eviction_notice",
                _l("Have you received a notice to leave your home?"),
                _l(
                    "For example a notice of termination (uppsägning) or a letter from Kronofogden about "
                    "eviction (avhysning)."
                ),
                "yesno",
                YES_NO,
                missing=_l("Say whether you have received a notice to leave"),
            ),
        ),
        show=_renting,
    ),
    Page(
        "work",
        _l("Work and availability"),
        (
            Question(
                "occupation",
                _l("What do you do now?"),
                _l("Choose what takes most of your time this month."),
                "choice",
                OCCUPATION,
                missing=_l("Choose what you do now"),
            ),
            Question(
                "registered_af",
                _l("If looking for work: are you registered at Arbetsförmedlingen?"),
                _l("To receive ekonomiskt bistånd you usually need to be registered as a job seeker."),
                "yesno",
                YES_NO,
                when=_is("occupation", "looking"),
                missing=_l("Say whether you are registered at Arbetsförmedlingen"),
            ),
            Question(
                "sick_certificate",
                _l("If on sick leave: do you have a sick certificate (läkarintyg)?"),
                _l("A certificate from a doctor that says you cannot work, and for how long."),
                "yesno",
                YES_NO,
                when=_is("occupation", "sick"),
                missing=_l("Say whether you have a sick certificate"),
            ),
            Question(
                "unable_reason",
                _l("If unable to work: why?"),
                _l("In your own words, for example caring for a relative."),
                "text",
                when=_is("occupation", "unable"),
                missing=_l("Say why you are unable to work"),
            ),
        ),
        per="adult",
    ),
    Page(
        "children",
        _l("Your children"),
        (
            Question(
                "lives",
                _l("Does the child live with you?"),
                _l("Where the child sleeps most nights."),
                "choice",
                CHILD_LIVES,
                missing=_l("Choose how often the child lives with you"),
            ),
            Question(
                "alternating",
                _l("If part of the time: does the child live alternately with the other parent (växelvis boende)?"),
                _l("Växelvis boende means the child lives about half the time with each parent."),
                "yesno",
                YES_NO,
                when=_is("lives", "part"),
                missing=_l("Say whether the child lives alternately with the other parent"),
            ),
            Question(
                "maintenance",
                _l("Is maintenance paid for the child?"),
                _l("Underhållsbidrag or underhållsstöd from Försäkringskassan."),
                "choice",
                MAINTENANCE,
                missing=_l("Choose whether maintenance is paid"),
            ),
            Question(
                "maintenance_amount",
                _l("If maintenance is paid: how much each month?"),
                _l("In kronor each month."),
                "amount",
                when=_is("maintenance", "received", "paid"),
                missing=_l("Enter the maintenance paid each month"),
            ),
            Question(
                "childcare",
                _l("What do you pay for the child's childcare each month?"),
                _l("Preschool or after-school care (förskola, fritids). Leave empty if nothing."),
                "amount",
                required=False,
            ),
        ),
        per="child",
        show=_has_children,
    ),
    Page(
        "others",
        _l("Other people in your home"),
        (
            Question(
                "other_adults",
                _l("Does any other adult live in your home who is not listed in your household?"),
                _l("For example a partner, a lodger or a relative who lives with you but is registered elsewhere."),
                "yesno",
                YES_NO,
                missing=_l("Say whether another adult lives in your home"),
            ),
            Question(
                "other_adults_who",
                _l("If yes: who, and how are they related to you?"),
                _l("For example: my brother, 24 years old, since March."),
                "text",
                when=_is("other_adults", YES),
                missing=_l("Say who lives with you"),
            ),
            Question(
                "moved",
                _l("Has anyone listed in your household moved out?"),
                _l("Folkbokföringen may not yet show a move. Choose everyone who no longer lives with you."),
                "members",
                required=False,
            ),
        ),
    ),
    Page(
        "debts",
        _l("Debts"),
        (
            Question(
                "debts",
                _l("Do you have debts?"),
                _l(
                    "For example loans, unpaid bills or debts with Kronofogden. Debts are not paid by "
                    "ekonomiskt bistånd, but they matter for advice."
                ),
                "yesno",
                YES_NO,
                missing=_l("Say whether you have debts"),
            ),
            Question(
                "debts_amount",
                _l("If yes: about how much do you owe in total?"),
                _l("An estimate in kronor is enough."),
                "amount",
                when=_is("debts", YES),
                missing=_l("Enter about how much you owe"),
            ),
            Question(
                "kronofogden",
                _l("If yes: are you in contact with Kronofogden?"),
                _l("For example a debt collection (utmätning) or a debt relief (skuldsanering)."),
                "yesno",
                YES_NO,
                when=_is("debts", YES),
                missing=_l("Say whether you are in contact with Kronofogden"),
            ),
        ),
    ),
    Page(
        "needs",
        _l("One-off needs this month"),
        (
            Question(
                "needs",
                _l("Do you need help with any of these this month?"),
                _l("Choose all that apply. Leave all unchosen if none."),
                "multi",
                NEEDS,
                required=False,
            ),
            *(
                Question(
                    f"{key}_amount",
                    _l("If %(need)s: how much will it cost?", need=label),
                    _l("In kronor. A cost estimate or receipt helps."),
                    "amount",
                    when=_chose("needs", key),
                    missing=_l("Enter what it will cost"),
                )
                for key, label in NEEDS
            ),
        ),
    ),
    Page(
        "payout",
        _l("Your payout account"),
        (
            Question(
                "clearing",
                _l("Clearing number"),
                _l("Four digits (five for some Swedbank accounts), from your bank's app or statement."),
                "clearing",
                missing=_l("Enter the clearing number"),
            ),
            Question(
                "account",
                _l("Account number"),
                _l("The account number without the clearing number."),
                "account",
                missing=_l("Enter the account number"),
            ),
            Question(
                "holder_confirmed",
                _l("I confirm the account is in my name"),
                _l("Ekonomiskt bistånd is paid only to an account that belongs to you."),
                "confirm",
                missing=_l("Confirm that the account is in your name"),
            ),
        ),
    ),
    Page(
        "contact",
        _l("Interpreter and contact"),
        (
            Question(
                "interpreter",
                _l("Do you need an interpreter when you meet the municipality?"),
                _l("The municipality books and pays for the interpreter."),
                "yesno",
                YES_NO,
                missing=_l("Say whether you need an interpreter"),
            ),
            Question(
                "interpreter_language",
                _l("If yes: in which language?"),
                _l("Choose the language you speak best."),
                "language",
                when=_is("interpreter", YES),
                missing=_l("Choose the language for the interpreter"),
            ),
            Question(
                "contact",
                _l("How do you want the municipality to contact you?"),
                _l("The municipality may still send decisions by letter or digital mail."),
                "choice",
                CONTACT,
                missing=_l("Choose how you want to be contacted"),
            ),
        ),
    ),
)

BY_KEY = {page.key: page for page in PAGES}


def question(page_key: str, key: str) -> Question:
    return next(q for q in BY_KEY[page_key].questions if q.key == key)
