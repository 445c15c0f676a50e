"""A calculation line in words, in the current language (``force_locale("sv")`` for the municipality's
documents). The line carries its code and parameters, never its text, so every reader sees it in their
own language."""

from __future__ import annotations

from flask_babel import gettext as _

from portal.i18n.lazy import _l
from portal.indication.calculate import LINE_TEXT
from portal.information.labels import item_label
from portal.providers.registry import provider
from portal.supplements.labels import COST_CATEGORY, INCOME_KIND

GROUP = {"norm": _l("National norm (riksnormen)"), "cost": _l("Reasonable costs"), "income": _l("Income")}
STATUS = {"proposed": _l("Proposed"), "accepted": _l("Accepted"), "changed": _l("Changed")}

# Kinds of cost the situation's answers may state beyond the application's own categories.
EXTRA_COST = {
    "rent_arrears": _l("Rent arrears"),
    "glasses": _l("Glasses"),
    "furniture": _l("Furniture and household equipment"),
    "moving": _l("Moving costs"),
    "housing": _l("Rent or housing cost"),
    "maintenance_paid": _l("Maintenance you pay for a child"),
    "medicine": _l("Medicine beyond the high-cost ceiling (högkostnadsskydd)"),
}


def cost_text(kind: str) -> str:

    label = COST_CATEGORY.get(kind) or EXTRA_COST.get(kind)
    return str(label) if label is not None else _("Other necessary costs (%(kind)s)", kind=kind.replace("_", " "))


def line_text(line: dict) -> str:
    """``line``: a line as the exchange document and the decision keep it (code, params)."""
    code, params = line.get("code") or "", line.get("params") or {}
    if code == "cost":
        return cost_text(str(params.get("kind", "other")))
    if code == "income.fetched":
        try:
            return item_label(provider(str(params.get("provider"))), str(params.get("kind")))[0]
        except KeyError:
            return str(params.get("kind"))
    if code == "income.stated":
        return str(INCOME_KIND.get(str(params.get("kind")), INCOME_KIND["other"]))
    template = LINE_TEXT.get(code)
    if template is None:
        return code
    try:
        return str(template) % params if params else str(template)
    except (KeyError, TypeError, ValueError):
        return str(template)
