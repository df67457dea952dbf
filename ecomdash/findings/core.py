"""The findings' core: :class:`Finding`, :func:`rank`, money in sentences (an estimate:
:func:`money_text`; a sum of real orders: :func:`money_exact`), and the first four
analyses' findings (restock, win-back, bundle, forecast gap).

Pure core (no streamlit): each ``*_finding`` function takes one analysis Result and returns a
:class:`Finding` (or ``None`` when the result holds nothing worth acting on); :func:`rank`
orders them by the money at stake. The home page feeds it the cached results of the pages run
with their default settings.

Merchant text (product names, ids) is kept apart from our wording: ``headline`` and ``detail``
never contain it, ``subjects`` holds it, so a page can render the former as markdown and the
latter only as plain text.

"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ecomdash.findings.links import LinkTab
from ecomdash.i18n import N_, _, _n, fmt
from ecomdash.labels import model_label

#: Confidence labels, most sure first.
CONFIDENCE = ("high", "medium", "low")
#: How a page shows each confidence label (translate with ``_()`` where shown).
CONFIDENCE_LABELS = {"high": N_("high"), "medium": N_("medium"), "low": N_("low")}

PAGE_BASKET = "pages/basket.py"
PAGE_FORECAST = "pages/forecast.py"
PAGE_VALUE = "pages/customer_value.py"

#: Share of the orders with A but not B assumed to take B too when a bundle is offered (the
#: basket page's what-if default).
BUNDLE_SHARE = 0.10
#: A rule resting on fewer baskets than this is an idea to test, not a finding.
MIN_BUNDLE_BASKETS = 30
#: A pair bought together at least this many times as often as chance is a bundle worth
#: naming; among those the Home names the one worth the most (``best_bundle_rule``). Below it
#: the money follows the best sellers, not the pair: on UCI Online Retail II the pair worth
#: the most is the best seller with a cake stand, 1.27× chance.
MIN_BUNDLE_LIFT = 2.0
#: Churn probability from which a customer counts as likely to lapse.
LAPSE_PROBABILITY = 0.5
#: A forecast gap below this share of the forecast is not reported.
MIN_FORECAST_GAP = 0.05
#: How many product names a restock finding shows (the largest by revenue).
RESTOCK_NAMES = 5
#: A restock forecast is rated ``high`` when its backtest error is under this share of the
#: seasonal naive's on the same folds (``medium`` under the naive's, ``low`` otherwise).
BEAT_NAIVE = 0.8


@dataclass(frozen=True)
class Finding:
    """One thing to do, with its size and how sure the model is.

    * ``kind``: which analysis it comes from (``restock``, ``winback``, ``bundle``, ``forecast``).
    * ``headline``: our wording with the numbers (never merchant text: safe as markdown), in
      the language current when the finding was built (findings are built per script run,
      never cached); ``detail`` and ``confidence_note`` too. ``link_label`` is a message id
      (translate it with ``_()`` where shown), as is ``confidence``'s label
      (:data:`CONFIDENCE_LABELS`).
    * ``value``: what is at stake, in ``unit``: ``money`` (the dataset's currency) or
      ``units`` (a dataset without amounts); the ranking key.
    * ``confidence``: ``high``, ``medium`` or ``low``; ``confidence_note`` says why in plain
      words (a sentence under the finding's body: "checked on past weeks, the forecasts of
      these products missed by 7 % less than repeating last year's weeks");
      ``confidence_detail``, when there is one, the technical figures behind it ("median
      backtest MASE 0.80, naive forecast 0.86"), the confidence label's tooltip.
    * ``page``: the page script that shows it; ``query``: ``(name, value)`` query parameters
      that select it there (e.g. the bundle's product).
    * ``subjects``: merchant text the finding is about (product names): plain text only.
    * ``customers``: how many customers it concerns, when it concerns customers.
    * ``watch``: a signal to watch, not an action (a forecast gap within the model's usual
      error, or revenue above forecast): ranked after every finding that asks for action.
    * ``value_label``: what ``value`` is, the Home's tile label (a message id): ``At stake``,
      or what else it measures (the forecast gap: ``Below forecast`` / ``Above forecast``).
    * ``exact``: ``value`` is a sum of real orders (the alerts' orders, a segment's spend),
      not an estimate: its tile writes it as the KPI tiles do (:func:`ecomdash.i18n.fmt.compact`:
      £2,140, not the estimate's £2,100), its sentence with :func:`money_exact`.
    """

    kind: str
    headline: str
    value: float
    confidence: str
    page: str
    detail: str = ""
    confidence_note: str = ""
    confidence_detail: str = ""
    query: tuple[tuple[str, str], ...] = ()
    subjects: tuple[str, ...] = ()
    customers: int | None = None
    link_label: str = N_("Show me")
    unit: str = "money"
    watch: bool = False
    value_label: str = N_("At stake")
    exact: bool = False

    def __post_init__(self) -> None:
        if self.confidence not in CONFIDENCE:
            raise ValueError(f"confidence must be one of {CONFIDENCE}, got {self.confidence!r}")
        if self.unit not in ("money", "units"):
            raise ValueError(f"unit must be 'money' or 'units', got {self.unit!r}")

    @property
    def value_text(self) -> str:
        """The value as the page shows it: 18.3k, or 246 units (1.83万, 246 件 in Chinese); an
        ``exact`` sum as a KPI tile writes it (£2,140 whole below ten thousand, £40.7k above),
        an estimate to two significant figures below ten thousand (£2,100)."""
        if self.exact:
            text = fmt.compact(self.value, symbol=fmt.currency_symbol(), money=True)
        else:
            text = money_text(self.value)
        if self.unit == "units":
            return _("{value} units", value=text)
        return text


def money_text(x: float, *, symbol: str | None = None) -> str:
    """Compact money for a sentence: 4,200 / 18.3k / 1.25M (an estimate: two significant
    figures below ten thousand, three above), with the currency sign of
    :func:`use_currency` (or ``symbol``) before it (£18.3k); in Chinese 4,200 / 1.83万 /
    125万 / 1.25亿 (¥1.83万): :func:`ecomdash.i18n.fmt.money_about`, the estimate's money
    the Basket page's bundle what-if writes too.

    >>> money_text(18_300.0, symbol="£"), money_text(-950.4, symbol="£"), money_text(4200.0)
    ('£18.3k', '-£950', '4,200')
    """
    return fmt.money_about(x, symbol=symbol)


def money_exact(x: float, *, symbol: str | None = None) -> str:
    """An exact sum of real orders in a sentence ("on orders worth £2,140", "spent £40,712 in
    the last year"): whole units with thousands and the currency sign of :func:`use_currency`
    (or ``symbol``), :func:`ecomdash.i18n.fmt.money` with no cents; ``n/a`` when not known.
    Not :func:`money_text`: that writes an estimate (£2,100 for 2,140), and these are
    counted, not estimated.

    >>> money_exact(2140.0, symbol="£"), money_exact(40_712.4, symbol="¥"), money_exact(-950.6)
    ('£2,140', '¥40,712', '-951')
    """
    if x is None or not math.isfinite(x):
        return _("n/a")  # "暂无" in Chinese
    return fmt.money(x, places=0, symbol=symbol)


def pct_text(x: float) -> str:
    """A share as the app writes it: 0.123 → "12 %" ("12%" in Chinese)."""
    return fmt.pct(x, 0)


def rank(findings, *, top: int | None = None) -> tuple[Finding, ...]:
    """Findings ordered by money at stake (largest first; ties: surest first, then kind);
    findings sized in units (no amounts in the data) after those sized in money, and unsized
    ones (value 0) after them; findings to watch (``watch``: a forecast gap within the model's
    usual error, or above forecast) after every finding that asks for action, in the same
    order among themselves; ``None`` entries (analyses that found nothing) are dropped."""
    kept = [f for f in findings if f is not None]

    def key(f: Finding) -> tuple:
        return (
            f.watch,
            f.value <= 0,
            f.unit != "money",
            -f.value,
            CONFIDENCE.index(f.confidence),
            f.kind,
        )

    kept.sort(key=key)
    return tuple(kept if top is None else kept[:top])


# --- restock -----------------------------------------------------------------------------------


def _unit_prices(restock) -> pd.Series:
    """Average selling price per product: the plan's ``unit_prices`` (revenue ÷ units of the
    same sales lines); for a result built without them, the plan's revenue ÷ the units of the
    forecast's weeks (net of returns, complete weeks only: a few % too high)."""
    plan = restock.plan.set_index("product_id")
    if getattr(restock, "unit_prices", None) is not None:
        return restock.unit_prices.reindex(plan.index).astype(float).fillna(0.0)
    units = restock.forecasts.history.sum(axis=1).reindex(plan.index).astype(float)
    return (plan["revenue"] / units.where(units > 0)).fillna(0.0)


def backtest_mase(restock, products) -> tuple[pd.Series, pd.Series]:
    """The honest backtest MASE of ``products`` and the seasonal naive's on the same folds:
    the forecasts' ``auto_mase`` (the automatic choice scored on each fold by a model chosen on
    earlier folds, the figure the Forecast page's Many products text quotes) and
    ``baseline_mase``. Not the plan's ``mase``: that is the final model's score on the folds it
    was chosen on, so optimistic."""
    t = restock.forecasts.table
    ids = pd.Index(products)
    if t is None or "auto_mase" not in t or "product_id" not in t:
        empty = pd.Series(np.nan, index=ids, dtype=float)
        return empty, empty
    t = t.drop_duplicates("product_id").set_index("product_id")
    base = t["baseline_mase"] if "baseline_mase" in t else pd.Series(np.nan, index=t.index)
    return (
        pd.to_numeric(t["auto_mase"], errors="coerce").reindex(ids),
        pd.to_numeric(base, errors="coerce").reindex(ids),
    )


def _mase_confidence(mase: pd.Series, naive: pd.Series) -> tuple[str, str, str]:
    """The confidence label, its plain note and its technical figures from the products'
    honest backtest MASE (median) and the seasonal naive's median MASE on the same folds:
    ``high`` when the model's error is under ``BEAT_NAIVE`` × the naive's, ``medium`` when
    under it, ``low`` when it does no better than the naive (fixed thresholds 0.8 / 1.0 rated
    0.70 "high" against a naive at 0.60). Without the naive's figure: MASE under 0.8 high,
    under 1.0 medium (1 is the seasonal naive's own error on the weeks before each fold).

    The note says it as the share by which the forecasts missed less (or more) than the
    seasonal naive — the restock's weekly forecasts repeat last year's weeks — ("median
    backtest MASE 0.80, naive forecast 0.86" read as jargon on the Home); the figures are the
    detail (the label's tooltip)."""
    m = float(np.nanmedian(mase.to_numpy(dtype=float))) if mase.notna().any() else float("nan")
    if not math.isfinite(m):
        return "low", _("the forecasts of these products could not be checked on past weeks"), ""
    b = float(np.nanmedian(naive.to_numpy(dtype=float))) if naive.notna().any() else float("nan")
    if not (math.isfinite(b) and b > 0):
        label = "high" if m < 0.8 else "medium" if m < 1.0 else "low"
        return label, plain_mase(round(m, 2)), _("median backtest MASE {mase}", mase=f"{m:.2f}")
    # rated on the figures the detail shows (2 decimals): 0.85 and 0.95's median 0.8999…
    # against a naive at 0.90 is no better than it
    mr, br = round(m, 2), round(b, 2)
    label = "high" if mr < BEAT_NAIVE * br - 1e-9 else "medium" if mr < br else "low"
    return (
        label,
        plain_mase(mr / br),
        _("median backtest MASE {mase}, naive forecast {naive}", mase=f"{m:.2f}", naive=f"{b:.2f}"),
    )


def plain_mase(ratio: float) -> str:
    """The restock's confidence in plain words from the model's error as a share of the
    seasonal naive's (``ratio``): "missed by 7 % less than repeating last year's weeks" (0.93),
    "… 10 % more …" (1.10), "about as much as" when it rounds to the same whole percent.

    >>> plain_mase(0.80 / 0.86)
    "checked on past weeks, the forecasts of these products missed by 7\xa0% less than repeating last year's weeks"
    """
    share = 1.0 - ratio
    pct = fmt.pct(abs(share), 0)
    if share > 0 and round(share * 100) >= 1:
        return _(
            "checked on past weeks, the forecasts of these products missed by {pct} less than "
            "repeating last year's weeks",
            pct=pct,
        )
    if share < 0 and round(-share * 100) >= 1:
        return _(
            "checked on past weeks, the forecasts of these products missed by {pct} more than "
            "repeating last year's weeks",
            pct=pct,
        )
    return _(
        "checked on past weeks, the forecasts of these products missed about as much as "
        "repeating last year's weeks"
    )


def _named_of(n: int) -> str:
    """The restock detail's second sentence when only the first ``RESTOCK_NAMES`` of ``n``
    products are named (its leading space is part of the message: none in Chinese): without
    it "Keep your 95 best sellers in stock" above five names read as if those were all."""
    if n <= RESTOCK_NAMES:
        return ""
    return _(
        " The {shown} named are the largest by revenue; the restock planner lists all {n}.",
        shown=RESTOCK_NAMES,
        n=f"{n:,}",
    )


def restock_finding(restock, *, money: bool = True) -> Finding | None:
    """From an ``inventory.RestockResult``; ``money=False`` (a dataset without amounts) sizes
    it in units instead of sales.

    With stock levels: the products that run out within the lead time, sized by the sales
    lost between the stock-out and the end of the lead time (daily demand × days short ×
    average price). Without: the best sellers (ABC class A) to keep in stock, sized by their
    expected sales over the lead time.
    """
    plan = restock.plan
    if plan.empty:
        return None
    lead = float(restock.params.get("lead_time_days", 14))
    price = (
        _unit_prices(restock).reindex(plan["product_id"]).to_numpy()
        if money
        else np.ones(len(plan))
    )
    unit = "money" if money else "units"
    demand = plan["daily_demand"].clip(lower=0).to_numpy(dtype=float)
    query = (("tab", LinkTab.RESTOCK),)
    if plan["on_hand"].notna().any():
        cover = plan["days_of_cover"].to_numpy(dtype=float)
        short = np.clip(lead - np.nan_to_num(cover, nan=lead), 0, lead)
        due = (short > 0) | (plan["order_qty"].fillna(0).to_numpy() > 0)
        n = int(due.sum())
        if n == 0:
            return None
        lost = float(np.sum(short * demand * price))
        conf, note, figures = _mase_confidence(*backtest_mase(restock, plan.loc[due, "product_id"]))
        if money:
            headline = _n(
                "Restock {n} product this week, or lose an estimated {value} of sales",
                "Restock {n} products this week, or lose an estimated {value} of sales",
                n,
                value=money_text(lost),
            )
        else:
            headline = _n(
                "Restock {n} product this week, or lose an estimated {value} units of sales",
                "Restock {n} products this week, or lose an estimated {value} units of sales",
                n,
                value=money_text(lost),
            )
        return Finding(
            kind="restock",
            headline=headline,
            value=lost,
            unit=unit,
            confidence=conf,
            confidence_note=note,
            confidence_detail=figures,
            detail=_(
                "They run out within the {days}-day lead time at the forecast demand.",
                days=f"{lead:g}",
            )
            + _named_of(n),
            page=PAGE_FORECAST,
            query=query,
            subjects=tuple(plan.loc[due, "product_name"].astype(str).head(RESTOCK_NAMES)),
            link_label=N_("Restock planner"),
        )
    best = (plan["abc"] == "A").to_numpy()
    if not best.any():
        best = np.ones(len(plan), dtype=bool)
    n = int(best.sum())
    expected = float(np.sum(demand[best] * lead * price[best]))
    conf, note, figures = _mase_confidence(*backtest_mase(restock, plan.loc[best, "product_id"]))
    if money:
        headline = _n(
            "Keep your {n} best seller in stock: {value} of sales expected over the next "
            "{days}\u00a0days",
            "Keep your {n} best sellers in stock: {value} of sales expected over the next "
            "{days}\u00a0days",
            n,
            value=money_text(expected),
            days=f"{lead:g}",
        )
    else:
        headline = _n(
            "Keep your {n} best seller in stock: {value} units expected over the next "
            "{days}\u00a0days",
            "Keep your {n} best sellers in stock: {value} units expected over the next "
            "{days}\u00a0days",
            n,
            value=money_text(expected),
            days=f"{lead:g}",
        )
    return Finding(
        kind="restock",
        headline=headline,
        value=expected,
        unit=unit,
        confidence=conf,
        confidence_note=note,
        confidence_detail=figures,
        detail=_(
            "Reorder points are ready; add your stock levels in the restock planner to see "
            "which to order now."
        )
        + _named_of(n),
        page=PAGE_FORECAST,
        query=query,
        subjects=tuple(plan.loc[best, "product_name"].astype(str).head(RESTOCK_NAMES)),
        link_label=N_("Restock planner"),
    )


# --- win-back ----------------------------------------------------------------------------------


def winback_customers(at_risk: pd.DataFrame) -> pd.DataFrame:
    """The win-back list: the at-risk customers with 2+ orders and a churn probability of at
    least ``LAPSE_PROBABILITY`` (same order)."""
    keep = (at_risk["frequency"] >= 2) & (at_risk["churn_probability"] >= LAPSE_PROBABILITY)
    return at_risk[keep]


def _churn_auc(churn) -> tuple[float, str]:
    """The churn model's held-out ROC AUC (NaN when the result has none) and the technical
    figures behind the win-back's confidence, its label's tooltip as the restock's MASE and
    the price's elasticity are theirs: the model by its page name, its holdout ROC AUC and
    that of ranking by days since the last order alone, as the churn tab's help names them."""
    try:
        auc = float(churn.metrics.loc[churn.best_model, "auc"])
    except (KeyError, AttributeError, TypeError, ValueError):
        return float("nan"), ""
    if not math.isfinite(auc):
        return auc, ""
    model = model_label(churn.best_model)
    try:
        base = float(churn.metrics.loc["recency", "auc"])
    except (KeyError, TypeError, ValueError):
        base = float("nan")
    if not math.isfinite(base):
        return auc, _("{model}: holdout ROC AUC {auc}", model=model, auc=f"{auc:.2f}")
    return auc, _(
        "{model}: holdout ROC AUC {auc}; days since the last order alone {base}",
        model=model,
        auc=f"{auc:.2f}",
        base=f"{base:.2f}",
    )


def winback_finding(at_risk: pd.DataFrame, churn, *, days: bool = False) -> Finding | None:
    """From ``churn.at_risk(...)`` and its ``churn.ChurnResult``: repeat customers (2+ orders)
    likely to lapse (churn probability ≥ 0.5), sized by their expected lost spend in a year
    (last year's spend × churn probability). ``days``: the dataset has no order id, so a
    customer's purchases are counted in purchase days, and the finding says so (CDNOW's Home
    read "Repeat buyers (2+ orders)" where no order is counted)."""
    if at_risk is None or at_risk.empty:
        return None
    loyal = winback_customers(at_risk)
    if loyal.empty:
        return None
    n = len(loyal)
    value = float(loyal["value_at_risk"].sum())
    median = float(loyal["recency_days"].median())
    auc, figures = _churn_auc(churn)
    if math.isfinite(auc):
        conf = "high" if auc >= 0.8 else "medium" if auc >= 0.7 else "low"
        # the churn tab's plain words (its ROC AUC, as a share of pairs ranked right); "later
        # purchases", which reads right with order ids and on purchase days alike (CDNOW's
        # Home said "checked on later orders" where no order is counted)
        note = _(
            "the churn model, checked on later purchases it had not seen, ranks customers who "
            "left above those who stayed {auc} of the time (guessing: 50\u00a0%)",
            auc=fmt.pct(auc, 0),
        )
    else:
        conf, note = "low", _("the churn model could not be checked on held-out time")
    return Finding(
        kind="winback",
        headline=_n(
            "{n} loyal customer is drifting away (median {days}\u00a0days since their last "
            "purchase, {value} a year at risk): win-back list",
            "{n} loyal customers are drifting away (median {days}\u00a0days since their last "
            "purchase, {value} a year at risk): win-back list",
            n,
            n=f"{n:,}",
            days=f"{median:.0f}",
            value=money_text(value),
        )
        if days
        else _n(
            "{n} loyal customer is drifting away (median {days}\u00a0days since their last order, "
            "{value} a year at risk): win-back list",
            "{n} loyal customers are drifting away (median {days}\u00a0days since their last "
            "order, {value} a year at risk): win-back list",
            n,
            n=f"{n:,}",
            days=f"{median:.0f}",
            value=money_text(value),
        ),
        value=value,
        confidence=conf,
        confidence_note=note,
        confidence_detail=figures,
        detail=_(
            "Repeat buyers (2+ purchase days) with a churn probability of {pct} or more; at "
            "risk = last year's spend × that probability.",
            pct=pct_text(LAPSE_PROBABILITY),
        )
        if days
        else _(
            "Repeat buyers (2+ orders) with a churn probability of {pct} or more; at risk = "
            "last year's spend × that probability.",
            pct=pct_text(LAPSE_PROBABILITY),
        ),
        page=PAGE_VALUE,
        query=(("tab", LinkTab.AT_RISK),),
        customers=n,
        link_label=N_("Win-back list"),
    )


# --- bundles -----------------------------------------------------------------------------------


def bundle_candidates(basket) -> pd.DataFrame:
    """The one-to-one rules of a ``basket.BasketResult`` a bundle finding may name: resting
    on at least ``MIN_BUNDLE_BASKETS`` baskets and above chance (lift > 1); empty when none."""
    r = basket.rules
    if r is None or r.empty:
        return pd.DataFrame()
    pair = (r["antecedents"].map(len) == 1) & (r["consequents"].map(len) == 1)
    return r[pair & (r["count"] >= MIN_BUNDLE_BASKETS) & (r["lift"] > 1)]


def bundle_products(basket) -> tuple[str, ...]:
    """The products a bundle candidate would add (its consequents), sorted: the ones to
    price (``Store.product_prices``) so :func:`best_bundle_rule` can rank by money."""
    ok = bundle_candidates(basket)
    return tuple(sorted({str(c[0]) for c in ok["consequents"]})) if len(ok) else ()


def best_bundle_rule(basket, prices: dict[str, float] | None = None) -> pd.Series | None:
    """The bundle the Home names, from :func:`bundle_candidates`.

    With ``prices`` (the consequent's average selling price per product,
    ``basket.avg_price``): the rule whose what-if adds the most revenue, that is the orders
    with A but not B times B's price (the what-if's share is the same for every rule), among
    the rules at least ``MIN_BUNDLE_LIFT`` × chance when any is (else among them all). A rule
    whose price is unknown ranks after those with one. Without prices: the highest lift.
    Ties: the highest lift, then confidence. A rule and its reverse have the same lift, so
    lifts are compared rounded (9 decimals): float noise must not pick the direction, the
    confidence does."""
    ok = bundle_candidates(basket)
    if ok.empty:
        return None
    ranked = ok.assign(_lift=ok["lift"].round(9))
    keys = ["_lift", "confidence"]
    if prices:
        strong = ranked["lift"] >= MIN_BUNDLE_LIFT
        if strong.any():
            ranked = ranked[strong]
        price = ranked["consequents"].map(lambda c: prices.get(str(c[0]), math.nan))
        stake = _antecedent_only(ranked, basket.n_baskets) * price.astype(float)
        ranked = ranked.assign(_stake=stake.where(np.isfinite(stake), -np.inf))
        keys = ["_stake", *keys]
    ranked = ranked.sort_values(keys, ascending=False, kind="mergesort")
    return ok.loc[ranked.index[0]]


def _strong_pairs(basket) -> int:
    """How many pairs of products (a rule and its reverse are one pair) the bundle finding
    chose from: the candidates at least ``MIN_BUNDLE_LIFT`` × chance."""
    ok = bundle_candidates(basket)
    if ok.empty:
        return 0
    ok = ok[ok["lift"] >= MIN_BUNDLE_LIFT]
    pairs = {
        frozenset((a[0], c[0])) for a, c in zip(ok["antecedents"], ok["consequents"], strict=True)
    }
    return len(pairs)


def _antecedent_only(rules: pd.DataFrame, n_baskets: int) -> pd.Series:
    """Per rule, the baskets with A but not B: A's baskets (its support × all baskets) less
    the rule's. The bundle what-if's ``n_antecedent_only`` for a one-to-one rule."""
    return (rules["antecedent_support"] * n_baskets).round() - rules["count"]


def bundle_finding(basket, whatif=None, prices: dict[str, float] | None = None) -> Finding | None:
    """From a ``basket.BasketResult`` and, optionally, the ``basket.BundleWhatIf`` of its
    :func:`best_bundle_rule` with ``prices`` (sized by its extra revenue; 0 without it)."""
    rule = best_bundle_rule(basket, prices)
    if rule is None:
        return None
    lift = float(rule["lift"])
    count = int(rule["count"])
    extra = 0.0
    detail = _(
        "Together in {count} baskets; {pct} of the first product's baskets hold the second.",
        count=f"{count:,}",
        pct=pct_text(rule["confidence"]),
    )
    if whatif is not None and math.isfinite(whatif.extra_revenue):
        from ecomdash.basket.bundles import whatif_figures

        extra = float(whatif.extra_revenue)
        # a second sentence (its leading space is part of the message: none in Chinese), its
        # figures rounded as the Basket page's what-if rounds them (one function)
        detail += _(
            " If {share} of the {n} orders with the first but not the second had also taken "
            "the second: {sales} of it, about {revenue} more revenue.",
            **{k: v for k, v in whatif_figures(whatif).items() if k != "price"},
        )
    strong = _strong_pairs(basket) if prices and lift >= MIN_BUNDLE_LIFT else 0
    if strong >= 2:  # why this pair and not the one with the highest lift
        detail += _n(
            " Of the {n} pair bought together at least {lift}× as often as chance, it is the "
            "one worth the most.",
            " Of the {n} pairs bought together at least {lift}× as often as chance, it is the "
            "one worth the most.",
            strong,
            n=f"{strong:,}",
            lift=f"{MIN_BUNDLE_LIFT:g}",
        )
    conf = "high" if count >= 100 else "medium"
    names = dict(zip(basket.items["item"], basket.items["name"], strict=False))
    a, c = rule["antecedents"][0], rule["consequents"][0]
    return Finding(
        kind="bundle",
        headline=_(
            "Bundle two products bought together {lift}× more than chance", lift=f"{lift:.1f}"
        ),
        value=extra,
        confidence=conf,
        confidence_note=_n("rests on {n} basket", "rests on {n} baskets", count, n=f"{count:,}"),
        detail=detail,
        page=PAGE_BASKET,
        query=(("item", str(a)),),
        subjects=(f"{names.get(a, a)} + {names.get(c, c)}",),
        link_label=N_("Basket rules"),
    )


# --- forecast ----------------------------------------------------------------------------------

#: The span a weekly / monthly (or other) forecast gap is measured over (message ids).
SPANS = {"W": N_("the last week"), "M": N_("the last month"), "": N_("the last period")}


#: Weeks before the gap whose revenue mix gives each group's expected share.
DRIVER_WEEKS = 8
#: A group is named as the gap's driver only when it explains at least this share of it.
DRIVER_SHARE = 0.5
#: How a driver reads per grouping column (message ids; the name itself is merchant text).
DRIVER_BY = {
    "country": N_("one country"),
    "category": N_("one category"),
    # the country field of a dataset whose places are provinces (labels.places_are_provinces)
    "province": N_("one province"),
}


@dataclass(frozen=True)
class GapDriver:
    """The group (country or category) behind most of a forecast gap: ``name``; ``by`` the
    grouping column; ``share`` of the gap it explains; its ``actual`` and ``expected``."""

    name: str
    by: str
    share: float
    actual: float
    expected: float


def gap_driver(
    groups: pd.DataFrame,
    *,
    start: pd.Timestamp,
    end: pd.Timestamp,
    forecast_total: float,
    by: str = "country",
    weeks_before: int = DRIVER_WEEKS,
    min_share: float = DRIVER_SHARE,
) -> GapDriver | None:
    """Which group drove the gap between the actual and forecast revenue of days
    ``start``..``end`` (inclusive).

    ``groups``: the store's daily revenue per group (``day, grp, revenue``). Each group's
    expected revenue is its share of the revenue in the ``weeks_before`` weeks before
    ``start`` times ``forecast_total``; its part of the gap is actual − expected. The group
    with the largest part in the gap's direction is returned when that part is at least
    ``min_share`` of the whole gap (actual − forecast over the same days), else ``None``.

    >>> g = pd.DataFrame({"day": pd.to_datetime(["2024-01-03", "2024-01-03", "2024-01-09",
    ...     "2024-01-09"]), "grp": ["DE", "FR", "DE", "FR"], "revenue": [60.0, 40.0, 10.0, 40.0]})
    >>> d = gap_driver(g, start=pd.Timestamp("2024-01-09"), end=pd.Timestamp("2024-01-09"),
    ...     forecast_total=100.0, weeks_before=1)
    >>> d.name, round(d.share, 2), d.expected, d.actual
    ('DE', 1.0, 60.0, 10.0)
    """
    if groups is None or groups.empty or not math.isfinite(forecast_total):
        return None
    day = pd.to_datetime(groups["day"]).dt.normalize()
    start, end = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    before = (day >= start - pd.Timedelta(weeks=weeks_before)) & (day < start)
    inside = (day >= start) & (day <= end)
    rev = groups["revenue"].astype(float)
    base = rev[before].groupby(groups.loc[before, "grp"].astype(str)).sum()
    total = float(base.sum())
    if total <= 0:
        return None
    expected = base / total * forecast_total
    actual = rev[inside].groupby(groups.loc[inside, "grp"].astype(str)).sum()
    names = expected.index.union(actual.index)
    expected = expected.reindex(names, fill_value=0.0)
    actual = actual.reindex(names, fill_value=0.0)
    gap = float(actual.sum()) - float(forecast_total)
    if gap == 0:
        return None
    part = (actual - expected) / gap  # each group's share of the gap (same sign: positive)
    top = part.sort_values(ascending=False, kind="mergesort")
    name, share = str(top.index[0]), float(top.iloc[0])
    if share < min_share:
        return None
    return GapDriver(
        name=name,
        by=by,
        share=share,
        actual=float(actual[name]),
        expected=float(expected[name]),
    )


def forecast_window(fc) -> tuple[pd.DataFrame, int] | None:
    """The rows of the chosen model's last backtest fold the forecast finding reads (the
    last 7 days of a daily series, the last period otherwise) and their number."""
    f = fc.folds
    f = f[f["model"] == fc.model]
    if f.empty:
        return None
    last = f[f["fold"] == f["fold"].max()].sort_values("period")
    n = min(7, len(last)) if fc.series.freq == "D" else 1
    return last.tail(n), n


def gap_groups(store, dataset_id: str, filters, columns, fc) -> tuple[pd.DataFrame | None, str]:
    """The daily revenue per country (else category) over the forecast finding's days and the
    ``DRIVER_WEEKS`` weeks before them (the store's SQL; days x groups rows), and that column;
    ``None`` when the forecast has no window or the dataset no such column. The Home's and
    the report's digest's forecast finding read it."""
    from ecomdash import schema as S

    window = forecast_window(fc)
    by = S.COUNTRY if S.COUNTRY in columns else S.CATEGORY
    if window is None or by not in columns:
        return None, by
    days = window[0]["period"]
    start = pd.Timestamp(days.min()) - pd.Timedelta(weeks=DRIVER_WEEKS)
    groups = store.daily_revenue_by(
        dataset_id, filters, by, start=start, end=pd.Timestamp(days.max())
    )
    return groups, by


def driver_by(by: str, provinces: bool) -> str:
    """How the forecast finding names its driver's column: ``province`` where the dataset's
    country field holds provinces (a Chinese marketplace's 收货省份), else ``by``."""
    from ecomdash import schema as S

    return "province" if by == S.COUNTRY and provinces else by


def forecast_finding(
    fc,
    *,
    metric_label: str = N_("Revenue"),
    groups: pd.DataFrame | None = None,
    by: str = "country",
) -> Finding | None:
    """From a ``forecast.ForecastResult``: how far the latest periods came in under or over
    what the chosen model forecast for them before they happened (its last backtest fold).
    Reported when the gap is at least 5 %; ``high`` confidence when the actual total falls
    outside the summed 80 % band (wider than the band of the sum, so a conservative test).
    Its value is the gap (``Below forecast`` / ``Above forecast``, not money at stake); a gap
    within the band ("watch, do not act yet") or above forecast is one to ``watch``, ranked
    after the findings that ask for action.

    ``groups`` (a daily series: the store's daily revenue per ``by``, ``day, grp, revenue``)
    names the driver (:func:`gap_driver`) when one group explains at least half the gap.
    """
    window = forecast_window(fc)
    if window is None:
        return None
    last, n = window
    actual, mean = float(last["actual"].sum()), float(last["mean"].sum())
    if not (math.isfinite(actual) and math.isfinite(mean)) or mean <= 0:
        return None
    gap = (actual - mean) / mean
    if abs(gap) < MIN_FORECAST_GAP:
        return None
    outside = actual < float(last["lo80"].sum()) or actual > float(last["hi80"].sum())
    freq = fc.series.freq
    if freq == "D":
        span = _n("the last {n}\u00a0day", "the last {n}\u00a0days", n)
    else:
        span = _(SPANS.get(freq, SPANS[""]))
    fields = {"metric": _(metric_label), "pct": pct_text(abs(gap)), "span": span}
    driver = None
    if groups is not None and freq == "D":
        driver = gap_driver(
            groups,
            start=pd.Timestamp(last["period"].min()),
            end=pd.Timestamp(last["period"].max()),
            forecast_total=mean,
            by=by,
        )
    subjects: tuple[str, ...] = ()
    if driver is None:
        headline = (
            _("{metric} is {pct} under forecast over {span}", **fields)
            if gap < 0
            else _("{metric} is {pct} over forecast over {span}", **fields)
        )
    else:
        # the driver's name is merchant text: it goes to subjects (plain text), never markdown
        fields["driver"] = _(DRIVER_BY.get(driver.by, DRIVER_BY["country"]))
        headline = (
            _("{metric} is {pct} under forecast over {span}, driven by {driver}", **fields)
            if gap < 0
            else _("{metric} is {pct} over forecast over {span}, driven by {driver}", **fields)
        )
        figures = {
            "name": driver.name,
            "actual": money_text(driver.actual),  # as the estimate beside it is written
            "expected": money_text(driver.expected),
            "weeks": DRIVER_WEEKS,
            "share": pct_text(driver.share),
        }
        if driver.share <= 1:
            subject = _(
                "{name}: {actual} against {expected} expected from its share of the {weeks} "
                "weeks before ({share} of the gap)",
                **figures,
            )
        elif gap < 0:  # "372 % of the gap" left the merchant to work out why
            subject = _(
                "{name}: {actual} against {expected} expected from its share of the {weeks} "
                "weeks before (more than the whole gap: the rest sold above their share)",
                **figures,
            )
        else:
            subject = _(
                "{name}: {actual} against {expected} expected from its share of the {weeks} "
                "weeks before (more than the whole gap: the rest sold below their share)",
                **figures,
            )
        subjects = (subject,)
    return Finding(
        kind="forecast",
        headline=headline,
        subjects=subjects,
        value=abs(actual - mean),
        # revenue above forecast is not money at risk, and a gap within the usual error says
        # "watch": neither outranks a finding that asks for action (both ranked first on a
        # small shop, the tile reading "At stake" over revenue above forecast)
        value_label=N_("Below forecast") if gap < 0 else N_("Above forecast"),
        watch=gap > 0 or not outside,
        confidence="high" if outside else "low",
        confidence_note=(
            # above forecast and outside the band: sure, but listed after the actions (no
            # money at risk); the note says why ("high: outside the band" ranked last read
            # as a slip)
            _("outside the model's 80\u00a0% band, above forecast: nothing at risk, watch it")
            if outside and gap > 0
            else _("outside the model's 80\u00a0% band")
            if outside
            else _("within the model's usual error: watch, do not act yet")
        ),
        detail=_(
            "Actual {actual} against {forecast} forecast before those days happened.",
            # both as the tile writes money: "297,926 against 333k" had the merchant compare
            # a counted figure with an estimate written another way
            actual=money_text(actual),
            forecast=money_text(mean),
        ),
        page=PAGE_FORECAST,
        link_label=N_("Forecast"),
    )
