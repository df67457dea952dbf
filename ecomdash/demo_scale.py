"""A demo merchant of any size: about N order lines, streamed in Arrow batches.

``generate_scaled(lines=N, seed=S)`` plans a shop whose size grows with N the way real shops
do and returns :class:`ScaledDemo`: the plan, the planted truth (a :class:`~ecomdash.demo.DemoTruth`,
the same facts as the small demo) and :meth:`ScaledDemo.batches`, which yields the order lines
in time order as Arrow record batches of the store's columns, so 10 M lines never sit in memory
at once. :func:`write_csv` streams them into a gzip CSV export (headers the ingest maps
automatically); :func:`save` streams them into the store.

Sizes (``plan``), as a guide 10 M lines ≈ 1 M customers, 30 k products, 3 years:

* customers ≈ N / 10; 80 % of them buy exactly once (``ONE_TIME_SHARE``, spread over the whole
  period like the orders, so new customers keep arriving), the others are the demo's five
  repeat-buyer groups (same shares, order counts, baskets, prices, returns and churn);
* products = 30,000 × (N / 10 M) ** 0.6, at least 300 (≈ 7.5 k at 1 M, ≈ 1.9 k at 100 k);
* categories = the demo's 10, split into 1–4 collections as N grows (10 / 20 / 40 at
  100 k / 1 M / 10 M) — "Kitchen", "Kitchen – Studio", ...;
* days = 365 × (1 + log10(N / 100 k)) between one and three years, ending 2026-10-31.

Mechanism: the small demo's (see ``ecomdash.demo``), with two changes so it scales linearly.
Catalogue products are drawn per order by inverse-CDF sampling of the group's weights
(Zipf popularity ** gamma × price ** beta) instead of a dense Gumbel top-k over every product:
a customer with favourite categories draws from them with the same probability the demo's
``exp(boost)`` weighting gives them, otherwise from the whole catalogue; duplicates in an
order are dropped (9 candidates for at most 6 products). Orders are generated as a whole
(order-level arrays: about 3 M rows at 10 M lines), then their lines in time-ordered chunks
of orders, each chunk with its own random generator ``default_rng([seed, 1, chunk])``, so a
seed and N give the same lines every time. Returns are held until their date and emitted in
time order.

Planted truths kept (``ScaledDemo.truth``): the four bundles (same per-order Bernoulli draws,
so the same lift and support), the five price-elastic products and their price changes, the
customer groups (repeat buyers only; one-time buyers are in no group), churners, favourite
categories, weekly/yearly seasonality, holiday peaks, trend and expected orders per day.
Popularity is long-tailed (Zipf exponent 0.9 over random ranks): the top 1 % of catalogue
products hold 31 % of the popularity weight at 1.2 k products (50 k lines), 40 % at 7.5 k
(1 M lines) and 44 % at 30 k (10 M lines); after the groups' price and favourite-category
preferences they carry about three quarters of that share of the catalogue lines (measured
24 % at 50 k lines, 31 % at 1 M), and the bottom half of the catalogue about 14 %.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ecomdash import demo as D
from ecomdash import schema as S
from ecomdash.errors import ParameterError
from ecomdash.i18n import N_
from ecomdash.i18n.note import note

__all__ = [
    "ONE_TIME_SHARE",
    "ScaledDemo",
    "ScalePlan",
    "generate_scaled",
    "plan",
    "save",
    "write_csv",
]

#: Share of customers who buy exactly once.
ONE_TIME_SHARE = 0.80
#: Smallest and largest supported sizes (lines).
MIN_LINES = 5_000
MAX_LINES = 100_000_000
END = date(2026, 10, 31)
_CHUNK_ORDERS = 200_000
_CANDIDATES = 9  # catalogue draws per order (at most 6 kept, duplicates dropped)

_COLLECTIONS = ("", "Studio", "Heritage", "Outdoor")
_STYLES = (
    "Nordic", "Coastal", "Classic", "Vintage", "Rustic", "Modern", "Botanical", "Linen",
    "Midnight", "Meadow", "Harbour", "Alpine", "Copper", "Ivory", "Saffron", "Heather",
    "Orchard", "Willow", "Juniper", "Cobalt", "Amber", "Marble", "Pebble", "Driftwood",
    "Clover", "Ember", "Fern", "Indigo", "Moss", "Quartz",
)  # fmt: skip

# Profiles: the demo's 5 groups + guest (index 5) + one-time buyer (index 6).
_ONE = D._GUEST + 1
_K_MIN = np.append(D._K_MIN, 1)
_K_N = np.append(D._K_N, 2)
_K_P = np.append(D._K_P, 0.4)
_PRICE_BETA = np.append(D._PRICE_BETA, 0.0)
_POP_GAMMA = np.append(D._POP_GAMMA, 1.0)
_FAV_BOOST = np.append(D._FAV_BOOST, 0.0)
_QTY_EXTRA = np.append(D._QTY_EXTRA, 0.4)
_RETURN_RATE = np.append(D._RETURN_RATE, 0.03)
_CHANNEL_P = np.vstack([D._CHANNEL_P, [0.60, 0.15, 0.25]])
_BULK = D.GROUPS.index("bulk buyers")

_COLUMNS = tuple(S.DTYPES)  # store columns, in order
_ARROW_TYPES = {
    "string": pa.string(),
    "float64": pa.float64(),
    "bool": pa.bool_(),
    "int64": pa.int64(),
    "datetime64[us]": pa.timestamp("us"),
}
#: The batches' schema: the canonical table's columns and types (the store's columns).
_ARROW_SCHEMA = pa.schema([(c, _ARROW_TYPES[t]) for c, t in S.DTYPES.items()])


@dataclass(frozen=True)
class ScalePlan:
    """The sizes of a generated merchant of about ``lines`` order lines."""

    lines: int
    seed: int
    customers: int
    repeat_customers: int
    one_time_customers: int
    products: int
    categories: int
    start: date
    days: int


def plan(lines: int, *, seed: int = 7) -> ScalePlan:
    """The shop's sizes for about ``lines`` order lines (see the module docstring)."""
    if not MIN_LINES <= int(lines) <= MAX_LINES:
        raise ParameterError(
            note(
                N_(
                    "A generated merchant needs between {low} and {high} lines; got {n}. Ask for "
                    "a size in that range; for a smaller shop, use the demo merchant the app "
                    "makes when it first starts on an empty store."
                ),
                low=f"{MIN_LINES:,}",
                high=f"{MAX_LINES:,}",
                n=f"{lines:,}",
            )
        )
    n = int(lines)
    days = int(round(365 * min(max(1.0 + math.log10(n / 1e5), 1.0), 3.0)))
    n_coll = int(min(max(round((n / 1e5) ** 0.3), 1), len(_COLLECTIONS)))
    n_products = int(max(300, round(30_000 * (n / 1e7) ** 0.6)))
    start = END - timedelta(days=days - 1)
    per_customer = _lines_per_customer(days, start)
    customers = max(int(round(n / per_customer)), 200)
    repeat = int(round(customers * (1 - ONE_TIME_SHARE)))
    return ScalePlan(
        lines=n,
        seed=int(seed),
        customers=customers,
        repeat_customers=repeat,
        one_time_customers=customers - repeat,
        products=n_products,
        categories=10 * n_coll,
        start=start,
        days=days,
    )


