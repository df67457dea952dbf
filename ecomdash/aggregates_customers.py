"""The customer-value page's aggregates in DuckDB SQL (issue 12): purchases per customer-day
and cohort cells, so the page never loads the sales lines into pandas.

Kept apart from ``ecomdash/aggregates.py`` (whose customer history, interactions and day
groups other pages share) so the two can change independently. Each function takes the
:class:`ecomdash.store.Store` and is exposed as the store method of the same name. Each one
reproduces the pandas computation on ``schema.sales_lines`` of the same lines (revenue sums
to float rounding: DuckDB adds in another order): ``tests/unit/test_aggregates_customers.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ecomdash import schema as S
from ecomdash.clv.data import _sorted_codes
from ecomdash.errors import InsufficientDataError, ParameterError
from ecomdash.filters import Filters
from ecomdash.i18n import N_, _

if TYPE_CHECKING:
    from ecomdash.store import Store

#: A customer id that is not missing and not blank (spaces, tabs, newlines): as the pandas
#: versions' ``str.strip() == ""``.
HAS_ID = "(customer_id IS NOT NULL AND NOT regexp_matches(customer_id, '^\\s*$'))"


@dataclass(frozen=True)
class CustomerDays:
    """Purchases once per customer-day, and the counts the sufficiency checklist shows.
    (The SQL here is plain enough to run as Spark SQL too.)

    ``days``: ``customer_id`` (str), ``date`` (midnight), ``value`` (revenue that day, missing
    revenue counted as 0), sorted by customer and date — what ``clv.customer_days`` returns
    for the sales lines. ``n_sales_lines``: the sales lines (``schema.sales_lines``) after
    the filters; ``n_with_id``: those with a customer id.
    """

    days: pd.DataFrame | None
    n_sales_lines: int
    n_with_id: int


def _revenue(cols: set[str]) -> str:
    """The line's revenue with missing and NaN as 0 (``np.nan_to_num`` of the pandas code)."""
    if S.REVENUE not in cols:
        return "0.0"
    return "CASE WHEN revenue IS NULL OR isnan(revenue) THEN 0.0 ELSE revenue END"


def _sales_where(store: Store, dataset_id: str, filters: Filters | None):
    info = store.info(dataset_id)
    cols = set(info.columns)
    where, params = store._where(info, filters)
    # a customer's purchases: the sales lines less those cancelled (schema.customer_sales)
    return info, cols, f"{where} AND {store.customer_predicate(info)}", params


def customer_days(store: Store, dataset_id: str, filters: Filters | None = None) -> CustomerDays:
    """Purchases per customer-day of the filtered sales lines, summed in SQL.

    ``days`` is None when the dataset has no customer id or order date column (then
    ``n_with_id`` is 0, as the pandas checklist counts it). At 10 M lines this is a few million rows of three
    columns instead of every sales line.
    """
    info, cols, where, params = _sales_where(store, dataset_id, filters)
    cur = store._cur()
    try:
        if S.CUSTOMER_ID not in cols or S.ORDER_DATE not in cols:
            (n_lines,) = cur.execute(
                f"SELECT count(*) FROM lines WHERE {where}", params
            ).fetchall()[0]
            return CustomerDays(days=None, n_sales_lines=int(n_lines), n_with_id=0)
        n_lines, n_ids = cur.execute(
            f"SELECT count(*), count(*) FILTER (WHERE {HAS_ID}) FROM lines WHERE {where}", params
        ).fetchall()[0]
        tbl = cur.sql(
            f"""SELECT customer_id, CAST(order_date AS DATE) AS d, sum({_revenue(cols)}) AS v
            FROM lines WHERE {where} AND {HAS_ID} AND order_date IS NOT NULL
            GROUP BY customer_id, d ORDER BY customer_id, d""",
            params=params,
        ).to_arrow_table()
    finally:
        cur.close()
    days = pd.DataFrame(
        {
            # the ids straight from Arrow: the same "str" column pandas infers from Python
            # strings, without making a Python string per customer-day (2 s at 10 M lines)
            "customer_id": pd.array(
                tbl.column("customer_id"), dtype=pd.StringDtype("pyarrow", na_value=np.nan)
            ),
            "date": tbl.column("d").to_numpy().astype("datetime64[ns]"),
            "value": tbl.column("v").to_numpy().astype(np.float64),
        }
    )
    return CustomerDays(days=days, n_sales_lines=int(n_lines), n_with_id=int(n_ids))


