"""Customer cohorts by first-order month: retention, revenue and the LTV curve.

A customer's cohort is the calendar month of their first order; month offset ``k`` is the
number of calendar months between the cohort month and the order month (0 = the first month).

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


@dataclass(frozen=True)
class CohortResult:
    """Cohort matrices: rows = cohort month (``Period[M]`` index), columns = month offset 0, 1, ….

    ``customers``: customers active (≥1 order) in each month; ``retention``: that share of the
    cohort's size; ``revenue``: revenue in each month; ``cumulative_revenue_per_customer``: the
    LTV curve (cumulative revenue ÷ cohort size). Cells after the data ends are NaN.
    ``sizes``: customers per cohort. ``partial_last_month``: the last month is incomplete.
    """

    customers: pd.DataFrame
    retention: pd.DataFrame
    revenue: pd.DataFrame
    cumulative_revenue_per_customer: pd.DataFrame
    sizes: pd.Series
    n_customers: int
    lines_without_customer: int
    partial_last_month: bool
    first_categories: tuple[str, ...]
    countries: tuple[str, ...]

    def matrix(self, kind: str) -> pd.DataFrame:
        """One of ``customers``, ``retention``, ``revenue``, ``cumulative_revenue_per_customer``."""
        if kind not in VIEWS:
            raise ParameterError(
                f"The 'kind' parameter must be one of {list(VIEWS)}. Got {kind!r} instead."
            )
        return getattr(self, kind)


VIEWS = {
    "retention": "Share of the cohort active",
    "customers": "Active customers",
    "revenue": "Revenue",
    "cumulative_revenue_per_customer": "Cumulative revenue per customer (LTV curve)",
}


def _first_attribute(df: pd.DataFrame, col: str) -> pd.Series:
    """Per customer: the value of ``col`` on the highest-revenue line of the first order day."""
    first_day = df.groupby("customer_id")["day"].transform("min")
    f = df.loc[df["day"] == first_day, ["customer_id", col, "rev"]].dropna(subset=[col])
    f = f.sort_values(["customer_id", "rev", col], ascending=[True, False, True], kind="mergesort")
    return f.drop_duplicates("customer_id").set_index("customer_id")[col].astype(str)


def cohorts(
    sales: pd.DataFrame,
    *,
    first_categories: tuple[str, ...] = (),
    countries: tuple[str, ...] = (),
    max_months: int | None = None,
) -> CohortResult:
    """Cohort matrices from canonical sales lines (after :func:`ecomdash.schema.sales_lines`).

    ``first_categories`` keeps customers whose first order's main line (highest revenue) is in
    one of these categories; ``countries`` keeps customers whose first order is from one of
    these countries.
    """
    for col in (schema.CUSTOMER_ID, schema.ORDER_DATE):
        if col not in sales:
            raise InsufficientDataError(
                f"Cohorts need the '{col}' column; it is not mapped. Map it on the Data page."
            )
    cid = sales[schema.CUSTOMER_ID]
    has_id = cid.notna() & (cid.astype("string").str.strip() != "")
    df = pd.DataFrame(
        {
            "customer_id": cid[has_id].astype(str).to_numpy(),
            "day": pd.to_datetime(sales.loc[has_id, schema.ORDER_DATE]).to_numpy(),
            "rev": (
                sales.loc[has_id, schema.REVENUE].astype(float).fillna(0.0).to_numpy()
                if schema.REVENUE in sales
                else np.zeros(int(has_id.sum()))
            ),
        }
    )
    for opt, col, wanted in (
        ("first_categories", schema.CATEGORY, first_categories),
        ("countries", schema.COUNTRY, countries),
    ):
        if wanted:
            if col not in sales:
                raise ParameterError(
                    f"Filtering cohorts by {opt.replace('_', ' ')} needs the '{col}' column, which "
                    "this dataset does not have. Clear the filter or map the column."
                )
            df[col] = sales.loc[has_id, col].astype("string").to_numpy()
    df = df.dropna(subset=["day"])
    if df.empty:
        raise InsufficientDataError(
            f"Cohorts need orders with a customer id; found 0 of {len(sales):,} lines with one. "
            "Map the customer id column on the Data page."
        )
    # the observation window is the whole dataset's, whatever the filter keeps
    last_day = df["day"].max()
    last_month = last_day.to_period("M")
    keep = pd.Series(True, index=df["customer_id"].unique())
    if first_categories:
        fc = _first_attribute(df, schema.CATEGORY)
        keep &= keep.index.map(fc).isin(set(first_categories))
    if countries:
        fc = _first_attribute(df, schema.COUNTRY)
        keep &= keep.index.map(fc).isin(set(countries))
    df = df[df["customer_id"].isin(keep.index[keep.to_numpy()])]
    if df.empty:
        raise InsufficientDataError(
            "No customer's first order matches the chosen category/country filter; "
            "widen the filter."
        )
    month = df["day"].dt.to_period("M")
    df = df.assign(month=month)
    cohort = df.groupby("customer_id")["month"].transform("min")
    df = df.assign(cohort=cohort)
    df["offset"] = (df["month"].dt.year - df["cohort"].dt.year) * 12 + (
        df["month"].dt.month - df["cohort"].dt.month
    )
    first_month = df["cohort"].min()
    n_offsets = (last_month.year - first_month.year) * 12 + last_month.month - first_month.month + 1
    if max_months is not None:
        n_offsets = min(n_offsets, max_months + 1)
        df = df[df["offset"] < n_offsets]
    cohorts_idx = pd.period_range(first_month, last_month, freq="M")
    offsets = range(n_offsets)
    active = (
        df.groupby(["cohort", "offset"])["customer_id"]
        .nunique()
        .unstack("offset")
        .reindex(index=cohorts_idx, columns=offsets)
    )
    revenue = (
        df.groupby(["cohort", "offset"])["rev"]
        .sum()
        .unstack("offset")
        .reindex(index=cohorts_idx, columns=offsets)
    )
    sizes = df.groupby("cohort")["customer_id"].nunique().reindex(cohorts_idx).fillna(0).astype(int)
    # cells that exist in time: cohort month + offset <= last month
    ages = np.array(
        [(last_month.year - c.year) * 12 + last_month.month - c.month for c in cohorts_idx]
    )
    observed = np.arange(n_offsets)[None, :] <= ages[:, None]
    active = active.fillna(0).where(observed)
    revenue = revenue.fillna(0.0).where(observed)
    nonempty = sizes > 0
    active, revenue, sizes = active[nonempty], revenue[nonempty], sizes[nonempty]
    retention = active.div(sizes, axis=0)
    cum = revenue.cumsum(axis=1).where(revenue.notna()).div(sizes, axis=0)
    for m in (active, retention, revenue, cum):
        m.index.name = "cohort"
        m.columns.name = "month"
    partial = last_day.normalize() < (last_day + pd.offsets.MonthEnd(0)).normalize()
    return CohortResult(
        customers=active,
        retention=retention,
        revenue=revenue,
        cumulative_revenue_per_customer=cum,
        sizes=sizes.rename("customers"),
        n_customers=int(sizes.sum()),
        lines_without_customer=int((~has_id).sum()),
        partial_last_month=bool(partial),
        first_categories=tuple(first_categories),
        countries=tuple(countries),
    )
