"""``generate``: customers, orders, baskets, special lines, returns, assembly and truth."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from ecomdash import demo_pricing, schema
from ecomdash.demo.catalogue import (
    _BUNDLES,
    _CATALOGUE,
    _ELASTIC,
    DEFAULT_START,
    _bundle_truth,
    _catalogue,
)
from ecomdash.demo.plants import _plant_incidents
from ecomdash.demo.profiles import (
    _BULK_PACKS,
    _CHANNEL_P,
    _CHANNELS,
    _CHURN_GROUP,
    _COUNTRIES,
    _COUNTRY_P,
    _FAV_BOOST,
    _FEE_PRICE,
    _FIRST_ID,
    _GUEST,
    _GUEST_SHARE,
    _K_MIN,
    _K_N,
    _K_P,
    _N_EXTRA,
    _N_FAV,
    _N_MIN,
    _NEW_EXTRA,
    _NEW_REPEAT_P,
    _NEW_STREAM,
    _POP_GAMMA,
    _POSTAGE_PRICE,
    _PRICE_BETA,
    _QTY_EXTRA,
    _RETURN_RATE,
    _SHARE,
    _TREND,
    _WEEKLY,
    _YEARLY_AMPLITUDE,
    _YEARLY_PEAK_DOY,
    GROUPS,
    _holidays,
    _intensity,
)
from ecomdash.demo.types import Bundle, Demo, DemoTruth
from ecomdash.errors import ParameterError
from ecomdash.i18n import N_
from ecomdash.i18n.note import note

# ----------------------------------------------------------------------------------------
# Generator
# ----------------------------------------------------------------------------------------


def generate(
    seed: int = 7,
    *,
    n_customers: int = 3000,
    n_products: int = 300,
    start: date = DEFAULT_START,
    days: int = 730,
    n_new_customers: int | None = None,
) -> Demo:
    """Generate the demo merchant (deterministic for a given ``seed`` and parameters).

    ``n_customers`` (3,000) regular customers in the five planted groups plus
    ``n_new_customers`` (default twice as many: 6,000) customers acquired over the whole
    period, most of whom buy once; 300 products in 10 categories, two years of orders
    (``start`` .. ``start + days - 1``), ~120k order lines. See the module docstring for the
    mechanism and :class:`DemoTruth` for the planted facts.
    """
    if days < 120:
        raise ParameterError(
            note(
                N_(
                    "The demo needs at least 120 days to plant seasonality, price changes and "
                    "churn; got days={days}. Ask for a longer period."
                ),
                days=days,
            )
        )
    if n_customers < 100:
        raise ParameterError(
            note(
                N_(
                    "The demo needs at least 100 customers to plant its customer groups; got "
                    "n_customers={n}. Ask for more customers."
                ),
                n=n_customers,
            )
        )
    n_new = 2 * n_customers if n_new_customers is None else int(n_new_customers)
    if n_new < 0 or _FIRST_ID + n_customers + n_new > 100_000:
        raise ParameterError(
            note(
                N_(
                    "The demo's customer ids have five digits, so n_customers + n_new_customers "
                    "must be at most {most} (and n_new_customers at least 0); got "
                    "n_customers={n}, n_new_customers={n_new}. Ask for fewer customers."
                ),
                most=f"{100_000 - _FIRST_ID:,}",
                n=n_customers,
                n_new=n_new,
            )
        )
    rng = np.random.default_rng(seed)
    end = start + timedelta(days=days - 1)
    day_index = pd.date_range(start, periods=days, freq="D")
    holidays = _holidays(start, end)
    intensity = _intensity(day_index, holidays)
    day_p = intensity / intensity.sum()

    # --- products ---------------------------------------------------------------------
    products = _catalogue(rng, n_products)
    n_prod = len(products)
    pid = products["product_id"].to_numpy()
    pname = products["product_name"].to_numpy()
    categories = tuple(_CATALOGUE)
    prod_cat = products["category"].map({c: i for i, c in enumerate(categories)}).to_numpy()
    base_price = products["base_price"].to_numpy()
    name_to_idx = {n: i for i, n in enumerate(pname)}
    is_catalogue = (products["kind"] == "catalogue").to_numpy()
    log_pop = np.full(n_prod, -np.inf)
    log_pop[is_catalogue] = np.log(products["popularity"].to_numpy()[is_catalogue])
    # log-weights per profile: popularity * price**beta
    lw_profile = (
        _POP_GAMMA[:, None] * log_pop[None, :] + _PRICE_BETA[:, None] * np.log(base_price)[None, :]
    )

    # --- customers --------------------------------------------------------------------
    n_groups = len(GROUPS)
    counts = np.floor(_SHARE * n_customers).astype(int)
    counts[1] += n_customers - counts.sum()
    cust_group = np.repeat(np.arange(n_groups), counts)
    cust_ids = rng.permutation(n_customers) + _FIRST_ID
    cust_id_str = np.array([str(c) for c in cust_ids], dtype=object)
    cust_country = rng.choice(len(_COUNTRIES), n_customers, p=_COUNTRY_P)
    n_cat = len(categories)
    fav = np.zeros((n_customers, n_cat), dtype=bool)
    fav_keys = rng.random((n_customers, n_cat)).argsort(axis=1)
    for g in range(n_groups):
        k = _N_FAV[g]
        if k:
            rows = np.flatnonzero(cust_group == g)
            fav[rows[:, None], fav_keys[rows, :k]] = True
    n_orders = _N_MIN[cust_group] + rng.poisson(_N_EXTRA[cust_group])
    # churn dates: 150..210 days before the end
    churn_day = np.full(n_customers, days + 1)
    churners = np.flatnonzero(cust_group == _CHURN_GROUP)
    churn_day[churners] = days - rng.integers(150, 211, len(churners))
    exp_planted = float((_N_MIN[cust_group] + _N_EXTRA[cust_group]).sum())

    # --- new customers: acquired all along (their own stream), most buy once ----------
    rng_new = np.random.default_rng([seed, _NEW_STREAM])
    repeats = rng_new.random(n_new) < _NEW_REPEAT_P
    new_orders = 1 + np.where(repeats, 1 + rng_new.poisson(_NEW_EXTRA, n_new), 0)
    new_country = rng_new.choice(len(_COUNTRIES), n_new, p=_COUNTRY_P)
    new_q = rng_new.random(int(new_orders.sum()))
    exp_new = n_new * (1.0 + _NEW_REPEAT_P * (1.0 + _NEW_EXTRA))
    n_all = n_customers + n_new
    cust_group = np.concatenate([cust_group, np.full(n_new, _GUEST)])  # guest-like baskets
    cust_country = np.concatenate([cust_country, new_country])
    fav = np.concatenate([fav, np.zeros((n_new, n_cat), dtype=bool)])
    churn_day = np.concatenate([churn_day, np.full(n_new, days + 1)])

    # --- orders -----------------------------------------------------------------------
    o_cust = np.concatenate(
        [
            np.repeat(np.arange(n_customers), n_orders),
            np.repeat(np.arange(n_customers, n_all), new_orders),
        ]
    )
    # Guests: base share chosen so that all guests (incl. churners' later orders) ≈ 10 %.
    exp_total_reg = exp_planted + exp_new
    cum_p = np.concatenate([[0.0], np.cumsum(day_p)])
    exp_ghost = float(
        ((_N_MIN + _N_EXTRA)[_CHURN_GROUP] * (1.0 - cum_p[np.minimum(churn_day, days)]))[
            churners
        ].sum()
    )
    exp_base_guest = max(_GUEST_SHARE * exp_total_reg - exp_ghost, 0.0) / (1 - _GUEST_SHARE)
    n_guest = int(rng.poisson(exp_base_guest))
    o_cust = np.concatenate([o_cust, np.full(n_guest, -1)])
    n_ord = len(o_cust)
    o_profile = np.where(o_cust >= 0, cust_group[np.maximum(o_cust, 0)], _GUEST)
    # Order days. A customer's j-th of n orders sits at a uniform position in the j-th
    # n-quantile of the cumulative intensity (stratified: regular-ish gaps, and every order
    # is marginally distributed like the intensity). Guest orders are independent draws.
    n_reg = int(n_orders.sum())
    first = np.repeat(np.cumsum(n_orders) - n_orders, n_orders)
    j = np.arange(n_reg) - first
    q_reg = (j + rng.random(n_reg)) / n_orders[o_cust[:n_reg]]
    # a new customer's orders are independent draws too: the first is its acquisition day,
    # so acquisitions follow the intensity (trend, Q4, Black Friday, Christmas run-up)
    n_new_ord = len(new_q)
    q = np.concatenate([q_reg, new_q, rng.random(n_guest)])
    o_day = np.clip(np.searchsorted(cum_p, q, side="right") - 1, 0, days - 1)
    o_seconds = np.clip(rng.normal(14.5, 4.0, n_ord), 0.0, 23.99) * 3600.0
    o_seconds = np.floor(o_seconds).astype(np.int64)
    # new customers' ids are given in the order of their first order (as a shop numbers them)
    if n_new:
        seg = slice(n_reg, n_reg + n_new_ord)
        first_ts = np.minimum.reduceat(
            o_day[seg].astype(np.int64) * 86_400 + o_seconds[seg],
            np.cumsum(new_orders) - new_orders,
        )
        new_ids = np.empty(n_new, dtype=np.int64)
        new_ids[np.argsort(first_ts, kind="stable")] = _FIRST_ID + n_customers + np.arange(n_new)
        cust_id_str = np.concatenate(
            [cust_id_str, np.array([str(c) for c in new_ids], dtype=object)]
        )
    # churners' orders on/after the churn date become guest orders
    ghost = (o_cust >= 0) & (o_day >= churn_day[np.maximum(o_cust, 0)])
    o_reg_cust = np.where(ghost, -1, o_cust)
    o_country = np.where(
        o_cust >= 0,
        cust_country[np.maximum(o_cust, 0)],
        rng.choice(len(_COUNTRIES), n_ord, p=_COUNTRY_P),
    )
    # order by time; ids are sequential
    order = np.lexsort((rng.random(n_ord), o_seconds, o_day))
    o_cust, o_reg_cust, o_profile, o_day, o_seconds, o_country = (
        a[order] for a in (o_cust, o_reg_cust, o_profile, o_day, o_seconds, o_country)
    )
    u = rng.random(n_ord)
    cp = np.cumsum(_CHANNEL_P[o_profile], axis=1)
    o_channel = (u[:, None] > cp).sum(axis=1)

    # --- catalogue lines: Gumbel top-k per order --------------------------------------
    k = _K_MIN[o_profile] + rng.binomial(_K_N[o_profile], _K_P[o_profile])
    k = np.minimum(k, 6)
    kmax = int(k.max())
    # key = log weight + favourite boost + Gumbel noise; work on -key = log(Exp) - ... so
    # that argpartition picks the k largest keys without extra copies.
    neg = rng.standard_exponential(size=(n_ord, n_prod), dtype=np.float32)
    np.maximum(neg, np.float32(1e-30), out=neg)
    np.log(neg, out=neg)
    neg -= lw_profile.astype(np.float32)[o_profile]
    # churners' later (guest) orders keep their tastes: boost by o_cust, not o_reg_cust
    cust_boost = (fav * _FAV_BOOST[cust_group][:, None]).astype(np.float32)
    neg -= cust_boost[np.maximum(o_cust, 0)][:, prod_cat] * (o_cust >= 0)[:, None]
    top = np.argpartition(neg, kmax - 1, axis=1)[:, :kmax]
    top_keys = np.take_along_axis(neg, top, axis=1)
    top = np.take_along_axis(top, np.argsort(top_keys, axis=1), axis=1)
    del neg
    take = np.arange(kmax)[None, :] < k[:, None]
    l_order = np.broadcast_to(np.arange(n_ord)[:, None], top.shape)[take]
    l_prod = top[take]
    prof = o_profile[l_order]
    qty = 1.0 + rng.poisson(_QTY_EXTRA[prof])
    bulk = prof == GROUPS.index("bulk buyers")
    qty[bulk] = rng.choice(_BULK_PACKS, int(bulk.sum()))

    # --- special lines: bundles and price-elastic products ----------------------------
    sp_order: list[np.ndarray] = [l_order]
    sp_prod: list[np.ndarray] = [l_prod]
    bundles = []
    for a_name, b_name, s, a0, b0 in _BUNDLES:
        pair = rng.random(n_ord) < s
        has_a = pair | (rng.random(n_ord) < a0)
        has_b = pair | (rng.random(n_ord) < b0)
        lift, support, conf = _bundle_truth(s, a0, b0)
        ia, ib = name_to_idx[a_name], name_to_idx[b_name]
        bundles.append(Bundle(pid[ia], pid[ib], lift, support, conf))
        for idx, has in ((ia, has_a), (ib, has_b)):
            rows = np.flatnonzero(has)
            sp_order.append(rows)
            sp_prod.append(np.full(len(rows), idx))
    elasticity: dict[str, float] = {}
    unit_price_override: dict[int, tuple[int, float]] = {}
    changes = []
    for name, p0, e, factor, change_day in _ELASTIC:
        idx = name_to_idx[name]
        cd = int(round(change_day * days / 730))
        old = base_price[idx]
        new = round(old * factor * 2) / 2 - 0.01
        prob = np.where(o_day >= cd, p0 * (new / old) ** e, p0)
        rows = np.flatnonzero(rng.random(n_ord) < prob)
        sp_order.append(rows)
        sp_prod.append(np.full(len(rows), idx))
        elasticity[pid[idx]] = e
        unit_price_override[idx] = (cd, new)
        changes.append((pid[idx], day_index[cd], old, new))
    n_cat_lines = len(l_order)
    l_order = np.concatenate(sp_order)
    l_prod = np.concatenate(sp_prod)
    n_special = len(l_order) - n_cat_lines
    sp_q = 1.0 + rng.choice([0.0, 1.0, 2.0], n_special, p=[0.7, 0.2, 0.1])
    qty = np.concatenate([qty, sp_q])
    price = base_price[l_prod].copy()
    for idx, (cd, new) in unit_price_override.items():
        price[(l_prod == idx) & (o_day[l_order] >= cd)] = new

    # --- non-product lines ------------------------------------------------------------
    goods = np.bincount(l_order, weights=qty * price, minlength=n_ord)
    post = (goods < 25.0) & (o_channel != 2) & (rng.random(n_ord) < 0.12)
    fee = (o_channel == 2) & (rng.random(n_ord) < 0.10)
    np_order = np.concatenate([np.flatnonzero(post), np.flatnonzero(fee)])
    np_kind = np.concatenate([np.zeros(post.sum(), int), np.ones(fee.sum(), int)])

    # --- returns ----------------------------------------------------------------------
    n_lines = len(l_order)
    ret = rng.random(n_lines) < _RETURN_RATE[o_profile[l_order]]
    # one return order "C<id>" per order with returns: a single date for all its lines
    r_lag = rng.integers(1, 31, n_ord)
    r_sec_of_order = rng.integers(8 * 3600, 20 * 3600, n_ord)
    r_day = o_day[l_order] + r_lag[l_order]
    lc = o_reg_cust[l_order]
    ret &= r_day < days
    ret &= ~((lc >= 0) & (r_day >= churn_day[np.maximum(lc, 0)]))
    r_idx = np.flatnonzero(ret)

    # --- assemble ---------------------------------------------------------------------
    order_num = np.arange(n_ord) + 500001
    order_ids = np.array([str(x) for x in order_num], dtype=object)
    base = pd.Timestamp(start)
    o_ts = (base + pd.to_timedelta(o_day, unit="D") + pd.to_timedelta(o_seconds, unit="s")).as_unit(
        "us"
    )
    cust_of_order = np.where(o_reg_cust >= 0, cust_id_str[np.maximum(o_reg_cust, 0)], None)
    country_names = np.array(_COUNTRIES, dtype=object)
    channel_names = np.array(_CHANNELS, dtype=object)
    cat_names = np.array(categories, dtype=object)

    # line position within order: catalogue lines first, then specials, then non-products
    sale = pd.DataFrame(
        {
            "oi": l_order,
            "pos": np.arange(n_lines),
            "order_id": order_ids[l_order],
            "order_date": o_ts[l_order],
            "customer_id": cust_of_order[l_order],
            "product_id": pid[l_prod],
            "product_name": pname[l_prod],
            "quantity": qty,
            "unit_price": price,
            "country": country_names[o_country[l_order]],
            "category": cat_names[prod_cat[l_prod]],
            "channel": channel_names[o_channel[l_order]],
            "is_return": False,
            "is_non_product": False,
            "is_cancelled": ret,
        }
    )
    nonp = pd.DataFrame(
        {
            "oi": np_order,
            "pos": n_lines + np.arange(len(np_order)),
            "order_id": order_ids[np_order],
            "order_date": o_ts[np_order],
            "customer_id": cust_of_order[np_order],
            "product_id": np.where(np_kind == 0, "POST", "FEE"),
            "product_name": np.where(np_kind == 0, "Postage", "Bank charges"),
            "quantity": 1.0,
            "unit_price": np.where(np_kind == 0, _POSTAGE_PRICE, _FEE_PRICE),
            "country": country_names[o_country[np_order]],
            "category": None,
            "channel": channel_names[o_channel[np_order]],
            "is_return": False,
            "is_non_product": True,
            "is_cancelled": False,
        }
    )
    # pricing truths: own generator, after every draw above (see ecomdash.demo_pricing)
    sale, pricing_truth = demo_pricing.plant(sale, products, seed=seed, start=start, days=days)
    r_seconds = r_sec_of_order[l_order[r_idx]]
    r_ts = (
        base + pd.to_timedelta(r_day[r_idx], unit="D") + pd.to_timedelta(r_seconds, unit="s")
    ).as_unit("us")
    rets = sale.iloc[r_idx].copy()
    rets["order_id"] = "C" + rets["order_id"].astype(object)
    rets["order_date"] = r_ts
    rets["quantity"] = -rets["quantity"]
    rets["is_return"] = True
    rets["is_cancelled"] = False
    rets["pos"] = rets["pos"] + 10**9  # after the sale lines of the same timestamp
    frame = pd.concat([sale, nonp, rets], ignore_index=True)
    frame, incidents = _plant_incidents(
        frame,
        seed=seed,
        start=start,
        days=days,
        catalogue=frozenset(pid[is_catalogue]),
        new_customers=frozenset(cust_id_str[n_customers:]),
    )
    frame["revenue"] = np.round(frame["quantity"] * frame["unit_price"], 2)
    frame = frame.sort_values(["order_date", "order_id", "pos"], kind="stable")
    frame = frame.reset_index(drop=True)
    frame["line_no"] = np.arange(1, len(frame) + 1, dtype=np.int64)
    lines = frame[list(schema.DTYPES)].astype(schema.DTYPES)

    # --- truth ------------------------------------------------------------------------
    sold = lines.loc[~lines["is_return"] & lines["customer_id"].notna(), "customer_id"]
    present = set(sold.unique())
    keep = np.array([c in present for c in cust_id_str[:n_customers]])
    keep_new = np.array([c in present for c in cust_id_str[n_customers:]], dtype=bool)
    new_customers = pd.Series(
        new_orders[keep_new].astype(np.int64),
        index=pd.Index(cust_id_str[n_customers:][keep_new], name="customer_id", dtype="string"),
        name="orders",
    ).sort_index()
    groups = pd.Series(
        np.array(GROUPS, dtype=object)[cust_group[:n_customers][keep]],
        index=pd.Index(cust_id_str[:n_customers][keep], name="customer_id", dtype="string"),
        name="group",
        dtype="string",
    ).sort_index()
    ch_keep = churners[keep[churners]]
    churn = pd.Series(
        (base + pd.to_timedelta(churn_day[ch_keep], unit="D")).as_unit("us"),
        index=pd.Index(cust_id_str[ch_keep], name="customer_id", dtype="string"),
        name="churn_date",
    ).sort_index()
    favs = pd.Series(
        [tuple(cat_names[fav[i]]) for i in np.flatnonzero(keep)],
        index=pd.Index(cust_id_str[:n_customers][keep], name="customer_id", dtype="string"),
        name="favourite_categories",
        dtype=object,
    ).sort_index()
    exp_total = exp_total_reg + exp_base_guest  # planted + new customers' + guest orders
    expected = pd.Series(exp_total * day_p, index=day_index, name="expected_orders")
    price_changes = pd.DataFrame(changes, columns=["product_id", "date", "old_price", "new_price"])
    price_changes = price_changes.astype(
        {"product_id": "string", "date": "datetime64[us]", "old_price": "float64"}
    )
    truth = DemoTruth(
        seed=seed,
        start=start,
        end=end,
        bundles=tuple(bundles),
        customer_groups=groups,
        churners=churn,
        elasticity=elasticity,
        price_changes=price_changes,
        weekly_profile=_WEEKLY,
        yearly_amplitude=_YEARLY_AMPLITUDE,
        yearly_peak_doy=_YEARLY_PEAK_DOY,
        holiday_peak=holidays,
        trend=_TREND,
        expected_orders=expected,
        guest_share=(exp_ghost + exp_base_guest) / exp_total,
        products=products.astype({"product_id": "string", "product_name": "string"}),
        favourite_categories=favs,
        **pricing_truth,
        incidents=incidents,
        new_customers=new_customers,
    )
    return Demo(lines=lines, truth=truth)
