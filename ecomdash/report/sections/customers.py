"""Customer sections: segments, customer value, churn risk, recommendations."""

from __future__ import annotations

from ecomdash import labels as L
from ecomdash.charts import recommend as recommend_charts
from ecomdash.charts import segment as segment_charts
from ecomdash.charts import value as value_charts
from ecomdash.errors import EcomdashError
from ecomdash.i18n import N_, _
from ecomdash.i18n import fmt as i18n_fmt
from ecomdash.i18n.case import capitalised
from ecomdash.report import results
from ecomdash.report.data import ReportData
from ecomdash.report.model import Section, Table
from ecomdash.report.sections.common import (
    _isnan,
    pct,
)


# -- customers ------------------------------------------------------------------------------------------
def segments(data: ReportData) -> Section:
    from ecomdash.segment import short_history_note

    res = results.segments(data)  # built once: the digest reads it too
    seg = res.rfm.segments
    cl, ex = res.clusters, res.explanation
    if cl is None:
        verdict = _("RFM segments only; no clusters: {why}", why=res.cluster_error)
        tone = "warn"
    else:
        # plain words first, as the restock verdict leads with the Home's (a stakeholder reads
        # "fall into 7 fairly distinct groups", not "silhouette 0.40"), the figures after
        verdict = _(
            "{plain}, and a few readable rules put {fidelity} of them in their group ({k} "
            "k-means clusters, silhouette {silhouette}: {quality}; the rules' target is "
            "{target}).",
            plain=capitalised(plain_clusters(cl.separation, cl.k)),
            fidelity=pct(ex.fidelity),
            k=cl.k,
            silhouette=f"{cl.silhouette:.2f}",
            quality=_(SEPARATION[cl.separation]),
            target=pct(ex.target),
        )
        tone = "good" if cl.separation != "weak" and ex.good_enough else "warn"
    table = seg[["segment", "customers", "customer_share", "revenue_share", "action"]]
    # names and actions in the report's language, as the Customer segments page shows them
    # (the result keeps the English ids)
    table = table.assign(**{c: table[c].astype(str).map(_) for c in ("segment", "action")})
    return Section(
        "segments",
        "Customer segments",
        verdict,
        tone,
        (
            _(
                "As of {date}: {customers} customers; {guests} guest orders (no customer id) "
                "left out.",
                date=i18n_fmt.long_date(res.params["as_of"]),
                customers=f"{res.n_customers:,}",
                guests=f"{res.n_guest_orders:,}",
            ),
            *res.features.warnings,
            # on a short history, as the Segments page's RFM tab says it
            *filter(None, [short_history_note(res.rfm)]),
            *(() if cl is None or not cl.n_one_time else (_clusters_of_repeat(cl),)),
        ),
        figures=(segment_charts.segment_treemap(res.rfm),),
        tables=(
            Table(
                N_("Segments, sizes and what to do"),
                table,
                area="segments",
            ),
        ),
    )


#: the silhouette's judgement (``ClusterResult.separation``) in the technical brackets
SEPARATION = {
    "clear": N_("clearly separated"),
    "reasonable": N_("reasonably separated"),
    "weak": N_("weakly separated"),
}


def plain_clusters(separation: str, k: int) -> str:
    """The segments' clusters in plain words, from how well they are separated (``clear`` /
    ``reasonable`` / ``weak``: the silhouette from 0.5, from 0.25, below): "customers who
    ordered at least twice fall into 7 fairly distinct groups". Lower case: the verdict
    capitalises it where it starts the sentence."""
    if separation == "clear":
        return _("customers who ordered at least twice fall into {k} clearly distinct groups", k=k)
    if separation == "reasonable":
        return _("customers who ordered at least twice fall into {k} fairly distinct groups", k=k)
    return _("customers who ordered at least twice fall into {k} groups that overlap a lot", k=k)


def _clusters_of_repeat(cl) -> str:
    """What the clusters are of: the repeat customers; the one-time buyers are a group apart."""
    return _(
        "The clusters are of the {n} customers who ordered at least twice; the {one} one-time "
        "buyers are a group of their own, not clustered.",
        n=f"{int((cl.labels < cl.one_time_id).sum()):,}",
        one=f"{cl.n_one_time:,}",
    )


def _churn(data: ReportData):
    return results.churn(data)


def _clv(data: ReportData):
    return results.clv(data)


