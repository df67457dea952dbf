"""The one catalogue of what a merchant reads instead of a column id: labels and number formats.

Every table on screen (``ecomdash.ui.tables``), in a download and in the report takes its header
and its number format from :data:`COLUMNS`, keyed by the raw column id the analyses return
(``gross_sales``, ``lo80``, ``mean`` ...). Model names are labelled by :func:`model_label`.
Translating the UI means translating this module: no page holds its own header text.

No streamlit here: the UI turns a :class:`Col` into ``st.column_config`` (numbers stay
numbers, so sorting still works); the report and the downloads use :func:`format_value`
and :func:`header`.

>>> label("gross_sales"), label("lo80")
('Gross sales', 'Low (80 % range)')
>>> format_value(145939.64, "revenue", Display(currency="GBP"))
'£145,939.64'
>>> format_value(0.1234, "return_rate"), format_value(1234567, "orders")
('12.3 %', '1,234,567')
"""

from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from ecomdash.i18n import get_lang

#: Kinds of column. ``share`` holds 0..1 and shows as a percentage; ``pct`` already holds
#: percentage points (12.5 means 12.5 %); ``model`` holds model ids, shown as their labels.
KINDS = ("text", "money", "share", "pct", "count", "number", "date", "datetime", "flag", "model")

#: Currency signs written before an amount; another ISO code is written as "CHF 12.00".
SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$", "JPY": "¥", "CNY": "¥", "INR": "₹"}

#: How a merchant writes dates: ISO, day first (UK, Europe) or month first (US).
DATE_STYLES = {
    "iso": ("YYYY-MM-DD", "%Y-%m-%d"),
    "dmy": ("DD/MM/YYYY", "%d/%m/%Y"),
    "mdy": ("MM/DD/YYYY", "%m/%d/%Y"),
    "zh": ("YYYY年MM月DD日", "%Y年%m月%d日"),  # the Chinese UI's, whatever the file's order
}


@dataclass(frozen=True)
class Display:
    """The merchant's conventions: the dataset's currency (ISO code, None when unknown) and
    how dates are written (a key of :data:`DATE_STYLES`)."""

    currency: str | None = None
    date_style: str = "iso"

    @property
    def symbol(self) -> str:
        """Text put before an amount: ``£``, ``CHF `` or nothing when the currency is unknown."""
        if not self.currency:
            return ""
        return SYMBOLS.get(self.currency.upper(), f"{self.currency.upper()} ")

    @property
    def date_format(self) -> str:
        """The date format of ``st.column_config.DateColumn`` (moment.js tokens); in the
        Chinese UI dates read 2026年11月11日 whatever the file's order."""
        return DATE_STYLES[self._style][0]

    @property
    def strftime(self) -> str:
        return DATE_STYLES[self._style][1]

    @property
    def _style(self) -> str:
        if get_lang() == "zh":
            return "zh"
        return self.date_style if self.date_style in DATE_STYLES else "iso"


@dataclass(frozen=True)
class Col:
    """How one column is shown: its header, its kind (one of :data:`KINDS`), decimals shown
    for ``number``/``money``/``share``/``pct`` and a tooltip."""

    label: str
    kind: str = "text"
    decimals: int | None = None
    help: str | None = None

    @property
    def places(self) -> int:
        if self.decimals is not None:
            return self.decimals
        return {"money": 2, "share": 1, "pct": 1, "number": 2}.get(self.kind, 0)


def _c(label: str, kind: str = "text", decimals: int | None = None, help: str | None = None):
    return Col(label, kind, decimals, help)


