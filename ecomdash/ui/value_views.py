"""Customer value page, its four result tabs: cohorts, lifetime value (with the calibration
check and the models' parameters in words), churn risk and the customers at risk. The page's
parameters, cached adapters and form are in :mod:`ecomdash.ui.value`."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ecomdash import churn as churn_mod
from ecomdash import churn_words, findings
from ecomdash import clv as clv_mod
from ecomdash import cohorts as cohorts_mod
from ecomdash import labels as L
from ecomdash.charts import value as charts
from ecomdash.clv.words import (  # noqa: F401  (parameter_text: the page tests read it here)
    CLV_METHODS,
    holdout_sentence,
    largest_miss_text,
    method_sentence,
    parameter_text,
    parameters_in_words,
    signed_error,
)
from ecomdash.errors import EcomdashError
from ecomdash.i18n import N_, _, fmt
from ecomdash.ui.common import (
    download_table,
    fmt_compact,
    fmt_int,
    fmt_money,
    fmt_pct,
    inert,
    show_chart,
    show_error,
)
from ecomdash.ui.tables import show_table

#: the lifetime-value tables' catalogue area: their ``frequency`` is the models' repeat
#: purchase days (labels.py's ``value.clv:frequency``), not the orders the at-risk list counts
CLV_AREA = "value.clv"

#: The lifetime-value customers' columns on screen: who, their predicted value, the chance
#: they are still active and the day their next order is expected (the caption under the
#: table reads these two), their repeat purchase days and last order; expected purchases,
#: the chance to buy in the period, spend per order and spend so far in the CSV. With all 10
#: the table ran past the page's right edge in English.
CLV_SCREEN = (
    "customer_id",
    "expected_value",
    "p_alive",
    "next_order_date",
    "frequency",
    "last_date",
)

#: The at-risk list's columns on screen: who, what is at stake (spend in the last 12 months ×
#: churn risk, the list's order) and why they are at risk (their risk, days since their last
#: order beside their usual days between orders, and their orders: a one-order customer has
#: no usual gap); their spend in the last 12 months and all time and their predicted value are
#: in the CSV beside it. With all 9 the table ran past the page's right edge in English.
AT_RISK_SCREEN = (
    "customer_id",
    "value_at_risk",
    "churn_probability",
    "recency_days",
    "interpurchase_days",
    "frequency",
)


#: the at-risk list's catalogue area on data without order ids (CDNOW): its headers say
#: "Days since last purchase", "Usual days between purchases", "Purchase days" (labels.py's
#: ``value.days:…``), not the orders such data has none of; every other id falls back to "value"
AT_RISK_DAYS_AREA = "value.days"


def run_at_risk(ch: churn_mod.ChurnResult, cv: clv_mod.CLVResult | None) -> pd.DataFrame:
    ev = None if cv is None else cv.customers.set_index("customer_id")["expected_value"]
    return churn_mod.at_risk(ch, expected_value=ev, top=500)


def _round(df: pd.DataFrame, digits: int = 3) -> pd.DataFrame:
    """Round the float columns only (datetimes and text stay as they are)."""
    floats = df.select_dtypes("float").columns
    return df.assign(**{c: df[c].round(digits) for c in floats})


#: The cohort table's row label, pinned while its 24 months scroll sideways: the first order
#: month (the data's first month saying "incl. earlier customers", as the heatmap's row
#: does) and the cohort's customers
COHORT_LABELS = ("cohort", "customers")


def cohort_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The cohort table as the page shows it: the first order month as its first column, the
    data's first month marked in it as on the heatmap ("2024-11 · incl. earlier customers"),
    no column of its own for that one mark (the CSV keeps ``before_data``)."""
    months = [
        _("{label} · incl. earlier customers", label=m) if first else m
        for m, first in zip(table.index, table["before_data"], strict=True)
    ]
    out = table.drop(columns="before_data").reset_index(drop=True)
    out.insert(0, "cohort", months)
    return out