def _day_p(start: date, days: int) -> tuple[pd.DatetimeIndex, tuple, np.ndarray]:
    day_index = pd.date_range(start, periods=days, freq="D")
    holidays = D._holidays(start, start + timedelta(days=days - 1))
    intensity = D._intensity(day_index, holidays)
    return day_index, holidays, intensity / intensity.sum()


def _lines_per_customer(days: int, start: date) -> float:
    """Expected lines per customer (guest orders and returns included) of the mechanism."""
    _, _, day_p = _day_p(start, days)
    cum_p = np.concatenate([[0.0], np.cumsum(day_p)])
    specials = sum(
        1 - (1 - s) * (1 - a0) + 1 - (1 - s) * (1 - b0) for _, _, s, a0, b0 in D._BUNDLES
    )
    for _, p0, e, factor, change_day in D._ELASTIC:
        after = 1.0 - cum_p[int(round(change_day * days / 730))]
        specials += p0 * ((1 - after) + after * factor**e)
    goods = _K_MIN + _K_N * _K_P + specials
    # postage: 12 % of web/app orders, about half of which are under 25; fees: 10 % of
    # marketplace orders
    nonp = 0.06 * (1 - _CHANNEL_P[:, 2]) + 0.10 * _CHANNEL_P[:, 2]
    per_order = goods * (1 + _RETURN_RATE) + nonp
    orders = D._N_MIN + D._N_EXTRA
    repeat = float((D._SHARE * orders * per_order[:5]).sum())
    reg_orders = (1 - ONE_TIME_SHARE) * float((D._SHARE * orders).sum()) + ONE_TIME_SHARE
    # churners' orders after their churn date count towards the 10 % guest orders
    after_churn = float(np.mean(1.0 - cum_p[days - np.arange(150, 211)]))
    ghost = (1 - ONE_TIME_SHARE) * D._SHARE[D._CHURN_GROUP] * orders[D._CHURN_GROUP] * after_churn
    base_guest = (D._GUEST_SHARE * reg_orders - ghost) / (1 - D._GUEST_SHARE)
    guest = base_guest * per_order[D._GUEST]
    return (1 - ONE_TIME_SHARE) * repeat + ONE_TIME_SHARE * per_order[_ONE] + guest


