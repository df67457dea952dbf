"""Per-customer behaviour features as of a date (shared by segmentation, churn and CLV).

One row per customer (index ``customer_id``, sorted), computed strictly from the order lines
dated on or before the as-of date (the whole as-of day counts):

============================  ==============================================================
``recency_days``              whole days from the last purchase to the as-of date (0 = bought that day)
``frequency``                 distinct orders with a kept product line
``monetary``                  total spend (sum of the kept sale lines' revenue)
``avg_order_value``           ``monetary / frequency``
``tenure_days``               whole days from the first purchase to the as-of date
``interpurchase_days``        mean days between consecutive orders (NaN with a single order)
``category_breadth``          distinct categories bought (distinct products when there is no category)
``return_rate``               returned value / purchased value (kept and cancelled sale lines), in
                              [0, 1] (0 when returns are unknown)
``first_order``, ``last_order``  timestamps of the first and last purchase
============================  ==============================================================

Customers are the lines with a customer id; guest lines are left out and their orders counted.
A customer's purchases are :func:`ecomdash.schema.customer_sales` — the Overview's: sale lines
later cancelled are not purchases, so a customer whose every order was cancelled, or who only
paid postage or fees, is no customer, and a fully cancelled order is no order. Their value
still counts as purchased in the return rate (the return that cancelled them is returned).

>>> import pandas as pd
>>> lines = pd.DataFrame({"order_id": ["1", "2", "3"], "customer_id": ["a", "a", None],
...     "order_date": pd.to_datetime(["2024-01-01", "2024-01-11", "2024-01-05"]),
...     "revenue": [10.0, 30.0, 5.0]})
>>> f = customer_features(lines, as_of="2024-01-21")
>>> f.table.loc["a", ["recency_days", "frequency", "monetary", "interpurchase_days"]].tolist()
[10.0, 2.0, 40.0, 10.0]
>>> f.n_guest_orders
1
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import pandas as pd

from ecomdash import schema
from ecomdash.errors import InsufficientDataError, ParameterError
from ecomdash.i18n import N_, _
from ecomdash.i18n.note import Date, note

FEATURES = (
    "recency_days",
    "frequency",
    "monetary",
    "avg_order_value",
    "tenure_days",
    "interpurchase_days",
    "category_breadth",
    "return_rate",
)

#: Plain-language labels (used by charts, rules and profiles).
LABELS = MappingProxyType(
    {
        "recency_days": N_("days since last order"),
        "frequency": N_("orders"),
        "monetary": N_("spend"),
        "avg_order_value": N_("average order value"),
        "tenure_days": N_("days since first purchase"),
        "interpurchase_days": N_("days between orders"),
        "category_breadth": N_("categories bought"),
        "return_rate": N_("return rate"),
    }
)

_DAY = pd.Timedelta(days=1)


@dataclass(frozen=True)
class CustomerFeatures:
    """Per-customer features as of ``as_of``.

    ``table`` is indexed by ``customer_id`` (sorted) with the columns of :data:`FEATURES`
    plus ``first_order`` / ``last_order``. ``breadth_basis`` says what ``category_breadth``
    counts (``"category"``, ``"product"`` or ``None`` when neither column exists: then it is 1).
    """

    table: pd.DataFrame
    as_of: pd.Timestamp
    n_customers: int
    n_guest_orders: int
    guest_revenue: float
    breadth_basis: str | None
    returns_known: bool
    warnings: tuple[str, ...] = field(default=())
    #: each row's position in the history's ``customers`` (None when not built from one)
    codes: np.ndarray | None = field(default=None, repr=False)
    #: no order id: ``frequency`` counts purchase days (:attr:`CustomerHistory.purchase_days`)
    purchase_days: bool = False


def to_timestamp(value: object, *, name: str = "as_of") -> pd.Timestamp:
    """A date-like value as a midnight ``pd.Timestamp`` (raises ParameterError if unreadable)."""
    if isinstance(value, pd.Timestamp | dt.datetime | dt.date | np.datetime64 | str):
        try:
            ts = pd.Timestamp(value)
        except (ValueError, TypeError) as err:
            raise ParameterError(
                note(
                    N_(
                        "The '{name}' date could not be read: got {value}. Use a date like 2010-12-09."
                    ),
                    name=name,
                    value=repr(value),
                )
            ) from err
        if pd.isna(ts):
            raise ParameterError(
                note(N_("The '{name}' date is missing. Use a date like 2010-12-09."), name=name)
            )
        if ts.tzinfo is not None:
            ts = ts.tz_localize(None)
        return ts.normalize()
    raise ParameterError(
        note(
            N_("The '{name}' parameter must be a date. Got {kind} {value} instead."),
            name=name,
            kind=type(value).__name__,
            value=repr(value),
        )
    )


def check_columns(lines: pd.DataFrame) -> None:
    """Raise when ``lines`` lacks the customer id, order date or revenue (or qty x price)."""
    missing = {schema.CUSTOMER_ID, schema.ORDER_DATE} - set(lines.columns)
    if schema.REVENUE not in lines.columns and not {schema.QUANTITY, schema.UNIT_PRICE} <= set(
        lines.columns
    ):
        missing.add(schema.REVENUE)
    if missing:
        raise InsufficientDataError(
            note(
                N_(
                    "Customer features need the customer id, order date and revenue columns. "
                    "Missing: {missing}. Map these columns when uploading the file."
                ),
                missing=tuple(sorted(missing)),
            )
        )


def _revenue(lines: pd.DataFrame) -> np.ndarray:
    if schema.REVENUE in lines.columns:
        return lines[schema.REVENUE].to_numpy(dtype="float64", na_value=np.nan)
    qty = lines[schema.QUANTITY].to_numpy(dtype="float64", na_value=np.nan)
    return qty * lines[schema.UNIT_PRICE].to_numpy(dtype="float64", na_value=np.nan)


@dataclass(frozen=True)
class CustomerHistory:
    """Compact per-order history of a line table, for features at any as-of date.

    Build once with :func:`customer_history`, then call :meth:`features` for each cut-off
    (the segmentation page asks for two). Codes index ``customers`` (sorted ids).
    """

    customers: pd.Index
    #: c (customer code), d (order timestamp), r (order revenue); by customer, each
    #: customer's orders in line order (another order works, a little slower)
    orders: pd.DataFrame
    guest_orders: pd.DataFrame  # d (order timestamp), r (order revenue)
    items: pd.DataFrame  # c, d (first time the customer bought the item)
    returns: pd.DataFrame  # c, d, v (returned value)
    breadth_basis: str | None
    returns_known: bool
    first_date: pd.Timestamp
    last_date: pd.Timestamp
    #: c, d, v: per customer and order, the value of its sale lines later cancelled (not
    #: purchases: only the return rate's purchased value counts them); by customer
    cancelled: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            {
                "c": np.array([], dtype="int64"),
                "d": np.array([], dtype="datetime64[us]"),
                "v": np.array([], dtype="float64"),
            }
        )
    )
    #: no order id: an "order" is a customer's purchase day (CDNOW), so the words a merchant
    #: reads count purchase days, not orders (``frequency``, the rules' "last purchase")
    purchase_days: bool = False

    def features(self, *, as_of: object = None) -> CustomerFeatures:
        """Features as of ``as_of`` (inclusive; default: the date of the last line)."""
        as_of_ts = to_timestamp(self.last_date if as_of is None else as_of)
        end = np.datetime64((as_of_ts + _DAY).to_datetime64(), "us")
        guests = self.guest_orders.loc[self.guest_orders["d"].to_numpy() < end]
        o = self.orders
        c = o["c"].to_numpy()
        d = o["d"].to_numpy()
        m = d < end
        if not m.any():
            raise InsufficientDataError(
                note(
                    N_(
                        "No purchases by identified customers on or before {date}. Found {n} guest "
                        "orders by then; the lines run from {first} to {last}. Pick a later as-of "
                        "date, or map the customer id column."
                    ),
                    date=Date(as_of_ts),
                    n=f"{len(guests):,}",
                    first=Date(self.first_date),
                    last=Date(self.last_date),
                )
            )
        c, d, r = c[m], d[m], o["r"].to_numpy(dtype="float64")[m]
        if len(c) > 1 and (c[1:] < c[:-1]).any():  # both routes give them by customer
            by_c = np.argsort(c, kind="stable")
            c, d, r = c[by_c], d[by_c], r[by_c]
        # one contiguous run of rows per customer, in the orders' own order: the reductions
        # equal pandas' groupby (min, max, size, and its Kahan-compensated sum) without
        # hashing ~3 M keys per call (profiled at 10 M lines: 1 s of CPU per as-of date)
        starts = np.flatnonzero(np.r_[True, c[1:] != c[:-1]])
        counts = np.diff(np.r_[starts, len(c)])
        codes = c[starts].astype(np.int64, copy=False)
        table = pd.DataFrame(index=pd.Index(self.customers[codes], name=schema.CUSTOMER_ID))
        freq = counts.astype("float64")
        first_order = np.minimum.reduceat(d, starts)
        last_order = np.maximum.reduceat(d, starts)
        as_of_day = np.datetime64(as_of_ts.to_datetime64(), "D")
        table["recency_days"] = (as_of_day - last_order.astype("datetime64[D]")).astype("float64")
        table["frequency"] = freq
        monetary = group_sums(r, starts, counts)
        table["monetary"] = monetary
        table["avg_order_value"] = monetary / freq
        table["tenure_days"] = (as_of_day - first_order.astype("datetime64[D]")).astype("float64")
        span = (last_order - first_order) / np.timedelta64(1, "s") / 86400.0
        with np.errstate(divide="ignore", invalid="ignore"):
            table["interpurchase_days"] = np.where(freq > 1, span / (freq - 1), np.nan)

        n_all = len(self.customers)
        if self.breadth_basis is None:
            table["category_breadth"] = 1.0
        else:
            items = self.items.loc[self.items["d"].to_numpy() < end, "c"].to_numpy()
            table["category_breadth"] = np.bincount(items, minlength=n_all)[codes].astype(float)
        ret = self.returns.loc[self.returns["d"].to_numpy() < end]
        returned = np.bincount(ret["c"].to_numpy(), weights=ret["v"].to_numpy(), minlength=n_all)
        # purchased: the kept spend and the value of the sale lines cancelled by then
        cx = self.cancelled.loc[self.cancelled["d"].to_numpy() < end]
        bought = (
            monetary
            + np.bincount(cx["c"].to_numpy(), weights=cx["v"].to_numpy(), minlength=n_all)[codes]
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(bought > 0, returned[codes] / bought, 0.0)
        table["return_rate"] = np.clip(rate, 0.0, 1.0)
        table["first_order"] = pd.to_datetime(first_order)
        table["last_order"] = pd.to_datetime(last_order)

        warnings: list[str] = []
        if not self.returns_known:
            warnings.append(_("No return lines in the data: return rate is 0 for every customer."))
        if self.breadth_basis is None:
            warnings.append(_("No category or product column: category breadth is not available."))
        elif self.breadth_basis == "product":
            warnings.append(_("No category column: 'categories bought' counts distinct products."))
        return CustomerFeatures(
            table=table,
            as_of=as_of_ts,
            n_customers=len(table),
            n_guest_orders=len(guests),
            guest_revenue=float(guests["r"].sum()),
            breadth_basis=self.breadth_basis,
            returns_known=self.returns_known,
            warnings=tuple(warnings),
            codes=codes,
            purchase_days=self.purchase_days,
        )


def group_sums(values: np.ndarray, starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Per-group sums of ``values`` whose groups are contiguous runs (``starts``, ``counts``),
    bit for bit what ``groupby(...).sum()`` gives (NaN skipped): pandas' own compensated
    ``group_sum`` kernel, fed the run numbers directly, so no key is hashed or sorted.

    >>> group_sums(np.array([1e16, 1.0, 1.0, -1e16, 0.5]), np.array([0, 4]), np.array([4, 1]))
    array([2. , 0.5])
    """
    labels = np.repeat(np.arange(len(starts), dtype=np.intp), counts)
    vals = np.ascontiguousarray(values, dtype=np.float64).reshape(-1, 1)
    out = np.zeros((len(starts), 1))
    try:
        from pandas._libs import groupby as libgroupby

        libgroupby.group_sum(
            out=out,
            counts=np.zeros(len(starts), dtype=np.int64),
            values=vals,
            labels=labels,
            mask=None,
            result_mask=None,
            min_count=0,
            is_datetimelike=False,
            initial=0,
        )
        return out[:, 0]
    except (ImportError, AttributeError, TypeError):  # another pandas: its public route
        return pd.Series(vals[:, 0]).groupby(labels, sort=False).sum().to_numpy(dtype=float)


