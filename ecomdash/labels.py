"""The one catalogue of what a merchant reads instead of a column id: labels and number formats.

Every table on screen (``ecomdash.ui.tables``), in a download and in the report takes its header
and its number format from :data:`COLUMNS`, keyed by the raw column id the analyses return
(``gross_sales``, ``lo80``, ``mean`` ...). Model names are labelled by :func:`model_label`.
Translating the UI means translating this module: no page holds its own header text.

No streamlit here: the UI turns a :class:`Col` into ``st.column_config`` (numbers stay
numbers, so sorting still works); the report and the downloads use :func:`format_value`
and :func:`header`.

>>> label("gross_sales"), label("lo80")
('Gross sales', 'Low (80\\xa0% range)')
>>> format_value(145939.64, "revenue", Display(currency="GBP"))
'£145,939.64'
>>> format_value(0.1234, "return_rate"), format_value(1234567, "orders")
('12.3\\xa0%', '1,234,567')
"""

from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from ecomdash.i18n import N_, _, get_lang
from ecomdash.i18n.case import capitalised
from ecomdash.i18n.fmt import pct, pct_sign, table_date

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
    #: the country column holds provinces (:func:`places_are_provinces`): it is labelled
    #: "Province" / 省份 instead of "Country" / 国家/地区
    provinces: bool = False

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

    def day(self, value, *, weekday: bool = False) -> str:
        """``value`` written as this shop's date columns write it (:attr:`strftime`), with its
        short weekday when ``weekday``: "14/02/2026 (Sat)" for a day-first shop,
        "2026年02月14日周六" in Chinese (:func:`ecomdash.i18n.fmt.table_date`)."""
        return table_date(value, self.strftime, weekday=weekday)

    @property
    def picker_format(self) -> str:
        """The ``format`` of ``st.date_input``, which takes only YYYY/MM/DD, DD/MM/YYYY and
        MM/DD/YYYY (separators / - .): the shop's order, ``YYYY-MM-DD`` for ISO, and
        ``YYYY/MM/DD`` in the Chinese UI (2026/11/11; 年月日 are not allowed there)."""
        if self._style == "zh":
            return "YYYY/MM/DD"
        return DATE_STYLES[self._style][0]

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


#: What units are, wherever the Overview shows them (its Units tile, the trend of summed sales
#: and its top products, categories, countries and stores): net of returns, as
#: ``kpis.units_sql`` counts them
UNITS_HELP = N_(
    "Units sold less units returned in the period (net of returns): a product refunded in "
    "full shows 0, and one with more units returned in the period than sold (returns of "
    "earlier sales) shows a negative number."
)

#: The help of each column of the churn tab's "What drives the prediction, all models" table
IMPORTANCE_HELP = N_(
    "How many percentage points the model loses in how often it ranks customers who left "
    "above those who stayed, when this feature's values are shuffled between customers. "
    "Analysts call it the permutation importance: the drop in the holdout ROC AUC, × 100."
)