# ----------------------------------------------------------------------------------------
# Catalogue
# ----------------------------------------------------------------------------------------


def _catalogue(rng: np.random.Generator, n_products: int, n_coll: int) -> pd.DataFrame:
    rows = [
        (cat, f"{noun} – {v}", median)
        for cat, (median, nouns) in D._CATALOGUE.items()
        for noun, variants in nouns
        for v in variants
    ]
    base = pd.DataFrame(rows, columns=["base", "product_name", "median"])
    special = {b[0] for b in D._BUNDLES} | {b[1] for b in D._BUNDLES} | {e[0] for e in D._ELASTIC}
    is_special = base["product_name"].isin(special).to_numpy()
    if n_products <= len(base):
        others = np.flatnonzero(~is_special)
        pick = rng.choice(others, n_products - int(is_special.sum()), replace=False)
        df = base.iloc[np.sort(np.concatenate([np.flatnonzero(is_special), pick]))]
    else:
        i = np.arange(n_products - len(base))
        r, s = i % len(base), i // len(base)
        edition = s // len(_STYLES)
        style = np.array(_STYLES, dtype=object)[s % len(_STYLES)]
        names = base["product_name"].to_numpy()[r] + " " + style
        names = np.where(edition > 0, names + " No. " + (edition + 1).astype(str), names)
        extra = pd.DataFrame(
            {"base": base["base"].to_numpy()[r], "product_name": names, "median": 0.0}
        )
        extra["median"] = base["median"].to_numpy()[r]
        df = pd.concat([base, extra], ignore_index=True)
    df = df.reset_index(drop=True)
    n = len(df)
    names = df["product_name"].to_numpy()
    kind = np.full(n, "catalogue", dtype=object)
    kind[np.isin(names, [b[0] for b in D._BUNDLES] + [b[1] for b in D._BUNDLES])] = "bundle"
    kind[np.isin(names, [e[0] for e in D._ELASTIC])] = "elastic"
    coll = rng.integers(0, n_coll, n)
    coll[kind != "catalogue"] = 0  # the planted products keep the demo's categories
    suffix = np.array([f" – {c}" if c else "" for c in _COLLECTIONS], dtype=object)[coll]
    df["category"] = df["base"].to_numpy().astype(object) + suffix
    price = df["median"].to_numpy() * np.exp(rng.normal(0.0, 0.45, n))
    df["base_price"] = np.maximum(np.round(price * 2) / 2 - 0.01, 0.49)
    codes = df["base"].map(D._CATEGORY_CODES)
    num = np.empty(n, dtype=np.int64)
    for _b, idx in df.groupby("base").indices.items():
        num[idx] = 10_000 + rng.permutation(len(idx)) * 7 + 3
    df["product_id"] = codes + "-" + pd.Series(num).astype(str)
    df["kind"] = kind
    pop = np.zeros(n)
    cat_idx = np.flatnonzero(kind == "catalogue")
    pop[cat_idx] = 1.0 / (rng.permutation(len(cat_idx)) + 1) ** 0.9
    pop /= pop.sum()
    df["popularity"] = pop
    # products grouped by category, so a category is a contiguous range of the weights
    df = df.sort_values(["category", "product_id"], kind="stable").reset_index(drop=True)
    return df[["product_id", "product_name", "category", "base_price", "popularity", "kind"]]


# ----------------------------------------------------------------------------------------
# The generated merchant
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ScaledDemo:
    """A generated merchant: its plan, planted truth and (regenerated on demand) lines.

    ``orders`` holds one row per order (time order, ids 500001 ...): ``customer`` (index into
    the customers, -1 for base guests), ``registered`` (customer index or -1 when the order
    carries no customer id: guests and churners' later orders), ``profile``, ``day``,
    ``seconds``, ``country``, ``channel``. ``customers`` holds ``customer_id`` (int),
    ``profile`` (0–4 the repeat groups, 6 one-time buyers), ``churn_day`` and ``fav`` (two
    favourite category indices or -1).
    """

    plan: ScalePlan
    truth: D.DemoTruth
    products: pd.DataFrame
    orders: dict[str, np.ndarray]
    customers: dict[str, np.ndarray]
    price_change: dict[int, tuple[int, float]]

    def batches(self) -> Iterator[pa.RecordBatch]:
        """The order lines in time order, as record batches of the store's columns."""
        yield from _batches(self)

    def reader(self, progress: Callable[[int], None] | None = None) -> pa.RecordBatchReader:
        """The batches as a reader; ``progress(lines so far)`` is called after each batch."""
        return pa.RecordBatchReader.from_batches(_ARROW_SCHEMA, _counted(self, progress))

    def to_pandas(self) -> pd.DataFrame:
        """All lines as the canonical table (``schema.DTYPES``) — for small sizes."""
        table = pa.Table.from_batches(list(self.batches()), _ARROW_SCHEMA)
        df = table.to_pandas(types_mapper={pa.string(): pd.StringDtype()}.get)
        return df.astype(S.DTYPES)