def customer_value(data: ReportData) -> Section:
    res = _clv(data)
    c = res.customers
    cal = res.calibration
    if cal is None:
        verdict = _("Not checked on held-out time (see why below).")
        if res.method == "historical_average":
            verdict = _(
                "No model: too few repeat buyers to fit one, so values are historical averages "
                "and were not checked on held-out time (see why below)."
            )
        tone = "warn"
        figures = ()
    else:
        verdict = _(
            "Checked on held-out time: fitted up to {cutoff}, the model predicted {predicted} "
            "repeat purchases up to {end}; there were {actual} ({error}).",
            cutoff=i18n_fmt.long_date(cal.cutoff),
            predicted=f"{cal.predicted_holdout_purchases:,.0f}",
            end=i18n_fmt.long_date(cal.end),
            actual=f"{cal.actual_holdout_purchases:,}",
            # as the page's tile: "+20.0 % vs actual" (a bare "+20.0 %" did not say which way)
            error=_("{pct} vs actual", pct=i18n_fmt.pct(cal.error_pct / 100, 1, signed=True)),
        )
        tone = "good" if abs(cal.error_pct) <= 20 else "warn"
        figures = (value_charts.calibration_tracking(cal),)
    top = c[["customer_id", "expected_value", "expected_purchases", "p_alive"]].head(10)
    return Section(
        "clv",
        "Customer value",
        verdict,
        tone,
        (
            _(
                "{n} customers are expected to bring {value} over the next {months} months "
                "(scored as of {date}).",
                n=f"{len(c):,}",
                # a 12-month prediction to the penny is false precision: £1.64M
                value=L.money(c["expected_value"].sum(), data.display, compact=True),
                months=f"{res.horizon_months:g}",
                date=i18n_fmt.long_date(res.cutoff),
            ),
            # what a notice means for the figures; the models' internals (their parameters,
            # "p = 1.63e+05") stay in the page's technical details
            *res.plain_notices,
        ),
        figures=figures,
        tables=(
            Table(
                N_("Customers by expected value"),
                top,
                {"expected_purchases": "{:.2f}", "p_alive": "{:.0%}"},
                area="report.value",  # money in whole units
            ),
        ),
    )


def churn_risk(data: ReportData) -> Section:
    from ecomdash import churn as churn_mod
    from ecomdash import churn_words

    res = _churn(data)
    m = res.metrics
    best = res.best_model
    auc, base = m.loc[best, "auc"], m.loc["recency", "auc"]
    # the top 10 %'s precision beside the share of every customer evaluated who churned: a
    # bare "precision 97 %" read as the model's doing where 68 % churn anyway
    # plain words first, as the page's churn tab: the analyst's ROC AUC in brackets
    verdict = _(
        "Checked on held-out time ({n} customers after {cutoff}): {model} ranks customers who "
        "left above those who stayed {share} of the time (guessing does it 50\u00a0% of the time; "
        "days since the last order alone, {recency}; ROC AUC {auc}). Of the 10\u00a0% of customers "
        "it rated most at risk, {precision} placed no order in the next {days} days, against "
        "{base} of all the customers evaluated.",
        n=f"{res.n_test:,}",
        cutoff=i18n_fmt.long_date(res.test_cutoff),
        model=L.model_label(best),
        share=pct(auc),
        recency=pct(base),
        auc=f"{auc:.3f}",
        precision=pct(m.loc[best, "precision_at_10pct"]),
        days=res.window_days,
        base=pct(1 - res.test_positive_rate),
    )
    tone = "good" if auc >= 0.7 and auc > base else "warn"
    try:
        value = _clv(data)
    except EcomdashError:
        value = None
    ev = None if value is None else value.customers.set_index("customer_id")["expected_value"]
    risk = churn_mod.at_risk(res, expected_value=ev, top=10)
    cols = [
        c
        for c in ("customer_id", "value_at_risk", "churn_probability", "recency_days")
        if c in risk
    ]
    table = m.reset_index()[["label", "auc", "precision_at_10pct", "brier"]]
    return Section(
        "churn",
        "Churn risk",
        verdict,
        tone,
        (
            _(
                "Churn = no order in the next {days} days; {share} of evaluated customers "
                "bought again.",
                days=res.window_days,
                share=pct(res.test_positive_rate),
            ),
            # the customer-value section's "Chance still active" is another question
            churn_words.risk_and_alive_sentence(res.window_days),
            *res.notices,
        ),
        figures=(value_charts.roc_chart(res),),
        tables=(
            Table(
                N_("Models against baselines (holdout)"),
                table,
                {"auc": "{:.1%}", "precision_at_10pct": "{:.1%}", "brier": "{:.3f}"},
                area="value",
            ),
            Table(
                N_("Customers most worth keeping"),
                risk[cols],
                {
                    "churn_probability": "{:.0%}",
                    "recency_days": "{:,.0f}",
                },
                _("Ranked by value at risk = spend in the last 12 months × churn probability."),
                area="report.value",  # money in whole units
            ),
        ),
    )


def recommendations(data: ReportData) -> Section:
    res = results.recommend(data)  # built once: the digest reads it too
    t = res.table.set_index("model")
    ratio = t.loc[res.best_model, "hit_rate_vs_popularity"] if res.best_model in t.index else None
    tone = "good" if ratio is not None and not _isnan(ratio) and ratio > 1 else "warn"
    # the model's id, named by the catalogue in the report's language as on the page (the
    # result's "label" is the English name)
    table = res.table[["model", "hit_rate_at_k", "precision_at_k", "ndcg_at_k", "coverage"]]
    return Section(
        "recommend",
        "Recommendations",
        res.verdict,
        tone,
        (
            _(
                "Trained before {date}, tested on {n} returning customers (top {k}).",
                date=i18n_fmt.long_date(res.cutoff),
                n=f"{res.n_test_customers:,}",
                k=res.k,
            ),
            *res.warnings,
        ),
        figures=(recommend_charts.evaluation_figure(res),),
        tables=(
            Table(
                N_("Offline evaluation"),
                table,
                {},  # shares as % and NDCG to 3 places, as the page's table writes them
                area="recommend",
            ),
        ),
    )
