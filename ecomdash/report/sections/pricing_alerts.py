"""Pricing and alerts sections (the Pricing and Alerts pages)."""

from __future__ import annotations

import pandas as pd

from ecomdash import labels as L
from ecomdash.i18n import _, _n
from ecomdash.i18n.case import capitalised
from ecomdash.report import results
from ecomdash.report.data import ReportData
from ecomdash.report.model import Section, Table
from ecomdash.report.sections.common import (
    _isnan,
)


def elasticity_counts(status: pd.Series, promos: int) -> str:
    """How many products have an elasticity, how many of them their own and how many their
    category's (the page's tiles "Own elasticity" and "From category": "927 products have an
    elasticity" read as 927 measured when most borrowed their category's), how many have
    none, and the promotions found, each count in its singular or plural form ("1 has too
    little price variation", not "1 have"). With none borrowed (no category column: UCI) it
    says each is its own, not "and 0 their category's, being sold at one price"; with none
    lacking variation it leaves that clause out."""
    n_own, n_cat = int((status == "estimated").sum()), int((status == "category").sum())
    n, none = n_own + n_cat, int((status == "no estimate").sum())
    if n == 0:
        head = _("No product has an elasticity")
    elif n_cat == 0:
        head = _n(
            "{n} product has an elasticity, its own, from its price changes",
            "{n} products have an elasticity, each its own, from its price changes",
            n,
            n=f"{n:,}",
        )
    elif n_own == 0:
        head = _n(
            "{n} product has an elasticity, its category's, being sold at one price",
            "{n} products have an elasticity, each their category's, being sold at one price",
            n,
            n=f"{n:,}",
        )
    else:
        head = _(
            "{n} products have an elasticity: {own} their own, from their price changes, "
            "and {borrowed} their category's, being sold at one price",
            n=f"{n:,}",
            own=f"{n_own:,}",
            borrowed=f"{n_cat:,}",
        )
    parts = [head]
    if none:
        parts.append(
            _n(
                "{n} has too little price variation",
                "{n} have too little price variation",
                none,
                n=f"{none:,}",
            )
        )
    parts.append(
        _n(
            "{n} promotion was found in the prices",
            "{n} promotions were found in the prices",
            promos,
            n=f"{promos:,}",
        )
        if promos
        else _("no promotion was found in the prices")
    )
    return capitalised(_("{clauses}.", clauses=_("; ").join(parts)))


def pricing(data: ReportData, *, top: int = 15) -> Section:
    """Price elasticities with the held-out check against the naive forecast (Pricing page)."""
    from ecomdash.charts import pricing as pricing_charts

    res = results.pricing(data)  # as the page; built once: the digest reads it too
    v = res.validation_summary or {}
    ratio = v.get("ratio")
    if ratio is None or _isnan(ratio):
        verdict = _("Too few held-out weeks to check the price model against the naive forecast.")
        tone = "warn"
    else:
        # how many products the check covers, of those with their own elasticity (the ones
        # borrowing their category's have one price: nothing to check; "25 of 218 products
        # with an elasticity" counted them), as the page says it
        fields = {"ratio": f"{ratio:.2f}", "products": res.checked_products()}
        if ratio < 1:
            verdict = _(
                "On held-out weeks the price model's error is {ratio}× the naive forecast's, "
                "on {products}: it predicts units better than 'same as before'.",
                **fields,
            )
            tone = "good"
        else:
            verdict = _(
                "On held-out weeks the price model's error is {ratio}× the naive forecast's, "
                "on {products}: it does not beat 'same as before' on this data; read the "
                "elasticities as rough.",
                **fields,
            )
            tone = "warn"
    est = res.products[res.products["status"] != "no estimate"]
    est = est.sort_values("revenue", ascending=False).head(top)
    low, high, el = _("90\u00a0% low"), _("90\u00a0% high"), _("Elasticity")
    table = est[["product_id", "product_name", "elasticity", "ci_low", "ci_high", "source"]].rename(
        columns={
            "product_id": L.label("product_id"),  # "Product id" / "Product", as on every page
            "product_name": L.label("product_name"),
            "elasticity": el,
            "ci_low": low,
            "ci_high": high,
            "source": _("Based on"),
        }
    )
    figures = [pricing_charts.elasticity_chart(res)]
    if len(res.validation):
        figures.append(pricing_charts.validation_chart(res))
    status = res.products["status"]
    return Section(
        "pricing",
        "Pricing and promotions",
        verdict,
        tone,
        (
            elasticity_counts(status, len(res.promotions)),
            *res.warnings,
        ),
        figures=tuple(figures),
        tables=(
            Table(
                _(
                    "Elasticity of the top {n} products by revenue (90\u00a0% interval)",
                    n=len(table),
                ),
                table,
                {c: "{:.2f}" for c in (el, low, high)},
            ),
        ),
    )


def alerts(data: ReportData, *, top: int = 20) -> Section:
    """The medium and high alerts of the period, with how noisy the rules are (Alerts page)."""
    from ecomdash.alerts import rule_label, severity_label, when_parts
    from ecomdash.charts import alerts as alert_charts

    # the merchant's mutes applied; the digest reads the same result, every severity, as
    # the Home does: this list shows its medium and high alerts
    res = results.alerts(data).at_least("medium")
    a = res.alerts
    n_high = int((a["severity"] == "high").sum())
    months = max(1, len(res.per_month()))
    if len(a):
        verdict = _(
            "{n} alerts at medium or high severity ({high} high), {per_month} a month. Each is "
            "a lead to check, not a verdict: the Alerts page lists the lines behind it.",
            n=f"{len(a):,}",
            high=f"{n_high:,}",
            per_month=f"{len(a) / months:.1f}",
        )
    else:
        # not "0 alerts …, 0.0 a month" above an empty chart and an empty "Newest 0 alerts"
        verdict = _(
            "No alerts at medium or high severity in this period: the rules that ran found "
            "nothing unusual enough to check."
        )
    skipped = res.rules[res.rules["status"] != "ran"]
    table = a.head(top)[["date", "severity", "kind", "reason", "driver"]].copy()
    day, time_of_day = when_parts(table)
    # the shop's date style, as the Alerts page's table (ISO wrapped mid-date in the report)
    table["date"] = (day.dt.strftime(data.display.strftime) + " " + time_of_day).str.strip()
    table["kind"] = table["kind"].map(rule_label)
    # "High", not "high": a table cell starts with a capital (the Alerts page keeps its own)
    table["severity"] = table["severity"].map(lambda s: capitalised(severity_label(s)))
    table = table.rename(
        columns={
            "date": _("When"),
            "severity": _("Severity"),
            "kind": _("Rule"),
            "reason": _("Why"),
            "driver": _("Likely driver"),
        }
    )
    return Section(
        "alerts",
        "Alerts",
        verdict,
        "warn" if n_high else "info",
        (
            *[
                # the note is a phrase with its own colon ("needs unit costs: none were given")
                _("The rule “{rule}” did not run ({why}).", rule=_(r.label), why=r.note)
                for r in skipped.itertuples()
            ],
            *res.warnings,
        ),
        figures=(alert_charts.severity_figure(res),) if len(a) else (),
        tables=(Table(_("Newest {n} alerts", n=len(table)), table),) if len(a) else (),
    )
