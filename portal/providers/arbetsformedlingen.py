"""Arbetsförmedlingen: the 6 basic information sets of today (SSBTEK) and, with the person's
separate consent, the 14 more that SKR asks for (items 7–20 of the list in docs/design.md §3).

Raw format (see ``devstack/sandbox/providers/arbetsformedlingen.py``): ``POST
/arbetsformedlingen/ssbtek/v2/<set>`` (basic) or ``/arbetsformedlingen/samtycke/v1/<set>``
(extended) with ``{"personnummer", "franDatum", "tillDatum"}`` (ISO dates). Every answer carries
``sokande`` (name and personnummer: item 1, the subject itself, not kept) and ``arende``
(case officer, office, internal case id: not kept), then the set's own lists. Dates are ISO
``YYYY-MM-DD``, months ``YYYY-MM``; codes are Arbetsförmedlingen's own.

Seed item -> InfoSet (kind):
  1 name, personnummer          -> every answer's ``sokande`` (the subject; not kept)
  2 registration dates          -> inskrivning (registration)
  3 a-kassa as registered       -> arbetsloshetskassa (membership)
  4 job-seeker category         -> sokandekategori (category)
  5 programme and period        -> program (participation)
  6 last activity report date   -> aktivitetsrapport (last_report)
  7 activity report content     -> aktivitetsrapport_innehall (report)            [extended]
  8 sanctions and reason        -> sanktioner (sanction)                          [extended]
  9 deregistration reason       -> avaktualisering (deregistration)               [extended]
 10 eligible for arbetspraktik  -> stod_och_ratt (work_experience)                [extended]
 11 referral to service/provider-> anvisningar (referral)                        [extended]
 12 disability code             -> stod_och_ratt (disability)                     [extended]
 13 days used in the job guarantee -> stod_och_ratt (job_guarantee_days)          [extended]
 14 action plan content         -> handlingsplan (action_plan)                    [extended]
 15 past planned activities and programme decisions -> anvisningar (programme_decision) [extended]
 16 application for support received -> ersattningsansokan (application)         [extended]
 17 supplement requested/submitted -> ersattningsansokan (supplement)            [extended]
 18 next planning meeting       -> handlingsplan (next_meeting)                   [extended]
 19 programme activities and extent -> anvisningar (programme_activity)          [extended]
 20 right to SIUS               -> stod_och_ratt (sius)                           [extended]

Item 15 is history: its set (``anvisningar``) is asked for and kept over the :data:`HISTORY_MONTHS`
months before the month applied for (issue 22, point 6); every other set keeps only what
overlaps the application's period. Item 6 (last report) is kept from the day it came in with no
end: it stays the latest until the next. Each report's content (item 7) carries whether
Arbetsförmedlingen approved it (``granskning.status``: godkänd, not approved, not yet reviewed).
"""

from __future__ import annotations

import re
from datetime import date

from portal.i18n.lazy import _l
from portal.providers.base import InfoSet, Provider
from portal.providers.items import FACT, Item, Period
from portal.providers.parse import Drift as _Drift
from portal.providers.parse import get as _get
from portal.providers.parse import iso_date as _date
from portal.providers.parse import month, unexpected_format

NAME = "arbetsformedlingen"
_MONTH = re.compile(r"(\d{4})-(\d{2})")

BASIC = ("inskrivning", "arbetsloshetskassa", "sokandekategori", "program", "aktivitetsrapport")
EXTENDED = (
    "aktivitetsrapport_innehall",
    "sanktioner",
    "avaktualisering",
    "anvisningar",
    "handlingsplan",
    "stod_och_ratt",
    "ersattningsansokan",
)

REPORT_ACTIVITIES = {
    "SOKT_ARBETE": "applications",
    "ANSTALLNINGSINTERVJU": "interviews",
    "REKRYTERINGSTRAFF": "recruitment_events",
    "PRAKTIK": "work_experience",
    "STUDIER": "studies",
    "OVRIGT": "other_activities",
}
CONSEQUENCES = {"VARNING", "AVSTANGNING", "UTSKRIVNING", "ATERKALLELSE"}
REVIEWS = {"GODKAND", "EJ_GODKAND", "EJ_GRANSKAD"}
# Sets kept over a longer history than the application's period: past programme decisions and
# planned activities (item 15) over two years, which the municipality asks about.
HISTORY_MONTHS = {"anvisningar": 24}


