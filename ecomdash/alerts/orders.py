"""Order-level risk flags: each store rule's flagged lines become signals with a reason.

The store returns only the lines a rule flags (SQL over all lines); this module rates them
(severity) and says why in plain words (in the language of the run: ``ecomdash.i18n``; the
rule labels and descriptions are message ids, translated where shown). A signal carries a group key: signals with the same
key have the same cause (one order, one product's price on one day, one customer's burst,
one product's returns in one week) and are shown as one alert.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import poisson

from ecomdash import schema as S
from ecomdash.i18n import N_, _, _n, fmt
from ecomdash.labels import product_label

#: rule -> (label, columns it needs, what it looks for)
RULES: dict[str, tuple[str, tuple[str, ...], str]] = {
    "unusual_day": (
        N_("Unusual day"),
        (S.ORDER_DATE,),
        N_(
            "A day whose net revenue, orders, AOV, return rate or new customers (shop-wide, top "
            "categories, top countries) is far from a robust seasonal expectation (STL)."
        ),
    ),
    "unusual_week": (
        N_("Unusual week"),
        (S.ORDER_DATE,),
        N_(
            "A week whose net revenue or orders total is far from the level of the weeks around it."
        ),
    ),
    "huge_quantity": (
        N_("Huge quantity"),
        (S.PRODUCT_ID, S.QUANTITY),
        N_("A line with 15× (or more) the product's usual large quantity (its 95th percentile)."),
    ),
    "quick_cancel": (
        N_("Cancelled soon after"),
        (S.ORDER_ID, S.PRODUCT_ID, S.QUANTITY, S.REVENUE),
        N_(
            "An order worth at least a typical order, returned or cancelled in full within "
            "24 hours of being placed."
        ),
    ),
    "price_off": (
        N_("Price far from usual"),
        (S.PRODUCT_ID, S.UNIT_PRICE),
        N_(
            "Lines priced at a third (or less) or 3× (or more) of the product's median price, at a "
            "price charged on at most 2 days: a pricing error or a wrong unit."
        ),
    ),
    "order_burst": (
        N_("Burst of orders"),
        (S.CUSTOMER_ID, S.ORDER_ID),
        N_("A customer placing 8+ orders within 24 hours, 4× their usual orders per active day."),
    ),
    "customer_returns": (
        N_("High-return customer"),
        (S.CUSTOMER_ID, S.REVENUE),
        N_(
            "Returns of a customer with 3+ orders whose returns are half (or more) of what they bought."
        ),
    ),
    "returns_spike": (
        N_("Returns spike"),
        (S.PRODUCT_ID,),
        N_(
            "A product-week with 5+ returns, 3× its usual weekly returns, and too many for "
            "chance (the chance of so many in a usual week is less than 1 in 10,000)."
        ),
    ),
    "day_share": (
        N_("Line moves the day"),
        (S.REVENUE,),
        N_(
            "A sale line worth half (or more) of the rest of that day's sales (medium or high only "
            "on days with 20+ orders)."
        ),
    ),
    "negative_margin": (
        N_("Negative margin"),
        (S.PRODUCT_ID, S.UNIT_PRICE, S.QUANTITY),
        N_("Lines sold below their unit cost (needs the unit costs)."),
    ),
}


#: what the unusual-day rule looks for on a dataset whose country field holds provinces
#: (``labels.places_are_provinces``: its top groups are provinces, as the sidebar says)
_UNUSUAL_DAY_PROVINCES = N_(
    "A day whose net revenue, orders, AOV, return rate or new customers (shop-wide, top "
    "categories, top provinces) is far from a robust seasonal expectation (STL)."
)


def looks_for(rule: str, *, provinces: bool = False) -> str:
    """What ``rule`` looks for (a message id): its :data:`RULES` entry, with the unusual
    day's top groups named provinces where the dataset's places are provinces."""
    if rule == "unusual_day" and provinces:
        return _UNUSUAL_DAY_PROVINCES
    return RULES[rule][2] if rule in RULES else ""


ORDER_RULES = tuple(r for r in RULES if r not in ("unusual_day", "unusual_week"))


@dataclass(frozen=True)
class Signal:
    """One rule's finding, before grouping."""

    key: str
    date: pd.Timestamp
    severity: str
    kind: str
    reason: str
    score: float
    product_id: str | None = None
    customer_id: str | None = None
    order_id: str | None = None
    line_nos: tuple[int, ...] = ()
    impact: float = 0.0
    #: the series metric of an unusual day or week ("" for order rules)
    metric: str = ""
    #: the series of an unusual day: "shop", "country" or "category", and the group's value
    dim: str = ""
    grp: str = ""


def _money(x: float) -> str:
    """An amount in a reason, with the dataset's currency sign (set by ``find_alerts``)."""
    return fmt.money(float(x))