def render_cohorts(res: cohorts_mod.CohortResult | None, err: EcomdashError | None) -> None:
    if res is None:
        show_error(err)
        return
    views = {k: _(title) for k, title in cohorts_mod.VIEWS.items()}  # made in this run
    kind = st.radio(
        _("Show"),
        list(cohorts_mod.VIEWS),
        format_func=views.get,
        horizontal=True,
        key="value_cohort_view",
    )
    sentences = [cohort_counts(res)]
    if res.partial_last_month:
        sentences.append(_("The last month is incomplete."))
    # what is counted, then how to read the picture: two short paragraphs, not one of five
    st.caption(fmt.sentences(sentences))
    sentences = []
    first = res.before_data_cohort
    if first is not None:
        sentences.append(
            _(
                "The data shown starts on {date}, so the {cohort} cohort holds every customer "
                "who bought that month, including those already buying before then: it is not "
                "a cohort of new customers, and its retention and revenue usually run higher. "
                "The next few cohorts hold some earlier customers too (those who came back "
                "later), fewer each month.",
                date=fmt.long_date(res.first_day),
                cohort=fmt.long_month(first),
            )
        )
        if kind != "retention" and charts.first_cohort_capped(res, kind):
            sentences.append(
                _(
                    "The colours are scaled to the other cohorts so that they can be compared: "
                    "the {cohort} cohort's larger cells show in the darkest colour, with their "
                    "numbers.",
                    cohort=fmt.long_month(first),
                )
            )
        if kind == "cumulative_revenue_per_customer":
            sentences.append(
                _("The LTV chart leaves that cohort out; click its name in the legend to show it.")
            )
    if kind == "retention":
        top = charts.colour_range(res, kind)[1]
        if top < 1:
            sentences.append(
                _(
                    "Month 0 is 100\u00a0% by definition: the colours are scaled from 0 to {top}, the "
                    "most active later month, so that the cohorts can be compared; cells above "
                    "it show in the darkest colour, with their numbers.",
                    top=fmt_pct(top),
                )
            )
    if sentences:
        st.caption(fmt.sentences(sentences))
    show_chart(charts.cohort_heatmap(res, kind), width="stretch")
    table = res.matrix(kind).copy()
    table.index = table.index.astype(str)
    table.columns = [f"m{c}" for c in table.columns]
    table.insert(0, "customers", res.sizes.to_numpy())
    table.insert(1, "before_data", res.before_data.to_numpy())
    cell = {"retention": "share", "customers": "count"}.get(kind, "money")
    show_table(
        cohort_rows(table).round(3),
        area="value",
        width="stretch",
        hide_index=True,
        kinds={c: cell for c in table.columns if c not in ("customers", "before_data")},
        pinned=COHORT_LABELS,
    )
    download_table(table.reset_index(), "cohorts", key="dl_cohorts", area="value")
    if kind == "cumulative_revenue_per_customer":
        show_chart(charts.ltv_curves(res), width="stretch")


def render_clv(
    res: clv_mod.CLVResult | None, err: EcomdashError | None, *, window_days: int = 90
) -> None:
    """The lifetime-value tab; ``window_days``: the churn window the page's churn risk uses
    (the caption that tells the two figures apart names it)."""
    if res is None:
        show_error(err)
        return
    c = res.customers
    st.caption(method_sentence(res))
    m1, m2, m3 = st.columns(3)
    m1.metric(_("Customers scored"), fmt_int(len(c)))
    m2.metric(
        _("Expected value, {months} months", months=f"{res.horizon_months:g}"),
        fmt_compact(c["expected_value"].sum(), money=True),
        help=fmt_money(c["expected_value"].sum()),
    )
    m3.metric(
        _("Expected purchases, {months} months", months=f"{res.horizon_months:g}"),
        fmt_int(c["expected_purchases"].sum()),
        help=_(
            "Purchases the scored customers are expected to make in the next {months} months, "
            "summed; the models count a customer's purchases on one day as one.",
            months=f"{res.horizon_months:g}",
        ),
    )
    # what went wrong, in what it means for the figures; the models' own account (their
    # parameters and limits) is under "Model parameters", with the rest of the internals
    for n in res.plain_notices:
        st.warning(inert(n), icon="⚠️")

    cal = res.calibration
    st.subheader(_("Calibration check on held-out time"))
    if cal is None:
        st.info(_("No calibration check: see the notice above for why."))
    else:
        a1, a2, a3 = st.columns(3)
        a1.metric(_("Repeat purchases before cut-off"), fmt_int(cal.calibration_repeat_purchases))
        st.caption(holdout_sentence(cal))
        a2.metric(
            _("Holdout purchases (actual)"),
            fmt_int(cal.actual_holdout_purchases),
        )
        a3.metric(
            _("Holdout purchases (predicted)"),
            fmt_int(cal.predicted_holdout_purchases),
            delta=_("{pct} vs actual", pct=signed_error(cal)),
            delta_color="off",
        )
        miss = cal.largest_miss()
        if miss is not None:
            st.caption(largest_miss_text(miss))
        g1, g2 = st.columns(2)
        show_chart(charts.calibration_by_frequency(cal), width="stretch", where=g1)
        show_chart(charts.calibration_tracking(cal), width="stretch", where=g2)
        # the right chart's lines part before the cut-off (the model's fit to the past): read
        # alone, the demo's actual line above the model's said "under-predicts", the tiles +20 %
        g2.caption(
            _(
                "The lines already part before the cut-off: that is how the model fits the "
                "past. The check is how much each climbs after it: the model's line by "
                "{predicted}, the actual by {actual}, as in the tiles above.",
                predicted=fmt_int(cal.predicted_holdout_purchases),
                actual=fmt_int(cal.actual_holdout_purchases),
            )
        )
        with st.expander(_("Calibration tables")):
            show_table(cal.by_frequency.round(3), area=CLV_AREA, hide_index=True, width="stretch")
            download_table(cal.by_frequency, "clv-calibration", key="dl_cal", area=CLV_AREA)

    st.subheader(_("Model parameters"))
    rows = []
    if res.params is not None:
        for k in ("r", "alpha", "a", "b"):
            rows.append(("BG/NBD", k, getattr(res.params, k)))
        rows.append(("BG/NBD", _("log-likelihood"), res.params.log_likelihood))
    if res.gamma_gamma is not None:
        for k in ("p", "q", "v"):
            rows.append(("Gamma-Gamma", k, getattr(res.gamma_gamma, k)))
        rows.append(("Gamma-Gamma", _("log-likelihood"), res.gamma_gamma.log_likelihood))
        # money: with the dataset's currency, as every amount on the page
        rows.append(
            ("Gamma-Gamma", _("mean spend per order"), fmt_money(res.gamma_gamma.mean_spend))
        )
    rows.append((_("Check"), _("spend vs frequency correlation"), res.spend_frequency_corr))
    rows.append((_("Check"), _("repeat buyers"), float(res.repeat_buyers)))
    show_table(
        parameter_table(rows),
        area="value",
        kinds={"value": "text"},
        hide_index=True,
        width="stretch",
    )
    if res.params is not None:
        st.caption(parameters_in_words(res.params))
    if res.notices:
        with st.expander(_("Technical details of the warnings above")):
            for n in res.notices:
                st.caption(inert(n))

    st.subheader(_("Customers by expected value"))
    cols = [
        "customer_id",
        "expected_value",
        "expected_purchases",
        "p_alive",
        "p_purchase_in_horizon",
        "expected_spend",
        "next_order_date",
        "frequency",
        "total_value",
        "last_date",
    ]
    show_table(
        _round(c[cols].head(500)),
        area=CLV_AREA,
        hide_index=True,
        width="stretch",
        on_screen=CLV_SCREEN,
    )
    download_table(c[cols], "customer-value", key="dl_clv", area=CLV_AREA)
    st.caption(
        _(
            "{column}: the day by which the customer has a 50\u00a0% chance of having ordered again "
            '(blank when "{alive}" is 50\u00a0% or less).',
            column=L.label("next_order_date", "value"),
            alive=L.label("p_alive", "value"),
        )
    )
    # the same customer's churn risk (next tab) can be 38.9 % beside a 100 % chance here
    st.caption(churn_words.risk_and_alive_sentence(window_days))