# fmt: off
#: Raw column id -> how it is shown. A key ``"area:id"`` overrides ``id`` in one area (the
#: same id means different things on different pages: ``rule`` is an if → then rule in
#: basket analysis and an alert rule on the Alerts page).
COLUMNS: dict[str, Col] = {
    # -- shared: dates, ids, sales
    "period": _c(N_("Period"), "date"),
    "date": _c(N_("Date"), "datetime"),
    "day": _c(N_("Day"), "date"),
    "week": _c(N_("Week"), "date"),
    "month": _c(N_("Month"), "date"),
    "updated": _c(N_("Updated"), "datetime"),
    "created": _c(N_("Created"), "datetime"),
    "last_date": _c(N_("Last order"), "date"),
    "next_order_date": _c(N_("Next order expected"), "date"),
    "key": _c(N_("Id")),
    "id": _c(N_("Id")),
    "name": _c(N_("Name")),
    "customer_id": _c(N_("Customer id")),
    "product_id": _c(N_("Product id")),
    "product_name": _c(N_("Product")),
    "product": _c(N_("Product")),
    "item": _c(N_("Product id")),
    "category": _c(N_("Category")),
    "country": _c(N_("Country")),
    "province": _c(N_("Province")),
    "location": _c(N_("Store / location")),
    "channel": _c(N_("Channel")),
    "order_id": _c(N_("Order id")),
    "order_date": _c(N_("Order date"), "datetime"),
    "line_no": _c(N_("Line"), "count"),
    "quantity": _c(N_("Quantity"), "count"),
    "unit_price": _c(N_("Unit price"), "money"),
    "price": _c(N_("Price"), "money"),
    "avg_price": _c(N_("Average price"), "money"),
    "revenue": _c(N_("Net revenue"), "money"),
    "net_revenue": _c(N_("Net revenue"), "money"),
    "gross_sales": _c(N_("Gross sales"), "money"),
    "gross_sale": _c(N_("Gross sale"), "money"),
    "returns": _c(N_("Returns"), "money"),
    "orders": _c(N_("Orders"), "count"),
    "units": _c(N_("Units"), "count"),
    "units_sold": _c(N_("Units sold"), "count"),
    "overview:units": _c(N_("Units"), "count", help=UNITS_HELP),
    "lines": _c(N_("Lines"), "count"),
    "n_lines": _c(N_("Lines"), "count"),
    "rows": _c(N_("Rows"), "count"),
    "customers": _c(N_("Customers"), "count"),
    "new_customers": _c(N_("New customers"), "count"),
    "returning_customers": _c(N_("Returning customers"), "count"),
    "aov": _c(N_("Average order value"), "money"),
    "return_rate": _c(N_("Return rate"), "share"),
    "share": _c(N_("Share"), "share"),
    "value": _c(N_("Value"), "number"),
    "count": _c(N_("Count"), "count"),
    "hour": _c(N_("Hour"), "count"),
    "weekday": _c(N_("Weekday")),
    "seconds": _c(N_("Seconds"), "number", 1),
    "source": _c(N_("Source")),
    "version": _c(N_("Version"), "count"),
    "columns": _c(N_("Columns")),
    "field": _c(N_("Field")),
    "status": _c(N_("Status")),
    "note": _c(N_("Note")),
    "reason": _c(N_("Reason")),
    "action": _c(N_("What to do")),
    "definition": _c(N_("Definition")),
    "label": _c(N_("Label")),
    # -- data page
    "data:name": _c(N_("Dataset")),
    "data:label": _c(N_("Rule")),
    "data:action": _c(N_("What we did")),
    "data:column": _c(N_("Column in your file")),
    "data:confidence": _c(N_("Confidence"), "share", 0),
    # one export of several stacked into one dataset (ecomdash/ui/data_stack.py)
    "data:file": _c(N_("File")),
    "data:platform": _c(N_("Recognised as")),
    "data:dropped": _c(N_("Rows dropped"), "count"),
    "data:currency": _c(N_("Currency")),
    "data:first_date": _c(N_("First purchase"), "date"),
    "data:last_date": _c(N_("Last purchase"), "date"),
    "analysis": _c(N_("Analysis")),
    "available": _c(N_("Available"), "flag"),
    "missing": _c(N_("Missing fields")),
    "table": _c(N_("Table")),
    "step": _c(N_("Step")),
    "rows before": _c(N_("Rows before"), "count"),
    "rows after": _c(N_("Rows after"), "count"),
    "lines column": _c(N_("Lines column")),  # a proposed join's key on the lines
    "table column": _c(N_("Table column")),  # … and in the table it joins
    "lines matched": _c(N_("Lines matched"), "share"),  # of a proposed join
    "matched lines": _c(N_("Lines matched"), "count"),  # a combine step's count
    "detail": _c(N_("Detail")),
    "why": _c(N_("Why")),
    "model": _c(N_("Model"), "model"),
    "feature": _c(N_("Feature")),
    "parameter": _c(N_("Parameter")),
    # -- forecast
    "mean": _c(N_("Forecast"), "number"),
    "forecast": _c(N_("Forecast"), "number"),
    "actual": _c(N_("Actual"), "number"),
    "y": _c(N_("Actual"), "number"),
    "lo80": _c(N_("Low (80\u00a0% range)"), "number"),
    "hi80": _c(N_("High (80\u00a0% range)"), "number"),
    "lo95": _c(N_("Low (95\u00a0% range)"), "number"),
    "hi95": _c(N_("High (95\u00a0% range)"), "number"),
    "closed": _c(N_("Closed"), "flag"),
    "closed_weekday": _c(N_("Closed weekday"), "flag"),
    "holiday": _c(N_("Holiday")),
    "event": _c(N_("Event")),
    "mae": _c(N_("Backtest error (MAE)"), "number"),
    "mase": _c(N_("MASE"), "number", help=N_("Backtest error divided by the average error of repeating the last cycle over the past data; lower is better. Compare it with the seasonal naive's MASE, not with 1.")),
    "mape": _c(N_("MAPE"), "pct", help=N_("Mean absolute percentage error on periods with sales.")),
    "bias": _c(N_("Bias"), "number", help=N_("Mean of forecast minus actual: above 0 forecasts too high.")),
    "rmse": _c(N_("RMSE"), "number"),
    "coverage80": _c(N_("Inside the 80\u00a0% range"), "share", 0),
    "coverage95": _c(N_("Inside the 95\u00a0% range"), "share", 0),
    "vs_baseline": _c(N_("Error vs seasonal naive"), "share", 0, N_("Backtest error as a share of the baseline's: below 100\u00a0% beats it.")),
    "baseline_mae": _c(N_("Seasonal naive error (MAE)"), "number"),
    "baseline_mase": _c(N_("Seasonal naive MASE"), "number"),
    "auto_mae": _c(N_("Automatic choice error (MAE)"), "number"),
    "auto_mase": _c(N_("Automatic choice MASE"), "number"),
    "improvement_pct": _c(N_("Better than seasonal naive"), "pct", 0),
    "demand_class": _c(N_("Demand pattern")),
    "forecast_total": _c(N_("Forecast total"), "number"),
    "forecast_per_period": _c(N_("Forecast per period"), "number"),
    "error_sd": _c(N_("Error spread (SD)"), "number"),
    "ratio": _c(N_("Error ratio to baseline"), "number"),
    "history": _c(N_("History total"), "number"),
    "fold": _c(N_("Fold"), "count"),
    "chosen": _c(N_("Model used")),  # a backtest fold's: the model auto chose, or the row's own
    "series": _c(N_("Series")),
    "origin": _c(N_("Forecast made on"), "date"),
    # the Chinese calendar's tables (ui.forecast: the days ahead, calendar_cn.holiday_table);
    # their English is the words the ids gave before, their Chinese the page's (调休补班日)
    "forecast:days": _c(N_("Days")),
    "forecast:official": _c(N_("Schedule published"), "flag", help=N_("Ticked: the year's public holidays and make-up working days are the State Council's published schedule. Not ticked: the year's schedule is not published yet, and its holidays are estimated from the lunar calendar.")),
    "forecast:year": _c(N_("Year")),
    "forecast:day": _c(N_("Holiday date"), "date"),
    "forecast:name_zh": _c(N_("Chinese name")),  # the holiday's, beside its English name
    "forecast:lunar_date": _c(N_("Falls on")),  # 正月初一 (lunar) or 1 January (solar)
    "forecast:break_start": _c(N_("Break start"), "date"),
    "forecast:break_end": _c(N_("Break end"), "date"),
    "forecast:days_off": _c(N_("Days off"), "count"),
    "forecast:makeup_workdays": _c(N_("Makeup workdays")),
    "horizon": _c(N_("Periods ahead"), "count"),
    "is_event": _c(N_("Event day"), "flag"),
    # -- restock
    "abc": _c(N_("ABC class"), help=N_("A: the products that make 80\u00a0% of revenue, B the next 15\u00a0%, C the rest.")),
    "xyz": _c(N_("XYZ class"), help=N_("X: steady demand, Y: variable, Z: erratic.")),
    # each figure of the plan says its unit and how it is worked out (the planner's table
    # showed "Safety stock 25", "Reorder point 211" with no unit and no way to follow them)
    "cv": _c(N_("Demand variability (CV)"), "number", help=N_("Standard deviation ÷ mean of the units sold per week: X up to 0.5, Y up to 1, Z above 1.")),
    "daily_demand": _c(N_("Units per day"), "number", help=N_("Forecast units sold per day: the average weekly forecast of the next 8 weeks ÷ 7.")),
    "error_sd_daily": _c(N_("Daily forecast error (units)"), "number", help=N_("How far the weekly forecasts missed in the backtest (root mean square error), per day: ÷ √7.")),
    "demand_lead_time": _c(N_("Units sold over the lead time"), "number", 0, N_("Units per day × lead time (days), rounded up to a whole unit.")),
    "safety_stock": _c(N_("Safety stock (units)"), "number", 0, N_("Extra units for selling more than forecast during the lead time: z × daily forecast error × √lead time (days), rounded up to a whole unit; z is 1.64 at a 95\u00a0% service level, 2.33 at 99\u00a0%.")),
    "reorder_point": _c(N_("Reorder point (units)"), "number", 0, N_("Order when units on hand fall to this number or below: units sold over the lead time + safety stock, each rounded up to a whole unit (the numbers shown add up and are the ones compared).")),
    "on_hand": _c(N_("Units on hand"), "count"),
    "days_of_cover": _c(N_("Days of cover"), "number", 1, N_("Units on hand ÷ units per day.")),
    "stockout_date": _c(N_("Runs out on"), "date", help=N_("The last order date in the data + days of cover (counted from the end of the data, not from today).")),
    "order_qty": _c(N_("Order now (units)"), "count", help=N_("At or below the reorder point: reorder point + units per day × days between restock orders − units on hand, rounded up; otherwise 0.")),
    # -- basket
    "rule": _c(N_("Rule (if → then)")),
    "itemset": _c(N_("Itemset")),
    "ids": _c(N_("Product ids")),
    "size": _c(N_("Products"), "count"),
    "support": _c(N_("Support"), "share", 2, N_("Share of all baskets that hold these products.")),
    "baskets": _c(N_("Baskets"), "count"),
    "confidence": _c(N_("Confidence"), "share", 1, N_("Of baskets with the 'if' side, the share that also hold the 'then' side.")),
    "lift": _c(N_("Lift"), "number", 2, N_("How many times more often than chance the products are bought together.")),
    "leverage": _c(N_("Leverage"), "number", 4),
    "conviction": _c(N_("Conviction"), "number", 2),
    "antecedent": _c(N_("If")),
    "consequent": _c(N_("Then")),
    "together": _c(N_("Baskets together"), "count"),
    "basket:name": _c(N_("Product")),
    "report.products:key": _c(N_("Product id")),
    "report.products:name": _c(N_("Product")),
    # the report forecasts net revenue: its forecast table is money, to the whole unit
    "report.forecast:mean": _c(N_("Forecast"), "money", 0),
    "report.forecast:lo80": _c(N_("Low (80\u00a0% range)"), "money", 0),
    "report.forecast:hi80": _c(N_("High (80\u00a0% range)"), "money", 0),
    "report.forecast:mae": _c(N_("Backtest error (MAE)"), "money", 0),  # of net revenue
    # predictions a year ahead and a risk score times spend: whole currency units, as the
    # Overview's tiles (pennies are false precision to a report reader)
    "report.value:expected_value": _c(N_("Predicted value"), "money", 0),
    "report.value:value_at_risk": _c(N_("Value at risk"), "money", 0, help=N_("Spend in the last 12 months × churn risk.")),
    "basket:share": _c(N_("Share of its baskets"), "share"),
    "if (ids)": _c(N_("If (product ids)")),
    "then (ids)": _c(N_("Then (product ids)")),
    # -- segments
    "segment": _c(N_("Segment")),
    "cluster": _c(N_("Cluster")),
    "cluster_name": _c(N_("Cluster name")),
    "recency_days": _c(N_("Days since last order"), "count"),
    "recency": _c(N_("Days since last order"), "count"),
    "median_recency_days": _c(N_("Median days since last order"), "number", 0),
    "median_frequency": _c(N_("Median orders"), "number", 1),
    "median_monetary": _c(N_("Median spend"), "money"),
    "median_avg_order_value": _c(N_("Median order value"), "money"),
    "median_tenure_days": _c(N_("Median days since first purchase"), "number", 0),
    "median_interpurchase_days": _c(N_("Median days between orders"), "number", 0),
    "median_category_breadth": _c(N_("Median categories bought"), "number", 1),
    "median_return_rate": _c(N_("Median return rate"), "share"),
    "avg_order_value": _c(N_("Average order value"), "money"),
    "tenure_days": _c(N_("Days since first purchase"), "count"),
    "interpurchase_days": _c(N_("Days between orders"), "number", 1),
    "category_breadth": _c(N_("Categories bought"), "count"),
    "frequency": _c(N_("Orders"), "count"),
    "monetary": _c(N_("Spend"), "money"),
    "r_score": _c(N_("R score"), "count", help=N_("Recency score, 5 = bought most recently.")),
    "f_score": _c(N_("F score"), "count", help=N_("Frequency score, 5 = buys most often.")),
    "m_score": _c(N_("M score"), "count", help=N_("Monetary score, 5 = spends most.")),
    "rfm": _c(N_("RFM score")),
    "customer_share": _c(N_("Customer share"), "share"),
    "revenue_share": _c(N_("Revenue share"), "share"),
    "median_spend": _c(N_("Median spend"), "money"),
    "agreement": _c(N_("Agreement"), "share"),
    "k": _c(N_("Clusters"), "count"),
    "inertia": _c(N_("Within-cluster spread"), "number", 0, N_("How far the customers are from their cluster's centre: squared distances on the features put on one scale, added up (no unit). It falls as k grows, whatever the data, so pick k by the silhouette, not by this.")),
    "silhouette": _c(N_("Silhouette"), "number", 3, N_("How well separated the clusters are (-1 to 1; higher is better).")),
    "segments:name": _c(N_("Cluster name")),  # a cluster's name; "Segment" is RFM's
    "segments:rule": _c(N_("Rule"), help=N_("A short rule that describes the cluster.")),
    # -- customer value and churn
    "cohort": _c(N_("First purchase month")),
    "before_data": _c(
        N_("Includes earlier customers"),
        "flag",
        help=N_(
            "The data's first month: this cohort holds every customer who bought that month, "
            "including those already buying before the data starts, not only new customers."
        ),
    ),
    "check": _c(N_("Check")),
    "ok": _c(N_("OK")),
    "found": _c(N_("Found")),
    "needed": _c(N_("Needed")),
    "affects": _c(N_("Affects")),
    "value:reason": _c(N_("Reason when not OK")),
    "total_value": _c(N_("Spend so far"), "money"),
    # the lifetime-value tables: the models' frequency counts repeat days, not orders
    "value.clv:frequency": _c(
        N_("Repeat purchase days"),
        "count",
        help=N_(
            "Days with a purchase after the customer's first (the lifetime-value models' "
            "frequency): a customer who bought on 6 days has 5."
        ),
    ),
    "expected_purchases": _c(
        N_("Expected purchases"),
        "number",
        2,
        help=N_(
            "Days with a purchase the customer is expected to make in the period (the models "
            "count purchases on one day as one), as the tile above sums them."
        ),
    ),
    "expected_spend": _c(N_("Expected spend per order"), "money"),
    "expected_value": _c(N_("Predicted value"), "money", help=N_("What the lifetime-value model expects the customer to spend over the value horizon set above: expected purchase days × expected spend per order.")),
    "p_alive": _c(N_("Chance still active"), "share"),
    "p_purchase_in_horizon": _c(N_("Chance to buy in the period"), "share"),
    "churn_probability": _c(N_("Churn risk"), "share"),
    "value_at_risk": _c(N_("Value at risk"), "money", help=N_("Spend in the last 12 months × churn risk.")),
    "revenue_365d": _c(N_("Spend, last 12 months"), "money"),
    # the at-risk list: why a customer who just ordered can be at risk
    "value:interpurchase_days": _c(
        N_("Usual days between orders"),
        "number",
        0,
        N_(
            "The customer's days from first to last purchase divided by the number of gaps "
            "between their purchases; blank with a single purchase."
        ),
    ),
    # the at-risk list on data without order ids (CDNOW: a line per customer and purchase
    # day, ``area="value.days"``): its "orders" are the days a customer bought on
    "value.days:recency_days": _c(N_("Days since last purchase"), "count"),
    "value.days:interpurchase_days": _c(
        N_("Usual days between purchases"),
        "number",
        0,
        N_(
            "The customer's days from first to last purchase divided by the number of gaps "
            "between their purchases; blank with a single purchase."
        ),
    ),
    "value.days:frequency": _c(
        N_("Purchase days"),
        "count",
        help=N_(
            "Days the customer bought on: the data has no order ids, so their purchases on one "
            "day count as one."
        ),
    ),
    # plain words first, the analyst's name in the help (a share: 0.944 reads 94.4 %)
    "auc": _c(N_("Ranks who left first"), "share", 1, N_("How often the model rates a customer who then bought nothing in the window as more at risk than one who bought, over every such pair: 50\u00a0% is guessing, 100\u00a0% perfect. Analysts call it the ROC AUC (0.5 to 1).")),
    "brier": _c(N_("Error of the chances"), "number", 3, N_("How far the predicted chances to buy again are from what happened (0 is perfect, lower is better). Analysts call it the Brier score: the mean squared error of the chances.")),
    "precision_at_10pct": _c(N_("Left, top 10\u00a0% risk"), "share", help=N_("Of the 10\u00a0% of customers rated most at risk, the share who then bought nothing in the window (the precision at the top 10\u00a0%).")),
    "recall_at_10pct": _c(N_("Left found, top 10\u00a0% risk"), "share", help=N_("Of all customers who bought nothing in the window, the share found among the 10\u00a0% rated most at risk (the recall at the top 10\u00a0%).")),
    # the other end of the ranking: the customers likeliest to buy, not the top 10 % risk
    "buyer_precision_at_10pct": _c(N_("Bought, top 10\u00a0% to buy"), "share", help=N_("Of the 10\u00a0% of customers rated most likely to buy again, the share who did in the window.")),
    "buyer_recall_at_10pct": _c(N_("Buyers found in the 10\u00a0% likeliest to buy"), "share"),
    "importance": _c(N_("Importance"), "number", 3),
    "predicted": _c(N_("Predicted"), "number", 2),
    "observed": _c(N_("Observed"), "number", 2),
    "value:label": _c(N_("Model")),
    # the churn models' feature importance, a column per model: drops in AUC in percentage
    # points, at the digits of the tab's percentages (94.4 %), as its chart
    "value.importance:feature": _c(N_("Customer measure")),
    "value.importance:logistic": _c(N_("Logistic regression"), "number", 1, IMPORTANCE_HELP),
    "value.importance:tree": _c(N_("Decision tree"), "number", 1, IMPORTANCE_HELP),
    "value.importance:gbm": _c(N_("Gradient boosting"), "number", 1, IMPORTANCE_HELP),
    "value:actual": _c(N_("Actual"), "number", 2),
    # the lifetime-value calibration table: mean purchases per customer in the holdout
    "value.clv:actual": _c(N_("Actual purchases per customer (holdout)"), "number", 2),
    "value.clv:predicted": _c(N_("Predicted purchases per customer (holdout)"), "number", 2),
    # -- recommendations
    "rank": _c(N_("Rank"), "count"),
    "score": _c(N_("Score"), "number", 3),
    "co_buyers": _c(N_("Customers who bought both"), "count"),
    "products_bought": _c(N_("Products bought"), "count"),
    "precision_at_k": _c(N_("Precision"), "share", help=N_("Share of recommended products that were bought next.")),
    "recall_at_k": _c(N_("Recall"), "share", help=N_("Share of the products bought next that were recommended.")),
    "hit_rate_at_k": _c(N_("Hit rate"), "share", help=N_("Share of customers who bought at least one recommended product.")),
    "ndcg_at_k": _c(N_("NDCG"), "number", 3, N_("Ranking quality (0 to 1; higher puts the bought products first).")),
    "coverage": _c(N_("Catalogue coverage"), "share", help=N_("Share of the catalogue ever recommended.")),
    "hit_rate_vs_popularity": _c(N_("Hit rate vs best sellers"), "number", 2, N_("Hit rate divided by the best-sellers baseline's: above 1 beats it.")),
    "precision_vs_popularity": _c(N_("Precision vs best sellers"), "number", 2),
    "fit_seconds": _c(N_("Training time (s)"), "number", 3),
    "recommend:source": _c(N_("Source")),
    "recommend:label": _c(N_("Model")),
    "recommend:score": _c(N_("Score"), "number", 3, N_("The model's own measure, with no unit: a higher score is listed first. Compare scores within one list only: they are not probabilities, and another model, customer or product scores on another scale.")),
    # -- alerts
    "alert_id": _c(N_("Alert id")),
    "rule_code": _c(N_("Rule")),
    "severity": _c(N_("Severity")),
    "kind": _c(N_("Rule")),
    "kinds": _c(N_("Rules")),
    "driver": _c(N_("Driver")),
    "impact": _c(N_("Impact"), "money"),
    "alerts:date": _c(N_("Date"), "date"),
    "alerts:time": _c(N_("Time"), help=N_("Time of the order; none for a whole day or week.")),
    "alerts:kinds": _c(N_("Also fired"), help=N_("Other rules that flagged the same day, order or product.")),
    "alerts:score": _c(N_("Score"), "number", 1),
    "alerts:rule": _c(N_("Rule")),
    "alerts:label": _c(N_("Rule")),
    "alerts:actual": _c(N_("Actual"), "number"),
    "usual": _c(N_("Usual"), "number"),
    "alerts:usual": _c(
        N_("Usual"), "number", help=N_("The average of the same weekday over the 4 weeks before.")
    ),
    "alerts:change": _c(
        N_("Change"), "number", help=N_("Actual minus usual: this row's part of the day's change.")
    ),
    "change": _c(N_("Change"), "number"),
    "by": _c(N_("By")),
    "looks_for": _c(N_("Looks for")),
    "alerts": _c(N_("Alerts"), "count"),
    "high": _c(N_("High"), "count"),
    "medium": _c(N_("Medium"), "count"),
    "low": _c(N_("Low"), "count"),
    "message": _c(N_("What happened")),
    "muted": _c(N_("Muted"), "flag"),
    "text": _c(N_("Text")),
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
    f"{_P}:product_id": _c(N_("Product id")),
    f"{_P}:product_name": _c(N_("Product")),  # as on every other page
    f"{_P}:elasticity": _c(N_("Elasticity"), "number", 2, N_("% change in units for a 1\u00a0% change in price (below -1: price-sensitive).")),
    f"{_P}:ci_low": _c(N_("90\u00a0% low"), "number", 2),
    f"{_P}:ci_high": _c(N_("90\u00a0% high"), "number", 2),
    f"{_P}:current_price": _c(N_("Current price"), "money"),
    f"{_P}:new_price": _c(N_("New price"), "money"),
    f"{_P}:note": _c(N_("Note")),
})
_table("pricing.products", {
    "product_id": COLUMNS[f"{_P}:product_id"], "product_name": COLUMNS[f"{_P}:product_name"],
    "category": _c(N_("Category")), "elasticity": COLUMNS[f"{_P}:elasticity"],
    "ci_low": COLUMNS[f"{_P}:ci_low"], "ci_high": COLUMNS[f"{_P}:ci_high"],
    "n_price_levels": _c(N_("Price levels"), "count"), "weeks": _c(N_("Weeks with sales"), "count"),
    "status": _c(N_("Status")), "reason": _c(N_("Why no own estimate")), "source": _c(N_("Estimate from")),
    "own_elasticity": _c(N_("Own-data elasticity"), "number", 2),
    "current_price": COLUMNS[f"{_P}:current_price"], "min_price": _c(N_("Lowest price"), "money"),
    "max_price": _c(N_("Highest price"), "money"), "units_per_week": _c(N_("Units a week (last 8 wks)"), "number", 1, N_("Mean units a week over the product's last 8 weeks with sales (whole weeks only), not counting sales later cancelled by a return.")),
    "revenue": _c(N_("Revenue"), "money"),
})
_table("pricing.categories", {
    "category": _c(N_("Category")), "elasticity": COLUMNS[f"{_P}:elasticity"],
    "ci_low": COLUMNS[f"{_P}:ci_low"], "ci_high": COLUMNS[f"{_P}:ci_high"],
    "se": _c(N_("Standard error"), "number", 3, N_("How far the category's elasticity may be off: the 90\u00a0% range is worked out from it.")),
    "n_products": _c(N_("Products with price changes"), "count"), "weeks": _c(N_("Product-weeks"), "count"),
    "tau": _c(N_("Spread between its products"), "number", 2, N_("How much the elasticities of the category's products differ from one another (a standard deviation, at least 0.25): the larger it is, the less a product's own estimate is drawn towards the category's.")),
    "trustworthy": _c(N_("Lent to one-price products"), "flag"), "note": COLUMNS[f"{_P}:note"],
})
#: The help of a column that is one end of a 90 % range (promotions, What-if): shown where
#: the column is, in the CSV-only columns' caption help when the table keeps it off screen
RANGE_END_HELP = N_(
    "The low or high end of the 90\u00a0% range: 9 times in 10, the true value lies between "
    "the two ends."
)
_table("pricing.promos", {
    "product_id": COLUMNS[f"{_P}:product_id"], "product_name": COLUMNS[f"{_P}:product_name"],
    "start": _c(N_("From"), "date"), "end": _c(N_("To"), "date"),
    "regular_price": _c(N_("Regular price"), "money"), "promo_price": _c(N_("Promotion price"), "money"),
    "discount": _c(N_("Discount"), "share", 0), "lift": _c(N_("Lift (units ×)"), "number", 2),
    "lift_low": _c(N_("Lift 90\u00a0% low"), "number", 2, RANGE_END_HELP), "lift_high": _c(N_("Lift 90\u00a0% high"), "number", 2, RANGE_END_HELP),
    "dip": _c(N_("Dip after"), "share", 0), "dip_low": _c(N_("Dip 90\u00a0% low"), "share", 0, RANGE_END_HELP),
    "dip_high": _c(N_("Dip 90\u00a0% high"), "share", 0, RANGE_END_HELP), "extra_units": _c(N_("Extra units"), "number", 0, N_("Units sold during the promotion beyond the usual: the weeks before it, at their units per store order, times the store orders of the promotion's weeks.")),
    "extra_revenue": _c(N_("Extra revenue during"), "money"), "dip_revenue": _c(N_("Revenue lost after"), "money", help=N_("Revenue of the weeks after the promotion against the usual at the regular price (the weeks before it, at their units per store order): below zero when buyers stocked up during the promotion.")),
    "net_revenue": _c(N_("Net revenue"), "money"), "net_profit": _c(N_("Net profit"), "money"),
})
_table("pricing.whatif", {
    "product_id": COLUMNS[f"{_P}:product_id"], "product_name": COLUMNS[f"{_P}:product_name"],
    "elasticity": COLUMNS[f"{_P}:elasticity"], "current_price": COLUMNS[f"{_P}:current_price"],
    "new_price": COLUMNS[f"{_P}:new_price"], "units_now": _c(N_("Units a week now"), "number", 1),
    "units": _c(N_("Units a week"), "number", 1), "units_low": _c(N_("Units 90\u00a0% low"), "number", 1, RANGE_END_HELP),
    "units_high": _c(N_("Units 90\u00a0% high"), "number", 1, RANGE_END_HELP), "revenue": _c(N_("Revenue a week"), "money"),
    "profit": _c(N_("Profit a week"), "money"), "profit_low": _c(N_("Profit 90\u00a0% low"), "money", help=RANGE_END_HELP),
    "profit_high": _c(N_("Profit 90\u00a0% high"), "money", help=RANGE_END_HELP), "best_price": _c(N_("Best price"), "money"),
    "best_for": _c(N_("Best for")), "note": COLUMNS[f"{_P}:note"],
})
_table("pricing.markdowns", {
    "product_id": COLUMNS[f"{_P}:product_id"], "product_name": COLUMNS[f"{_P}:product_name"],
    "elasticity": COLUMNS[f"{_P}:elasticity"], "units_recent": _c(N_("Units a week (last 8)"), "number", 1),
    "units_before": _c(N_("Units a week (8 before)"), "number", 1), "trend": _c(N_("Last 8 weeks vs the 8 before"), "share", 0),
    "on_hand": _c(N_("On hand"), "count"), "weeks_of_cover": _c(N_("Weeks of cover"), "number", 1),
    "markdown": _c(N_("Markdown"), "share", 0), "new_price": _c(N_("Marked-down price"), "money"),
    "clears_in_weeks": _c(N_("Clears in (weeks)"), "number", 1), "note": COLUMNS[f"{_P}:note"],
})
_table("pricing.validation", {
    "product_id": COLUMNS[f"{_P}:product_id"], "product_name": COLUMNS[f"{_P}:product_name"],
    "weeks": _c(N_("Held-out weeks"), "count"),
    "model_mae": _c(N_("Model error (MAE)"), "number"),
    "baseline_mae": _c(N_("Naive error (MAE)"), "number"),
    "beats": _c(N_("Model better"), "flag"),
})
# fmt: on


