"""Customer cohorts by first-order month: retention, revenue and the LTV curve.

A customer's cohort is the calendar month of their first order; month offset ``k`` is the
number of calendar months between the cohort month and the order month (0 = the first month).

The first order *in the data*: the cohort of the data's first month (the period shown, when
the page's filters start later) holds every customer who ordered that month, including those
already buying before the data starts, not only new ones; ``CohortResult.before_data`` marks it.

>>> lines = pd.DataFrame({"customer_id": ["a", "a", "b"],
...     "order_date": pd.to_datetime(["2024-01-05", "2024-02-01", "2024-01-20"]),
...     "revenue": [10.0, 5.0, 7.0]})
>>> cohorts(lines).retention.to_numpy().tolist()
[[1.0, 0.5]]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ecomdash import schema
from ecomdash.errors import InsufficientDataError, ParameterError
from ecomdash.i18n import N_
from ecomdash.i18n.note import note


@dataclass(frozen=True)
class CohortResult:
    """Cohort matrices: rows = cohort month (``Period[M]`` index), columns = month offset 0, 1, ….

    ``customers``: customers active (≥1 order) in each month; ``retention``: that share of the
    cohort's size; ``revenue``: revenue in each month; ``cumulative_revenue_per_customer``: the
    LTV curve (cumulative revenue ÷ cohort size). Cells after the data ends are NaN.
    ``sizes``: customers per cohort. ``partial_last_month``: the last month is incomplete.
    ``first_day``: the first order day of the data the cohorts are built from (customers'
    dated sales, whatever the cohort filters keep): the start of the observation window.
    """

    customers: pd.DataFrame
    retention: pd.DataFrame
    revenue: pd.DataFrame
    cumulative_revenue_per_customer: pd.DataFrame
    sizes: pd.Series
    n_customers: int
    lines_without_customer: int
    partial_last_month: bool
    first_day: pd.Timestamp
    first_categories: tuple[str, ...]
    countries: tuple[str, ...]

    def matrix(self, kind: str) -> pd.DataFrame:
        """One of ``customers``, ``retention``, ``revenue``, ``cumulative_revenue_per_customer``."""
        if kind not in VIEWS:
            raise ParameterError(
                note(
                    N_("The 'kind' parameter must be one of {views}. Got {value} instead."),
                    views=str(list(VIEWS)),
                    value=repr(kind),
                )
            )
        return getattr(self, kind)

    @property
    def before_data_cohort(self) -> pd.Period | None:
        """The cohort of the data's first month, when shown: its customers include those
        already buying before the data starts (their earlier orders are not in it), so its
        retention and revenue are not those of new customers. None when the cohort filters
        keep nobody whose first order in the data is in that month."""
        month = self.first_day.to_period("M")
        return month if month in self.sizes.index else None

    @property
    def before_data(self) -> pd.Series:
        """Per cohort (the index of ``sizes``): True for :attr:`before_data_cohort`."""
        return pd.Series(
            self.sizes.index == self.before_data_cohort, index=self.sizes.index, name="before_data"
        )


VIEWS = {  # view id → its title (translate where shown)
    "retention": N_("Share of the cohort active"),
    "customers": N_("Active customers"),
    "revenue": N_("Cohort revenue"),
    "cumulative_revenue_per_customer": N_("Cumulative revenue per customer (LTV curve)"),
}


def _first_attribute(df: pd.DataFrame, col: str) -> pd.Series:
    """Per customer: the value of ``col`` on the highest-revenue line of the first order day."""
    first_day = df.groupby("customer_id")["day"].transform("min")
    f = df.loc[df["day"] == first_day, ["customer_id", col, "rev"]].dropna(subset=[col])
    f = f.sort_values(["customer_id", "rev", col], ascending=[True, False, True], kind="mergesort")
    return f.drop_duplicates("customer_id").set_index("customer_id")[col].astype(str)


def no_match(provinces: bool = False) -> str:
    """The refusal of cohort filters that keep no customer, naming the filters as the page
    does: "category/province" where the dataset's places are provinces (its filter reads
    "Cohorts: first province" / 同期群：首次购买省份), else "category/country"."""
    if provinces:
        return note(
            N_(
                "No customer's first purchase matches the chosen category/province filter; widen "
                "the filter."
            )
        )
    return note(
        N_(
            "No customer's first purchase matches the chosen category/country filter; widen the "
            "filter."
        )
    )


def cohorts(
    sales: pd.DataFrame,
    *,
    first_categories: tuple[str, ...] = (),
    countries: tuple[str, ...] = (),
    max_months: int | None = None,
    provinces: bool = False,
) -> CohortResult:
    """Cohort matrices from canonical sales lines (after :func:`ecomdash.schema.sales_lines`).

    ``first_categories`` keeps customers whose first order's main line (highest revenue) is in
    one of these categories; ``countries`` keeps customers whose first order is from one of
    these countries. ``provinces``: the country field holds provinces
    (``labels.places_are_provinces``), so a filter that keeps no one is named as the page
    names it (:func:`no_match`).
    """
    for col in (schema.CUSTOMER_ID, schema.ORDER_DATE):
        if col not in sales:
            raise InsufficientDataError(
                note(
                    N_(
                        "Cohorts need the '{column}' column; it is not mapped. Map it on the Data "
                        "page."
                    ),
                    column=col,
                )
            )
    codes_all, uniques = pd.factorize(sales[schema.CUSTOMER_ID])
    uniques = pd.Index(uniques).astype(str)
    blank = np.asarray(uniques.str.strip() == "", dtype=bool)
    has_id = codes_all >= 0
    if blank.any():
        has_id &= ~blank[np.maximum(codes_all, 0)]
    days = sales[schema.ORDER_DATE].to_numpy(dtype="datetime64[us]")
    lines_without_customer = int((~has_id).sum())
    keep_rows = has_id & ~np.isnat(days)
    if not keep_rows.any():
        raise InsufficientDataError(
            note(
                N_(
                    "Cohorts need orders with a customer id; found 0 of {n} lines with one. Map the "
                    "customer id column on the Data page."
                ),
                n=f"{len(sales):,}",
            )
        )
    codes = codes_all[keep_rows]
    days = days[keep_rows]
    rev = (
        np.nan_to_num(sales[schema.REVENUE].to_numpy(dtype=float, na_value=np.nan)[keep_rows])
        if schema.REVENUE in sales
        else np.zeros(len(codes))
    )
    # the observation window is the whole dataset's, whatever the filter keeps
    first_day, last_day = pd.Timestamp(days.min()), pd.Timestamp(days.max())
    n_cust = len(uniques)
    keep_cust = np.zeros(n_cust, dtype=bool)
    keep_cust[codes] = True
    for what, col, wanted in (
        (N_("first categories"), schema.CATEGORY, first_categories),
        (N_("countries"), schema.COUNTRY, countries),
    ):
        if not wanted:
            continue
        if col not in sales:
            raise ParameterError(
                note(
                    N_(
                        "Filtering cohorts by {what} needs the '{column}' column, which this "
                        "dataset does not have. Clear the filter or map the column."
                    ),
                    what=note(what),
                    column=col,
                )
            )
        df = pd.DataFrame(
            {
                "customer_id": codes,
                "day": days.astype("datetime64[D]"),
                "rev": rev,
                col: sales[col].astype("string").to_numpy()[keep_rows],
            }
        )
        first = _first_attribute(df, col)
        ok = np.zeros(n_cust, dtype=bool)
        ok[first.index.to_numpy(dtype=int)] = first.isin(set(wanted)).to_numpy()
        keep_cust &= ok
    sel = keep_cust[codes]
    if not sel.any():
        raise InsufficientDataError(no_match(provinces))
    codes, days, rev = codes[sel], days[sel], rev[sel]
    mon = days.astype("datetime64[M]").astype(np.int64)  # months since 1970-01
    first_mon = np.full(n_cust, np.iinfo(np.int64).max)
    np.minimum.at(first_mon, codes, mon)
    cohort_m = first_mon[codes]
    offset = mon - cohort_m
    last_m = int(np.datetime64(last_day.to_datetime64(), "M").astype(np.int64))
    c0 = int(cohort_m.min())
    n_cohorts = last_m - c0 + 1
    n_offsets = n_cohorts
    if max_months is not None:
        n_offsets = min(n_offsets, max_months + 1)
        inside = offset < n_offsets
        codes, rev, cohort_m, offset, mon = (
            codes[inside],
            rev[inside],
            cohort_m[inside],
            offset[inside],
            mon[inside],
        )
    ci = cohort_m - c0
    cell = ci * n_offsets + offset
    revenue_m = np.bincount(cell, weights=rev, minlength=n_cohorts * n_offsets).reshape(
        n_cohorts, n_offsets
    )
    pair = pd.unique(codes.astype(np.int64) * (n_offsets + 1) + offset)
    pair_cust = pair // (n_offsets + 1)
    pair_off = pair % (n_offsets + 1)
    pair_ci = first_mon[pair_cust] - c0
    active_m = np.bincount(pair_ci * n_offsets + pair_off, minlength=n_cohorts * n_offsets).reshape(
        n_cohorts, n_offsets
    )
    present = np.unique(codes)
    sizes_arr = np.bincount(first_mon[present] - c0, minlength=n_cohorts)
    return _assemble(
        revenue_m,
        active_m,
        sizes_arr,
        c0=c0,
        first_day=first_day,
        last_day=last_day,
        lines_without_customer=lines_without_customer,
        first_categories=first_categories,
        countries=countries,
    )


def cohorts_from_cells(
    cells: pd.DataFrame,
    *,
    first_day: pd.Timestamp,
    last_day: pd.Timestamp,
    lines_without_customer: int,
    first_categories: tuple[str, ...] = (),
    countries: tuple[str, ...] = (),
    max_months: int | None = None,
    provinces: bool = False,
) -> CohortResult:
    """:func:`cohorts` from cells aggregated elsewhere (the store's SQL:
    ``Store.cohort_cells``): one row per (``cohort``, ``offset``) with the ``customers``
    active and the ``revenue`` in that month; ``cohort`` counts months since 1970-01 (the
    first-order month), ``offset`` months since the cohort month. ``first_day`` and
    ``last_day`` are the first and last order days of the customers' dated sales, before the
    cohort filters (the observation window). The same matrices as
    :func:`cohorts` on the lines those cells came from (revenue sums equal to float rounding).
    """
    if cells.empty:
        raise InsufficientDataError(no_match(provinces))
    last_day = pd.Timestamp(last_day)
    cm = cells["cohort"].to_numpy(dtype=np.int64)
    off = cells["offset"].to_numpy(dtype=np.int64)
    last_m = int(np.datetime64(last_day.to_datetime64(), "M").astype(np.int64))
    c0 = int(cm.min())
    n_cohorts = last_m - c0 + 1
    n_offsets = n_cohorts if max_months is None else min(n_cohorts, max_months + 1)
    inside = off < n_offsets
    flat = (cm[inside] - c0) * n_offsets + off[inside]
    size = n_cohorts * n_offsets
    revenue_m = np.bincount(
        flat, weights=cells["revenue"].to_numpy(dtype=float)[inside], minlength=size
    ).reshape(n_cohorts, n_offsets)
    active_m = (
        np.bincount(flat, weights=cells["customers"].to_numpy(dtype=float)[inside], minlength=size)
        .round()
        .astype(np.int64)
        .reshape(n_cohorts, n_offsets)
    )
    return _assemble(
        revenue_m,
        active_m,
        active_m[:, 0].copy(),  # every customer is active in their first month
        c0=c0,
        first_day=pd.Timestamp(first_day),
        last_day=last_day,
        lines_without_customer=lines_without_customer,
        first_categories=first_categories,
        countries=countries,
    )


def _assemble(
    revenue_m: np.ndarray,
    active_m: np.ndarray,
    sizes_arr: np.ndarray,
    *,
    c0: int,
    first_day: pd.Timestamp,
    last_day: pd.Timestamp,
    lines_without_customer: int,
    first_categories: tuple[str, ...],
    countries: tuple[str, ...],
) -> CohortResult:
    """The result from the dense (cohort x offset) revenue and active-customer counts."""
    n_cohorts, n_offsets = revenue_m.shape
    last_month = last_day.to_period("M")
    last_m = int(np.datetime64(last_day.to_datetime64(), "M").astype(np.int64))
    cohorts_idx = pd.period_range(pd.Period(np.datetime64(c0, "M"), freq="M"), last_month, freq="M")
    offsets = range(n_offsets)
    ages = last_m - (c0 + np.arange(n_cohorts))
    observed = np.arange(n_offsets)[None, :] <= ages[:, None]
    active = pd.DataFrame(active_m.astype(float), index=cohorts_idx, columns=offsets).where(
        observed
    )
    revenue = pd.DataFrame(revenue_m, index=cohorts_idx, columns=offsets).where(observed)
    sizes = pd.Series(sizes_arr, index=cohorts_idx)
    nonempty = sizes > 0
    active, revenue, sizes = active[nonempty], revenue[nonempty], sizes[nonempty]
    retention = active.div(sizes, axis=0)
    cum = revenue.cumsum(axis=1).where(revenue.notna()).div(sizes, axis=0)
    for m in (active, retention, revenue, cum):
        m.index.name = "cohort"
        m.columns.name = "month"
    sizes.index.name = "cohort"
    partial = last_day.normalize() < (last_day + pd.offsets.MonthEnd(0)).normalize()
    return CohortResult(
        customers=active,
        retention=retention,
        revenue=revenue,
        cumulative_revenue_per_customer=cum,
        sizes=sizes.rename("customers"),
        n_customers=int(sizes.sum()),
        lines_without_customer=lines_without_customer,
        partial_last_month=bool(partial),
        first_day=first_day,
        first_categories=tuple(first_categories),
        countries=tuple(countries),
    )