def parameter_table(rows) -> pd.DataFrame:
    """The model parameters as shown: each number written by :func:`parameter_text`; a value
    already written (an amount of money, ``£90.26``) is kept as it is."""
    table = pd.DataFrame(rows, columns=["model", "parameter", "value"])
    return table.assign(
        value=[v if isinstance(v, str) else parameter_text(v) for v in table["value"]]
    )


def render_churn(res: churn_mod.ChurnResult | None, err: EcomdashError | None) -> None:
    if res is None:
        show_error(err)
        return
    m = res.metrics
    best = res.best_model
    auc, base = m.loc[best, "auc"], m.loc["recency", "auc"]
    # against ranking by recency alone: the days since the last purchase day where the data
    # has no order ids (CDNOW), the last order where it has
    versus = (
        N_("{pts} pts vs days since last purchase")
        if res.purchase_days
        else N_("{pts} pts vs days since last order")
    )
    top, top_base = m.loc[best, "precision_at_10pct"], m.loc["recency", "precision_at_10pct"]
    # plain words first: what the best model gets right, against guessing and recency alone
    # (the analyst's ROC AUC and precision are named in the tiles' helps and the table's)
    st.markdown(inert(churn_words.verdict_sentence(res)))
    st.caption(churn_words.checked_sentence(res))
    for n in res.notices:
        st.warning(inert(n), icon="⚠️")
    b2, b3 = st.columns(2)
    b2.metric(
        _("Ranks who left above who stayed"),
        fmt_pct(auc),
        delta=_(versus, pts=f"{(auc - base) * 100:+.1f}"),
        help=_(
            "Checked on the later period the model was not fitted on: the chance that it rates "
            "a customer who then bought nothing in the {days} days as more at risk than one "
            "who bought. 50\u00a0% is guessing, 100\u00a0% is perfect; against ranking by days since "
            "the last purchase alone. Analysts call it the holdout ROC AUC: {auc}.",
            days=res.window_days,
            auc=f"{auc:.3f}",
        ),
    )
    b3.metric(
        _("Left, among the 10\u00a0% most at risk"),
        fmt_pct(top),
        delta=_(versus, pts=f"{(top - top_base) * 100:+.1f}"),
        help=_(
            "Of the 10\u00a0% of customers the model rated most at risk, the share who then "
            "bought nothing in the {days} days (percentage points against ranking by days since "
            "the last purchase). Analysts call it the precision at the top 10\u00a0%.",
            days=res.window_days,
        ),
    )
    # the share of all leavers found among the 10 % most at risk (about the same for every
    # model) is in the download only, its header as long as it must be; the caption under
    # the table names it, so the figure can be found
    table = churn_mod.models_table(res, download=True)
    show_table(
        table.round(3),
        area="value",
        hide_index=True,
        width="stretch",
        fit=True,
        on_screen=churn_mod.MODEL_TABLE,
    )
    download_table(table, "churn-models", key="dl_churn_models", area="value")
    g1, g2 = st.columns(2)
    show_chart(charts.roc_chart(res), width="stretch", where=g1)
    show_chart(charts.probability_calibration_chart(res), width="stretch", where=g2)
    show_chart(charts.importance_chart(res), width="stretch")
    # plain words as the rest of the tab, the analyst's name (permutation importance, drop in
    # the holdout ROC AUC) in the columns' help; percentage points, as the chart above
    with st.expander(_("What drives the prediction, all models")):
        imp = churn_mod.drivers_table(res)
        show_table(
            imp.round(2), area="value.importance", hide_index=True, width="stretch", fit=True
        )
        st.caption(_(churn_words.DRIVERS_CAPTION))


