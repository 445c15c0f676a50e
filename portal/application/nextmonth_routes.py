"""Apply again for the next month (see portal/application/nextmonth.py)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("nextmonth", __name__)