# fmt: off
#: Raw column id -> how it is shown. A key ``"area:id"`` overrides ``id`` in one area (the
#: same id means different things on different pages: ``rule`` is an if → then rule in
#: basket analysis and an alert rule on the Alerts page).
COLUMNS: dict[str, Col] = {
    # -- shared: dates, ids, sales
    "period": _c("Period", "date"),
    "date": _c("Date", "datetime"),
    "day": _c("Day", "date"),
    "week": _c("Week", "date"),
    "month": _c("Month", "date"),
    "updated": _c("Updated", "datetime"),
    "created": _c("Created", "datetime"),
    "last_date": _c("Last order", "date"),
    "next_order_date": _c("Next order expected", "date"),
    "key": _c("Id"),
    "id": _c("Id"),
    "name": _c("Name"),
    "customer_id": _c("Customer id"),
    "product_id": _c("Product id"),
    "product_name": _c("Product"),
    "product": _c("Product"),
    "item": _c("Product id"),
    "category": _c("Category"),
    "country": _c("Country"),
    "location": _c("Store / location"),
    "channel": _c("Channel"),
    "order_id": _c("Order id"),
    "order_date": _c("Order date", "datetime"),
    "line_no": _c("Line", "count"),
    "quantity": _c("Quantity", "count"),
    "unit_price": _c("Unit price", "money"),
    "price": _c("Price", "money"),
    "avg_price": _c("Average price", "money"),
    "revenue": _c("Net revenue", "money"),
    "net_revenue": _c("Net revenue", "money"),
    "gross_sales": _c("Gross sales", "money"),
    "gross_sale": _c("Gross sale", "money"),
    "returns": _c("Returns", "money"),
    "orders": _c("Orders", "count"),
    "units": _c("Units", "count"),
    "units_sold": _c("Units sold", "count"),
    "lines": _c("Lines", "count"),
    "n_lines": _c("Lines", "count"),
    "rows": _c("Rows", "count"),
    "customers": _c("Customers", "count"),
    "new_customers": _c("New customers", "count"),
    "returning_customers": _c("Returning customers", "count"),
    "aov": _c("Average order value", "money"),
    "return_rate": _c("Return rate", "share"),
    "share": _c("Share", "share"),
    "value": _c("Value", "number"),
    "count": _c("Count", "count"),
    "hour": _c("Hour", "count"),
    "weekday": _c("Weekday"),
    "seconds": _c("Seconds", "number", 1),
    "source": _c("Source"),
    "version": _c("Version", "count"),
    "columns": _c("Columns"),
    "field": _c("Field"),
    "status": _c("Status"),
    "note": _c("Note"),
    "reason": _c("Reason"),
    "action": _c("What to do"),
    "definition": _c("Definition"),
    "label": _c("Label"),
    # -- data page
    "data:name": _c("Dataset"),
    "data:label": _c("Rule"),
    "data:action": _c("What we did"),
    "data:column": _c("Column in your file"),
    "data:confidence": _c("Confidence", "share", 0),
    "analysis": _c("Analysis"),
    "available": _c("Available", "flag"),
    "missing": _c("Missing fields"),
    "table": _c("Table"),
    "step": _c("Step"),
    "rows before": _c("Rows before", "count"),
    "rows after": _c("Rows after", "count"),
    "lines matched": _c("Lines matched", "share"),
    "detail": _c("Detail"),
    "why": _c("Why"),
    "model": _c("Model", "model"),
    "feature": _c("Feature"),
    "parameter": _c("Parameter"),
    # -- forecast
    "mean": _c("Forecast", "number"),
    "forecast": _c("Forecast", "number"),
    "actual": _c("Actual", "number"),
    "y": _c("Actual", "number"),
    "lo80": _c("Low (80 % range)", "number"),
    "hi80": _c("High (80 % range)", "number"),
    "lo95": _c("Low (95 % range)", "number"),
    "hi95": _c("High (95 % range)", "number"),
    "closed": _c("Closed", "flag"),
    "closed_weekday": _c("Closed weekday", "flag"),
    "holiday": _c("Holiday"),
    "event": _c("Event"),
    "mae": _c("Backtest error (MAE)", "number"),
    "mase": _c("MASE", "number", help="Error relative to repeating the last cycle; below 1 beats it."),
    "mape": _c("MAPE", "pct", help="Mean absolute percentage error on periods with sales."),
    "bias": _c("Bias", "number", help="Mean of forecast minus actual: above 0 forecasts too high."),
    "rmse": _c("RMSE", "number"),
    "coverage80": _c("Inside the 80 % range", "share", 0),
    "coverage95": _c("Inside the 95 % range", "share", 0),
    "vs_baseline": _c("Error vs seasonal naive", "share", 0, "Backtest error as a share of the baseline's: below 100 % beats it."),
    "baseline_mae": _c("Seasonal naive error (MAE)", "number"),
    "baseline_mase": _c("Seasonal naive MASE", "number"),
    "auto_mae": _c("Automatic choice error (MAE)", "number"),
    "auto_mase": _c("Automatic choice MASE", "number"),
    "improvement_pct": _c("Better than seasonal naive", "pct", 0),
    "demand_class": _c("Demand pattern"),
    "forecast_total": _c("Forecast total", "number"),
    "forecast_per_period": _c("Forecast per period", "number"),
    "error_sd": _c("Error spread (SD)", "number"),
    "ratio": _c("Error ratio to baseline", "number"),
    "history": _c("History total", "number"),
    "fold": _c("Fold", "count"),
    "series": _c("Series"),
    "origin": _c("Forecast made on", "date"),
    "horizon": _c("Periods ahead", "count"),
    "is_event": _c("Event day", "flag"),
    # -- restock
    "abc": _c("ABC class", help="A: the products that make 80 % of revenue, B the next 15 %, C the rest."),
    "xyz": _c("XYZ class", help="X: steady demand, Y: variable, Z: erratic."),
    "cv": _c("Demand variability (CV)", "number"),
    "daily_demand": _c("Units per day", "number"),
    "error_sd_daily": _c("Daily error spread (SD)", "number"),
    "demand_lead_time": _c("Demand over the lead time", "number", 1),
    "safety_stock": _c("Safety stock", "number", 0),
    "reorder_point": _c("Reorder point", "number", 0),
    "on_hand": _c("Units on hand", "count"),
    "days_of_cover": _c("Days of cover", "number", 1),
    "stockout_date": _c("Runs out on", "date"),
    "order_qty": _c("Order now (units)", "count"),
    # -- basket
    "rule": _c("Rule (if → then)"),
    "itemset": _c("Itemset"),
    "ids": _c("Product ids"),
    "size": _c("Products", "count"),
    "support": _c("Support", "share", 2, "Share of all baskets that hold these products."),
    "baskets": _c("Baskets", "count"),
    "confidence": _c("Confidence", "share", 1, "Of baskets with the 'if' side, the share that also hold the 'then' side."),
    "lift": _c("Lift", "number", 2, "How many times more often than chance the products are bought together."),
    "leverage": _c("Leverage", "number", 4),
    "conviction": _c("Conviction", "number", 2),
    "antecedent": _c("If"),
    "consequent": _c("Then"),
    "together": _c("Baskets together", "count"),
    "basket:name": _c("Product"),
    "report.products:key": _c("Product id"),
    "report.products:name": _c("Product"),
    "basket:share": _c("Share of its baskets", "share"),
    "if (ids)": _c("If (product ids)"),
    "then (ids)": _c("Then (product ids)"),
    # -- segments
    "segment": _c("Segment"),
    "cluster": _c("Cluster"),
    "cluster_name": _c("Cluster"),
    "recency_days": _c("Days since last order", "count"),
    "recency": _c("Days since last order", "count"),
    "median_recency_days": _c("Median days since last order", "number", 0),
    "median_frequency": _c("Median orders", "number", 1),
    "median_monetary": _c("Median spend", "money"),
    "median_avg_order_value": _c("Median order value", "money"),
    "median_tenure_days": _c("Median days since first order", "number", 0),
    "median_interpurchase_days": _c("Median days between orders", "number", 0),
    "median_category_breadth": _c("Median categories bought", "number", 1),
    "median_return_rate": _c("Median return rate", "share"),
    "avg_order_value": _c("Average order value", "money"),
    "tenure_days": _c("Days since first order", "count"),
    "interpurchase_days": _c("Days between orders", "number", 1),
    "category_breadth": _c("Categories bought", "count"),
    "frequency": _c("Orders", "count"),
    "monetary": _c("Spend", "money"),
    "r_score": _c("R score", "count", help="Recency score, 5 = bought most recently."),
    "f_score": _c("F score", "count", help="Frequency score, 5 = buys most often."),
    "m_score": _c("M score", "count", help="Monetary score, 5 = spends most."),
    "rfm": _c("RFM score"),
    "customer_share": _c("Customer share", "share"),
    "revenue_share": _c("Revenue share", "share"),
    "median_spend": _c("Median spend", "money"),
    "agreement": _c("Agreement", "share"),
    "k": _c("Clusters", "count"),
    "inertia": _c("Within-cluster spread", "number"),
    "silhouette": _c("Silhouette", "number", 3, "How well separated the clusters are (-1 to 1; higher is better)."),
    "segments:name": _c("Segment"),
    "segments:rule": _c("Rule", help="A short rule that describes the cluster."),
    # -- customer value and churn
    "cohort": _c("First order month"),
    "check": _c("Check"),
    "ok": _c("OK"),
    "found": _c("Found"),
    "needed": _c("Needed"),
    "affects": _c("Affects"),
    "value:reason": _c("Reason when not OK"),
    "total_value": _c("Spend so far", "money"),
    "expected_purchases": _c("Expected orders", "number", 2),
    "expected_spend": _c("Expected spend per order", "money"),
    "expected_value": _c("Predicted value", "money"),
    "p_alive": _c("Chance still active", "share"),
    "p_purchase_in_horizon": _c("Chance to buy in the period", "share"),
    "churn_probability": _c("Churn risk", "share"),
    "value_at_risk": _c("Value at risk", "money", help="Spend in the last 12 months × churn risk."),
    "revenue_365d": _c("Spend, last 12 months", "money"),
    "auc": _c("ROC AUC", "number", 3),
    "brier": _c("Brier score", "number", 3, "Mean squared error of the predicted chances (lower is better)."),
    "precision_at_10pct": _c("Precision at top 10 %", "share"),
    "recall_at_10pct": _c("Recall at top 10 %", "share"),
    "buyer_precision_at_10pct": _c("Buyers among the top 10 %", "share"),
    "buyer_recall_at_10pct": _c("Buyers found in the top 10 %", "share"),
    "importance": _c("Importance", "number", 3),
    "predicted": _c("Predicted", "number", 2),
    "observed": _c("Observed", "number", 2),
    "value:label": _c("Model"),
    "value:actual": _c("Actual", "number", 2),
    # -- recommendations
    "rank": _c("Rank", "count"),
    "score": _c("Score", "number", 3),
    "co_buyers": _c("Customers who bought both", "count"),
    "products_bought": _c("Products bought", "count"),
    "precision_at_k": _c("Precision", "share", help="Share of recommended products that were bought next."),
    "recall_at_k": _c("Recall", "share", help="Share of the products bought next that were recommended."),
    "hit_rate_at_k": _c("Hit rate", "share", help="Share of customers who bought at least one recommended product."),
    "ndcg_at_k": _c("NDCG", "number", 3, "Ranking quality (0 to 1; higher puts the bought products first)."),
    "coverage": _c("Catalogue coverage", "share", help="Share of the catalogue ever recommended."),
    "hit_rate_vs_popularity": _c("Hit rate vs best sellers", "number", 2, "Hit rate divided by the best-sellers baseline's: above 1 beats it."),
    "precision_vs_popularity": _c("Precision vs best sellers", "number", 2),
    "fit_seconds": _c("Training time (s)", "number", 1),
    "recommend:source": _c("Why"),
    "recommend:label": _c("Model"),
    # -- alerts
    "alert_id": _c("Alert id"),
    "rule_code": _c("Rule"),
    "severity": _c("Severity"),
    "kind": _c("Rule"),
    "kinds": _c("Rules"),
    "driver": _c("Driver"),
    "impact": _c("Impact", "money"),
    "alerts:score": _c("Score", "number", 1),
    "alerts:rule": _c("Rule"),
    "alerts:label": _c("Rule"),
    "alerts:actual": _c("Actual", "number"),
    "usual": _c("Usual", "number"),
    "change": _c("Change", "number"),
    "by": _c("By"),
    "looks_for": _c("Looks for"),
    "alerts": _c("Alerts", "count"),
    "high": _c("High", "count"),
    "medium": _c("Medium", "count"),
    "low": _c("Low", "count"),
    "message": _c("What happened"),
    "muted": _c("Muted", "flag"),
    "text": _c("Text"),
}
# fmt: on