def render_at_risk(
    ch: churn_mod.ChurnResult | None,
    cv: clv_mod.CLVResult | None,
    err: EcomdashError | None,
    *,
    days: bool = False,
) -> None:
    """The customers most worth keeping; ``days``: no order id, a customer's purchases are
    counted in purchase days (the win-back toggle and the table's headers say so:
    ``AT_RISK_DAYS_AREA``)."""
    if ch is None:
        show_error(err)
        return
    risk = run_at_risk(ch, cv)
    # the home's win-back finding links here (?tab=at-risk): the same customers, ticked on
    share = fmt_pct(findings.LAPSE_PROBABILITY, 0)
    if st.toggle(
        _(
            "Only the win-back list: repeat buyers (2+ purchase days) with a churn probability "
            "of {share} or more",
            share=share,
        )
        if days
        else _(
            "Only the win-back list: repeat buyers (2+ orders) with a churn probability of "
            "{share} or more",
            share=share,
        ),
        value=st.query_params.get("tab") == findings.LinkTab.AT_RISK,
        key="value_winback_only",
    ):
        risk = findings.winback_customers(risk)
    area = AT_RISK_DAYS_AREA if days else "value"
    st.caption(
        fmt.sentences(
            [
                _(
                    "Ranked by value at risk = spend in the last 12 months × churn probability "
                    "({model}, as of {date}; churn = no purchase in the next {days} days).",
                    model=_(churn_mod.MODEL_LABELS[ch.best_model]),
                    date=fmt.long_date(ch.score_date),
                    days=ch.window_days,
                )
                if days
                else _(
                    "Ranked by value at risk = spend in the last 12 months × churn probability "
                    "({model}, as of {date}; churn = no order in the next {days} days).",
                    model=_(churn_mod.MODEL_LABELS[ch.best_model]),
                    date=fmt.long_date(ch.score_date),
                    days=ch.window_days,
                ),
                # why someone who ordered 4 days ago can be 76 % at risk: their usual gap
                _(
                    "So a customer who usually waits longer than {days} days between purchases "
                    "({column}) has a high churn risk even just after a purchase.",
                    days=ch.window_days,
                    column=L.label("interpurchase_days", area),
                )
                if days
                else _(
                    "So a customer who usually waits longer than {days} days between orders "
                    "({column}) has a high churn risk even just after an order.",
                    days=ch.window_days,
                    column=L.label("interpurchase_days", area),
                ),
                churn_words.risk_and_alive_sentence(ch.window_days),
            ]
        )
    )
    show_table(_round(risk), area=area, hide_index=True, width="stretch", on_screen=AT_RISK_SCREEN)
    download_table(risk, "customers-at-risk", key="dl_at_risk", area=area)


def cohort_counts(res) -> str:
    """What the cohorts count: customers, cohorts and the lines left out for having no
    customer id, said only when there are some (it read "0 行没有客户 ID 的订单行未计入")."""
    counts = {"n": f"{res.n_customers:,}", "cohorts": len(res.sizes)}
    if not res.lines_without_customer:
        return _("{n} customers in {cohorts} monthly cohorts.", **counts)
    return _(
        "{n} customers in {cohorts} monthly cohorts; {lines} lines without a customer id "
        "are left out.",
        lines=f"{res.lines_without_customer:,}",
        **counts,
    )