def generate_scaled(lines: int, *, seed: int = 7) -> ScaledDemo:
    """Plan and generate the orders of a merchant of about ``lines`` lines (lines on demand)."""
    p = plan(lines, seed=seed)
    rng = np.random.default_rng([p.seed, 0])
    day_index, holidays, day_p = _day_p(p.start, p.days)
    days = p.days
    n_coll = p.categories // 10
    products = _catalogue(rng, p.products, n_coll)
    pid = products["product_id"].to_numpy()
    pname = products["product_name"].to_numpy()
    base_price = products["base_price"].to_numpy()
    name_to_idx = {n: i for i, n in enumerate(pname)}

    # --- customers ----------------------------------------------------------------------
    n_rep, n_one = p.repeat_customers, p.one_time_customers
    n_cust = n_rep + n_one
    counts = np.floor(D._SHARE * n_rep).astype(int)
    counts[1] += n_rep - counts.sum()
    profile = np.concatenate([np.repeat(np.arange(5), counts), np.full(n_one, _ONE)])
    cust_ids = rng.permutation(n_cust).astype(np.int64) + 100_001
    country = rng.choice(len(D._COUNTRIES), n_cust, p=D._COUNTRY_P)
    n_cat = int(products["category"].nunique())
    fav = np.full((n_cust, 2), -1, dtype=np.int64)
    n_fav = np.append(D._N_FAV, 0)[profile]
    f1 = rng.integers(0, n_cat, n_cust)
    f2 = rng.integers(0, n_cat - 1, n_cust)
    f2 += f2 >= f1  # a second, different category
    fav[n_fav >= 1, 0] = f1[n_fav >= 1]
    fav[n_fav >= 2, 1] = f2[n_fav >= 2]
    n_orders = np.where(
        profile < 5,
        D._N_MIN[np.minimum(profile, 4)] + rng.poisson(D._N_EXTRA[np.minimum(profile, 4)]),
        1,
    )
    churn_day = np.full(n_cust, days + 1)
    churners = np.flatnonzero(profile == D._CHURN_GROUP)
    churn_day[churners] = days - rng.integers(150, 211, len(churners))

    # --- orders -------------------------------------------------------------------------
    cum_p = np.concatenate([[0.0], np.cumsum(day_p)])
    o_cust = np.repeat(np.arange(n_cust), n_orders)
    exp_reg = float(n_orders.sum())
    exp_ghost = float(
        ((D._N_MIN + D._N_EXTRA)[D._CHURN_GROUP] * (1.0 - cum_p[np.minimum(churn_day, days)]))[
            churners
        ].sum()
    )
    exp_guest = max(D._GUEST_SHARE * exp_reg - exp_ghost, 0.0) / (1 - D._GUEST_SHARE)
    n_guest = int(rng.poisson(exp_guest))
    n_reg = len(o_cust)
    first = np.repeat(np.cumsum(n_orders) - n_orders, n_orders)
    j = np.arange(n_reg) - first
    q = np.concatenate([(j + rng.random(n_reg)) / n_orders[o_cust], rng.random(n_guest)])
    o_cust = np.concatenate([o_cust, np.full(n_guest, -1)])
    n_ord = len(o_cust)
    o_day = np.clip(np.searchsorted(cum_p, q, side="right") - 1, 0, days - 1)
    o_sec = np.floor(np.clip(rng.normal(14.5, 4.0, n_ord), 0.0, 23.99) * 3600).astype(np.int64)
    known = o_cust >= 0
    oc = np.maximum(o_cust, 0)
    o_profile = np.where(known, profile[oc], D._GUEST)
    ghost = known & (o_day >= churn_day[oc])
    o_reg = np.where(ghost, -1, o_cust)
    o_country = np.where(known, country[oc], rng.choice(len(D._COUNTRIES), n_ord, p=D._COUNTRY_P))
    order = np.lexsort((rng.random(n_ord), o_sec, o_day))
    o_cust, o_reg, o_profile, o_day, o_sec, o_country = (
        a[order] for a in (o_cust, o_reg, o_profile, o_day, o_sec, o_country)
    )
    cp = np.cumsum(_CHANNEL_P[o_profile], axis=1)
    o_channel = (rng.random(n_ord)[:, None] > cp).sum(axis=1)
    orders = {
        "customer": o_cust.astype(np.int64),
        "registered": o_reg.astype(np.int64),
        "profile": o_profile.astype(np.int8),
        "day": o_day.astype(np.int32),
        "seconds": o_sec,
        "country": o_country.astype(np.int8),
        "channel": o_channel.astype(np.int8),
    }
    customers = {"customer_id": cust_ids, "profile": profile, "churn_day": churn_day, "fav": fav}

    # --- truth --------------------------------------------------------------------------
    base = pd.Timestamp(p.start)
    bundles = tuple(
        D.Bundle(pid[name_to_idx[a]], pid[name_to_idx[b]], *D._bundle_truth(s, a0, b0))
        for a, b, s, a0, b0 in D._BUNDLES
    )
    elasticity, changes, price_change = {}, [], {}
    for name, _p0, e, factor, change_day in D._ELASTIC:
        idx = name_to_idx[name]
        cd = int(round(change_day * days / 730))
        old = base_price[idx]
        new = round(old * factor * 2) / 2 - 0.01
        elasticity[pid[idx]] = e
        price_change[idx] = (cd, new)
        changes.append((pid[idx], day_index[cd], old, new))
    price_changes = pd.DataFrame(changes, columns=["product_id", "date", "old_price", "new_price"])
    price_changes = price_changes.astype(
        {"product_id": "string", "date": "datetime64[us]", "old_price": "float64"}
    )
    rep = np.flatnonzero(profile < 5)
    rep_ids = pd.Index(cust_ids[rep].astype(str), name="customer_id", dtype="string")
    groups = pd.Series(
        np.array(D.GROUPS, dtype=object)[profile[rep]], index=rep_ids, name="group", dtype="string"
    ).sort_index()
    churn = pd.Series(
        (base + pd.to_timedelta(churn_day[churners], unit="D")).as_unit("us"),
        index=pd.Index(cust_ids[churners].astype(str), name="customer_id", dtype="string"),
        name="churn_date",
    ).sort_index()
    cat_names = np.array(sorted(products["category"].unique()), dtype=object)
    favs = pd.Series(
        [tuple(cat_names[f[f >= 0]]) for f in fav[rep]],
        index=rep_ids,
        name="favourite_categories",
        dtype=object,
    ).sort_index()
    exp_total = exp_reg + exp_guest
    truth = D.DemoTruth(
        seed=p.seed,
        start=p.start,
        end=END,
        bundles=bundles,
        customer_groups=groups,
        churners=churn,
        elasticity=elasticity,
        price_changes=price_changes,
        weekly_profile=D._WEEKLY,
        yearly_amplitude=D._YEARLY_AMPLITUDE,
        yearly_peak_doy=D._YEARLY_PEAK_DOY,
        holiday_peak=holidays,
        trend=D._TREND,
        expected_orders=pd.Series(exp_total * day_p, index=day_index, name="expected_orders"),
        guest_share=(exp_ghost + exp_guest) / exp_total,
        products=products.astype({"product_id": "string", "product_name": "string"}),
        favourite_categories=favs,
    )
    return ScaledDemo(
        plan=p,
        truth=truth,
        products=products,
        orders=orders,
        customers=customers,
        price_change=price_change,
    )