#: Tables shown in a fixed column order (pricing): table area -> ids in order. Their headers
#: are the ``"area:id"`` entries below (``"pricing.promos:lift"``), falling back to
#: ``"pricing:id"`` and then ``id``.
TABLES: dict[str, tuple[str, ...]] = {}


def _table(area: str, spec: dict[str, Col]) -> None:
    TABLES[area] = tuple(spec)
    for key, col in spec.items():
        COLUMNS[f"{area}:{key}"] = col


# fmt: off
_P = "pricing"
COLUMNS.update({
    f"{_P}:product_id": _c("Product"),
    f"{_P}:product_name": _c("Name"),
    f"{_P}:elasticity": _c("Elasticity", "number", 2, "% change in units for a 1 % change in price (below -1: price-sensitive)."),
    f"{_P}:ci_low": _c("90% low", "number", 2),
    f"{_P}:ci_high": _c("90% high", "number", 2),
    f"{_P}:current_price": _c("Current price", "money"),
    f"{_P}:new_price": _c("New price", "money"),
    f"{_P}:note": _c("Note"),
})
_table("pricing.products", {
    "product_id": COLUMNS[f"{_P}:product_id"], "product_name": COLUMNS[f"{_P}:product_name"],
    "category": _c("Category"), "elasticity": COLUMNS[f"{_P}:elasticity"],
    "ci_low": COLUMNS[f"{_P}:ci_low"], "ci_high": COLUMNS[f"{_P}:ci_high"],
    "n_price_levels": _c("Price levels", "count"), "weeks": _c("Weeks with sales", "count"),
    "status": _c("Status"), "reason": _c("Why no own estimate"), "source": _c("Estimate from"),
    "own_elasticity": _c("Own-data elasticity", "number", 2),
    "current_price": COLUMNS[f"{_P}:current_price"], "min_price": _c("Lowest price", "money"),
    "max_price": _c("Highest price", "money"), "units_per_week": _c("Units a week (last 8 wks)", "number", 1),
    "revenue": _c("Revenue", "money"),
})
_table("pricing.categories", {
    "category": _c("Category"), "elasticity": COLUMNS[f"{_P}:elasticity"],
    "ci_low": COLUMNS[f"{_P}:ci_low"], "ci_high": COLUMNS[f"{_P}:ci_high"],
    "n_products": _c("Products with price changes", "count"), "weeks": _c("Product-weeks", "count"),
    "trustworthy": _c("Lent to one-price products", "flag"), "note": COLUMNS[f"{_P}:note"],
})
_table("pricing.promos", {
    "product_id": COLUMNS[f"{_P}:product_id"], "product_name": COLUMNS[f"{_P}:product_name"],
    "start": _c("From", "date"), "end": _c("To", "date"),
    "regular_price": _c("Regular price", "money"), "promo_price": _c("Promotion price", "money"),
    "discount": _c("Discount", "share", 0), "lift": _c("Lift (units ×)", "number", 2),
    "lift_low": _c("Lift 90% low", "number", 2), "lift_high": _c("Lift 90% high", "number", 2),
    "dip": _c("Dip after", "share", 0), "dip_low": _c("Dip 90% low", "share", 0),
    "dip_high": _c("Dip 90% high", "share", 0), "extra_units": _c("Extra units", "number", 0),
    "extra_revenue": _c("Extra revenue during", "money"), "dip_revenue": _c("Revenue lost after", "money"),
    "net_revenue": _c("Net revenue", "money"), "net_profit": _c("Net profit", "money"),
})
_table("pricing.whatif", {
    "product_id": COLUMNS[f"{_P}:product_id"], "product_name": COLUMNS[f"{_P}:product_name"],
    "elasticity": COLUMNS[f"{_P}:elasticity"], "current_price": COLUMNS[f"{_P}:current_price"],
    "new_price": COLUMNS[f"{_P}:new_price"], "units_now": _c("Units a week now", "number", 1),
    "units": _c("Units a week", "number", 1), "units_low": _c("Units 90% low", "number", 1),
    "units_high": _c("Units 90% high", "number", 1), "revenue": _c("Revenue a week", "money"),
    "profit": _c("Profit a week", "money"), "profit_low": _c("Profit 90% low", "money"),
    "profit_high": _c("Profit 90% high", "money"), "best_price": _c("Best price", "money"),
    "best_for": _c("Best for"), "note": COLUMNS[f"{_P}:note"],
})
_table("pricing.markdowns", {
    "product_id": COLUMNS[f"{_P}:product_id"], "product_name": COLUMNS[f"{_P}:product_name"],
    "elasticity": COLUMNS[f"{_P}:elasticity"], "units_recent": _c("Units a week (last 8)", "number", 1),
    "units_before": _c("Units a week (8 before)", "number", 1), "trend": _c("Trend", "number", 2),
    "on_hand": _c("On hand", "count"), "weeks_of_cover": _c("Weeks of cover", "number", 1),
    "markdown": _c("Markdown", "share", 0), "new_price": _c("Marked-down price", "money"),
    "clears_in_weeks": _c("Clears in (weeks)", "number", 1), "note": COLUMNS[f"{_P}:note"],
})
_table("pricing.validation", {
    "product_id": COLUMNS[f"{_P}:product_id"], "weeks": _c("Held-out weeks", "count"),
    "model_mae": _c("Model MAE", "number"), "baseline_mae": _c("Naive MAE", "number"),
    "beats": _c("Model better", "flag"),
})
# fmt: on