#: order sums are rounded to this many decimals (a millionth of the currency unit): DuckDB,
#: Spark and pandas add an order's lines in different orders (1e-14 apart), and a tree
#: model's split can fall between two such values (the demo's GBM AUC moved by 6e-4)
SUM_DECIMALS = 6


def _settled(df: pd.DataFrame, col: str) -> pd.DataFrame:
    """``df`` with ``col`` (an order sum) rounded to :data:`SUM_DECIMALS`, in place."""
    df[col] = np.round(df[col].to_numpy(dtype="float64"), SUM_DECIMALS)
    return df


def customer_history(lines: pd.DataFrame) -> CustomerHistory:
    """Compress canonical lines into the per-order history features are computed from.

    A customer's purchases are :func:`ecomdash.schema.customer_sales` (sales lines less the
    cancelled ones); pass the lines *with* their return lines to get a return rate.
    """
    check_columns(lines)
    dates = lines[schema.ORDER_DATE].to_numpy(dtype="datetime64[us]")
    dated = ~np.isnat(dates)
    if not dated.any():
        raise InsufficientDataError(
            note(
                N_(
                    "Customer features need dated orders. Found no order dates in {n} lines. Check "
                    "that the order date column is mapped."
                ),
                n=f"{len(lines):,}",
            )
        )
    flag_cols = [
        c
        for c in (*schema.FLAGS, schema.QUANTITY, schema.UNIT_PRICE, schema.REVENUE)
        if c in lines.columns
    ]
    slim = lines[flag_cols].reset_index(drop=True)
    sale = np.zeros(len(lines), dtype=bool)
    sale[schema.sales_lines(slim).index.to_numpy()] = True
    sale &= dated
    # sale lines later cancelled: not purchases (schema.customer_sales), only purchased value
    cancelled = np.zeros(len(lines), dtype=bool)
    if schema.IS_CANCELLED in lines.columns:
        cancelled = sale & lines[schema.IS_CANCELLED].to_numpy(dtype=bool, na_value=False)
        sale &= ~cancelled

    cust_codes, customers = pd.factorize(lines[schema.CUSTOMER_ID], sort=True)
    customers = pd.Index(customers, dtype="string")
    if len(customers) == 0:
        raise InsufficientDataError(
            note(
                N_(
                    "Customer analyses need orders with a customer id. Found none in {n} lines (all "
                    "guest orders?). Check that the customer column (customer id, buyer id or "
                    "email) is mapped on the Data page."
                ),
                n=f"{len(lines):,}",
            )
        )
    blank = customers.str.strip() == ""
    if blank.any():
        cust_codes = np.where(blank[np.maximum(cust_codes, 0)] & (cust_codes >= 0), -1, cust_codes)
    has_id = cust_codes >= 0
    if schema.ORDER_ID in lines.columns:
        order_codes, _uniques = pd.factorize(lines[schema.ORDER_ID])
    else:
        order_codes, _uniques = pd.factorize(dates)
    revenue = _revenue(lines)

    known = sale & has_id
    orders = (
        pd.DataFrame(
            {
                "c": cust_codes[known],
                "o": order_codes[known],
                "d": dates[known],
                "r": revenue[known],
            }
        )
        .groupby(["c", "o"], sort=False)
        .agg(d=("d", "min"), r=("r", "sum"))
        .reset_index(level="c")
        .reset_index(drop=True)
    )
    guest = sale & ~has_id
    guest_orders = (
        pd.DataFrame({"o": order_codes[guest], "d": dates[guest], "r": revenue[guest]})
        .groupby("o", sort=False)
        .agg(d=("d", "min"), r=("r", "sum"))
        .reset_index(drop=True)
    )
    # Drop customers with no purchase at all (e.g. only returns).
    used = np.unique(orders["c"].to_numpy())
    remap = np.full(len(customers), -1)
    remap[used] = np.arange(len(used))
    customers = customers[used]
    orders["c"] = remap[orders["c"].to_numpy()]
    # by customer, each customer's orders in line order (as the store's SQL gives them):
    # features reduce one contiguous run per customer
    orders = orders.take(np.argsort(orders["c"].to_numpy(), kind="stable")).reset_index(drop=True)
    cust_codes = np.where(has_id, remap[np.maximum(cust_codes, 0)], -1)
    gone = cancelled & (cust_codes >= 0)  # the cancelled lines of the customers kept
    cancelled_orders = (
        pd.DataFrame(
            {"c": cust_codes[gone], "o": order_codes[gone], "d": dates[gone], "v": revenue[gone]}
        )
        .groupby(["c", "o"], sort=False)
        .agg(d=("d", "min"), v=("v", "sum"))
        .reset_index(level="c")
        .reset_index(drop=True)
    )
    cancelled_orders = cancelled_orders.take(
        np.argsort(cancelled_orders["c"].to_numpy(), kind="stable")
    ).reset_index(drop=True)
    known = sale & (cust_codes >= 0)

    breadth_basis: str | None = None
    items = pd.DataFrame({"c": np.array([], dtype=int), "d": np.array([], dtype="datetime64[us]")})
    for col, basis in ((schema.CATEGORY, "category"), (schema.PRODUCT_ID, "product")):
        if col in lines.columns and lines[col].notna().any():
            breadth_basis = basis
            item_codes, _uniques = pd.factorize(lines[col])
            ok = known & (item_codes >= 0)
            items = (
                pd.DataFrame({"c": cust_codes[ok], "i": item_codes[ok], "d": dates[ok]})
                .groupby(["c", "i"], sort=False)["d"]
                .min()
                .reset_index(level="c")
                .reset_index(drop=True)
            )
            break

    returns_known = False
    ret_mask = np.zeros(len(lines), dtype=bool)
    if schema.IS_RETURN in lines.columns:
        is_ret = lines[schema.IS_RETURN].to_numpy(dtype=bool, na_value=False) & dated
        returns_known = bool(is_ret.any())
        ret_mask = is_ret & (cust_codes >= 0)
        if schema.IS_NON_PRODUCT in lines.columns:
            ret_mask &= ~lines[schema.IS_NON_PRODUCT].to_numpy(dtype=bool, na_value=False)
        ret_mask &= np.isfinite(revenue)
    returns = pd.DataFrame(
        {"c": cust_codes[ret_mask], "d": dates[ret_mask], "v": np.abs(revenue[ret_mask])}
    )
    return CustomerHistory(
        customers=customers,
        orders=_settled(orders, "r"),
        guest_orders=_settled(guest_orders, "r"),
        items=items,
        returns=returns,
        breadth_basis=breadth_basis,
        returns_known=returns_known,
        first_date=pd.Timestamp(dates[dated].min()),
        last_date=pd.Timestamp(dates[dated].max()),
        cancelled=_settled(cancelled_orders, "v"),
        purchase_days=schema.ORDER_ID not in lines.columns,
    )