# ----------------------------------------------------------------------------------------
# Lines, chunk by chunk
# ----------------------------------------------------------------------------------------


def _weights(demo: ScaledDemo) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per profile: cumulative draw weights (offset by the profile index, so one
    ``searchsorted`` serves every profile), category masses and category starts."""
    prods = demo.products
    n_prod = len(prods)
    is_cat = (prods["kind"] == "catalogue").to_numpy()
    log_pop = np.full(n_prod, -np.inf)
    log_pop[is_cat] = np.log(prods["popularity"].to_numpy()[is_cat])
    lw = _POP_GAMMA[:, None] * log_pop[None, :] + _PRICE_BETA[:, None] * np.log(
        prods["base_price"].to_numpy()
    )
    w = np.exp(lw - lw.max(axis=1, keepdims=True))
    w /= w.sum(axis=1, keepdims=True)
    cum = np.cumsum(w, axis=1)
    cum[:, -1] = 1.0
    cat_codes, cat_start = np.unique(prods["category"].to_numpy(), return_index=True)
    cat_of = np.searchsorted(cat_codes, prods["category"].to_numpy())
    n_cat = len(cat_codes)
    mass = np.zeros((len(w), n_cat))
    for g in range(len(w)):
        mass[g] = np.bincount(cat_of, weights=w[g], minlength=n_cat)
    lo = np.concatenate([np.zeros((len(w), 1)), cum], axis=1)[:, cat_start]
    offset = cum + np.arange(len(w))[:, None]
    return offset.ravel(), mass, lo, cat_of


def _draw_catalogue(
    rng: np.random.Generator,
    demo: ScaledDemo,
    weights: tuple,
    o_prof: np.ndarray,
    o_cust: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(order row, product index) of the catalogue lines of a chunk of orders."""
    flat, mass, lo, _cat_of = weights
    n_prod = len(demo.products)
    n = len(o_prof)
    k = np.minimum(_K_MIN[o_prof] + rng.binomial(_K_N[o_prof], _K_P[o_prof]), 6)
    fav = np.where((o_cust >= 0)[:, None], demo.customers["fav"][np.maximum(o_cust, 0)], -1)
    has = fav >= 0
    g = o_prof.astype(np.int64)
    m1 = np.where(has[:, 0], mass[g, np.maximum(fav[:, 0], 0)], 0.0)
    m2 = np.where(has[:, 1], mass[g, np.maximum(fav[:, 1], 0)], 0.0)
    wf = m1 + m2
    boost = np.exp(_FAV_BOOST[g])
    p_fav = np.where(wf > 0, boost * wf / (boost * wf + 1.0 - wf), 0.0)
    u_mix, u_cat, u = rng.random((3, n, _CANDIDATES))
    in_fav = u_mix < p_fav[:, None]
    pick2 = u_cat * wf[:, None] >= m1[:, None]
    cat = np.where(pick2, fav[:, 1:2], fav[:, 0:1])
    cmass = np.where(pick2, m2[:, None], m1[:, None])
    target = np.where(in_fav, lo[g[:, None], np.maximum(cat, 0)] + u * cmass, u)
    idx = np.searchsorted(flat, target + g[:, None], side="right") - g[:, None] * n_prod
    idx = np.clip(idx, 0, n_prod - 1)
    # first occurrence of each product in draw order, the first k of them
    srt = np.argsort(idx, axis=1, kind="stable")
    s_idx = np.take_along_axis(idx, srt, axis=1)
    dup_sorted = np.zeros_like(s_idx, dtype=bool)
    dup_sorted[:, 1:] = s_idx[:, 1:] == s_idx[:, :-1]
    dup = np.empty_like(dup_sorted)
    np.put_along_axis(dup, srt, dup_sorted, axis=1)
    keep = ~dup
    keep &= np.cumsum(keep, axis=1) <= k[:, None]
    rows = np.broadcast_to(np.arange(n)[:, None], idx.shape)[keep]
    return rows, idx[keep]


