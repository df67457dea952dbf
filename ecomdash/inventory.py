"""Restock planning: what to reorder, when, and how much — from the product forecasts.

Per product (``plan_restock``):

* demand rate ``d`` (units per calendar day) = mean of the weekly forecast / 7;
* forecast error ``σ_d`` per day = RMSE of the chosen model's one-week-ahead backtest
  errors / √7 (weekly errors spread over independent days);
* safety stock ``SS = ⌈z · σ_d · √L⌉`` with ``z`` the normal quantile of the service level
  and ``L`` the lead time in days; reorder point ``ROP = ⌈d · L⌉ + SS`` (whole units, each
  rounded up: the numbers the table shows are the ones compared with the stock);
* with stock on hand ``S``: days of cover ``S / d``, stock-out date = last data day + cover,
  suggested order = ``ceil(ROP + d · R − S)`` when ``S ≤ ROP`` (else 0), ``R`` the review
  period in days (order enough to last until the next review).

Classes: **ABC** by cumulative share of revenue (A: the products making the first 80 %,
B: the next 15 %, C: the last 5 %), **XYZ** by the coefficient of variation of weekly units
(X ≤ 0.5, Y ≤ 1.0, Z > 1.0), and the Syntetos-Boylan demand class (intermittent products
are forecast with Croston/SBA, see :func:`ecomdash.forecast.intermittency`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import norm

from ecomdash import schema as S
from ecomdash.errors import ParameterError
from ecomdash.forecast import ManyForecastResult, forecast_many
from ecomdash.i18n import N_
from ecomdash.i18n.note import note, note_n
from ecomdash.stock_file import match_stock, named_ids

#: the plan's warning when no units on hand are given (the report says it its own way)
#: The restock planner's defaults: service level, lead time (days), days between orders, top
#: products (the planner opens on them; the Home's finding and the report's restock list and
#: digest read the plan they give).
RESTOCK_DEFAULTS = (0.95, 14.0, 7.0, 100)

NO_STOCK = N_(
    "No stock levels given: reorder points are shown, but days of cover, stock-out dates and "
    "order quantities need your current stock (upload or type it in)."
)


def abc_classes(revenue: pd.Series, *, a: float = 0.80, b: float = 0.95) -> pd.Series:
    """A/B/C per item from revenue: sorted descending, an item is A while the cumulative
    share *before* it is below ``a``, B while below ``b``, else C (so the top item is
    always A).

    >>> abc_classes(pd.Series({"x": 70.0, "y": 20.0, "z": 6.0, "w": 4.0})).tolist()
    ['A', 'A', 'B', 'C']
    """
    if not 0 < a < b < 1:
        raise ParameterError(
            note(
                N_("ABC thresholds must satisfy 0 < a < b < 1; got a={a}, b={b}."),
                a=str(a),
                b=str(b),
            )
        )
    rev = revenue.clip(lower=0).sort_values(ascending=False, kind="stable")
    total = rev.sum()
    if total <= 0:
        return pd.Series("C", index=revenue.index)
    before = (rev.cumsum() - rev) / total
    cls = pd.Series(np.where(before < a, "A", np.where(before < b, "B", "C")), index=rev.index)
    return cls.reindex(revenue.index)


def xyz_classes(demand: pd.DataFrame, *, x: float = 0.5, y: float = 1.0) -> pd.DataFrame:
    """CV (std / mean, population std) of each row's per-period demand and its XYZ class.

    >>> xyz_classes(pd.DataFrame([[10, 10, 10, 10], [0, 20, 0, 20], [0, 0, 0, 40]]))["xyz"].tolist()
    ['X', 'Y', 'Z']
    """
    arr = demand.to_numpy(dtype=float)
    mu = arr.mean(axis=1)
    sd = arr.std(axis=1)
    cv = np.where(mu > 0, sd / np.where(mu > 0, mu, 1), np.inf)
    cls = np.where(cv <= x, "X", np.where(cv <= y, "Y", "Z"))
    return pd.DataFrame({"cv": cv, "xyz": cls}, index=demand.index)


def service_z(service_level: float) -> float:
    """Normal quantile for a cycle service level in (0.5, 1).

    >>> round(service_z(0.95), 4)
    1.6449
    """
    if not isinstance(service_level, (int, float)) or not 0.5 <= service_level < 1:
        raise ParameterError(
            note(
                N_(
                    "The 'service_level' parameter must be a number in the range [0.5, 1). "
                    "Got {value} instead (e.g. 0.95 means a stock-out in 1 of 20 cycles)."
                ),
                value=repr(service_level),
            )
        )
    return float(norm.ppf(service_level))


def whole_units_up(units: pd.Series) -> pd.Series:
    """Units rounded up to a whole unit, past float noise (14 × 13.285714… = 186.00000000000003
    is 186, not 187).

    >>> whole_units_up(pd.Series([211.4, 211.6, 186.00000000000003, 0.0])).tolist()
    [212.0, 212.0, 186.0, 0.0]
    """
    return np.ceil(units.astype(float).round(6))


def restock_table(
    demand: pd.DataFrame,
    *,
    lead_time_days: float,
    service_level: float,
    review_days: float = 7,
    stock: pd.Series | None = None,
    as_of: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """The restock arithmetic on ``demand`` (index product_id; columns ``daily_demand``,
    ``error_sd_daily``). ``stock``: units on hand by product_id (missing → not computed).

    Units over the lead time and safety stock are whole units, each rounded up
    (:func:`whole_units_up`), and the reorder point is their sum: a merchant compares the
    numbers shown (stock at or below the reorder point shown → order).

    Adds ``demand_lead_time, safety_stock, reorder_point, on_hand, days_of_cover,
    stockout_date, order_qty``.
    """
    if not (isinstance(lead_time_days, (int, float)) and 0 < lead_time_days <= 365):
        raise ParameterError(
            note(
                N_("The 'lead_time_days' parameter must be in the range (0, 365]. Got {value}."),
                value=repr(lead_time_days),
            )
        )
    if not (isinstance(review_days, (int, float)) and 0 <= review_days <= 365):
        raise ParameterError(
            note(
                N_("The 'review_days' parameter must be in the range [0, 365]. Got {value}."),
                value=repr(review_days),
            )
        )
    z = service_z(service_level)
    out = demand.copy()
    d = out["daily_demand"].clip(lower=0).astype(float)
    sd = out["error_sd_daily"].fillna(0).clip(lower=0).astype(float)
    # whole units, each rounded up, and the reorder point their sum: the figures the table
    # shows are the ones compared (a reorder point of 211.4 showed "211" and stock 211 said
    # "order" beside it; 211.6 showed "212" beside stock 212)
    out["demand_lead_time"] = whole_units_up(d * lead_time_days)
    out["safety_stock"] = whole_units_up(z * sd * math.sqrt(lead_time_days))
    out["reorder_point"] = out["demand_lead_time"] + out["safety_stock"]
    on_hand = (
        stock.reindex(out.index).astype(float)
        if stock is not None
        else pd.Series(np.nan, index=out.index)
    )
    out["on_hand"] = on_hand
    with np.errstate(divide="ignore", invalid="ignore"):
        cover = np.where(d > 0, on_hand / d.where(d > 0, 1), np.inf)
    cover = np.where(on_hand.isna(), np.nan, cover)
    out["days_of_cover"] = cover
    base = pd.Timestamp(as_of) if as_of is not None else pd.Timestamp.today().normalize()
    fin = np.isfinite(cover)
    out["stockout_date"] = pd.NaT
    out.loc[fin, "stockout_date"] = [
        base + pd.Timedelta(days=float(c)) for c in np.asarray(cover)[fin]
    ]
    out["stockout_date"] = pd.to_datetime(out["stockout_date"]).dt.floor("D")
    need = out["reorder_point"] + d * review_days - on_hand
    qty = np.where(on_hand <= out["reorder_point"], np.ceil(need.clip(lower=0)), 0.0)
    out["order_qty"] = np.where(on_hand.isna(), np.nan, qty)
    return out


@dataclass(frozen=True)
class RestockResult:
    """Restock plan for the top products.

    * ``plan``: one row per product: ``product_id, product_name, revenue, abc, xyz, cv,
      demand_class, model, mase, daily_demand, error_sd_daily, demand_lead_time, safety_stock,
      reorder_point, on_hand, days_of_cover, stockout_date, order_qty``.
    * ``classes``: every product (index product_id): ``revenue, abc, cv, xyz``.
    * ``matrix``: ABC × XYZ counts over all products (rows A, B, C; columns X, Y, Z);
      ``matrix_revenue``: the same with each cell's share of revenue (0–1).
    """

    plan: pd.DataFrame
    classes: pd.DataFrame
    matrix: pd.DataFrame
    matrix_revenue: pd.DataFrame
    forecasts: ManyForecastResult
    as_of: pd.Timestamp
    params: dict = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    #: average selling price per product (index product_id): revenue ÷ units of the same
    #: sales lines (every dated or undated sale); ``None`` in results built before it
    unit_prices: pd.Series | None = None

    @property
    def stock_notes(self) -> tuple[str, ...]:
        """The warnings about units on hand (none given, some missing): what the merchant can
        act on in the planner itself; the others are the forecasts' notes."""
        return tuple(self.warnings[len(self.forecasts.warnings) :])

    def stock_counts(self) -> tuple[int, int, int]:
        """``(with_stock, to_order, run_out)``: the products whose units on hand are known,
        how many of them are at or below their reorder point (an order quantity above 0), and
        how many run out within the lead time. Products without units on hand count in none:
        nothing is known about them, which is not the same as nothing to order."""
        plan = self.plan
        known = plan["on_hand"].notna()
        lead = float(self.params.get("lead_time_days", 0))
        soon = plan["stockout_date"].notna() & (
            plan["stockout_date"] <= self.as_of + pd.Timedelta(days=lead)
        )
        return (
            int(known.sum()),
            int((known & (plan["order_qty"] > 0)).sum()),
            int((known & soon).sum()),
        )