#: Forecast, recommendation and churn models: id -> the name a merchant reads.
MODEL_LABELS: dict[str, str] = {
    # forecast
    "seasonal_naive": "Seasonal naive (repeat the last cycle)",
    "seasonal_mean": "Seasonal mean (average of the last 3 cycles)",
    "ets": "Exponential smoothing (ETS)",
    "croston": "Intermittent demand (Croston/SBA)",
    "sarimax": "Seasonal ARIMA (SARIMAX)",
    "combo": "Combination (mean of the models)",
    "seasonal_mean_cal": "Seasonal mean + Chinese calendar",
    "ets_cal": "Exponential smoothing + Chinese calendar (holidays, 调休, shopping festivals)",
    "sarimax_cal": "Seasonal ARIMA + Chinese calendar",
    "auto": "Automatic choice",
    # recommendations
    "ease": "EASE (linear item model)",
    "item_knn": "Item-based CF (item-item cosine)",
    "als": "Matrix factorisation (implicit ALS)",
    "user_knn": "User-based CF (similar customers)",
    "trending": "Trending (best sellers of the last 30 days)",
    "popularity": "Popularity (best sellers)",
    # churn
    "logistic": "Logistic regression",
    "tree": "Decision tree",
    "gbm": "Gradient boosting",
    "recency": "Baseline: recency only",
    "p_alive": "Baseline: BG/NBD P(alive)",
    "bgnbd": "Baseline: BG/NBD P(buy in window)",
}
#: Short model names for sentences and chart legends ("SARIMAX is 12 % better than ...").
MODEL_SHORT: dict[str, str] = {
    "seasonal_naive": "Seasonal naive",
    "seasonal_mean": "Seasonal mean",
    "ets": "Exponential smoothing (ETS)",
    "croston": "Croston/SBA",
    "sarimax": "Seasonal ARIMA (SARIMAX)",
    "combo": "Combination of models",
    "seasonal_mean_cal": "Seasonal mean + Chinese calendar",
    "ets_cal": "ETS + Chinese calendar",
    "sarimax_cal": "SARIMAX + Chinese calendar",
    "auto": "Automatic choice",
}


