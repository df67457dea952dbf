"""The store's larger SQL aggregates (the engine seam), kept out of ``store.py`` by size.

Each function takes the :class:`ecomdash.store.Store` and is exposed as the store method of
the same name, which documents what it returns. Tests: ``tests/unit/test_store_aggregates.py``
and ``tests/unit/test_seam_routes.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ecomdash import schema as S
from ecomdash.errors import InsufficientDataError
from ecomdash.filters import Filters
from ecomdash.i18n import _, fmt
from ecomdash.store_queries import CANCELLED_SQL
from ecomdash.store_tables import from_arrow_lines

if TYPE_CHECKING:
    from ecomdash.store import Store


def shop_day_groups(
    store: Store, dataset_id: str, filters: Filters | None = None, *, with_orders: bool = False
) -> pd.DataFrame | None:
    """The whole shop's lines reduced to one row per (day, country, return or sale, sign
    of revenue and of quantity) — and per order when ``with_orders`` — in the canonical
    line columns, so ``forecast.build_series`` of the whole shop gives the same series
    from it as from the lines (sums are per period; order counts are distinct orders;
    returns are summed as absolute values, hence the sign in the key; the last order
    time of each day is kept as ``order_date``). Non-product lines and lines that are
    neither sales (``schema.sales_lines``) nor returns are left out: the series never
    reads them. A few thousand rows (without orders) for any number of lines.

    Units and orders come out exactly as from the lines. Revenue sums are equal to about
    1e-12 relative but not to the bit (pandas and DuckDB add in different orders), which a
    fitted ETS model could magnify to ~3e-5 of its forecast: ``build_series`` therefore rounds
    revenue per period to the cent, and the whole-shop series is the same from either.

    None when the dataset has no revenue column (then the main country is chosen by line
    count, which a reduced frame cannot reproduce: use the lines).
    """
    info = store.info(dataset_id)
    cols = set(info.columns)
    if S.REVENUE not in cols or S.ORDER_DATE not in cols:
        return None
    where, params = store._where(info, filters)
    sale = store.sales_predicate(info)
    country = "country" if S.COUNTRY in cols else "CAST(NULL AS VARCHAR)"
    qty = S.QUANTITY in cols
    keys = [
        "CAST(date_trunc('day', order_date) AS TIMESTAMP)",
        country,
        "coalesce(is_return, false)",
        "revenue < 0",
        *(["quantity < 0"] if qty else []),
    ]
    order = with_orders and S.ORDER_ID in cols
    if order:
        keys.append("order_id")
    df = (
        store._cur()
        .sql(
            f"""SELECT max(order_date) AS order_date, any_value({country}) AS country,
                bool_or(coalesce(is_return, false)) AS is_return,
                false AS is_non_product, false AS is_cancelled,
                sum(revenue) AS revenue
                {", sum(quantity) AS quantity" if qty else ""}
                {", 1.0 AS unit_price" if S.UNIT_PRICE in cols else ""}
                {", any_value(order_id) AS order_id" if order else ""}
            FROM lines WHERE {where} AND order_date IS NOT NULL
                AND NOT coalesce(is_non_product, false)
                AND (coalesce(is_return, false) OR ({sale}))
            GROUP BY {", ".join(keys)}
            ORDER BY 1""",
            params=params,
        )
        .to_arrow_table()
    )
    out = from_arrow_lines(df)
    if order:  # integer codes: distinct counts per period need only equality
        codes, _ = pd.factorize(out[S.ORDER_ID])
        out[S.ORDER_ID] = np.where(codes >= 0, codes, np.nan) if (codes < 0).any() else codes
    if S.COUNTRY not in cols:
        out = out.drop(columns=[S.COUNTRY])
    return out


def customer_history(store: Store, dataset_id: str, filters: Filters | None = None):
    """The per-order history customer features are computed from, reduced in SQL.

    Returns the :class:`ecomdash.features.CustomerHistory` that
    ``features.customer_history(lines)`` builds from the same lines: one row per
    (customer, order) with its first timestamp and revenue, guest orders, the first time
    each customer bought each category (else product), and return lines. Features at any
    as-of date (frequency, recency, monetary, return rate, breadth, first/last order) then
    come from it in milliseconds; segments, churn and value all read it. At 10 M lines it
    is a few million order rows of numbers instead of 10 M rows of text.

    The lines are grouped on their id text first (orders: customer and order; items:
    customer and breadth value) and only the grouped rows are joined to the customer codes,
    so no table of every line is written: see :func:`_history_sql` for the shape and why.
    """
    from ecomdash.features import check_columns, history_from_parts

    info = store.info(dataset_id)
    cols = set(info.columns)
    check_columns(pd.DataFrame(columns=sorted(cols)))  # the same message as from lines
    where, params = store._where(info, filters)
    basis = [c for c in (S.CATEGORY, S.PRODUCT_ID) if c in cols]
    cur = store._cur()
    try:
        (n_lines, n_dated, n_ids, lo, hi, returns_known, *n_basis) = cur.execute(
            f"""SELECT count(*), count(order_date), count(customer_id),
                min(order_date), max(order_date),
                coalesce(bool_or(coalesce(is_return, false) AND order_date IS NOT NULL), false)
                {"".join(f", count({c})" for c in basis)}
            FROM lines WHERE {where}""",
            params,
        ).fetchall()[0]
        # what breadth counts: categories, else products
        basis_col = next((c for c, n in zip(basis, n_basis, strict=True) if n > 0), None)
        parts = (
            _history_sql(store, info, cur, where, params, basis_col)
            if n_dated and n_ids  # else history_from_parts raises the message
            else {
                "customers": [],
                "orders": None,
                "guests": None,
                "items": None,
                "returns": None,
                "cancelled": None,
            }
        )
    finally:
        for t in ("_o", "_k", "_c"):
            cur.execute(f"DROP TABLE IF EXISTS {t}")
        cur.close()
    return history_from_parts(
        n_lines=int(n_lines),
        n_dated=int(n_dated),
        n_ids=int(n_ids),
        customers=parts["customers"],
        orders=parts["orders"],
        guest_orders=parts["guests"],
        items=parts["items"],
        returns=parts["returns"],
        breadth_basis=None
        if basis_col is None
        else ("category" if basis_col == S.CATEGORY else "product"),
        returns_known=bool(returns_known),
        first_date=lo,
        last_date=hi,
        cancelled=parts["cancelled"],
        purchase_days=S.ORDER_ID not in cols,
    )


def _history_sql(store: Store, info, cur, where: str, params: list, basis_col: str | None):
    """The parts of :func:`customer_history`, each read from the lines once.

    ``_o``: the sale lines with a customer id and a date grouped per (customer id, order) on
    the text (about a third of the lines at 10 M); ``_c``: their distinct ids numbered in id
    order (blank ids, which are guests, numbered after the others and flagged, so the regular
    expression runs on the distinct ids only). The orders, items and returns are joined to
    ``_c`` after grouping (a few million rows, not every line). Before (0423141), every line
    was joined to the codes into a temp table of the lines and grouped from there: the join
    and that table were the largest costs at 10 M lines (docs/SCALE.md, hist8).

    A customer's purchases are the lines of ``Store.customer_predicate`` (sales not
    cancelled): ``_o`` reads every sale line once and sums the kept ones (``d``, ``r``, ``ln``:
    NULL for an order cancelled entirely) apart from the cancelled ones (``dx``, ``x``, ``lx``,
    which only the return rate's purchased value reads); customers are the ids with a kept
    order. Same scan as before, two more aggregates.
    """
    cols = set(info.columns)
    rev = (
        "CAST(revenue AS DOUBLE)" if S.REVENUE in cols else "CAST(quantity * unit_price AS DOUBLE)"
    )
    okey = "order_id" if S.ORDER_ID in cols else "order_date"
    sale = store.sales_predicate(info)
    kept = store.customer_predicate(info)  # a customer's purchases: sales not cancelled
    gone = CANCELLED_SQL
    # (the lines' WHERE stays right after FROM lines: the Spark store rewrites that)
    cur.execute(
        f"""CREATE TEMP TABLE _o AS SELECT customer_id,
            min(CASE WHEN NOT {gone} THEN order_date END) AS d,
            coalesce(sum(CASE WHEN NOT {gone} THEN {rev} END), 0.0) AS r,
            min(CASE WHEN NOT {gone} THEN line_no END) AS ln,
            min(CASE WHEN {gone} THEN order_date END) AS dx,
            coalesce(sum(CASE WHEN {gone} THEN {rev} END), 0.0) AS x,
            min(CASE WHEN {gone} THEN line_no END) AS lx
        FROM lines WHERE {where} AND ({sale}) AND customer_id IS NOT NULL
            AND order_date IS NOT NULL
        GROUP BY customer_id, {okey}""",
        params,
    )
    cur.execute(
        """CREATE TEMP TABLE _c AS SELECT customer_id, blank,
            CAST(row_number() OVER (ORDER BY blank, customer_id) - 1 AS BIGINT) AS c
        FROM (SELECT customer_id, regexp_matches(customer_id, '^\\s*$') AS blank
              FROM (SELECT DISTINCT customer_id FROM _o WHERE ln IS NOT NULL) AS ids) AS flagged"""
    )
    customers = cur.execute("SELECT customer_id FROM _c WHERE NOT blank ORDER BY c").fetchnumpy()[
        "customer_id"
    ]
    blanks = [r[0] for r in cur.execute("SELECT customer_id FROM _c WHERE blank").fetchall()]
    orders = cur.execute(
        """SELECT _c.c, _o.d, _o.r FROM _o JOIN _c ON _o.customer_id = _c.customer_id
        WHERE NOT _c.blank AND _o.ln IS NOT NULL ORDER BY _c.c, _o.ln"""
    ).df()
    cancelled = cur.execute(
        """SELECT _c.c, _o.dx AS d, _o.x AS v FROM _o JOIN _c ON _o.customer_id = _c.customer_id
        WHERE NOT _c.blank AND _o.lx IS NOT NULL ORDER BY _c.c, _o.lx"""
    ).df()
    # guests: no id, or a blank one (only spaces/tabs/newlines), as in the pandas version
    blank_ids = f" OR customer_id IN ({', '.join('?' for _ in blanks)})" if blanks else ""
    guests = cur.execute(
        f"""SELECT min(order_date) AS d, coalesce(sum({rev}), 0.0) AS r
        FROM lines WHERE {where} AND ({kept}) AND order_date IS NOT NULL
            AND (customer_id IS NULL{blank_ids})
        GROUP BY {okey} ORDER BY min(line_no)""",
        [*params, *blanks],
    ).df()
    items = None
    if basis_col is not None:  # only counted per customer: any order
        # the breadth values numbered in a small table, and the lines joined to both codes
        # before grouping: (customer, item) pairs are ~5 M at 10 M lines, and grouping them
        # on two integers costs less than on the two texts (CPU 2.7 s against 4.2 s)
        cur.execute(
            f"""CREATE TEMP TABLE _k AS SELECT b, CAST(row_number() OVER (ORDER BY b) AS INTEGER) AS k
            FROM (SELECT DISTINCT {basis_col} AS b FROM lines WHERE {where}
                  AND {basis_col} IS NOT NULL)""",
            params,
        )
        items = cur.execute(
            f"""SELECT _c.c, min(ln.order_date) AS d FROM (
                SELECT customer_id, {basis_col} AS b, order_date
                FROM lines WHERE {where} AND ({kept}) AND customer_id IS NOT NULL
                    AND order_date IS NOT NULL AND {basis_col} IS NOT NULL) AS ln
            JOIN _c ON ln.customer_id = _c.customer_id JOIN _k ON ln.b = _k.b
            WHERE NOT _c.blank GROUP BY _c.c, _k.k""",
            params,
        ).df()
    returns = cur.execute(
        f"""SELECT _c.c, ln.order_date AS d, abs(ln.r) AS v FROM (
            SELECT line_no, customer_id, order_date, {rev} AS r
            FROM lines WHERE {where} AND coalesce(is_return, false)
                AND NOT coalesce(is_non_product, false)
                AND customer_id IS NOT NULL AND order_date IS NOT NULL) AS ln
        JOIN _c ON ln.customer_id = _c.customer_id
        WHERE NOT _c.blank AND isfinite(ln.r)
        ORDER BY ln.line_no""",
        params,
    ).df()
    return {
        "customers": customers,
        "orders": orders,
        "guests": guests,
        "items": items,
        "returns": returns,
        "cancelled": cancelled,
    }


def interactions(store: Store, dataset_id: str, filters: Filters | None = None, *, before=None):
    """The customer x product interactions recommendations fit on, reduced in SQL.

    Returns the :class:`ecomdash.recommend.Interactions` that
    ``recommend.build_interactions(lines)`` builds from the same lines: per (customer,
    product) the number of distinct orders (lines without an order id count as one
    order) and the days from the reference date to the most recent of those orders; per
    product its most common name (ties: alphabetically first), the category of its last
    line with one, and the days since it last sold. Only the sales lines with a customer
    and a product id are read; what crosses into Python is one row per pair.

    ``before`` (a timestamp): only dated lines before it, as ``build_interactions`` of a
    chronological split's training lines.
    """
    import scipy.sparse as sp

    from ecomdash import recommend as R

    info = store.info(dataset_id)
    cols = set(info.columns)
    R._require_columns(pd.DataFrame(columns=sorted(cols)))
    where, params = store._where(info, filters)
    where += (
        f" AND {store.customer_predicate(info)} AND customer_id IS NOT NULL"
        " AND product_id IS NOT NULL"
    )
    if before is not None:
        where += " AND order_date IS NOT NULL AND order_date < ?"
        params = [*params, pd.Timestamp(before).to_pydatetime()]
    has_order = S.ORDER_ID in cols
    dated = S.ORDER_DATE in cols
    cur = store._cur()
    cur.execute(
        f"""CREATE TEMP TABLE _s AS SELECT line_no, customer_id, product_id,
            {"order_id" if has_order else "CAST(line_no AS VARCHAR)"} AS o,
            {"order_id IS NULL" if has_order else "false"} AS no_order,
            {"CAST(order_date AS DATE)" if dated else "CAST(NULL AS DATE)"} AS day
            {", product_name" if S.PRODUCT_NAME in cols else ""}
            {", category" if S.CATEGORY in cols else ""}
        FROM lines WHERE {where}""",
        params,
    )
    try:
        n_lines, ref = cur.execute("SELECT count(*), max(day) FROM _s").fetchone()
        if n_lines == 0:
            n_all = (
                store._cur()
                .execute(
                    f"SELECT count(*) FROM lines WHERE {store._where(info, filters)[0]}", params
                )
                .fetchone()[0]
            )
            raise InsufficientDataError(
                _(
                    "Recommendations need sales lines with a customer id. Found 0 after removing "
                    "returns, non-product lines and guest orders (from {n} lines). Check that the "
                    "customer id column is mapped.",
                    n=f"{n_all:,}",
                )
            )
        reference = pd.Timestamp(ref) if ref is not None else pd.Timestamp("1970-01-01")
        ref_sql = "DATE '" + reference.strftime("%Y-%m-%d") + "'"
        d = f"coalesce(date_diff('day', day, {ref_sql}), 0)" if ref is not None else "0"
        number_customers_and_products(cur)
        # one row per (customer, product, order): the age of its first line, as pandas'
        # drop_duplicates keeps; orders without an id are one order together
        pairs = cur.execute(
            f"""WITH po AS (
                SELECT c.u, p.i, arg_min({d}, s.line_no) AS d
                FROM _s s JOIN _c c USING (customer_id) JOIN _p p USING (product_id)
                GROUP BY c.u, p.i, s.o, s.no_order)
            SELECT u, i, count(*) AS n, min(d) AS d FROM po GROUP BY u, i ORDER BY u, i"""
        ).fetchnumpy()
        products = cur.execute(
            f"""SELECT p.i, p.product_id, min({d}) AS last_sold
            FROM _s s JOIN _p p USING (product_id) GROUP BY p.i, p.product_id ORDER BY p.i"""
        ).df()
        names = np.array(products["product_id"].astype(object).to_numpy(), dtype=object)
        if S.PRODUCT_NAME in cols:  # the most common name; ties: alphabetically first
            nm = cur.execute(
                """SELECT i, name FROM (
                    SELECT p.i, s.product_name AS name, row_number() OVER (
                        PARTITION BY p.i ORDER BY count(*) DESC, s.product_name) AS r
                    FROM _s s JOIN _p p USING (product_id)
                    WHERE s.product_name IS NOT NULL GROUP BY p.i, s.product_name)
                WHERE r = 1"""
            ).fetchnumpy()
            names[nm["i"].astype(np.int64)] = np.asarray(nm["name"], dtype=object)
        cats = None
        if S.CATEGORY in cols:
            ct = cur.execute(
                """SELECT p.i, arg_max(s.category, s.line_no) AS c
                FROM _s s JOIN _p p USING (product_id)
                WHERE s.category IS NOT NULL GROUP BY p.i"""
            ).fetchnumpy()
            cats = np.full(len(products), "", dtype=object)
            cats[ct["i"].astype(np.int64)] = np.asarray(ct["c"], dtype=object)
        customers = cur.execute("SELECT customer_id FROM _c ORDER BY u").fetchnumpy()["customer_id"]
    finally:
        for t in ("_s", "_c", "_p"):
            cur.execute(f"DROP TABLE IF EXISTS {t}")
        cur.close()
    n_u, n_i = len(customers), len(products)
    u = pairs["u"].astype(np.int64)
    i = pairs["i"].astype(np.int64)
    counts = sp.csr_matrix((pairs["n"].astype(np.float64), (u, i)), shape=(n_u, n_i))
    age = sp.csr_matrix((pairs["d"].astype(np.float64) + 1.0, (u, i)), shape=(n_u, n_i))
    counts.sort_indices()
    age.sort_indices()
    return R.Interactions(
        customers=pd.Index(np.asarray(customers, dtype=object), dtype=object),
        products=pd.Index(np.asarray(products["product_id"], dtype=object), dtype=object),
        counts=counts,
        age_days=age,
        product_names=names,
        product_categories=cats,
        product_last_sold=products["last_sold"].to_numpy(np.float64),
        reference_date=reference,
        n_lines=int(n_lines),
    )


def recommend_split(
    store: Store,
    dataset_id: str,
    filters: Filters | None = None,
    *,
    cutoff=None,
    test_days: int = 30,
    rebuy_products: tuple[str, ...] = (),
):
    """``recommend.chronological_split`` + ``build_interactions`` of its training lines,
    reduced in SQL: returns ``(train interactions, truth, cutoff, end)`` equal to what
    ``recommend.evaluate`` builds from the lines (tests/unit/test_store_aggregates.py). The
    truth is, per customer with a purchase before the cut-off, the products bought in
    [cutoff, end) and never before (``rebuy_products`` count even when bought before).
    """
    from ecomdash import recommend as R

    info = store.info(dataset_id)
    cols = set(info.columns)
    R._require_columns(pd.DataFrame(columns=sorted(cols)))
    if S.ORDER_DATE not in cols:
        from ecomdash.recommend.evaluation import no_order_dates

        raise no_order_dates()
    where, params = store._where(info, filters)
    where += (
        f" AND {store.customer_predicate(info)} AND customer_id IS NOT NULL"
        " AND product_id IS NOT NULL AND order_date IS NOT NULL"
    )
    cur = store._cur()
    try:
        first, last = cur.execute(
            f"SELECT min(order_date), max(order_date) FROM lines WHERE {where}", params
        ).fetchone()
        if last is None:
            raise InsufficientDataError(
                _(
                    "The offline evaluation needs dated sales lines with a customer id; found "
                    "none. Check the customer id and order date mapping."
                )
            )
        last = pd.Timestamp(last)
        cut = (
            last.normalize() - pd.Timedelta(days=test_days - 1)
            if cutoff is None
            else pd.Timestamp(cutoff)
        )
        stop = last + pd.Timedelta(microseconds=1)
        c, s_ = cut.to_pydatetime(), stop.to_pydatetime()
        n_train, n_test = cur.execute(
            f"""SELECT count(*) FILTER (WHERE order_date < ?),
                count(*) FILTER (WHERE order_date >= ? AND order_date < ?)
            FROM lines WHERE {where}""",
            [c, c, s_, *params],
        ).fetchone()
        if n_train == 0 or n_test == 0:
            raise InsufficientDataError(
                _(
                    "The cut-off {date} leaves {train} training and {test} test lines (data runs "
                    "{first} to {last}). Pick a cut-off inside that range with purchases on both "
                    "sides.",
                    date=fmt.long_date(cut),
                    train=f"{n_train:,}",
                    test=f"{n_test:,}",
                    first=fmt.long_date(first),
                    last=fmt.long_date(last),
                )
            )
        rebuy = list(map(str, rebuy_products))
        rebuy_sql = f"OR a.product_id IN ({', '.join('?' for _ in rebuy)})" if rebuy else ""
        truth = cur.execute(
            f"""WITH s AS (SELECT customer_id, product_id, order_date FROM lines
                WHERE {where} AND order_date < ?),
            a AS (SELECT DISTINCT customer_id, product_id FROM s WHERE order_date >= ?),
            b AS (SELECT DISTINCT customer_id, product_id FROM s WHERE order_date < ?
                AND customer_id IN (SELECT customer_id FROM a))
            SELECT a.customer_id, a.product_id FROM a
            LEFT JOIN b USING (customer_id, product_id)
            WHERE a.customer_id IN (SELECT customer_id FROM b)
                AND (b.customer_id IS NULL {rebuy_sql})""",
            [*params, s_, c, c, *rebuy],  # a: cut-off, b: cut-off
        ).fetchnumpy()
    finally:
        cur.close()
    out: dict[str, set[str]] = {}
    for cust, prod in zip(truth["customer_id"], truth["product_id"], strict=True):
        out.setdefault(str(cust), set()).add(str(prod))
    inter = interactions(store, dataset_id, filters, before=cut)
    return inter, dict(sorted(out.items())), cut, stop


def basket_pairs(
    store: Store,
    dataset_id: str,
    filters: Filters | None = None,
    *,
    basket: str = "order",
    level: str = "product",
    include_non_product: bool = False,
    cutoff=None,
    later: bool = True,
):
    """The distinct (basket, item) pairs basket mining counts, reduced in SQL.

    Returns the :class:`ecomdash.basket.BasketPairs` of the kept purchases
    (``Store.customer_predicate``: sales lines not cancelled, as ``schema.customer_sales``;
    non-product lines kept when ``include_non_product``): one basket
    per order, or per customer and calendar day (a guest order is one basket per day); items
    are product ids (or categories) in sorted order. What crosses into Python is two int32
    arrays of about one entry per line, the item ids and their names — never the lines.
    ``basket.mine`` and ``basket.count_baskets`` give the same answer from it as from the
    lines (tests/unit/test_seam_routes.py).

    With a ``cutoff`` (a timestamp): only the lines dated on or after it (``later``), or only
    the others — dated before it or undated (``not later``) — as ``basket.holdout_check``
    splits its lines into later and earlier ones.
    """
    from ecomdash import basket as B
    from ecomdash.basket.keys import basket_key_sql

    info = store.info(dataset_id)
    cols = set(info.columns)
    item = B._check_columns(
        [c for c in info.columns if c in cols], basket=basket, level=level, func="basket_pairs"
    )
    where, params = store._where(info, filters)
    # kept purchases (sales not cancelled): a basket is one of the Overview's orders
    where += " AND " + store.customer_predicate(info, keep_non_product=include_non_product)
    if cutoff is not None:  # undated lines are not later ones (NULL >= cutoff is not true)
        at = pd.Timestamp(cutoff).to_pydatetime()
        if later:
            where += " AND order_date >= ?"
            params = [*params, at]
        else:
            where += " AND (order_date < ? OR order_date IS NULL)"
            params = [*params, at]
    key, no_key = basket_key_sql(basket, cols)
    named = level == "product" and S.PRODUCT_NAME in cols
    cur = store._cur()
    try:
        # items, their names and the lines left out: one small grouped result
        groups = cur.execute(
            f"""SELECT {item} AS it, {"product_name" if named else "NULL"} AS nm,
                {no_key} AS no_key, count(*) AS n
            FROM lines WHERE {where} GROUP BY 1, 2, 3""",
            params,
        ).df()
        bad = groups["it"].isna() | groups["no_key"].astype(bool)
        n_dropped = int(groups.loc[bad, "n"].sum())
        kept = groups.loc[~bad]
        items = np.array(sorted({str(x) for x in kept["it"]}), dtype=object)
        # the (basket, item) codes: items by their rank in Python's sorted order (a small
        # table joined in), one row per basket holding its lines' item codes — baskets are
        # numbered by their row, so no basket key string crosses into Python and none is
        # sorted or ranked (the lines' pairs are made distinct below, in numpy)
        cur.register(
            "_basket_items",
            pa.table(
                {
                    "it": pa.array([str(x) for x in items], pa.string()),
                    "code": pa.array(np.arange(len(items), dtype=np.int32)),
                }
            ),
        )
        # (the lines are read as "FROM lines WHERE <dataset>", the shape the Spark cursor maps
        # to the dataset's lake view; array_agg is DuckDB's list and Spark's collect_list)
        tb = cur.sql(
            f"""SELECT array_agg(bi.code) AS i
            FROM (SELECT {key} AS bk, CAST({item} AS VARCHAR) AS it FROM lines
                WHERE {where} AND {item} IS NOT NULL AND NOT {no_key}) l
            JOIN _basket_items bi ON l.it = bi.it
            GROUP BY l.bk""",
            params=params,
        ).to_arrow_table()
    finally:
        cur.close()
    names = items.copy()
    if named:  # the most common name; ties: alphabetically first
        nm = kept.loc[kept["nm"].notna()].astype({"it": str, "nm": str})
        nm = nm.groupby(["it", "nm"], as_index=False)["n"].sum()
        nm = nm.sort_values(["it", "n", "nm"], ascending=[True, False, True]).drop_duplicates("it")
        names[np.searchsorted(items, nm["it"].to_numpy(dtype=object))] = nm["nm"].to_numpy(
            dtype=object
        )
    b, i = _distinct_pairs(tb.column("i"), len(items))
    return B.BasketPairs(
        b=b,
        i=i,
        n_baskets=tb.num_rows,
        items=np.array([str(x) for x in items], dtype=object),
        names=names,
        n_dropped=int(n_dropped),
        basket=basket,
        level=level,
        include_non_product=bool(include_non_product),
    )


def _distinct_pairs(lists, n_items: int) -> tuple[np.ndarray, np.ndarray]:
    """(basket, item) int32 codes of one list of item codes per basket (basket k = row k):
    each pair once, sorted by basket then item (what ``basket.mine`` counts from)."""
    lengths = pc.list_value_length(lists).to_numpy(zero_copy_only=False)
    codes = pc.list_flatten(lists).to_numpy(zero_copy_only=False)
    shift = max(int(n_items - 1).bit_length(), 1)  # basket << shift | item: one int64 key
    # each row's basket number: 1 where a basket starts (every list has an item), summed up
    key = np.zeros(len(codes), dtype=np.int64)
    key[np.cumsum(lengths[:-1], dtype=np.int64)] = 1
    np.cumsum(key, out=key)
    key <<= shift
    key |= codes
    # each basket's codes are already together: only its few items are out of order, which
    # the stable sort (timsort: runs) puts right in a fraction of a full sort's time
    key.sort(kind="stable")
    if len(key):
        key = key[np.r_[True, key[1:] != key[:-1]]]
    return (key >> shift).astype(np.int32), (key & ((1 << shift) - 1)).astype(np.int32)


def number_customers_and_products(cur) -> None:
    """Temp tables ``_c`` (customer_id, u) and ``_p`` (product_id, i): the customers and the
    products of the sales lines in ``_s`` numbered from 0 in sorted order (the interaction
    matrix's rows and columns)."""
    cur.execute(
        """CREATE TEMP TABLE _c AS SELECT customer_id,
            CAST(row_number() OVER (ORDER BY customer_id) - 1 AS BIGINT) AS u
        FROM (SELECT DISTINCT customer_id FROM _s)"""
    )
    cur.execute(
        """CREATE TEMP TABLE _p AS SELECT product_id,
            CAST(row_number() OVER (ORDER BY product_id) - 1 AS BIGINT) AS i
        FROM (SELECT DISTINCT product_id FROM _s)"""
    )
