"""What the lifetime-value result says in words, the same sentences on the Customer value
page (:mod:`ecomdash.ui.value_views`) and in ``ecomdash clv``: the method and horizon, the
BG/NBD parameters in plain words, the calibration check and where its miss comes from. Built
with ``_()`` in the current language; no Streamlit here."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ecomdash.i18n import N_, _, fmt

#: how each lifetime-value method reads (ids from ecomdash.clv)
CLV_METHODS = {
    "bgnbd+gamma_gamma": N_("BG/NBD + Gamma-Gamma"),
    "bgnbd+historical_spend": N_("BG/NBD + historical spend"),
    "historical_average": N_("Historical average (models skipped)"),
}


def whole(x) -> str:
    """A count as the page's tiles write it (``8,458``; "n/a" when missing)."""
    return _("n/a") if x is None or pd.isna(x) else f"{int(round(x)):,}"


def share(x, digits: int = 1) -> str:
    """A share as :func:`ecomdash.i18n.fmt.pct` writes it ("n/a" when missing)."""
    return _("n/a") if x is None or pd.isna(x) else fmt.pct(x, digits)


def method_sentence(res) -> str:
    """The method and horizon of a ``CLVResult``: "Method: BG/NBD + historical spend. Scored
    as of 31 October 2026 over the next 12 months."."""
    return _(
        "Method: {method}. Scored as of {date} over the next {months} months.",
        method=_(CLV_METHODS[res.method]),
        date=fmt.long_date(res.cutoff),
        months=f"{res.horizon_months:g}",
    )


def holdout_sentence(cal) -> str:
    """What the calibration check fitted on and checked against (a ``CalibrationResult``)."""
    return _(
        "Fitted on purchases up to and including {cutoff}; holdout {start} to {end} "
        "({weeks}\u00a0weeks).",
        cutoff=fmt.long_date(cal.cutoff),
        start=fmt.long_date(cal.cutoff + pd.Timedelta(days=1)),
        end=fmt.long_date(cal.end),
        weeks=f"{cal.holdout_units:.1f}",
    )


def signed_error(cal) -> str:
    """How far the predicted holdout purchases are from the actual ones: "+11.9 %" /
    "-3.2 %" (:func:`ecomdash.i18n.fmt.pct`, signed, as the Overview's deltas: a miss that
    rounds to zero reads "0.0 %", never "+0.0 %"; "n/a" when missing)."""
    x = cal.error_pct
    return _("n/a") if x is None or pd.isna(x) else fmt.pct(x / 100, 1, signed=True)


def versus_actual(cal) -> str:
    """The predicted holdout purchases against the actual ones: "+11.9 % vs actual" (the
    page's tile writes the same msgid as its ``delta=_(...)``, where the number-first check
    of ``tests/unit/test_i18n_deltas.py`` reads it)."""
    return _("{pct} vs actual", pct=signed_error(cal))


def largest_miss_text(miss: dict) -> str:
    """Where the calibration check's miss comes from (``CalibrationResult.largest_miss``):
    the demo's +20 % is mostly customers who had not bought again before the cut-off."""
    who = (
        _(
            "customers who had not bought again before the cut-off ({n})",
            n=whole(miss["customers"]),
        )
        if miss["frequency"] == "0"
        else _(
            "customers with {frequency} repeat purchase days before the cut-off ({n})",
            frequency=miss["frequency"],
            n=whole(miss["customers"]),
        )
    )
    fields = {
        "who": who,
        "share": share(miss["share"], 0),
        "predicted": f"{miss['predicted']:.2f}",
        "actual": f"{miss['actual']:.2f}",
    }
    if miss["share"] >= 0.5:
        return _(
            "Most of the miss comes from one group: {who} make {share} of the gap between "
            "predicted and actual. The model expected {predicted} purchase days each in the "
            "holdout; they bought on {actual} days each.",
            **fields,
        )
    return _(
        "The largest part of the miss: {who} make {share} of the gap between predicted and "
        "actual. The model expected {predicted} purchase days each in the holdout; they "
        "bought on {actual} days each.",
        **fields,
    )


def parameter_text(v: float) -> str:
    """A model parameter with its digits: whole numbers from 1,000, two decimals from 1, and
    below 1 enough decimals for two significant digits (at least three), never an exponent:
    the demo's BG/NBD ``a`` of 0.0000057 read "0.00" at two decimals."""
    v = float(v)
    if not np.isfinite(v):
        return "—"
    if v == 0 or abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 1:
        return f"{v:,.2f}"
    decimals = max(3, 1 - int(np.floor(np.log10(abs(v)))))
    return f"{v:.{decimals}f}"


def parameters_in_words(params) -> str:
    """What the BG/NBD parameters say in plain words: purchases a year while a customer
    (r / alpha, alpha in weeks) and the chance to stop after a purchase (a / (a + b); below
    0.1 % written "< 0.1 %" with a no-break space after "<", as the lifetime-value notice
    does)."""
    per_year = params.purchases_per_year
    dropout = params.dropout_per_purchase
    return _(
        "In plain words: while still a customer, a customer buys about {rate} times a year on "
        "average (r / alpha; alpha is in weeks), and after each purchase stops buying with a "
        "chance of {share} on average (a / (a + b)).",
        rate=f"{per_year:.1f}",
        share=f"<{fmt.NBSP}{share(1e-3, 1)}" if dropout < 1e-3 else share(dropout, 1),
    )