def window(info_set: str, period) -> Period:
    """The months a set is asked for and kept over: the application's period, or its history."""
    months = HISTORY_MONTHS.get(info_set)
    return period if months is None else Period(period.month, months_before=months)


MEETING_FORMS = {"BESOK", "TELEFON", "DISTANS"}
APPLICATION_STATUSES = {"INKOMMEN", "UNDER_HANDLAGGNING", "KOMPLETTERING_BEGARD", "BEVILJAD", "AVSLAGEN"}


def _month(raw, key: str) -> tuple[date, date]:
    return month(_get(raw, key, str), _MONTH, key)


def _code(raw, key: str, allowed: set[str] | None = None) -> str:
    value = _get(raw, key, str)
    if not value or (allowed is not None and value not in allowed):
        raise _Drift(key)
    return value


def _list(raw, key: str) -> list:
    return _get(raw, key, list)


class Arbetsformedlingen(Provider):
    name = NAME
    title = _l("Arbetsförmedlingen")
    purpose = _l(
        "To see whether you are registered as a job seeker, in a programme and reporting "
        "your activities, which affects your right to ekonomiskt bistånd and the support "
        "the municipality can plan with you."
    )
    order = 40
    sets = (
        InfoSet("inskrivning", _l("Registration as a job seeker")),
        InfoSet("arbetsloshetskassa", _l("Unemployment insurance fund as registered")),
        InfoSet("sokandekategori", _l("Job-seeker category")),
        InfoSet("program", _l("Labour market programme and period")),
        InfoSet("aktivitetsrapport", _l("Date of the last activity report")),
        InfoSet("aktivitetsrapport_innehall", _l("Content of your activity reports"), extended=True),
        InfoSet("sanktioner", _l("Sanctions and why"), extended=True),
        InfoSet("avaktualisering", _l("Why you are no longer registered"), extended=True),
        InfoSet("anvisningar", _l("Referrals, programme decisions and their activities"), extended=True),
        InfoSet("handlingsplan", _l("Action plan and next planning meeting"), extended=True),
        InfoSet("stod_och_ratt", _l("Work experience, disability code, job guarantee days and SIUS"), extended=True),
        InfoSet("ersattningsansokan", _l("Applications for support and requested supplements"), extended=True),
    )
    labels = {
        "arbetsformedlingen.inskrivning.registration": (
            _l("Registered as a job seeker"),
            _l(
                "The period you are registered at Arbetsförmedlingen. Being registered is usually "
                "required for ekonomiskt bistånd if you can work."
            ),
        ),
        "arbetsformedlingen.arbetsloshetskassa.membership": (
            _l("Unemployment insurance fund (a-kassa)"),
            _l(
                "The a-kassa Arbetsförmedlingen has registered for you. You may have a right to "
                "a-kassa benefit, which counts as income."
            ),
        ),
        "arbetsformedlingen.sokandekategori.category": (
            _l("Job-seeker category"),
            _l("How Arbetsförmedlingen has registered you, for example openly unemployed."),
        ),
        "arbetsformedlingen.program.participation": (
            _l("Labour market programme"),
            _l(
                "A programme you take part in. It can give aktivitetsstöd or etableringsersättning, "
                "which count as income."
            ),
        ),
        "arbetsformedlingen.aktivitetsrapport.last_report": (
            _l("Last activity report"),
            _l(
                "When you last sent your monthly activity report, and the month it was about. "
                "Reporting every month is part of looking for work."
            ),
        ),
        "arbetsformedlingen.aktivitetsrapport_innehall.report": (
            _l("Activity report"),
            _l("What you reported doing to find work that month. It shows that you are available for work."),
        ),
        "arbetsformedlingen.sanktioner.sanction": (
            _l("Sanction from Arbetsförmedlingen"),
            _l(
                "A warning or a stop in your benefit, and why. The municipality may take it into "
                "account when assessing your application."
            ),
        ),
        "arbetsformedlingen.avaktualisering.deregistration": (
            _l("No longer registered"),
            _l("Why your registration at Arbetsförmedlingen ended."),
        ),
        "arbetsformedlingen.anvisningar.referral": (
            _l("Referral to a service"),
            _l("A service or provider Arbetsförmedlingen has referred you to, and for which period."),
        ),
        "arbetsformedlingen.anvisningar.programme_decision": (
            _l("Programme decision"),
            _l("A decision that you take part in a programme, so the municipality does not plan the same again."),
        ),
        "arbetsformedlingen.anvisningar.programme_activity": (
            _l("Activity in the programme"),
            _l("An activity in your programme and how much of full time it takes."),
        ),
        "arbetsformedlingen.handlingsplan.action_plan": (
            _l("Action plan"),
            _l(
                "What kind of work you look for, how much, and what you must do according to "
                "your plan with Arbetsförmedlingen."
            ),
        ),
        "arbetsformedlingen.handlingsplan.next_meeting": (
            _l("Next planning meeting"),
            _l("When you next meet Arbetsförmedlingen to follow up your plan."),
        ),
        "arbetsformedlingen.stod_och_ratt.work_experience": (
            _l("Work experience placement (arbetspraktik)"),
            _l("Whether you may do arbetspraktik to gain work experience."),
        ),
        "arbetsformedlingen.stod_och_ratt.disability": (
            _l("Registered disability code"),
            _l(
                "A code for a disability that affects your work. It affects which support you "
                "can get and what can be asked of you."
            ),
        ),
        "arbetsformedlingen.stod_och_ratt.job_guarantee_days": (
            _l("Days used in the job and development guarantee"),
            _l("How many of the days with aktivitetsstöd in the guarantee you have used."),
        ),
        "arbetsformedlingen.stod_och_ratt.sius": (
            _l("Support person SIUS"),
            _l("Whether you have a right to a special support person when you look for or start a job."),
        ),
        "arbetsformedlingen.ersattningsansokan.application": (
            _l("Application to Arbetsförmedlingen"),
            _l(
                "An application for support or benefit that Arbetsförmedlingen has received. "
                "Money you may get must be applied for before ekonomiskt bistånd."
            ),
        ),
        "arbetsformedlingen.ersattningsansokan.supplement": (
            _l("Supplement requested"),
            _l("Arbetsförmedlingen asked you to add information to an application, and whether you have done so."),
        ),
    }
    detail_labels = {
        "office": _l("Office"),
        "fund": _l("A-kassa"),
        "category": _l("Category"),
        "programme": _l("Programme"),
        "submitted": _l("Sent in"),
        "review": _l("Approved by Arbetsförmedlingen"),
        "month": _l("Month reported on"),
        "applications": _l("Jobs applied for"),
        "interviews": _l("Job interviews"),
        "recruitment_events": _l("Recruitment events"),
        "work_experience": _l("Work experience"),
        "studies": _l("Studies"),
        "other_activities": _l("Other activities"),
        "decided": _l("Decision date"),
        "reason": _l("Reason"),
        "consequence": _l("Consequence"),
        "days": _l("Days without benefit"),
        "benefit": _l("Benefit"),
        "service": _l("Service"),
        "provider": _l("Provider"),
        "activity": _l("Activity"),
        "extent_percent": _l("Share of full time (%)"),
        "occupations": _l("Work sought"),
        "search_extent_percent": _l("Job search extent (%)"),
        "applications_required": _l("Jobs to apply for per month"),
        "meeting_form": _l("How the meetings are held"),
        "eligible": _l("Eligible"),
        "code": _l("Code"),
        "days_used": _l("Days used"),
        "days_max": _l("Days at most"),
        "status": _l("Status"),
        "requested": _l("Requested"),
        "supplemented": _l("Supplement sent in"),
    }
    codes = {
        ("review", "GODKAND"): _l("Yes, approved (godkänd)"),
        ("review", "EJ_GODKAND"): _l("No, not approved"),
        ("review", "EJ_GRANSKAD"): _l("Not yet reviewed"),
        ("category", "11"): _l("Openly unemployed"),
        ("category", "12"): _l("Job seeker with an obstacle (for example sick)"),
        ("category", "21"): _l("Part-time unemployed"),
        ("category", "22"): _l("Hourly employed"),
        ("category", "41"): _l("Employed, looking for another job"),
        ("category", "68"): _l("In a programme with aktivitetsstöd"),
        ("category", "69"): _l("In the introduction programme (etableringsprogrammet)"),
        ("programme", "JOB"): _l("Job and development guarantee"),
        ("programme", "EP"): _l("Introduction programme for newly arrived (etableringsprogrammet)"),
        ("programme", "UGA"): _l("Job guarantee for young people"),
        ("programme", "AUB"): _l("Labour market training"),
        ("programme", "PRAO"): _l("Work experience placement (arbetspraktik)"),
        ("programme", "FI"): _l("Preparatory efforts"),
        ("reason", "EJ_AKTIVITETSRAPPORT"): _l("Activity report not sent in time"),
        ("reason", "UTEBLIVEN_AKTIVITET"): _l("Did not attend a planned activity"),
        ("reason", "UTEBLIVET_MOTE"): _l("Did not attend a meeting with Arbetsförmedlingen"),
        ("reason", "EJ_SOKT_ANVISAT_ARBETE"): _l("Did not apply for a job referred to"),
        ("reason", "AVVISAT_ARBETE"): _l("Turned down a suitable job"),
        ("reason", "FATT_ARBETE"): _l("Got a job"),
        ("reason", "BORJAT_STUDERA"): _l("Started studying"),
        ("reason", "KONTAKT_UPPHORT"): _l("Contact with Arbetsförmedlingen ended"),
        ("reason", "EGEN_BEGARAN"): _l("At the person's own request"),
        ("reason", "UTSKRIVEN_PROGRAM"): _l("Removed from the programme after repeated sanctions"),
        ("reason", "ANNAN_ORSAK"): _l("Other reason"),
        ("consequence", "VARNING"): _l("Warning"),
        ("consequence", "AVSTANGNING"): _l("Benefit stopped for some days"),
        ("consequence", "UTSKRIVNING"): _l("Removed from the programme"),
        ("consequence", "ATERKALLELSE"): _l("Right to benefit withdrawn"),
        ("benefit", "AKTIVITETSSTOD"): _l("Aktivitetsstöd"),
        ("benefit", "ETABLERINGSERSATTNING"): _l("Etableringsersättning"),
        ("benefit", "ARBETSLOSHETSERSATTNING"): _l("A-kassa benefit"),
        ("benefit", "STARTA_EGET"): _l("Support to start a business"),
        ("benefit", "RESEBIDRAG"): _l("Travel grant"),
        ("benefit", "LONEBIDRAG"): _l("Wage subsidy"),
        ("service", "RUSTA_OCH_MATCHA"): _l("Rusta och matcha (coaching by a provider)"),
        ("service", "KROM"): _l("Kundval rusta och matcha"),
        ("service", "STOD_OCH_MATCHNING"): _l("Support and matching"),
        ("activity", "SFI"): _l("Swedish for immigrants (SFI)"),
        ("activity", "SAMHALLSORIENTERING"): _l("Civic orientation"),
        ("activity", "ARBETSPRAKTIK"): _l("Work experience placement"),
        ("activity", "JOBBSOKARAKTIVITET"): _l("Job search activities"),
        ("activity", "VALIDERING"): _l("Validation of skills"),
        ("activity", "STUDIEMOTIVERANDE"): _l("Study motivation course"),
        ("meeting_form", "BESOK"): _l("Visit at the office"),
        ("meeting_form", "TELEFON"): _l("Telephone"),
        ("meeting_form", "DISTANS"): _l("Video meeting"),
        ("status", "INKOMMEN"): _l("Received"),
        ("status", "UNDER_HANDLAGGNING"): _l("Being handled"),
        ("status", "KOMPLETTERING_BEGARD"): _l("Supplement requested"),
        ("status", "BEVILJAD"): _l("Granted"),
        ("status", "AVSLAGEN"): _l("Rejected"),
    }

    # Registrations, plans, reports and sanctions: facts about the search for work, no amounts.
    @property
    def figures(self) -> dict:
        return dict.fromkeys(self.labels, FACT)

    def request(self, personnummer: str, info_set: str, period) -> tuple[str, dict]:
        self.info_set(info_set)
        base = "/arbetsformedlingen/ssbtek/v2" if info_set in BASIC else "/arbetsformedlingen/samtycke/v1"
        span = window(info_set, period)
        return f"{base}/{info_set}", {
            "personnummer": personnummer,
            "franDatum": span.start.isoformat(),
            "tillDatum": span.end.isoformat(),
        }

    def normalise(self, info_set: str, raw: dict, period) -> list:
        parse = getattr(self, f"_{info_set}", None)
        if parse is None:
            raise KeyError(info_set)
        with unexpected_format(NAME):
            _get(raw, "sokande", dict)
            items = parse(raw)
        span = window(info_set, period)
        return [item for item in items if span.overlaps(item.period_start, item.period_end)]

    def _item(self, info_set: str, kind: str, start, end, theme: str = "work", **details) -> Item:
        return Item(
            provider=NAME,
            info_set=info_set,
            kind=f"{NAME}.{info_set}.{kind}",
            theme=theme,
            period_start=start,
            period_end=end,
            details=details,
        )

    # basic sets (seed items 1-6)

    def _inskrivning(self, raw):
        return [
            self._item("inskrivning", "registration", _date(p, "inskrivenFrom"), _date(p, "inskrivenTom", True))
            for p in _list(raw, "inskrivningsperioder")
        ]

    def _arbetsloshetskassa(self, raw):
        return [
            self._item(
                "arbetsloshetskassa",
                "membership",
                _date(m, "registreradFrom"),
                _date(m, "registreradTom", True),
                fund=_get(m, "akassaNamn", str),
            )
            for m in _list(raw, "akassetillhorighet")
        ]

    def _sokandekategori(self, raw):
        return [
            self._item("sokandekategori", "category", _date(c, "from"), _date(c, "tom", True), category=_code(c, "kod"))
            for c in _list(raw, "kategorier")
        ]

    def _program(self, raw):
        return [
            self._item(
                "program", "participation", _date(p, "from"), _date(p, "tom", True), programme=_code(p, "programkod")
            )
            for p in _list(raw, "programdeltagande")
        ]

    def _aktivitetsrapport(self, raw):
        last = _get(raw, "senasteAktivitetsrapport", dict, optional=True)
        if last is None:
            return []
        # Still the latest report from the day it came in: an old one matters (no report since).
        month, _ = _month(last, "avserManad")
        submitted = _date(last, "inkomDatum")
        return [
            self._item(
                "aktivitetsrapport",
                "last_report",
                submitted,
                None,
                submitted=submitted.isoformat(),
                month=month.strftime("%Y-%m"),
            )
        ]

    # extended sets (seed items 7-20)

    def _aktivitetsrapport_innehall(self, raw):
        items = []
        for report in _list(raw, "aktivitetsrapporter"):
            start, end = _month(report, "avserManad")
            counts = dict.fromkeys(REPORT_ACTIVITIES.values(), 0)
            for activity in _list(report, "aktiviteter"):
                counts[REPORT_ACTIVITIES[_code(activity, "aktivitetstyp", set(REPORT_ACTIVITIES))]] += 1
            review = _code(_get(report, "granskning", dict), "status", REVIEWS)
            items.append(
                self._item(
                    "aktivitetsrapport_innehall",
                    "report",
                    start,
                    end,
                    "work",  # positional, so no activity count can be taken for the theme
                    submitted=_date(report, "inkomDatum").isoformat(),
                    review=review,
                    **counts,
                )
            )
        return items

    def _sanktioner(self, raw):
        items = []
        for decision in _list(raw, "sanktionsbeslut"):
            decided = _date(decision, "beslutsdatum")
            start = _date(decision, "avstangdFrom", True) or decided
            end = _date(decision, "avstangdTom", True) or start
            items.append(
                self._item(
                    "sanktioner",
                    "sanction",
                    start,
                    end,
                    decided=decided.isoformat(),
                    reason=_code(decision, "grund"),
                    consequence=_code(decision, "pafoljd", CONSEQUENCES),
                    days=_get(decision, "avstangningsdagar", int, True),
                    benefit=_code(decision, "ersattning"),
                )
            )
        return items

    def _avaktualisering(self, raw):
        # The latest deregistration explains the situation until now; earlier ones only their day.
        found = sorted((_date(d, "datum"), _code(d, "orsakskod")) for d in _list(raw, "avaktualiseringar"))
        return [
            self._item("avaktualisering", "deregistration", day, None if n == len(found) - 1 else day, reason=reason)
            for n, (day, reason) in enumerate(found)
        ]

    def _anvisningar(self, raw):
        items = [
            self._item(
                "anvisningar",
                "referral",
                _date(a, "from"),
                _date(a, "tom", True),
                service=_code(a, "tjanst"),
                provider=_get(a, "leverantor", str, True),
            )
            for a in _list(raw, "anvisningar")
        ]
        for decision in _list(raw, "programbeslut"):
            programme = _code(decision, "programkod")
            items.append(
                self._item(
                    "anvisningar",
                    "programme_decision",
                    _date(decision, "from"),
                    _date(decision, "tom", True),
                    programme=programme,
                    decided=_date(decision, "beslutsdatum").isoformat(),
                )
            )
            for activity in _list(decision, "aktiviteter"):
                extent = _get(activity, "omfattningProcent", int)
                if not 0 <= extent <= 100:
                    raise _Drift("omfattningProcent")
                items.append(
                    self._item(
                        "anvisningar",
                        "programme_activity",
                        _date(activity, "from"),
                        _date(activity, "tom", True),
                        programme=programme,
                        activity=_code(activity, "aktivitet"),
                        extent_percent=extent,
                    )
                )
        return items

    def _handlingsplan(self, raw):
        items = []
        plan = _get(raw, "handlingsplan", dict, optional=True)
        if plan is not None:
            occupations = [_get(o, "yrke", str) for o in _list(plan, "sokinriktning")]
            items.append(
                self._item(
                    "handlingsplan",
                    "action_plan",
                    _date(plan, "senastReviderad", True) or _date(plan, "upprattad"),
                    None,
                    occupations=", ".join(occupations),
                    search_extent_percent=_get(plan, "sokomfattningProcent", int),
                    applications_required=_get(plan, "kravAntalSoktaJobbPerManad", int, True),
                )
            )
        meeting = _get(raw, "nastaPlaneringssamtal", dict, optional=True)
        if meeting is not None:
            when = _date(meeting, "datum")
            items.append(
                self._item(
                    "handlingsplan", "next_meeting", when, when, meeting_form=_code(meeting, "form", MEETING_FORMS)
                )
            )
        return items

    def _stod_och_ratt(self, raw):
        items = []
        practice = _get(raw, "arbetspraktik", dict)
        items.append(
            self._item(
                "stod_och_ratt",
                "work_experience",
                _date(practice, "bedomd", True),
                None,
                eligible=_get(practice, "berattigad", bool),
            )
        )
        disability = _get(raw, "funktionsnedsattning", dict, optional=True)
        if disability is not None:
            items.append(
                self._item(
                    "stod_och_ratt", "disability", _date(disability, "registrerad"), None, code=_code(disability, "kod")
                )
            )
        guarantee = _get(raw, "jobbOchUtvecklingsgarantin", dict, optional=True)
        if guarantee is not None:
            items.append(
                self._item(
                    "stod_och_ratt",
                    "job_guarantee_days",
                    _date(guarantee, "inskrivenFrom"),
                    _date(guarantee, "per"),
                    days_used=_get(guarantee, "forbrukadeDagar", int),
                    days_max=_get(guarantee, "maxDagar", int),
                )
            )
        sius = _get(raw, "sius", dict)
        items.append(
            self._item(
                "stod_och_ratt", "sius", _date(sius, "bedomd", True), None, eligible=_get(sius, "berattigad", bool)
            )
        )
        return items

    def _ersattningsansokan(self, raw):
        items = []
        for application in _list(raw, "ansokningar"):
            benefit = _code(application, "stodtyp")
            items.append(
                self._item(
                    "ersattningsansokan",
                    "application",
                    _date(application, "inkom"),
                    _date(application, "beslutsdatum", True),
                    theme="income",
                    benefit=benefit,
                    status=_code(application, "status", APPLICATION_STATUSES),
                )
            )
            for request in _list(application, "kompletteringar"):
                requested = _date(request, "begard")
                supplied = _date(request, "inkommen", True)
                items.append(
                    self._item(
                        "ersattningsansokan",
                        "supplement",
                        requested,
                        supplied,
                        theme="income",
                        benefit=benefit,
                        requested=requested.isoformat(),
                        supplemented=supplied is not None,
                    )
                )
        return items


PROVIDER = Arbetsformedlingen()