def _batches(demo: ScaledDemo) -> Iterator[pa.RecordBatch]:
    p = demo.plan
    o = demo.orders
    prods = demo.products
    n_prod = len(prods)
    weights = _weights(demo)
    base_price = prods["base_price"].to_numpy()
    name_to_idx = {n: i for i, n in enumerate(prods["product_name"].to_numpy())}
    start_us = int(pd.Timestamp(p.start).value // 1000)
    o_ts = start_us + (o["day"].astype(np.int64) * 86_400 + o["seconds"]) * 1_000_000
    n_ord = len(o_ts)
    cust_ids = demo.customers["customer_id"]
    churn_day = demo.customers["churn_day"]
    # text columns: product index n_prod is POST, n_prod + 1 is FEE
    dict_pid = pa.array(list(prods["product_id"]) + ["POST", "FEE"], pa.string())
    dict_name = pa.array(list(prods["product_name"]) + ["Postage", "Bank charges"], pa.string())
    dict_cat = pa.array(list(prods["category"]) + [None, None], pa.string())
    dict_country = pa.array(D._COUNTRIES, pa.string())
    dict_channel = pa.array(D._CHANNELS, pa.string())
    pending: list[dict[str, np.ndarray]] = []
    line_no = 1
    for ci, lo_o in enumerate(range(0, n_ord, _CHUNK_ORDERS)):
        hi_o = min(lo_o + _CHUNK_ORDERS, n_ord)
        rng = np.random.default_rng([p.seed, 1, ci])
        sl = slice(lo_o, hi_o)
        prof, cust, reg = o["profile"][sl], o["customer"][sl], o["registered"][sl]
        day, chan = o["day"][sl], o["channel"][sl]
        n = hi_o - lo_o
        rows, prod = _draw_catalogue(rng, demo, weights, prof, cust)
        qty = 1.0 + rng.poisson(_QTY_EXTRA[prof[rows]])
        bulk = prof[rows] == _BULK
        qty[bulk] = rng.choice(D._BULK_PACKS, int(bulk.sum()))
        sp_rows, sp_prod = [rows], [prod]
        for a, b, s, a0, b0 in D._BUNDLES:
            both = rng.random(n) < s
            for idx, has in (
                (name_to_idx[a], both | (rng.random(n) < a0)),
                (name_to_idx[b], both | (rng.random(n) < b0)),
            ):
                r = np.flatnonzero(has)
                sp_rows.append(r)
                sp_prod.append(np.full(len(r), idx))
        for name, p0, e, _f, _c in D._ELASTIC:
            idx = name_to_idx[name]
            cd, new = demo.price_change[idx]
            prob = np.where(day >= cd, p0 * (new / base_price[idx]) ** e, p0)
            r = np.flatnonzero(rng.random(n) < prob)
            sp_rows.append(r)
            sp_prod.append(np.full(len(r), idx))
        n_cat_lines = len(rows)
        rows, prod = np.concatenate(sp_rows), np.concatenate(sp_prod)
        qty = np.concatenate(
            [qty, 1.0 + rng.choice([0.0, 1.0, 2.0], len(rows) - n_cat_lines, p=[0.7, 0.2, 0.1])]
        )
        price = base_price[prod].copy()
        for idx, (cd, new) in demo.price_change.items():
            price[(prod == idx) & (day[rows] >= cd)] = new
        # non-product lines
        goods = np.bincount(rows, weights=qty * price, minlength=n)
        post = np.flatnonzero((goods < 25.0) & (chan != 2) & (rng.random(n) < 0.12))
        fee = np.flatnonzero((chan == 2) & (rng.random(n) < 0.10))
        # returns of sale lines, 1-30 days later, one date per order
        ret = rng.random(len(rows)) < _RETURN_RATE[prof[rows]]
        r_lag = rng.integers(1, 31, n)
        r_sec = rng.integers(8 * 3600, 20 * 3600, n)
        r_day = day[rows] + r_lag[rows]
        lc = reg[rows]
        ret &= r_day < p.days
        ret &= ~((lc >= 0) & (r_day >= churn_day[np.maximum(lc, 0)]))
        ri = np.flatnonzero(ret)
        pos = np.arange(len(rows))
        sale = {
            "order": lo_o + rows,
            "ret": np.zeros(len(rows), bool),
            "ts": o_ts[lo_o + rows],
            "prod": prod,
            "qty": qty,
            "price": price,
            "cancelled": ret,
            "pos": pos,
        }
        nonp_rows = np.concatenate([post, fee])
        nonp = {
            "order": lo_o + nonp_rows,
            "ret": np.zeros(len(nonp_rows), bool),
            "ts": o_ts[lo_o + nonp_rows],
            "prod": np.concatenate([np.full(len(post), n_prod), np.full(len(fee), n_prod + 1)]),
            "qty": np.ones(len(nonp_rows)),
            "price": np.concatenate(
                [np.full(len(post), D._POSTAGE_PRICE), np.full(len(fee), D._FEE_PRICE)]
            ),
            "cancelled": np.zeros(len(nonp_rows), bool),
            "pos": len(rows) + np.arange(len(nonp_rows)),
        }
        rr = rows[ri]
        pending.append(
            {
                "order": lo_o + rr,
                "ret": np.ones(len(ri), bool),
                "ts": start_us + ((day[rr] + r_lag[rr]) * 86_400 + r_sec[rr]) * 1_000_000,
                "prod": prod[ri],
                "qty": -qty[ri],
                "price": price[ri],
                "cancelled": np.zeros(len(ri), bool),
                "pos": pos[ri],
            }
        )
        # emit: this chunk's sales + returns dated before the next chunk's first order
        cut = o_ts[hi_o] if hi_o < n_ord else np.iinfo(np.int64).max
        held = _concat(pending)
        due = held["ts"] < cut
        pending = [{k: v[~due] for k, v in held.items()}]
        out = _concat([sale, nonp, {k: v[due] for k, v in held.items()}])
        srt = np.lexsort((out["pos"], out["ret"], out["order"], out["ts"]))
        out = {k: v[srt] for k, v in out.items()}
        batch = _to_batch(
            out, o, cust_ids, line_no, (dict_pid, dict_name, dict_cat, dict_country, dict_channel)
        )
        line_no += batch.num_rows
        yield batch


def _counted(demo: ScaledDemo, progress: Callable[[int], None] | None) -> Iterator[pa.RecordBatch]:
    done = 0
    for batch in demo.batches():
        yield batch
        done += batch.num_rows
        if progress is not None:
            progress(done)


def _concat(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def _to_batch(
    out: dict[str, np.ndarray],
    o: dict[str, np.ndarray],
    cust_ids: np.ndarray,
    first_line: int,
    dicts: tuple[pa.Array, ...],
) -> pa.RecordBatch:
    dict_pid, dict_name, dict_cat, dict_country, dict_channel = dicts
    order = out["order"]
    num = pc.cast(pa.array(order + 500_001), pa.string())
    order_id = pc.if_else(pa.array(out["ret"]), pc.binary_join_element_wise("C", num, ""), num)
    reg = o["registered"][order]
    cust = pc.cast(pa.array(cust_ids[np.maximum(reg, 0)], mask=reg < 0), pa.string())
    prod = pa.array(out["prod"])
    revenue = np.round(out["qty"] * out["price"], 2)
    n_prod = len(dict_pid) - 2
    arrays = {
        S.ORDER_ID: order_id,
        S.ORDER_DATE: pa.array(out["ts"], pa.timestamp("us")),
        S.CUSTOMER_ID: cust,
        S.PRODUCT_ID: dict_pid.take(prod),
        S.PRODUCT_NAME: dict_name.take(prod),
        S.QUANTITY: pa.array(out["qty"], pa.float64()),
        S.UNIT_PRICE: pa.array(out["price"], pa.float64()),
        S.REVENUE: pa.array(revenue, pa.float64()),
        S.COUNTRY: dict_country.take(pa.array(o["country"][order])),
        S.CATEGORY: dict_cat.take(prod),
        S.CHANNEL: dict_channel.take(pa.array(o["channel"][order])),
        S.IS_RETURN: pa.array(out["ret"]),
        S.IS_NON_PRODUCT: pa.array(out["prod"] >= n_prod),
        S.IS_CANCELLED: pa.array(out["cancelled"]),
        S.LINE_NO: pa.array(np.arange(first_line, first_line + len(order), dtype=np.int64)),
    }
    return pa.RecordBatch.from_arrays([arrays[c] for c in _COLUMNS], schema=_ARROW_SCHEMA)


# ----------------------------------------------------------------------------------------
# Sinks
# ----------------------------------------------------------------------------------------

#: The CSV export's columns: the canonical names, which the ingest maps automatically
#: (those of order lines: ``location`` belongs to summed sales tables, not generated here).
CSV_COLUMNS = tuple(c for c in S.CANONICAL if c in S.DTYPES)


def write_csv(
    demo: ScaledDemo, path: str | Path, *, progress: Callable[[int], None] | None = None
) -> int:
    """Stream the lines into a CSV export (gzip when ``path`` ends in ``.gz``); returns the
    number of lines written. Dates are written to the second, flags are left to the ingest.
    ``progress(lines so far)`` is called after each batch."""
    import pyarrow.csv as pacsv

    path = Path(path)
    schema = pa.schema([(c, _ARROW_SCHEMA.field(c).type) for c in CSV_COLUMNS]).set(
        1, pa.field(S.ORDER_DATE, pa.timestamp("s"))
    )
    n = 0
    if path.name.endswith(".gz"):
        from isal import igzip

        sink = igzip.open(path, "wb", compresslevel=1)
    else:
        sink = open(path, "wb")  # noqa: SIM115 - closed below
    try:
        with pacsv.CSVWriter(sink, schema) as writer:
            for batch in _counted(demo, progress):
                cols = [batch.column(c) for c in CSV_COLUMNS]
                cols[1] = cols[1].cast(pa.timestamp("s"))
                writer.write_batch(pa.RecordBatch.from_arrays(cols, schema=schema))
                n += batch.num_rows
    finally:
        sink.close()
    return n


def save(demo: ScaledDemo, store, name: str, *, progress: Callable[[int], None] | None = None):
    """Stream the lines into ``store`` as a new dataset named ``name`` (atomically: all or
    nothing); returns its info. ``progress(lines so far)`` is called after each batch."""
    columns = {c: c for c in CSV_COLUMNS}
    return store.save_batches(
        name,
        demo.reader(progress),
        columns=CSV_COLUMNS,
        # the demo shop's currency, as the app's demo shows it: without it every money column,
        # chart and the report of a generated merchant had no £
        report={"generated": _plan_dict(demo), "currency": "GBP"},
        mapping=columns,
        source="generated",
    )


def _plan_dict(demo: ScaledDemo) -> dict:
    p = demo.plan
    return {k: (str(v) if isinstance(v, date) else v) for k, v in p.__dict__.items()}