def model_label(name: str, *, short: bool = False) -> str:
    """The name a merchant reads for model ``name`` (an unknown id is humanised)."""
    if short and name in MODEL_SHORT:
        return MODEL_SHORT[name]
    return MODEL_LABELS.get(name) or humanise(name)


_UNIT_WORDS = {"id": "id", "ids": "ids", "pct": "%", "qty": "quantity", "avg": "average"}


def humanise(col_id: str) -> str:
    """Words from an id the catalogue does not know: ``median_order_value`` -> ``Median order
    value``, ``lo80`` -> ``Lo 80``. Never leaves an underscore or a lowercase first letter."""
    s = str(col_id).strip()
    if not s:
        return s
    s = re.sub(r"(?<=[A-Za-z])(?=\d)", " ", s.replace("_", " "))
    words = [_UNIT_WORDS.get(w, w) for w in s.split()]
    s = " ".join(words)
    return s[:1].upper() + s[1:]


_MONTH_N = re.compile(r"^m(\d+)$")


def column(col_id, area: str | None = None) -> Col:
    """The catalogue entry of ``col_id`` on page ``area`` (``"area:id"`` first, then ``id``).

    An id named after a model (a column per model) takes the model's label; ``m3`` in a
    cohort table is "Month 3"; any other unknown id gets a humanised label and kind text.
    """
    key = str(col_id)
    while area:
        if f"{area}:{key}" in COLUMNS:
            return COLUMNS[f"{area}:{key}"]
        area = area.rpartition(".")[0]
    if key in COLUMNS:
        return COLUMNS[key]
    if key in MODEL_LABELS:
        return Col(MODEL_LABELS[key], "number")
    m = _MONTH_N.match(key)
    if m:
        return Col(f"Month {m.group(1)}", "number")
    return Col(humanise(key))