def _s(x) -> str | None:
    return None if x is None or (isinstance(x, float) and np.isnan(x)) or x is pd.NA else str(x)


def _day(ts) -> pd.Timestamp:
    return pd.Timestamp(ts).normalize()


def signals_from(rule: str, df: pd.DataFrame) -> list[Signal]:
    """Rate the flagged lines of ``rule`` (as returned by ``Store.alert_rule_lines``)."""
    if df is None or df.empty:
        return []
    # plain object text: grouping and row access on Arrow-backed strings is ~10x slower
    text = [c for c in df.columns if pd.api.types.is_string_dtype(df[c].dtype)]
    return _RATERS[rule](df.astype(dict.fromkeys(text, object)))


def _product(rows: pd.DataFrame | pd.Series, product_id) -> str:
    """A product as an alert's reason names it: "Wall Print – Botanical (DEC-222)", as the
    pages do (:func:`ecomdash.labels.product_label`); the id alone without a name. ``rows``:
    the alert's lines (a group, or one line)."""
    if isinstance(rows, pd.Series):
        name = rows.get(S.PRODUCT_NAME)
    else:
        name = rows[S.PRODUCT_NAME].iloc[0] if S.PRODUCT_NAME in rows.columns else None
    return product_label(name, product_id)


def _huge_quantity(df: pd.DataFrame) -> list[Signal]:
    out = []
    for oid, g in df.groupby("order_id", sort=False):
        top = g.loc[g["ratio"].idxmax()]
        ratio = float(top["ratio"])
        sev = "high" if ratio >= 100 else "medium" if ratio >= 40 else "low"
        out.append(
            Signal(
                key=f"order:{oid}",
                date=pd.Timestamp(top["order_date"]),
                severity=sev,
                kind="huge_quantity",
                reason=_n(
                    "{n} line with a huge quantity: {quantity} units of {product} where "
                    "{usual} is already a large line for it ({ratio}×)",
                    "{n} lines with a huge quantity: {quantity} units of {product} where "
                    "{usual} is already a large line for it ({ratio}×)",
                    len(g),
                    quantity=f"{top['quantity']:,.0f}",
                    product=_product(top, top["product_id"]),
                    usual=f"{top['usual']:,.0f}",
                    ratio=f"{ratio:,.0f}",
                ),
                score=ratio,
                product_id=_s(top["product_id"]),
                customer_id=_s(top["customer_id"]),
                order_id=str(oid),
                line_nos=tuple(int(x) for x in g["line_no"]),
                impact=float(g["revenue"].sum()),
            )
        )
    return out


def _quick_cancel(df: pd.DataFrame) -> list[Signal]:
    out = []
    for oid, g in df.groupby("order_id", sort=False):
        value = float(g["order_value"].iloc[0])
        typical = float(g["typical_order_value"].iloc[0]) or 1.0
        hours = float(g["delay_hours"].iloc[0])
        times = value / typical
        sev = "high" if times >= 10 else "medium" if times >= 4 else "low"
        out.append(
            Signal(
                key=f"order:{oid}",
                date=pd.Timestamp(g["order_date"].min()),
                severity=sev,
                kind="quick_cancel",
                reason=_(
                    "Order {order} of {value} ({times}× a typical order) returned or cancelled "
                    "in full {took} after it was placed",
                    order=oid,
                    value=_money(value),
                    times=f"{times:,.1f}",
                    took=fmt.duration(hours * 3600),
                ),
                score=times,
                product_id=_s(g["product_id"].iloc[0]) if len(g) == 1 else None,
                customer_id=_s(g["customer_id"].iloc[0]),
                order_id=str(oid),
                line_nos=tuple(int(x) for x in g["line_no"]),
                impact=value,
            )
        )
    return out


