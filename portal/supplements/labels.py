"""Plain-language, translated names for what the applicant can add, and the page texts that
differ between incomes, costs and assets."""

from portal.i18n.lazy import _l

INCOME_KIND = {
    "salary": _l("Salary or other pay from work"),
    "benefit": _l("A benefit or allowance that we have not fetched"),
    "maintenance": _l("Maintenance from a parent (underhåll)"),
    "foreign_pension": _l("Pension from another country"),
    "gift_or_loan": _l("Gift or loan"),
    "sale": _l("Money from selling something you own"),
    "other": _l("Other income"),
}

COST_CATEGORY = {
    "rent": _l("Rent"),
    "electricity": _l("Household electricity"),
    "home_insurance": _l("Home insurance"),
    "work_travel": _l("Travel to and from work"),
    "childcare": _l("Childcare (preschool or after-school care)"),
    "medical": _l("Medical care and medicine"),
    "dental": _l("Dental care"),
    "union_fee": _l("Trade union fee"),
    "akassa_fee": _l("Unemployment insurance fund fee (a-kassa)"),
    "other": _l("Other cost"),
}

# "Enter the rent you pay each month": the missing-amount message names what the cost is.
COST_AMOUNT_REQUIRED = {
    "rent": _l("Enter the rent you pay each month"),
    "electricity": _l("Enter what you pay for household electricity each month"),
    "home_insurance": _l("Enter what you pay for home insurance each month"),
    "work_travel": _l("Enter what you pay for travel to and from work each month"),
    "childcare": _l("Enter what you pay for childcare each month"),
    "medical": _l("Enter what you pay for medical care and medicine each month"),
    "dental": _l("Enter what you pay for dental care each month"),
    "union_fee": _l("Enter the trade union fee you pay each month"),
    "akassa_fee": _l("Enter the a-kassa fee you pay each month"),
    "other": _l("Enter the amount you pay each month"),
}

ASSET_KIND = {
    "bank_account": _l("A bank account that we have not fetched"),
    "cash": _l("Cash"),
    "vehicle": _l("Car, motorcycle or other vehicle"),
    "property": _l("House, flat or land that you own"),
    "shares_funds": _l("Shares and funds"),
    "other": _l("Other asset"),
}


def entry_label(entry) -> str:
    """What an income, cost or asset is, in words."""
    names = {"supplement_income": INCOME_KIND, "supplement_cost": COST_CATEGORY, "supplement_asset": ASSET_KIND}[
        entry.__tablename__
    ]
    key = entry.category if entry.__tablename__ == "supplement_cost" else entry.kind
    return str(names.get(key, key))
