"""The forecasts and the restock plan read from the store's aggregates (the seam): the page,
the report and the ``ecomdash restock`` command ask here, so none of them loads every line.

* the whole shop as day x country groups (``Store.shop_day_groups``: a few thousand rows);
* the top products' lines only (``Store.top_product_lines``), with the cut said;
* sales per product and week and the last order date for ABC/XYZ and the plan
  (``Store.product_weeks``, ``Store.date_span``).

A dataset without amounts has no shop groups: its whole lines are read (it is small by nature).
"""

from __future__ import annotations

import enum
from collections.abc import Callable

import pandas as pd

from ecomdash import schema as S
from ecomdash.filters import Filters
from ecomdash.forecast import LINE_COLUMNS, ManyForecastResult, forecast_many

#: The ``ecomdash restock`` / planner's per-product forecasts: top products, weekly units,
#: 8 weeks ahead, 4 backtest folds.
RESTOCK_MANY = {"metric": "units", "horizon": 8, "folds": 4}


class _Ask(enum.Enum):
    STORE = "ask the store"


#: ``top_products(shop=ASK_STORE)`` (the default): read the whole-shop day groups from the
#: store. ``shop=None`` is the store's own answer for a dataset without amounts (no groups:
#: the lines are read), so a caller that already asked does not make it ask again.
ASK_STORE = _Ask.STORE


def top_products(
    store,
    dataset_id: str,
    filters: Filters | None = None,
    *,
    top: int = 100,
    metric: str = "units",
    horizon: int = 8,
    folds: int = 4,
    shop: pd.DataFrame | None | _Ask = ASK_STORE,
    run: Callable | None = None,
) -> tuple[ManyForecastResult, dict[str, float]]:
    """:func:`~ecomdash.forecast.forecast_many` of the ``top`` products by revenue from their
    lines only, the whole-shop calendar from the SQL day groups (``shop``: already read, None
    when the store has none for this dataset, or :data:`ASK_STORE` to ask it), and the cut: products and revenue in all and kept (empty when the
    whole lines were read). ``run(fn, *args, **kw)`` runs the models (the app: a worker
    process it can stop); default: here."""
    filters = filters or Filters()
    if shop is ASK_STORE:
        shop = store.shop_day_groups(dataset_id, filters, with_orders=metric == "orders")
    if shop is None:  # no revenue column: the shop series needs the lines
        lines, cut = store.load_columns(dataset_id, filters, LINE_COLUMNS), None
    else:
        lines, cut = store.top_product_lines(dataset_id, filters, LINE_COLUMNS, top=top)
    res = (run or _here)(
        forecast_many,
        lines,
        top=top,
        metric=metric,
        freq="W",
        horizon=horizon,
        folds=folds,
        shop=shop,
    )
    if cut is not None:
        cut = {**cut, "kept_revenue": float(res.table["revenue"].sum())}
    return res, cut or {}


def sells_in_china(top_country: str | None) -> bool:
    """The shop sells mostly in China: its top country by revenue (``Store.sales_by``'s
    first value) is China. The Forecast page then turns the Chinese calendar on by default,
    and the report's forecast (read by its digest, as the Home reads the page's) does too."""
    from ecomdash.forecast import holiday_code

    return bool(top_country) and holiday_code(str(top_country)) == "CN"


def default_calendar(store, dataset_id: str, filters: Filters | None = None) -> tuple[str, ...]:
    """The calendar regressors of the Forecast page's default forecast: the Chinese calendar
    (``calendar_cn.FEATURES``) for a shop that :func:`sells_in_china`, else none."""
    from ecomdash import calendar_cn as CN

    if S.COUNTRY not in store.info(dataset_id).columns:
        return ()
    top = store.sales_by(dataset_id, filters or Filters(), S.COUNTRY, limit=1)
    first = str(top["value"].iloc[0]) if len(top) else None
    return tuple(CN.FEATURES) if sells_in_china(first) else ()


def _here(fn: Callable, /, *args, **kw):
    return fn(*args, **kw)


def restock_inputs(store, dataset_id: str, filters: Filters | None = None) -> dict:
    """What the restock plan reads besides the forecasts, reduced in SQL: sales per product
    and week (ABC/XYZ) and the last order date. Empty when the dataset lacks a product id or
    quantity (the plan then says so, from the lines)."""
    filters = filters or Filters()
    if not {S.PRODUCT_ID, S.QUANTITY} <= set(store.info(dataset_id).columns):
        return {}
    return {
        "weekly": store.product_weeks(dataset_id, filters),
        "as_of": store.date_span(dataset_id, filters)[1],
    }


def plan_restock(
    store,
    dataset_id: str,
    filters: Filters | None = None,
    *,
    top: int = 100,
    many: ManyForecastResult | None = None,
    inputs: dict | None = None,
    **params,
):
    """:func:`ecomdash.inventory.plan_restock` for the ``top`` products from the store's
    aggregates (``params``: lead_time_days, service_level, review_days, stock). ``many`` and
    ``inputs`` (:func:`top_products`, :func:`restock_inputs`) when already read."""
    from ecomdash import inventory as inv

    filters = filters or Filters()
    inputs = restock_inputs(store, dataset_id, filters) if inputs is None else inputs
    if not inputs:  # no product id or quantity: the plan says which is missing
        return inv.plan_restock(store.load_columns(dataset_id, filters, LINE_COLUMNS), **params)
    if many is None:
        many = top_products(store, dataset_id, filters, top=top, **RESTOCK_MANY)[0]
    return inv.plan_restock(None, top=top, many=many, **inputs, **params)