#: Forecast, recommendation and churn models: id -> the name a merchant reads.
MODEL_LABELS: dict[str, str] = {
    # forecast
    "seasonal_naive": N_("Seasonal naive (repeat the last cycle)"),
    "seasonal_mean": N_("Seasonal mean (average of the last 3 cycles)"),
    "ets": N_("Exponential smoothing (ETS)"),
    "croston": N_("Intermittent demand (Croston/SBA)"),
    "sarimax": N_("Seasonal ARIMA (SARIMAX)"),
    "combo": N_("Combination (mean of the models)"),
    "seasonal_mean_cal": N_("Seasonal mean + Chinese calendar"),
    "ets_cal": N_("Exponential smoothing + Chinese calendar (holidays, 调休, shopping festivals)"),
    "sarimax_cal": N_("Seasonal ARIMA + Chinese calendar"),
    "auto": N_("Automatic choice"),
    # recommendations: plain names ("User-based CF" was jargon), short enough for the
    # Recommendations page's Model box (a third of the form's width: tests/unit/test_labels_zh.py)
    "ease": N_("Purchase patterns (EASE)"),
    "item_knn": N_("Similar products (same buyers)"),
    "als": N_("Taste profiles (ALS)"),
    "user_knn": N_("Similar customers' purchases"),
    "trending": N_("Trending (last 30 days' best sellers)"),
    "popularity": N_("Popularity (best sellers)"),
    # churn
    "logistic": N_("Logistic regression"),
    "tree": N_("Decision tree"),
    "gbm": N_("Gradient boosting"),
    "recency": N_("Baseline: recency only"),
    "p_alive": N_("Baseline: chance still active (BG/NBD)"),
    "bgnbd": N_("Baseline: chance to buy (BG/NBD)"),
}
#: Short model names for sentences and chart legends ("SARIMAX is 12 % better than ...").
MODEL_SHORT: dict[str, str] = {
    "seasonal_naive": N_("Seasonal naive"),
    "seasonal_mean": N_("Seasonal mean"),
    "ets": N_("Exponential smoothing (ETS)"),
    "croston": N_("Croston/SBA"),
    "sarimax": N_("Seasonal ARIMA (SARIMAX)"),
    "combo": N_("Combination of models"),
    "seasonal_mean_cal": N_("Seasonal mean + Chinese calendar"),
    "ets_cal": N_("ETS + Chinese calendar"),
    "sarimax_cal": N_("SARIMAX + Chinese calendar"),
    "auto": N_("Automatic choice"),
}