def _price_off(df: pd.DataFrame) -> list[Signal]:
    out = []
    d = df.assign(_day=df["order_date"].dt.normalize())
    for (pid, day), g in d.groupby(["product_id", "_day"], sort=False):
        ratio = float(np.exp(np.log(g["ratio"]).median()))
        far = max(ratio, 1 / ratio)
        lost = float((g["usual"] * g["quantity"] - g["revenue"]).sum())
        # several orders at a price 5x off on one day: a price error on the shop; one line
        # is medium; 3-5x off is low; a low price on a large quantity is a volume deal
        sev = (
            "high" if far >= 5 and g["order_id"].nunique() >= 3 else "medium" if far >= 5 else "low"
        )
        volume = ratio < 1 and bool((g["quantity"] >= g["big_qty"].fillna(np.inf)).all())
        if volume:
            sev = "low"
        said = {
            "product": _product(g, pid),
            "price": _money(g["unit_price"].median()),
            "n": len(g),
            "far": f"{far:,.1f}",
            "usual": _money(g["usual"].iloc[0]),
            "money": _money(abs(lost)),
        }
        if ratio < 1 and lost > 0:
            reason = _n(
                "{product} sold at {price} on {n} line, {far}× below its usual {usual} "
                "({money} lost against the usual price)",
                "{product} sold at {price} on {n} lines, {far}× below its usual {usual} "
                "({money} lost against the usual price)",
                len(g),
                **said,
            )
        elif ratio < 1:
            reason = _n(
                "{product} sold at {price} on {n} line, {far}× below its usual {usual} "
                "({money} over against the usual price)",
                "{product} sold at {price} on {n} lines, {far}× below its usual {usual} "
                "({money} over against the usual price)",
                len(g),
                **said,
            )
        elif lost > 0:
            reason = _n(
                "{product} sold at {price} on {n} line, {far}× above its usual {usual} "
                "({money} lost against the usual price)",
                "{product} sold at {price} on {n} lines, {far}× above its usual {usual} "
                "({money} lost against the usual price)",
                len(g),
                **said,
            )
        else:
            reason = _n(
                "{product} sold at {price} on {n} line, {far}× above its usual {usual} "
                "({money} over against the usual price)",
                "{product} sold at {price} on {n} lines, {far}× above its usual {usual} "
                "({money} over against the usual price)",
                len(g),
                **said,
            )
        if volume:
            reason = _("{reason}; large quantities, maybe a volume price", reason=reason)
        out.append(
            Signal(
                key=f"price:{pid}:{day.date()}",
                date=pd.Timestamp(g["order_date"].min()),
                severity=sev,
                kind="price_off",
                reason=reason,
                score=far,
                product_id=_s(pid),
                line_nos=tuple(int(x) for x in g["line_no"]),
                impact=abs(lost),
            )
        )
    return out


def _order_burst(df: pd.DataFrame) -> list[Signal]:
    out = []
    d = df.assign(_day=df["order_date"].dt.normalize())
    for (cid, day), g in d.groupby(["customer_id", "_day"], sort=False):
        n = int(g["order_id"].nunique())
        peak = int(g["burst_orders"].max())
        usual = float(g["usual_per_day"].iloc[0])
        sev = "high" if peak >= 20 else "medium" if peak >= 12 else "low"
        span = (g["order_date"].max() - g["order_date"].min()).total_seconds() / 3600
        out.append(
            Signal(
                key=f"burst:{cid}:{day.date()}",
                date=pd.Timestamp(g["order_date"].min()),
                severity=sev,
                kind="order_burst",
                reason=_(
                    "Customer {customer} placed {n} orders in {took} (usually {usual} per day "
                    "they order), {money} in all",
                    customer=cid,
                    n=n,
                    took=fmt.duration(span * 3600),
                    usual=f"{usual:,.1f}",
                    money=_money(g["revenue"].sum()),
                ),
                score=peak / max(usual, 1.0),
                customer_id=_s(cid),
                line_nos=tuple(int(x) for x in g["line_no"]),
                impact=float(g["revenue"].sum()),
            )
        )
    return out


def _customer_returns(df: pd.DataFrame) -> list[Signal]:
    out = []
    for cid, g in df.groupby("customer_id", sort=False):
        rate = float(g["customer_return_rate"].iloc[0])
        returned = float(g["customer_returned"].iloc[0])
        sev = "medium" if rate >= 0.8 and int(g["customer_orders"].iloc[0]) >= 5 else "low"
        out.append(
            Signal(
                key=f"customer:{cid}",
                date=pd.Timestamp(g["order_date"].max()),
                severity=sev,
                kind="customer_returns",
                # both amounts said: "returned 52 % of what they bought (£99.44 over 3
                # orders)" read as £99.44 bought, when it is what they returned
                reason=_n(
                    "Customer {customer} returned {money} of the {bought} they bought over "
                    "{orders} orders ({rate}); {n} return line in the period",
                    "Customer {customer} returned {money} of the {bought} they bought over "
                    "{orders} orders ({rate}); {n} return lines in the period",
                    len(g),
                    customer=cid,
                    rate=fmt.pct(rate, 0),
                    money=_money(returned),
                    bought=_money(float(g["customer_gross"].iloc[0])),
                    orders=int(g["customer_orders"].iloc[0]),
                ),
                score=rate,
                customer_id=_s(cid),
                line_nos=tuple(int(x) for x in g["line_no"]),
                impact=_amount(g),
            )
        )
    return out