@dataclass(frozen=True)
class CohortCells:
    """What ``cohorts.cohorts_from_cells`` needs: the (cohort, offset) cells and the window."""

    cells: pd.DataFrame  # cohort, offset (months), customers, revenue
    last_day: pd.Timestamp
    first_day: pd.Timestamp  # the window's start: before the cohort filters
    lines_without_customer: int


def cohort_cells(
    store: Store,
    dataset_id: str,
    filters: Filters | None = None,
    *,
    first_categories: tuple[str, ...] = (),
    countries: tuple[str, ...] = (),
) -> CohortCells:
    """Cohort cells of the filtered sales lines, in SQL: per first-order month (``cohort``,
    months since 1970-01) and month offset, the customers active and their revenue.

    ``first_categories`` / ``countries`` keep the customers whose first order day's main line
    (highest revenue; ties: the alphabetically first value) is in one of them, as
    ``cohorts.cohorts`` does. Raises the same errors with the same messages as ``cohorts``.
    """
    info, cols, where, params = _sales_where(store, dataset_id, filters)
    for col in (S.CUSTOMER_ID, S.ORDER_DATE):
        if col not in cols:
            raise InsufficientDataError(
                _(
                    "Cohorts need the '{column}' column; it is not mapped. Map it on the Data page.",
                    column=col,
                )
            )
    wanted: list[tuple[str, tuple[str, ...]]] = []
    for name, col, values in (
        (N_("first categories"), S.CATEGORY, first_categories),
        (N_("countries"), S.COUNTRY, countries),
    ):
        if not values:
            continue
        if col not in cols:
            raise ParameterError(
                _(
                    "Filtering cohorts by {what} needs the '{column}' column, which this dataset "
                    "does not have. Clear the filter or map the column.",
                    what=_(name),
                    column=col,
                )
            )
        wanted.append((col, tuple(values)))
    cur = store._cur()
    try:
        n_lines, n_without, n_kept, last, first = cur.execute(
            f"""SELECT count(*), count(*) FILTER (WHERE NOT {HAS_ID}),
                count(*) FILTER (WHERE {HAS_ID} AND order_date IS NOT NULL),
                max(order_date) FILTER (WHERE {HAS_ID}),
                min(order_date) FILTER (WHERE {HAS_ID})
            FROM lines WHERE {where}""",
            params,
        ).fetchall()[0]
        if n_kept == 0:
            raise InsufficientDataError(
                _(
                    "Cohorts need orders with a customer id; found 0 of {n} lines with one. Map "
                    "the customer id column on the Data page.",
                    n=f"{n_lines:,}",
                )
            )
        extra = "".join(f", CAST({c} AS VARCHAR) AS v_{c}" for c, _ in wanted)
        ctes = [
            f"""k AS (SELECT customer_id AS c, CAST(order_date AS DATE) AS day,
                {_revenue(cols)} AS rev,
                CAST((year(order_date) - 1970) * 12 + month(order_date) - 1 AS BIGINT) AS mon
                {extra}
            FROM lines WHERE {where} AND {HAS_ID} AND order_date IS NOT NULL)""",
            """cm AS (SELECT c, mon, sum(rev) AS rev FROM k GROUP BY c, mon)""",
        ]
        keep = ""
        args = list(params)
        if wanted:
            ctes.append("f AS (SELECT c, min(day) AS fd FROM k GROUP BY c)")
            conds = []
            for col, values in wanted:
                # the first day's highest-revenue line with a value; ties: smallest value
                ctes.append(
                    f"""a_{col} AS (SELECT c, v FROM (SELECT k.c, k.v_{col} AS v,
                            row_number() OVER (PARTITION BY k.c
                                ORDER BY k.rev DESC, k.v_{col}) AS rn
                        FROM k JOIN f ON k.c = f.c AND k.day = f.fd
                        WHERE k.v_{col} IS NOT NULL) AS ranked WHERE rn = 1)"""
                )
                conds.append(
                    f"c IN (SELECT c FROM a_{col} WHERE v IN ({', '.join('?' for _ in values)}))"
                )
                args.extend(values)
            keep = "WHERE " + " AND ".join(conds)
        cells = cur.execute(
            f"""WITH {", ".join(ctes)}
            SELECT first_m AS cohort, mon - first_m AS months, count(*) AS customers,
                sum(rev) AS revenue
            FROM (SELECT c, mon, rev, min(mon) OVER (PARTITION BY c) AS first_m
                  FROM cm {keep}) AS cust_months
            GROUP BY first_m, mon - first_m ORDER BY 1, 2""",
            args,
        ).df()
        cells = cells.rename(columns={"months": "offset"})
    finally:
        cur.close()
    return CohortCells(
        cells=cells,
        last_day=pd.Timestamp(last),
        first_day=pd.Timestamp(first),
        lines_without_customer=int(n_without),
    )


