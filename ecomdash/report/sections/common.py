"""Plain-text formatting the report's sections share (the renderer escapes it)."""

from __future__ import annotations

import math

from ecomdash import labels as L
from ecomdash.i18n import N_, _
from ecomdash.i18n import fmt as i18n_fmt

MONEY = {"revenue", "gross_sales", "returns", "aov"}
LOWER_IS_BETTER = {"returns", "return_rate"}
KPI_ORDER = ("revenue", "orders", "aov", "customers", "return_rate", "new_customers")


# -- formatting (plain text; the renderer escapes it) ------------------------------------------
def _isnan(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


#: The grain a trend is summed by, as a sentence names it.
GRAINS = {"day": N_("day"), "week": N_("week"), "month": N_("month")}


def fmt_kpi(name: str, v, display: L.Display) -> tuple[str, str | None]:
    """A headline tile's (value, exact figure): money compact in the dataset's currency as the
    app's Overview shows it (``£3.73M``, ``¥373万``), with the exact amount for its tooltip."""
    if _isnan(v):
        return _("n/a"), None
    if name == "return_rate":
        return i18n_fmt.pct(v, 1), None
    if name in MONEY:
        return L.money(v, display, compact=True), L.money(v, display)
    return f"{int(round(v)):,}", None


def pct(x) -> str:
    return _("n/a") if _isnan(x) else i18n_fmt.pct(x, 0)


def _grain(g: str) -> str:
    return _(GRAINS[g]) if g in GRAINS else g


def _period_text(start, grain: str) -> str:
    """A trend's period in a sentence, by the day it starts: a month is ``December 2025``
    (``1 December 2025`` read as one day), a week ``the week of 8 September 2025``."""
    if grain == "month":
        return i18n_fmt.long_month(start)
    if grain == "week":
        return _("the week of {date}", date=i18n_fmt.long_date(start))
    return i18n_fmt.long_date(start)