def stock_not_planned(stock: pd.Series, result: RestockResult) -> tuple[str, ...]:
    """Notes on the ids of a stock file the plan has no row for (they were ignored in
    silence): those without sales in the data planned (most often an id written differently
    from the sales data's product codes) and those that sell but are not among the top
    products planned. Each names the first :data:`ecomdash.stock_file.NAMED_IDS` in ``stock``'s order
    (:func:`~ecomdash.stock_file.read_stock` sorts its ids). Give it
    :func:`~ecomdash.stock_file.match_stock`'s stock: ids are compared
    exactly here.

    >>> plan = pd.DataFrame({"product_id": ["A"]})
    >>> res = RestockResult(plan, pd.DataFrame(index=["A", "B"]), None, None, None, None)
    >>> [str(n) for n in stock_not_planned(pd.Series({"A": 1.0, "B": 2.0, "a-1": 3.0}), res)]
    ... # doctest: +NORMALIZE_WHITESPACE
    ["1 product in your stock file has no sales in the data planned (its period and filters):
    a-1 — if it sells, check that the ids match the sales data's product codes.",
     '1 product in your stock file sells but is not among the top 1 products planned here: B —
    raise “Top products by revenue” to plan it.']
    """
    planned = set(result.plan["product_id"].astype(str))
    selling = set(map(str, result.classes.index))
    ids = [str(i) for i in stock.index if str(i) not in planned]
    unknown = [i for i in ids if i not in selling]
    outside = [i for i in ids if i in selling]
    notes = []
    if unknown:
        notes.append(
            note_n(
                "{n} product in your stock file has no sales in the data planned (its period "
                "and filters): {ids} — if it sells, check that the ids match the sales data's "
                "product codes.",
                "{n} products in your stock file have no sales in the data planned (its "
                "period and filters): {ids} — if they sell, check that the ids match the sales "
                "data's product codes.",
                len(unknown),
                n=f"{len(unknown):,}",
                ids=named_ids(unknown),
            )
        )
    if outside:
        notes.append(
            note_n(
                "{n} product in your stock file sells but is not among the top {top} products "
                "planned here: {ids} — raise “Top products by revenue” to plan it.",
                "{n} products in your stock file sell but are not among the top {top} products "
                "planned here: {ids} — raise “Top products by revenue” to plan them.",
                len(outside),
                n=f"{len(outside):,}",
                top=f"{len(result.plan):,}",
                ids=named_ids(outside),
            )
        )
    return tuple(notes)