def label(col_id, area: str | None = None) -> str:
    """The header a merchant reads for ``col_id``."""
    return column(col_id, area).label


def header(col_id, display: Display | None = None, area: str | None = None) -> str:
    """The header of a download: the label, with the currency or % for money and shares.

    >>> header("revenue", Display(currency="EUR")), header("return_rate"), header("orders")
    ('Net revenue (€)', 'Return rate (%)', 'Orders')
    """
    c = column(col_id, area)
    display = display or Display()
    if c.kind == "money" and display.currency:
        return f"{c.label} ({display.symbol.strip()})"
    if c.kind in ("share", "pct"):
        return f"{c.label} (%)"
    return c.label


def number_format(c: Col, display: Display | None = None) -> str | None:
    """The ``st.column_config.NumberColumn`` format of ``c`` (printf with thousands
    separators), or None for a column that is not a number."""
    display = display or Display()
    p = c.places
    if c.kind == "money":
        return f"{display.symbol}%,.{p}f"
    if c.kind == "count":
        return "%,d"
    if c.kind == "number":
        return f"%,.{p}f"
    if c.kind == "pct":
        return f"%.{p}f %%"
    return None


def _is_missing(value) -> bool:
    try:
        return value is None or (not isinstance(value, str) and bool(pd.isna(value)))
    except (TypeError, ValueError):
        return False