def cohort_cells_from_days(cd: CustomerDays) -> CohortCells | None:
    """:func:`cohort_cells` without cohort filters, from the customer days already read
    (:func:`customer_days` of the same store and filters), with no second pass over the lines.

    The same rows: both keep the sales lines with a customer id and an order date, a
    customer's months are those of their days, and a (customer, month)'s revenue is the sum
    of its days' revenue, i.e. of its lines' (to float rounding: added in another order).
    ``last_day`` / ``first_day`` are the last and first days (``cohort_cells`` gives the
    orders' times; the cohorts read only their dates). None when ``cd`` has no days (no customer id or order date column:
    :func:`cohort_cells` says which is missing)."""
    days = cd.days
    if days is None:
        return None
    if days.empty:
        raise InsufficientDataError(
            _(
                "Cohorts need orders with a customer id; found 0 of {n} lines with one. Map "
                "the customer id column on the Data page.",
                n=f"{cd.n_sales_lines:,}",
            )
        )
    codes, uniques = _sorted_codes(days["customer_id"])  # the days come by customer
    dates = days["date"].to_numpy(dtype="datetime64[ns]")
    mon = dates.astype("datetime64[M]").astype(np.int64)  # months since 1970-01
    m0 = int(mon.min())
    span = int(mon.max()) - m0 + 1
    # (customer, month) pairs and their revenue
    inv, pair = pd.factorize(codes.astype(np.int64) * span + (mon - m0))
    rev = np.bincount(inv, weights=days["value"].to_numpy(dtype=float), minlength=len(pair))
    cust = pair // span
    pm = pair % span + m0
    first = np.full(len(uniques), np.iinfo(np.int64).max)
    np.minimum.at(first, cust, pm)
    cohort = first[cust]
    cell, flat = pd.factorize((cohort - m0) * span + (pm - cohort), sort=True)
    cells = pd.DataFrame(
        {
            "cohort": flat // span + m0,
            "offset": flat % span,
            "customers": np.bincount(cell, minlength=len(flat)).astype(np.int64),
            "revenue": np.bincount(cell, weights=rev, minlength=len(flat)),
        }
    )
    return CohortCells(
        cells=cells,
        last_day=pd.Timestamp(dates.max()),
        first_day=pd.Timestamp(dates.min()),
        lines_without_customer=int(cd.n_sales_lines - cd.n_with_id),
    )