def plan_restock(
    lines: pd.DataFrame | None = None,
    *,
    lead_time_days: float = 14,
    service_level: float = 0.95,
    review_days: float = 7,
    stock: pd.Series | None = None,
    top: int = 100,
    many: ManyForecastResult | None = None,
    weekly: pd.DataFrame | None = None,
    as_of: pd.Timestamp | None = None,
) -> RestockResult:
    """Restock plan for the ``top`` products by revenue (weekly unit forecasts).

    ``stock``: units on hand indexed by product_id (from :func:`read_stock` or typed in).
    ``many``: reuse an existing weekly-units :func:`forecast_many` result.
    Without ``lines`` (a large store: no line leaves it), give ``many``, ``weekly`` (sales per
    product and week, ``Store.product_weeks``) and ``as_of`` (the last order date,
    ``Store.date_span``): the plan is the same as from the lines.
    """
    service_z(service_level)
    if lines is None:
        if many is None or weekly is None or as_of is None:
            raise ValueError("plan_restock without lines needs many, weekly and as_of")
    elif S.QUANTITY not in lines or S.PRODUCT_ID not in lines:
        raise ParameterError(
            note(
                N_(
                    "The restock planner needs product id and quantity columns; this dataset "
                    "lacks {missing}. Map them on the Data page."
                ),
                missing=tuple(c for c in (S.PRODUCT_ID, S.QUANTITY) if c not in lines),
            )
        )
    if many is None:
        many = forecast_many(lines, top=top, metric="units", freq="W", horizon=8, folds=4)
    elif many.metric != "units" or many.freq != "W":
        raise ParameterError(
            note(
                N_(
                    "The restock planner needs weekly unit forecasts; got metric={metric}, "
                    "freq={freq}."
                ),
                metric=repr(many.metric),
                freq=repr(many.freq),
            )
        )
    t = many.table.set_index("product_id")
    demand = pd.DataFrame(
        {
            "daily_demand": t["forecast_per_period"].clip(lower=0) / 7.0,
            "error_sd_daily": t["error_sd"].fillna(0) / math.sqrt(7.0),
        }
    )
    as_of = pd.Timestamp(lines[S.ORDER_DATE].max() if lines is not None else as_of).normalize()
    # ABC and XYZ over every product (not only the top N), on the same complete weeks.
    weeks = pd.DatetimeIndex(many.history.columns)
    if weekly is None:
        weekly = weekly_sales(lines)
    classes = classify_weekly(weekly, weeks=weeks)
    # the stock's ids as the sales data writes them ("tex-271" is TEX-271's stock)
    matched = match_stock(stock, classes.index) if stock is not None else None
    if matched is not None:
        stock = matched.stock
    plan = restock_table(
        demand,
        lead_time_days=lead_time_days,
        service_level=service_level,
        review_days=review_days,
        stock=stock,
        as_of=as_of,
    )
    # the price that turns forecast units into sales: revenue over the units of the same
    # lines (not the plan's revenue over the weekly history's units: those are net of
    # returns and may leave out partial first and last weeks, so that price came out high)
    sold = weekly.groupby("product_id")[["units", "revenue"]].sum()
    prices = (sold["revenue"] / sold["units"].where(sold["units"] > 0)).reindex(t.index)
    plan.insert(0, "product_name", t["product_name"])
    plan.insert(1, "revenue", t["revenue"])
    plan.insert(2, "abc", classes["abc"].reindex(plan.index).fillna("C"))
    plan.insert(3, "xyz", classes["xyz"].reindex(plan.index))
    plan.insert(4, "cv", classes["cv"].reindex(plan.index))
    plan.insert(5, "demand_class", t["demand_class"])
    plan.insert(6, "model", t["model"])
    plan.insert(7, "mase", t["mase"])
    plan = plan.reset_index(names="product_id")
    matrix = (
        pd.crosstab(classes["abc"], classes["xyz"])
        .reindex(index=["A", "B", "C"], columns=["X", "Y", "Z"], fill_value=0)
        .astype(int)
    )
    tot = classes["revenue"].clip(lower=0).sum()
    matrix_rev = classes.pivot_table(
        index="abc", columns="xyz", values="revenue", aggfunc="sum", fill_value=0
    ).reindex(index=["A", "B", "C"], columns=["X", "Y", "Z"], fill_value=0).astype(float) / (
        tot if tot > 0 else 1
    )
    warn = list(many.warnings)
    if stock is None:
        warn.append(note(NO_STOCK))
    else:
        warn += [*matched.notes, *matched.warnings]
        missing = int(plan["on_hand"].isna().sum())
        if missing:
            warn.append(
                note(
                    N_("{missing} of {n} products have no stock level entered."),
                    missing=missing,
                    n=len(plan),
                )
            )
    return RestockResult(
        plan=plan,
        classes=classes,
        matrix=matrix,
        matrix_revenue=matrix_rev,
        forecasts=many,
        as_of=as_of,
        unit_prices=prices,
        params={
            "lead_time_days": lead_time_days,
            "service_level": service_level,
            "review_days": review_days,
            "top": top,
            "z": service_z(service_level),
        },
        warnings=tuple(warn),
    )