def format_value(value, col_id, display: Display | None = None, area: str | None = None) -> str:
    """``value`` of column ``col_id`` as text: money with the currency sign and thousands,
    shares as percentages, counts with thousands, dates in the merchant's format.

    >>> format_value(-1234.5, "revenue", Display(currency="USD"))
    '-$1,234.50'
    >>> format_value(pd.Timestamp("2024-03-05"), "period", Display(date_style="dmy"))
    '05/03/2024'
    """
    display = display or Display()
    if _is_missing(value):
        return ""
    c = column(col_id, area)
    if c.kind == "model":
        return model_label(str(value))
    p = c.places
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        v = float(value)
        if not math.isfinite(v):
            return str(v)
        if c.kind == "money":
            return f"{'-' if v < 0 else ''}{display.symbol}{abs(v):,.{p}f}"
        if c.kind == "share":
            return f"{v * 100:,.{p}f} %"
        if c.kind == "pct":
            return f"{v:,.{p}f} %"
        if c.kind == "count":
            return f"{v:,.0f}"
        if c.kind == "number":
            return f"{v:,.{p}f}"
    if c.kind in ("date", "datetime") and isinstance(value, date | datetime | pd.Timestamp):
        fmt = display.strftime + (" %H:%M" if c.kind == "datetime" else "")
        return value.strftime(fmt)
    return str(value)


def display_for(report: dict | None, *, is_demo: bool = False) -> Display:
    """The :class:`Display` of a saved dataset, from what ingest recorded in its report:
    ``currency`` (an ISO code, or the one ingest read off the amounts: "currency GBP" in its
    notes) when known, and the date order it proved (its notes say
    "day/month/year dates" or "month/day/year dates"). The demo merchant is a UK shop."""
    report = report or {}
    notes = " ".join(str(n) for n in report.get("notes") or ())
    found = re.search(r"currency ([A-Z]{3})\b", notes)  # ingest's note on the amount column
    currency = report.get("currency") or (found.group(1) if found else None)
    currency = currency or ("GBP" if is_demo else None)
    style = "dmy" if is_demo else "iso"
    if "day/month/year dates" in notes:
        style = "dmy"
    elif "month/day/year dates" in notes:
        style = "mdy"
    return Display(currency=currency, date_style=style)
