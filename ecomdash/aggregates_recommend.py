"""The Recommendations page's data in ONE SQL pass: the full customer x product interactions
(the refit of the chosen model, the customer and product tabs) and the offline test's split
(training interactions before the cut-off and each returning customer's new purchases).

``Store.interactions`` and ``Store.recommend_split`` (``ecomdash/aggregates.py``) each read
and group the lines; asked one after the other they group them twice (at 10 M lines about
40 s of CPU between them). Here the sales lines are grouped once per (customer, product,
order) with a before/after-cut-off flag, and both answers are derived from that grouped
table: the full interactions sum over the flag, the training ones keep the part before the
cut-off, and the truth comes from the pairs bought after it. Equal to the two separate calls
(tests/unit/test_recommend_one_pass.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ecomdash import schema as S
from ecomdash.aggregates import number_customers_and_products
from ecomdash.errors import InsufficientDataError
from ecomdash.filters import Filters
from ecomdash.i18n import _


def recommend_data(
    store,
    dataset_id: str,
    filters: Filters | None = None,
    *,
    cutoff=None,
    test_days: int = 30,
    rebuy_products: tuple[str, ...] = (),
):
    """``(store.interactions(...), store.recommend_split(...) or None)`` from one SQL pass.

    The first item equals :func:`ecomdash.aggregates.interactions` (and raises its error when
    there is nothing to recommend from). The second equals
    :func:`ecomdash.aggregates.recommend_split` with the same ``cutoff``, ``test_days`` and
    ``rebuy_products``, or is ``None`` where that call raises (no order dates, no dated
    lines, no purchases on one side of the cut-off): ask ``recommend_split`` for the reason,
    in the reader's language (it fails before grouping anything).
    """
    from ecomdash import recommend as R

    info = store.info(dataset_id)
    cols = set(info.columns)
    R._require_columns(pd.DataFrame(columns=sorted(cols)))
    base, params = store._where(info, filters)
    where = (
        f"{base} AND {store.customer_predicate(info)}"  # a customer's purchases
        " AND customer_id IS NOT NULL AND product_id IS NOT NULL"
    )
    has_order = S.ORDER_ID in cols
    dated = S.ORDER_DATE in cols
    named = S.PRODUCT_NAME in cols
    has_cat = S.CATEGORY in cols
    cur = store._cur()
    cur.execute(
        f"""CREATE TEMP TABLE _s AS SELECT line_no, customer_id, product_id,
            {"order_id" if has_order else "CAST(line_no AS VARCHAR)"} AS o,
            {"order_id IS NULL" if has_order else "false"} AS no_order,
            {"order_date" if dated else "CAST(NULL AS TIMESTAMP)"} AS ts
            {", product_name" if named else ""}
            {", category" if has_cat else ""}
        FROM lines WHERE {where}""",
        params,
    )
    try:
        n_lines, ref, first, last = cur.execute(
            "SELECT count(*), max(CAST(ts AS DATE)), min(ts), max(ts) FROM _s"
        ).fetchone()
        if n_lines == 0:
            n_all = cur.execute(f"SELECT count(*) FROM lines WHERE {base}", params).fetchone()[0]
            raise InsufficientDataError(
                _(
                    "Recommendations need sales lines with a customer id. Found 0 after removing "
                    "returns, non-product lines and guest orders (from {n} lines). Check that the "
                    "customer id column is mapped.",
                    n=f"{n_all:,}",
                )
            )
        # the split's cut-off, as recommend_split: None when that call would refuse
        cut = stop = ref_pre = None
        n_pre = 0
        if dated and last is not None:
            last = pd.Timestamp(last)
            cut = (
                last.normalize() - pd.Timedelta(days=test_days - 1)
                if cutoff is None
                else pd.Timestamp(cutoff)
            )
            stop = last + pd.Timedelta(microseconds=1)
            c, s_ = cut.to_pydatetime(), stop.to_pydatetime()
            n_pre, n_post, ref_pre = cur.execute(
                """SELECT count(*) FILTER (WHERE ts < ?),
                    count(*) FILTER (WHERE ts >= ? AND ts < ?),
                    max(CAST(ts AS DATE)) FILTER (WHERE ts < ?) FROM _s""",
                [c, c, s_, c],
            ).fetchone()
            if n_pre == 0 or n_post == 0:
                cut = None
        split = cut is not None
        d_all = _age_sql(ref)
        d_pre = _age_sql(ref_pre) if split else "NULL"
        # the before/after flags (false when there is no split: nothing is "before")
        flags = (
            "(ts < ?) AS pre, (ts >= ? AND ts < ?) AS post"
            if split
            else "false AS pre, false AS post"
        )
        flag_params = [c, c, s_] if split else []
        number_customers_and_products(cur)
        sf = f"(SELECT *, CAST(ts AS DATE) AS day, {flags} FROM _s)"
        # one row per (customer, product, order): the age of its first line (of its first
        # line before the cut-off), as pandas' drop_duplicates keeps; orders without an id
        # are one order together. Then per (customer, product): orders and the newest age,
        # over every line and over the lines before the cut-off; bought after the cut-off.
        pairs = cur.execute(
            f"""WITH po AS (
                SELECT c.u, p.i, arg_min({d_all}, s.line_no) AS d,
                    arg_min({d_pre}, s.line_no) FILTER (WHERE s.pre) AS dp,
                    coalesce(bool_or(s.pre), false) AS hp,
                    coalesce(bool_or(s.post), false) AS hq
                FROM {sf} s JOIN _c c USING (customer_id) JOIN _p p USING (product_id)
                GROUP BY c.u, p.i, s.o, s.no_order)
            SELECT u, i, count(*) AS n, min(d) AS d,
                count(*) FILTER (WHERE hp) AS np, min(dp) AS dp,
                coalesce(bool_or(hq), false) AS post
            FROM po GROUP BY u, i ORDER BY u, i""",
            flag_params,
        ).fetchnumpy()
        # per product (grouped by its id, then numbered: no join of every line): days since it
        # last sold and the category of its last line with one, overall and before the cut-off
        cats_sql = (
            """, coalesce(arg_max(category, line_no) FILTER (WHERE category IS NOT NULL), '')
                AS c, coalesce(arg_max(category, line_no) FILTER (
                    WHERE pre AND category IS NOT NULL), '') AS cp"""
            if has_cat
            else ""
        )
        cats_cols = ", g.c, g.cp" if has_cat else ""
        products = cur.execute(
            f"""SELECT p.i, p.product_id, g.last_sold, g.last_sold_pre, g.sold_pre{cats_cols} FROM (
                SELECT product_id, min({d_all}) AS last_sold,
                    min({d_pre}) FILTER (WHERE pre) AS last_sold_pre,
                    coalesce(bool_or(pre), false) AS sold_pre {cats_sql}
                FROM {sf} s GROUP BY product_id) g JOIN _p p USING (product_id) ORDER BY p.i""",
            flag_params,
        ).df()
        nm = None
        if named:  # the most common name (ties: alphabetically first), overall and before
            nm = cur.execute(
                f"""SELECT p.i, name, r, rp, npre FROM (
                    SELECT product_id, name, npre,
                        row_number() OVER (PARTITION BY product_id ORDER BY n DESC, name) AS r,
                        row_number() OVER (
                            PARTITION BY product_id ORDER BY npre DESC, name) AS rp
                    FROM (SELECT product_id, product_name AS name, count(*) AS n,
                            count(*) FILTER (WHERE pre) AS npre
                        FROM {sf} s WHERE product_name IS NOT NULL
                        GROUP BY product_id, product_name)) JOIN _p p USING (product_id)
                WHERE r = 1 OR (rp = 1 AND npre > 0)""",
                flag_params,
            ).fetchnumpy()
        customers = cur.execute("SELECT customer_id FROM _c ORDER BY u").fetchnumpy()["customer_id"]
    finally:
        for t in ("_s", "_c", "_p"):
            cur.execute(f"DROP TABLE IF EXISTS {t}")
        cur.close()

    customers = np.asarray(customers, dtype=object)
    product_ids = np.asarray(products["product_id"], dtype=object)
    u = pairs["u"].astype(np.int64)
    i = pairs["i"].astype(np.int64)
    names = product_ids.copy()
    if nm is not None:
        top = np.asarray(nm["r"]) == 1
        names[nm["i"][top].astype(np.int64)] = np.asarray(nm["name"], dtype=object)[top]
    cats = products["c"].to_numpy(object) if has_cat else None
    full = _interactions(
        customers,
        product_ids,
        u,
        i,
        n=pairs["n"],
        d=pairs["d"],
        names=names,
        cats=cats,
        last_sold=products["last_sold"].to_numpy(np.float64),
        ref=ref,
        n_lines=n_lines,
    )
    if not split:
        return full, None

    # the training interactions: the pairs, customers and products with a line before the
    # cut-off, numbered in the same (sorted) order
    hp = np.asarray(pairs["np"]) > 0
    cust_pre = np.zeros(len(customers), dtype=bool)
    cust_pre[u[hp]] = True
    prod_pre = products["sold_pre"].to_numpy(bool)
    u_new = np.cumsum(cust_pre) - 1
    i_new = np.cumsum(prod_pre) - 1
    names_pre = product_ids.copy()
    if nm is not None:
        top = (np.asarray(nm["rp"]) == 1) & (np.asarray(nm["npre"]) > 0)
        names_pre[nm["i"][top].astype(np.int64)] = np.asarray(nm["name"], dtype=object)[top]
    cats_pre = products["cp"].to_numpy(object)[prod_pre] if has_cat else None
    train = _interactions(
        customers[cust_pre],
        product_ids[prod_pre],
        u_new[u[hp]],
        i_new[i[hp]],
        n=pairs["np"][hp],
        d=pairs["dp"][hp],
        names=names_pre[prod_pre],
        cats=cats_pre,
        last_sold=products["last_sold_pre"].to_numpy(np.float64)[prod_pre],
        ref=ref_pre,
        n_lines=n_pre,
    )
    # the truth: per customer with a purchase before the cut-off, the products bought after
    # it and never before (rebuy_products count even when bought before)
    rebuy = np.isin(product_ids.astype(str), np.asarray(list(map(str, rebuy_products)), dtype=str))
    new = np.asarray(pairs["post"], dtype=bool) & cust_pre[u] & (~hp | rebuy[i])
    truth: dict[str, set[str]] = {}
    for cust, prod in zip(customers[u[new]], product_ids[i[new]], strict=True):
        truth.setdefault(str(cust), set()).add(str(prod))
    return full, (train, dict(sorted(truth.items())), cut, stop)


def _age_sql(ref) -> str:
    """Days from ``ref`` (a date, or None) back to the line's day, as ``interactions``."""
    if ref is None:
        return "0"
    ref_sql = "DATE '" + pd.Timestamp(ref).strftime("%Y-%m-%d") + "'"
    return f"coalesce(date_diff('day', day, {ref_sql}), 0)"


def _interactions(customers, products, u, i, *, n, d, names, cats, last_sold, ref, n_lines):
    import scipy.sparse as sp

    from ecomdash import recommend as R

    shape = (len(customers), len(products))
    counts = sp.csr_matrix((np.asarray(n, dtype=np.float64), (u, i)), shape=shape)
    age = sp.csr_matrix((np.asarray(d, dtype=np.float64) + 1.0, (u, i)), shape=shape)
    counts.sort_indices()
    age.sort_indices()
    return R.Interactions(
        customers=pd.Index(np.asarray(customers, dtype=object), dtype=object),
        products=pd.Index(np.asarray(products, dtype=object), dtype=object),
        counts=counts,
        age_days=age,
        product_names=np.asarray(names, dtype=object),
        product_categories=cats,
        product_last_sold=np.asarray(last_sold, dtype=np.float64),
        reference_date=pd.Timestamp(ref) if ref is not None else pd.Timestamp("1970-01-01"),
        n_lines=int(n_lines),
    )