def chance_text(p: float) -> str:
    """A probability as a shop operator reads it, in the run's language: "about 1 in
    150,000" / "约15万分之一" (1/p to two significant digits, :func:`fmt.round_count`); "less
    than 1 in a billion" below 1e-9 (a returns spike's high severity: a number of a dozen
    zeros says nothing more).

    A returns spike's ``p`` is the Poisson chance of at least that many returns in one week
    at the product's usual weekly rate: "chance of so many in a usual week"."""
    if p < 1e-9:
        return _("less than 1 in a billion")
    return _("about 1 in {n}", n=fmt.round_count(1 / p))


def _amount(g: pd.DataFrame) -> float:
    """The money of flagged lines, returns and sales alike: the sum of their amounts' sizes,
    0 on a dataset without amounts (its ``revenue`` read back as nothing, not numbers: the
    huge-quantity and returns-spike rules need none, and ran into ``abs()`` of None)."""
    return float(pd.to_numeric(g["revenue"], errors="coerce").abs().sum())


def _returns_spike(df: pd.DataFrame) -> list[Signal]:
    out = []
    for (pid, week), g in df.groupby(["product_id", "week"], sort=False):
        n = int(g["week_returns"].iloc[0])
        total = float(g["product_returns"].iloc[0])
        weeks = max(float(g["weeks"].iloc[0]) - 1, 1.0)
        lam = max((total - n) / weeks, 0.05)
        ratio = n / lam
        p = float(poisson.sf(n - 1, lam))
        if ratio < 3 or p >= 1e-4:
            continue
        sev = "high" if ratio >= 6 and n >= 10 and p < 1e-9 else "medium" if p < 1e-6 else "low"
        out.append(
            Signal(
                key=f"returns:{pid}:{pd.Timestamp(week).date()}",
                date=pd.Timestamp(g["order_date"].min()),
                severity=sev,
                kind="returns_spike",
                reason=_(
                    "{n} returns of {product} in the week of {week}, {ratio}× its usual {usual} "
                    "a week (chance of so many in a usual week: {chance})",
                    n=n,
                    product=_product(g, pid),
                    week=fmt.long_date(week),
                    ratio=f"{ratio:,.1f}",
                    usual=f"{lam:,.1f}",
                    chance=chance_text(p),
                ),
                score=ratio,
                product_id=_s(pid),
                line_nos=tuple(int(x) for x in g["line_no"]),
                impact=_amount(g),
            )
        )
    return out


def _day_share(df: pd.DataFrame) -> list[Signal]:
    out = []
    for _i, r in df.iterrows():
        share = float(r["share"])
        sev = "high" if share >= 3 else "medium" if share >= 1 else "low"
        if int(r["day_orders"]) < 20:
            sev = "low"  # on a day of a handful of orders any line moves the total
        out.append(
            Signal(
                key=f"order:{r['order_id']}",
                date=pd.Timestamp(r["order_date"]),
                severity=sev,
                kind="day_share",
                reason=_(
                    "One line of {money} ({product}) adds {share} to the rest of that day's "
                    "sales ({rest})",
                    money=_money(r["revenue"]),
                    product=_product(r, r["product_id"]),
                    share=fmt.pct(share, 0),
                    rest=_money(r["day_gross"] - r["revenue"]),
                ),
                score=share,
                product_id=_s(r["product_id"]),
                customer_id=_s(r["customer_id"]),
                order_id=_s(r["order_id"]),
                line_nos=(int(r["line_no"]),),
                impact=float(r["revenue"]),
            )
        )
    return out


def _negative_margin(df: pd.DataFrame) -> list[Signal]:
    out = []
    d = df.assign(_day=df["order_date"].dt.normalize())
    for (pid, day), g in d.groupby(["product_id", "_day"], sort=False):
        loss = float(-g["margin"].sum())
        sev = "high" if loss >= 500 else "medium"
        out.append(
            Signal(
                key=f"margin:{pid}:{day.date()}",
                date=pd.Timestamp(g["order_date"].min()),
                severity=sev,
                kind="negative_margin",
                reason=_n(
                    "{product} sold below its unit cost {cost} on {n} line: {money} lost",
                    "{product} sold below its unit cost {cost} on {n} lines: {money} lost",
                    len(g),
                    product=_product(g, pid),
                    # money, as the loss beside it (it read "unit cost 4.50 …: £3.00 lost")
                    cost=_money(g["unit_cost"].iloc[0]),
                    money=_money(loss),
                ),
                score=loss,
                product_id=_s(pid),
                line_nos=tuple(int(x) for x in g["line_no"]),
                impact=loss,
            )
        )
    return out


_RATERS = {
    "huge_quantity": _huge_quantity,
    "quick_cancel": _quick_cancel,
    "price_off": _price_off,
    "order_burst": _order_burst,
    "customer_returns": _customer_returns,
    "returns_spike": _returns_spike,
    "day_share": _day_share,
    "negative_margin": _negative_margin,
}