#: A forecast model's name on the Forecast page's "Chosen model" tile, at the tile's value size
#: within its share of the page's row of four tiles (``model_tile``; the whole name is in the
#: tile's help): the short names cut "Seasonal ARIMA (S…" and "SARIMAX + Chines…" at 1280 px.
MODEL_TILE: dict[str, str] = {
    "seasonal_naive": N_("Seasonal naive"),
    "seasonal_mean": N_("Seasonal mean"),
    "ets": N_("ETS"),
    "croston": N_("Croston"),
    "sarimax": N_("SARIMAX"),
    "combo": N_("Combination"),
}
#: the line under a Chinese calendar twin's tile name (``ets_cal``: "ETS", "+ Chinese calendar")
CALENDAR_TILE_LINE = N_("+ Chinese calendar")


def model_tile(name: str) -> tuple[str, str | None]:
    """Model ``name`` on a metric tile in the current language: its tile name, and the line
    under it (a calendar twin's "+ Chinese calendar") or None. A model without a tile name
    gets its short name."""
    base = name.removesuffix("_cal")
    line = _(CALENDAR_TILE_LINE) if base != name else None
    if base in MODEL_TILE:
        return _(MODEL_TILE[base]), line
    return model_label(name, short=True), None


def model_label(name: str, *, short: bool = False) -> str:
    """The name a merchant reads for model ``name`` in the current language (an unknown id
    is humanised)."""
    if short and name in MODEL_SHORT:
        return _(MODEL_SHORT[name])
    known = MODEL_LABELS.get(name)
    return _(known) if known else humanise(name)