def history_from_parts(
    *,
    n_lines: int,
    n_dated: int,
    n_ids: int,
    customers,
    orders: pd.DataFrame,
    guest_orders: pd.DataFrame,
    items: pd.DataFrame | None,
    returns: pd.DataFrame,
    breadth_basis: str | None,
    returns_known: bool,
    first_date,
    last_date,
    cancelled: pd.DataFrame | None = None,
    purchase_days: bool = False,
) -> CustomerHistory:
    """A :class:`CustomerHistory` from parts aggregated elsewhere (the store's SQL:
    :meth:`ecomdash.store.Store.customer_history`), with the same checks and messages as
    :func:`customer_history` has on lines.

    ``n_lines`` / ``n_dated`` / ``n_ids``: lines, dated lines and lines with a customer id
    (blank or not); ``customers`` the sorted ids with a dated purchase; ``orders`` (c, d, r),
    ``guest_orders`` (d, r), ``items`` (c, d; None without a category/product column) and
    ``returns`` (c, d, v) and ``cancelled`` (c, d, v) as in :class:`CustomerHistory`;
    ``purchase_days``: the lines have no order id (their orders are purchase days).
    """
    if n_dated == 0:
        raise InsufficientDataError(
            note(
                N_(
                    "Customer features need dated orders. Found no order dates in {n} lines. Check "
                    "that the order date column is mapped."
                ),
                n=f"{n_lines:,}",
            )
        )
    if n_ids == 0:
        raise InsufficientDataError(
            note(
                N_(
                    "Customer analyses need orders with a customer id. Found none in {n} lines (all "
                    "guest orders?). Check that the customer column (customer id, buyer id or "
                    "email) is mapped on the Data page."
                ),
                n=f"{n_lines:,}",
            )
        )

    def _frame(df: pd.DataFrame | None, cols: dict[str, str]) -> pd.DataFrame:
        if df is None:
            df = pd.DataFrame({c: [] for c in cols})
        return pd.DataFrame(
            {c: df[c].to_numpy().astype(t, copy=False) for c, t in cols.items()}
        ).reset_index(drop=True)

    return CustomerHistory(
        customers=pd.Index(np.asarray(customers, dtype=object), dtype="string"),
        orders=_settled(_frame(orders, {"c": "int64", "d": "datetime64[us]", "r": "float64"}), "r"),
        guest_orders=_settled(_frame(guest_orders, {"d": "datetime64[us]", "r": "float64"}), "r"),
        items=_frame(items, {"c": "int64", "d": "datetime64[us]"}),
        returns=_frame(returns, {"c": "int64", "d": "datetime64[us]", "v": "float64"}),
        breadth_basis=breadth_basis,
        returns_known=returns_known,
        first_date=pd.Timestamp(first_date),
        last_date=pd.Timestamp(last_date),
        cancelled=_settled(
            _frame(cancelled, {"c": "int64", "d": "datetime64[us]", "v": "float64"}), "v"
        ),
        purchase_days=purchase_days,
    )


def customer_features(lines: pd.DataFrame, *, as_of: object = None) -> CustomerFeatures:
    """Per-customer behaviour features from the canonical lines, as of ``as_of``.

    Parameters
    ----------
    lines
        Canonical order lines. A customer's purchases (:func:`ecomdash.schema.customer_sales`)
        are taken here; pass the lines *with* their return lines to get a return rate.
    as_of
        The cut-off date (inclusive, whole day). Default: the date of the last order line.
    """
    return customer_history(lines).features(as_of=as_of)