def classify_products(
    lines: pd.DataFrame, *, weeks: pd.DatetimeIndex | None = None
) -> pd.DataFrame:
    """ABC (revenue) and XYZ (CV of weekly units) for every product with sales.

    ``weeks``: the Monday week starts to measure variability on (default: every week from the
    first to the last sale). Returns index product_id, columns ``revenue, abc, cv, xyz``.
    The same as :func:`classify_weekly` of the lines reduced to product-weeks (which the store
    computes in SQL: ``Store.product_weeks``).
    """
    return classify_weekly(weekly_sales(lines), weeks=weeks)


def weekly_sales(lines: pd.DataFrame) -> pd.DataFrame:
    """Units and revenue of the sales lines per product and week (Monday), as
    ``Store.product_weeks`` sums them in SQL: ``product_id, week, units, revenue``."""
    cols = [S.ORDER_DATE, S.PRODUCT_ID, S.QUANTITY, S.UNIT_PRICE, S.REVENUE, *S.FLAGS]
    sales = S.sales_lines(lines[[c for c in cols if c in lines]])
    sales = sales[sales[S.PRODUCT_ID].notna()]
    rev_col = sales[S.REVENUE] if S.REVENUE in sales else sales[S.QUANTITY]
    wk = sales[S.ORDER_DATE].dt.to_period("W-SUN").dt.start_time
    return (
        pd.DataFrame(
            {
                "product_id": sales[S.PRODUCT_ID],
                "week": wk,
                "units": sales[S.QUANTITY],
                "revenue": rev_col,
            }
        )
        .groupby(["product_id", "week"], dropna=False)[["units", "revenue"]]
        .sum()
        .reset_index()
    )


def classify_weekly(weekly: pd.DataFrame, *, weeks: pd.DatetimeIndex | None = None) -> pd.DataFrame:
    """:func:`classify_products` from sales already summed per product and week: columns
    ``product_id, week`` (Monday; NaT for undated sales, counted in revenue only), ``units``,
    ``revenue``."""
    revenue = weekly.groupby("product_id")["revenue"].sum()
    dated = weekly[weekly["week"].notna()]
    units = dated.pivot_table(
        index="product_id", columns="week", values="units", aggfunc="sum", fill_value=0.0
    )
    if weeks is None:
        weeks = pd.date_range(dated["week"].min(), dated["week"].max(), freq="W-MON")
    units = units.reindex(index=revenue.index, columns=weeks, fill_value=0.0).fillna(0.0)
    xyz = xyz_classes(units)
    return pd.DataFrame(
        {"revenue": revenue, "abc": abc_classes(revenue), "cv": xyz["cv"], "xyz": xyz["xyz"]}
    )