#: forecast.intermittency's demand classes (Syntetos-Boylan), as a table shows them
DEMAND_CLASSES = {
    "smooth": N_("smooth"),
    "erratic": N_("erratic"),
    "intermittent": N_("intermittent"),
    "lumpy": N_("lumpy"),
    "no demand": N_("no demand"),
}


def shown_classes(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with its demand classes in the merchant's language (a copy; ids stay in core):
    the Forecast page's tables and ``ecomdash restock``'s."""
    if "demand_class" not in df.columns:
        return df
    return df.assign(
        demand_class=df["demand_class"].map(
            lambda c: _(DEMAND_CLASSES[c]) if c in DEMAND_CLASSES else c
        )
    )


_UNIT_WORDS = {"id": "id", "ids": "ids", "pct": "%", "qty": "quantity", "avg": "average"}


def humanise(col_id: str) -> str:
    """Words from an id the catalogue does not know: ``median_order_value`` -> ``Median order
    value``, ``lo80`` -> ``Lo 80``. Never leaves an underscore or a lowercase first letter."""
    s = str(col_id).strip()
    if not s:
        return s
    s = re.sub(r"(?<=[A-Za-z])(?=\d)", " ", s.replace("_", " "))
    words = [_UNIT_WORDS.get(w, w) for w in s.split()]
    # the id's words are English in every language: capitalised as English
    return capitalised(" ".join(words), lang="en")


_MONTH_N = re.compile(r"^m(\d+)$")


def column(col_id, area: str | None = None) -> Col:
    """The catalogue entry of ``col_id`` on page ``area`` (``"area:id"`` first, then ``id``),
    its label and help in the current language.

    An id named after a model (a column per model) takes the model's label; ``m3`` in a
    cohort table is "Month 3"; any other unknown id gets a humanised label and kind text.
    """
    key = str(col_id)
    while area:
        if f"{area}:{key}" in COLUMNS:
            return _translated(COLUMNS[f"{area}:{key}"])
        area = area.rpartition(".")[0]
    if key in COLUMNS:
        return _translated(COLUMNS[key])
    if key in MODEL_LABELS:
        return Col(_(MODEL_LABELS[key]), "number")
    m = _MONTH_N.match(key)
    if m:
        return Col(_("Month {n}", n=m.group(1)), "number")
    return Col(humanise(key))


def _translated(c: Col) -> Col:
    """``c`` with its label and help in the current language (the catalogue holds English)."""
    if get_lang() == "en":
        return c
    return Col(_(c.label), c.kind, c.decimals, _(c.help) if c.help else c.help)


def label(col_id, area: str | None = None) -> str:
    """The header a merchant reads for ``col_id``."""
    return column(col_id, area).label


def product_label(name, product_id) -> str:
    """How a chart, a picker or a hover names a product: ``"Wooden Train Set – Starter
    (TOY-229)"``; the id alone when the product has no name of its own (missing, blank or the
    id itself, as a dataset without names or a category in basket analysis). Merchant text:
    plotly and widget options only, never markdown.

    >>> product_label("Wooden Train Set – Starter", "TOY-229"), product_label(None, "TOY-229")
    ('Wooden Train Set – Starter (TOY-229)', 'TOY-229')
    """
    pid = str(product_id)
    text = "" if _is_missing(name) else str(name).strip()
    return pid if text in ("", pid) else f"{text} ({pid})"


def header(
    col_id, display: Display | None = None, area: str | None = None, kind: str | None = None
) -> str:
    """The header of a download: the label, with the currency or % for money and shares;
    ``kind`` changes the column's kind (a revenue forecast's ``mae`` is money).

    >>> header("revenue", Display(currency="EUR")), header("return_rate"), header("orders")
    ('Net revenue (€)', 'Return rate (%)', 'Orders')
    """
    c = column(place_column(col_id, display), area)
    if kind:
        c = Col(c.label, kind, c.decimals, c.help)
    display = display or Display()
    if c.kind == "money" and display.currency:
        return with_unit(c.label, display.symbol.strip())
    if c.kind in ("share", "pct"):
        return with_unit(c.label, "%")
    return c.label


def with_unit(label: str, unit: str) -> str:
    """A header naming its unit: ``Net revenue (£)``; a Chinese header puts it in full-width
    brackets, ``净销售额（¥）``."""
    left, right = ("（", "）") if get_lang() == "zh" else (" (", ")")
    return f"{label}{left}{unit}{right}"


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
    if c.kind in ("pct", "share"):  # a share sent in percent points (ui.tables)
        # 12.3% / 12.3 % (fmt.pct_sign: a no-break space in English), with thousands as
        # fmt.pct writes them: 1,065.0 % (was 1065.0 %); Streamlit's sprintf takes the ","
        # flag (tests/unit/test_table_config.py runs it)
        return f"%,.{p}f" + pct_sign().replace("%", "%%")
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
            return money(v, display, places=p)
        if c.kind in ("share", "pct"):  # as fmt.pct writes it: 12.3% in Chinese, 12.3 % in English
            return pct(v, p, points=c.kind == "pct")
        if c.kind == "count":
            return f"{v:,.0f}"
        if c.kind == "number":
            return f"{v:,.{p}f}"
    if c.kind in ("date", "datetime") and isinstance(value, date | datetime | pd.Timestamp):
        fmt = display.strftime + (" %H:%M" if c.kind == "datetime" else "")
        return value.strftime(fmt)
    return str(value)


def money(value, display: Display | None = None, *, places: int = 2, compact: bool = False) -> str:
    """An amount in the dataset's currency: the one way the app (``fmt_money``), the tables
    (:func:`format_value` of a money column) and the report write money. Exact with thousands
    (``£1,234.50``, ``-£950.00``), or ``compact`` as a metric tile shows it (``£3.73M``,
    ``£41.6k``; ``¥373万`` in Chinese; below ten thousand whole from a thousand, ``£6,168``). No sign when the currency
    is unknown; "n/a" when the value is missing.

    >>> money(-1234.5, Display(currency="GBP")), money(3_731_389.17, Display("GBP"), compact=True)
    ('-£1,234.50', '£3.73M')
    """
    from ecomdash.i18n.fmt import compact as compact_figure
    from ecomdash.i18n.fmt import money as fmt_money

    if _is_missing(value) or not math.isfinite(float(value)):
        return _("n/a")
    display = display or Display()
    v = float(value)
    if compact:
        return compact_figure(v, money=True, symbol=display.symbol)
    return fmt_money(v, places=places, symbol=display.symbol)


#: ``report["places"]`` of a dataset whose country column holds provinces (the Chinese demo)
PROVINCES = "provinces"


def places_are_provinces(mapping: dict | None, report: dict | None) -> bool:
    """Whether a saved dataset's country field holds provinces rather than countries: its
    mapping took it from a province column (a Chinese marketplace export's 收货省份, or any
    column named 省份 / "Province"), or its report says so (the Chinese demo, generated with
    provinces). The pages then call the field "Province" / 省份, never "Country".

    >>> places_are_provinces({"country": "收货省份"}, {}), places_are_provinces({"country": "Country"}, {})
    (True, False)
    >>> places_are_provinces({"country": "country"}, {"places": PROVINCES})
    True
    """
    if (report or {}).get("places") == PROVINCES:
        return True
    source = str((mapping or {}).get("country") or "")
    return "省" in source or "province" in source.casefold()


def place_column(col_id, display: Display | None):
    """The catalogue id a table labels column ``col_id`` with: ``province`` for the country
    column of a dataset whose country field holds provinces (:attr:`Display.provinces`)."""
    if display is not None and display.provinces and str(col_id) == "country":
        return "province"
    return col_id


def display_for(
    report: dict | None, *, is_demo: bool = False, mapping: dict | None = None
) -> Display:
    """The :class:`Display` of a saved dataset, from what ingest recorded in its report:
    ``currency`` (an ISO code, or the one ingest read off the amounts: "currency GBP" in its
    notes) when known — none when the merchant chose "Not stated" (``currency: ""``,
    ``currencies.NOT_STATED``), whatever the amounts carry —, and the date order it proved (its notes say
    "day/month/year dates" or "month/day/year dates"). The demo merchant is a UK shop.
    ``mapping``: the dataset's (field -> the file's column), for whether its country field
    holds provinces (:func:`places_are_provinces`)."""
    provinces = places_are_provinces(mapping, report)
    report = report or {}
    notes = " ".join(str(n) for n in report.get("notes") or ())
    found = re.search(r"currency ([A-Z]{3})\b", notes)  # ingest's note on the amount column
    if report.get("currency") == "":  # currencies.NOT_STATED: the merchant's "Not stated"
        currency = None
    else:
        currency = report.get("currency") or (found.group(1) if found else None)
        currency = currency or ("GBP" if is_demo else None)
    style = "dmy" if is_demo else "iso"
    if "day/month/year dates" in notes:
        style = "dmy"
    elif "month/day/year dates" in notes:
        style = "mdy"
    return Display(currency=currency, date_style=style, provinces=provinces)
