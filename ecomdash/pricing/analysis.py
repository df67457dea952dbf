"""``analyze``: elasticities per product and category, held-out validation and promotions."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from ecomdash.errors import InsufficientDataError, ParameterError
from ecomdash.i18n import N_, _, _n, fmt
from ecomdash.i18n.note import Date, note
from ecomdash.pricing.features import check_panel, promotion_flags
from ecomdash.pricing.models import (
    eligibility,
    fit_category,
    fit_product,
    predict_units,
    shrink,
    tau_squared,
    too_few_weeks,
)
from ecomdash.pricing.promotions import (
    PROMO_COLUMNS,
    match_events,
    parse_events,
    promotion_effects,
    unmeasured_events,
)

#: where a product's elasticity comes from (message ids: the result carries them translated
#: into the language of the run that computed it)
SRC_POOLED = N_("own data, pooled with category")
SRC_OWN = N_("own data")
SRC_CATEGORY = N_("category estimate")

#: the columns of the input panel that the models and the page read
PANEL_KEEP = (
    "product_id",
    "product_name",
    "category",
    "week",
    "units",
    "revenue",
    "median_price",
    "store_orders",
)

PRODUCT_COLUMNS = [
    "product_id",
    "product_name",
    "category",
    "elasticity",
    "ci_low",
    "ci_high",
    "n_price_levels",
    "weeks",
    "status",
    "reason",
    "source",
    "own_elasticity",
    "own_ci_low",
    "own_ci_high",
    "min_price",
    "max_price",
    "current_price",
    "units_per_week",
    "revenue",
]


@dataclass(frozen=True)
class PricingResult:
    """Elasticities, validation and promotions of one dataset.

    * ``products``: one row per product (``PRODUCT_COLUMNS``); ``status`` is "estimated"
      (own data), "category" (the category estimate serves it) or "no estimate" with the
      ``reason``.
    * ``categories``: ``category, elasticity, ci_low, ci_high, n_products, weeks,
      trustworthy, note``.
    * ``validation``: per product ``product_id, product_name, weeks, model_mae,
      baseline_mae, beats``;
      ``validation_summary``: ``cutoff, model_mae, baseline_mae, ratio, n_products, n_weeks,
      products``.
    * ``promotions``: ``promotions.PROMO_COLUMNS``.
    * ``panel``: the weekly rows of the products the page shows weeks of — the modelled ones
      with ``promo``/``post``/``ref_price``/``promo_id`` flags, and the others that have an
      elasticity (no flags: ``ref_price`` is their price) — for the charts and the markdowns;
      columns ``PANEL_KEEP`` + the flags.
    * ``store_weeks``: the whole store's orders per week (index: every week with sales; None
      without ``store_orders``); ``last_week``: the last week with sales.
    """

    products: pd.DataFrame
    categories: pd.DataFrame
    validation: pd.DataFrame
    validation_summary: dict
    promotions: pd.DataFrame
    panel: pd.DataFrame
    params: dict
    warnings: tuple[str, ...] = field(default_factory=tuple)
    seconds: float = 0.0
    store_weeks: pd.Series | None = None
    last_week: pd.Timestamp | None = None

    def product(self, product_id: str) -> pd.Series:
        rows = self.products[self.products["product_id"] == str(product_id)]
        if rows.empty:
            raise ParameterError(
                note(
                    N_(
                        "Product {product} has no sales in this dataset (after the filters). "
                        "Check the product id (see the products table)."
                    ),
                    product=repr(product_id),
                )
            )
        return rows.iloc[0]

    def checked_of_own(self) -> tuple[int, int]:
        """How many products the held-out check covers and of how many with their own
        elasticity (status "estimated", the page's "Own elasticity" tile): only those can be
        checked — a product that borrows its category's estimate has one price, nothing to
        check it on (the sentence said "25 of 218 products with an elasticity", counting 193
        that never could be)."""
        n = int((self.validation_summary or {}).get("n_products") or 0)
        own = int((self.products["status"] == "estimated").sum())
        return n, max(n, own)

    def checked_products(self) -> str:
        """The products the held-out check covers, as the page's, the report's and the
        CLI's sentence say it: "all 25 products with their own elasticity", or "the 25 of 40
        products with their own elasticity that had enough weeks to check"."""
        n, own = self.checked_of_own()
        if n == own:
            return _n(
                "the {n} product with its own elasticity",
                "all {n} products with their own elasticity",
                n,
                n=f"{n:,}",
            )
        return _(
            "the {n} of {total} products with their own elasticity that had enough weeks to check",
            n=f"{n:,}",
            total=f"{own:,}",
        )


def analyze(
    pw: pd.DataFrame,
    *,
    cutoff: date | str | None = None,
    min_weeks: int = 12,
    min_levels: int = 2,
    min_spread: float = 0.05,
    level: float = 0.90,
    holdout: float = 0.25,
    max_products: int = 500,
    events: pd.DataFrame | None = None,
    events_dayfirst: bool | None = None,
    margin: float | dict[str, float] | None = None,
    progress=None,
) -> PricingResult:
    """Fit the pricing models on a product-week panel (``Store.product_week_prices``).

    ``cutoff``: first held-out week for the validation (default: the last ``holdout`` share
    of the weeks). ``max_products``: the products with the most revenue that get a model
    (the others are listed with that reason). ``events``: promotions the merchant ran
    (``product_id, start, end``; see :func:`promotions.parse_events`), added to the ones
    found in the prices, read here once: a date typed "11/03/2024" by ``events_dayfirst``
    (whether the shop's orders write the day first; None: not proved). ``progress(step,
    share)`` is called between steps when given.
    """
    t_start = time.perf_counter()
    if events is not None:
        events = parse_events(events, dayfirst=events_dayfirst)
    n_events = 0 if events is None else len(events)
    _check_params(min_weeks, min_levels, min_spread, level, holdout, max_products)
    check_panel(pw)
    say = progress or (lambda *_: None)
    warns: list[str] = []
    # the columns the models and the page read (the panel's other columns are not kept)
    pw = pw[[c for c in pw.columns if c in PANEL_KEEP]]
    if pw["product_id"].isna().any():
        pw = pw[pw["product_id"].notna()]
    pw = pw.copy(deep=False)  # new columns only: the caller's frame stays as it was
    if "product_name" not in pw:
        pw["product_name"] = pw["product_id"]
    if "category" not in pw:
        pw["category"] = pd.NA
    if "revenue" not in pw:
        pw["revenue"] = pw["units"] * pw["median_price"]
    # one integer code per product (in the order of the ids): every per-product step below
    # groups, slices and selects on it instead of on the ids' strings
    codes, ids = pd.factorize(pw["product_id"].astype(object), sort=True)
    ids = np.asarray(ids, dtype=object)
    weeks = pw["week"].to_numpy()
    same = np.diff(codes) == 0
    if (np.diff(codes) < 0).any() or (np.diff(weeks)[same] < np.timedelta64(0)).any():
        order = np.lexsort((weeks, codes))  # stable: by product, then week
        pw = pw.take(order)
        codes = codes[order]
    pw = pw.reset_index(drop=True)  # (the store's frame comes sorted: no copy of its rows)
    t0 = pw["week"].min()
    all_weeks = np.sort(pw["week"].unique())
    store_weeks = pw.groupby("week")["store_orders"].first() if "store_orders" in pw else None

    revenue = pw["revenue"].groupby(codes).sum()
    revenue = pd.Series(revenue.to_numpy(), index=pd.Index(ids[revenue.index], dtype=object))
    revenue = revenue.sort_values(ascending=False)
    modelled = set(revenue.index[:max_products])
    if len(revenue) > max_products:
        warns.append(
            _(
                "Only the {n} products with the most revenue get a model ({total} products "
                "sold); the others are listed without one.",
                n=f"{max_products:,}",
                total=f"{len(revenue):,}",
            )
        )

    if events is not None and len(events):
        # ids, else names when the sheet gives names; rows that match nothing, fall outside
        # the data's weeks or name a product without a model are said, never dropped unsaid
        names = pw.drop_duplicates("product_id").set_index("product_id")["product_name"]
        events, notes = match_events(
            events,
            names,
            pd.Timestamp(t0),
            pd.Timestamp(all_weeks[-1]) + pd.Timedelta(days=6),
            modelled=modelled,
        )
        warns.extend(notes)
    say("Finding promotions", 0.1)
    is_top = _rows_of(codes, ids, modelled)
    top = _plain_strings(pw[is_top].reset_index(drop=True))
    top_bounds = _bounds(codes[is_top])
    flagged = _flag(top, top_bounds, events)

    say("Fitting one demand model per product", 0.3)
    rows = []
    fits: dict[str, dict] = {}
    eligible: set[str] = set()  # products whose own weeks pass ``eligibility``
    for a, b in top_bounds:
        g = flagged.iloc[a:b]
        pid = g["product_id"].iloc[0]
        n, levels, reason = eligibility(
            g, min_weeks=min_weeks, min_levels=min_levels, min_spread=min_spread
        )
        if not reason:
            eligible.add(pid)
        fit = None if reason else fit_product(g, t0=t0, level=level)
        if not reason and fit is None:
            reason = _("price moved together with the trend or promotions (no separate effect)")
        if fit is not None:
            fits[pid] = fit
        reg = g.loc[~g["promo"]]
        rows.append(
            {
                "product_id": pid,
                "product_name": g["product_name"].iloc[-1],
                "category": g["category"].iloc[-1],
                "n_price_levels": levels,
                "weeks": n,
                "reason": reason,
                "own_elasticity": fit["elasticity"] if fit else np.nan,
                "own_se": fit["se"] if fit else np.nan,
                "own_ci_low": fit["ci_low"] if fit else np.nan,
                "own_ci_high": fit["ci_high"] if fit else np.nan,
                "min_price": float(reg["median_price"].min() if len(reg) else np.nan),
                "max_price": float(reg["median_price"].max() if len(reg) else np.nan),
                "current_price": float((reg if len(reg) else g)["median_price"].tail(4).median()),
                "units_per_week": float(g["units"].tail(8).mean()),
                "revenue": float(g["revenue"].sum()),
            }
        )
    if not is_top.all():
        rest = _unmodelled(
            pw[~is_top], codes[~is_top], ids, min_weeks=min_weeks, max_products=max_products
        )
        rows.extend(rest.to_dict("records"))  # one frame from records: the same dtypes
    products = pd.DataFrame(rows)

    say("Pooling products into their categories", 0.55)
    categories = _categories(flagged, products, fits, t0=t0, level=level)
    products = _pool(products, categories, level=level)

    say("Checking the model on held-out weeks", 0.7)
    validation, summary = _validate(
        flagged[flagged["product_id"].isin(eligible)],
        all_weeks,
        cutoff=cutoff,
        holdout=holdout,
        min_weeks=min_weeks,
        min_levels=min_levels,
        min_spread=min_spread,
    )
    if summary["n_products"] and summary["model_mae"] >= summary["baseline_mae"]:
        warns.append(
            _(
                "On the held-out weeks the price model does not beat the naive forecast "
                "(MAE {model} vs {naive} units a week): treat its what-if figures with care.",
                model=f"{summary['model_mae']:.2f}",
                naive=f"{summary['baseline_mae']:.2f}",
            )
        )

    say("Measuring promotions", 0.85)
    if store_weeks is not None:
        promos = promotion_effects(flagged, store_weeks, margin=margin, level=level)
        # the merchant's rows whose product has a model but that cannot be measured: said
        warns.extend(unmeasured_events(events, flagged, store_weeks))
    else:
        promos = pd.DataFrame(columns=PROMO_COLUMNS)
    if products["status"].eq("estimated").sum() == 0:
        warns.append(
            _(
                "No product has enough price variation for its own elasticity (prices need at "
                "least {levels} levels held 2+ weeks each, {spread} apart, over {weeks}+ weeks "
                "of sales).",
                levels=min_levels,
                spread=fmt.pct(min_spread, 0),
                weeks=min_weeks,
            )
        )
    params = {
        "cutoff": summary["cutoff"],
        "min_weeks": min_weeks,
        "min_levels": min_levels,
        "min_spread": min_spread,
        "level": level,
        "holdout": holdout,
        "max_products": max_products,
        "margin": margin,
        "events": n_events,  # the merchant's rows (the promotions tab says when none measured)
    }
    return PricingResult(
        products=products[PRODUCT_COLUMNS]
        .sort_values(["status", "revenue"], ascending=[True, False], key=_status_key, kind="stable")
        .reset_index(drop=True),
        categories=categories,
        validation=validation,
        validation_summary=summary,
        promotions=promos,
        panel=_panel(pw, codes, ids, is_top, flagged, products),
        params=params,
        warnings=tuple(warns),
        seconds=time.perf_counter() - t_start,
        store_weeks=store_weeks,
        last_week=pd.Timestamp(all_weeks[-1]),
    )


def _plain_strings(df: pd.DataFrame) -> pd.DataFrame:
    """Ids, names and categories as plain object strings (None when missing): the models
    slice these rows product by product."""
    df = df.copy()
    for c in ("product_id", "product_name", "category"):
        df[c] = df[c].astype(object).where(df[c].notna(), None)
    return df


def _flag(top: pd.DataFrame, bounds: list[tuple[int, int]], events) -> pd.DataFrame:
    """``features.flag_promotions`` of every product of ``top`` (sorted by product and week;
    ``bounds``: each product's rows), the flags set in one go."""
    price = top["median_price"].to_numpy(dtype=float)
    weeks = top["week"].to_numpy()
    pids = top["product_id"].to_numpy()
    n = len(top)
    ref, promo = np.full(n, np.nan), np.zeros(n, dtype=bool)
    promo_id, post = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)
    for a, b in bounds:
        ref[a:b], promo[a:b], promo_id[a:b], post[a:b] = promotion_flags(
            pids[a], price[a:b], weeks[a:b], events=events
        )
    return top.assign(ref_price=ref, promo=promo, promo_id=promo_id, post=post)


def _rows_of(codes: np.ndarray, ids: np.ndarray, wanted: set) -> np.ndarray:
    """Which rows (their products' ``codes`` into ``ids``) belong to the ``wanted`` ids."""
    return pd.Index(ids, dtype=object).isin(list(wanted))[codes]


def _bounds(codes: np.ndarray) -> list[tuple[int, int]]:
    """(first, end) row positions of each product's run of rows (``codes`` sorted)."""
    if not len(codes):
        return []
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    return list(zip(starts.tolist(), np.r_[starts[1:], len(codes)].tolist(), strict=True))


def _panel(pw, codes, ids, is_top, flagged, products) -> pd.DataFrame:
    """The weekly rows the page reads: the modelled products' (with their promotion flags)
    and those of the other products that have an elasticity (from their category: the
    markdowns read their weeks); products without one have no rows here."""
    has = products.loc[products["status"] != "no estimate", "product_id"]
    keep = ~is_top & _rows_of(codes, ids, set(has))
    others = _plain_strings(pw[keep]).assign(
        ref_price=lambda d: d["median_price"], promo=False, post=False, promo_id=0
    )
    both = pd.concat([flagged, others], ignore_index=True)
    order = np.argsort(np.r_[codes[is_top], codes[keep]], kind="stable")
    return both.take(order).reset_index(drop=True)


def _unmodelled(
    rest: pd.DataFrame, codes: np.ndarray, ids: np.ndarray, *, min_weeks: int, max_products: int
) -> pd.DataFrame:
    """The rows of the products outside the modelled top, computed in one pass (``rest``
    sorted by product and week; ``codes`` its products' codes into ``ids``)."""
    g = rest.groupby(codes, sort=True)
    per_price = pd.DataFrame({"k": codes, "rp": rest["median_price"].round(2).to_numpy()})
    per_price = per_price.groupby(["k", "rp"]).size()
    levels = (per_price >= 2).groupby(level=0).sum()
    raw = per_price.groupby(level=0).size()
    from_end = g.cumcount(ascending=False).to_numpy()
    last4, last8 = from_end < 4, from_end < 8
    out = pd.DataFrame(
        {
            "product_name": g["product_name"].last(),
            "category": g["category"].last(),
            "weeks": g.size(),
            "n_price_levels": levels,
            "raw": raw,
            "min_price": g["median_price"].min(),
            "max_price": g["median_price"].max(),
            "current_price": rest["median_price"][last4].groupby(codes[last4]).median(),
            "units_per_week": rest["units"][last8].groupby(codes[last8]).mean(),
            "revenue": g["revenue"].sum(),
        }
    )
    for c in ("product_name", "category"):
        out[c] = out[c].astype(object).where(out[c].notna(), None)
    few = {n: too_few_weeks(int(n), min_weeks) for n in out["weeks"].unique()}
    one = {n: _("one price in all {n} weeks", n=int(n)) for n in out["weeks"].unique()}
    reason = np.where(
        out["weeks"] < min_weeks,
        out["weeks"].map(few).to_numpy(dtype=object),
        np.where(
            out["raw"] <= 1,
            out["weeks"].map(one).to_numpy(dtype=object),
            _("not among the {n} products with the most revenue", n=f"{max_products:,}"),
        ),
    )
    out = out.assign(
        reason=reason,
        own_elasticity=np.nan,
        own_se=np.nan,
        own_ci_low=np.nan,
        own_ci_high=np.nan,
    ).drop(columns="raw")
    out["n_price_levels"] = out["n_price_levels"].astype(int)
    out["weeks"] = out["weeks"].astype(int)
    out.index = pd.Index(ids[out.index.to_numpy()], dtype=object)
    return out.reset_index(names="product_id")


def _status_key(s: pd.Series) -> pd.Series:
    if s.name == "status":
        return s.map({"estimated": 0, "category": 1}).fillna(2)
    return s


#: The allowed ranges of pricing's parameters, as the error names them.
INT_IN = N_("an int in [{low}, {high}]")
FLOAT_IN = N_("a float in [{low}, {high}]")
FLOAT_IN_OPEN = N_("a float in [{low}, {high})")


def _check_params(min_weeks, min_levels, min_spread, level, holdout, max_products) -> None:
    checks = [
        ("min_weeks", min_weeks, 6 <= min_weeks <= 520, note(INT_IN, low=6, high=520)),
        ("min_levels", min_levels, 2 <= min_levels <= 20, note(INT_IN, low=2, high=20)),
        ("min_spread", min_spread, 0 <= min_spread < 1, note(FLOAT_IN_OPEN, low=0, high=1)),
        ("level", level, 0.5 <= level < 1, note(FLOAT_IN_OPEN, low=0.5, high=1)),
        ("holdout", holdout, 0.05 <= holdout <= 0.5, note(FLOAT_IN, low=0.05, high=0.5)),
        (
            "max_products",
            max_products,
            1 <= max_products <= 20_000,
            note(INT_IN, low=1, high=20000),
        ),
    ]
    for name, value, ok, rule in checks:
        if not ok:
            raise ParameterError(
                note(
                    N_("The {name} parameter of pricing must be {rule}. Got {value} instead."),
                    name=repr(name),
                    rule=rule,
                    value=repr(value),
                )
            )


def _categories(flagged, products, fits, *, t0, level) -> pd.DataFrame:
    cols = ["category", "elasticity", "ci_low", "ci_high", "se", "n_products", "weeks", "tau"]
    cols += ["trustworthy", "note"]
    out = []
    varied = products.loc[products["product_id"].isin(fits), ["product_id", "category"]]
    for cat, grp in varied.dropna(subset=["category"]).groupby("category", sort=True):
        panel = flagged[flagged["product_id"].isin(grp["product_id"])]
        fit = fit_category(panel, t0=t0, level=level)
        if fit is None:
            continue
        own = products[products["product_id"].isin(grp["product_id"])]
        tau2 = tau_squared(own["own_elasticity"].to_numpy(), own["own_se"].to_numpy())
        width = fit["ci_high"] - fit["ci_low"]
        ok = fit["ci_high"] < 0 and width <= 1.5
        note = (
            _n(
                "from {n} product whose price changed",
                "from {n} products whose price changed",
                int(fit["n_products"]),
            )
            if ok
            else (
                _("interval too wide to lend to other products")
                if width > 1.5
                else _("not clearly below zero")
            )
        )
        out.append({**fit, "category": cat, "tau": float(np.sqrt(tau2)), "trustworthy": ok})
        out[-1]["note"] = note
    return pd.DataFrame(out, columns=cols)


def _pool(products: pd.DataFrame, categories: pd.DataFrame, *, level: float) -> pd.DataFrame:
    cats = {r["category"]: r for r in categories.to_dict("records")}
    el, lo, hi, src, status = [], [], [], [], []
    reasons = products["reason"].tolist()
    for i, (cat, own, own_se, own_lo, own_hi) in enumerate(
        zip(
            products["category"],
            products["own_elasticity"].to_numpy(dtype=float),
            products["own_se"].to_numpy(dtype=float),
            products["own_ci_low"].to_numpy(dtype=float),
            products["own_ci_high"].to_numpy(dtype=float),
            strict=True,
        )
    ):
        c = cats.get(cat) if cat is not None else None
        if not np.isnan(own):
            if c is not None and c["n_products"] >= 2:
                m, _se, a, b = shrink(
                    own,
                    own_se,
                    float(c["elasticity"]),
                    float(c["tau"]) ** 2 + float(c["se"]) ** 2,
                    level=level,
                )
                el.append(m), lo.append(a), hi.append(b), src.append(_(SRC_POOLED))
            else:
                el.append(own), lo.append(own_lo), hi.append(own_hi)
                src.append(_(SRC_OWN))
            status.append("estimated")
        elif c is not None and bool(c["trustworthy"]):
            el.append(float(c["elasticity"])), lo.append(float(c["ci_low"]))
            hi.append(float(c["ci_high"])), src.append(_(SRC_CATEGORY)), status.append("category")
        else:
            el.append(np.nan), lo.append(np.nan), hi.append(np.nan), src.append("")
            status.append("no estimate")
            if c is not None:
                reasons[i] = _(
                    "{reason}; its category's estimate is {note}",
                    reason=reasons[i],
                    note=c["note"],
                )
    return products.assign(
        elasticity=el, ci_low=lo, ci_high=hi, source=src, status=status, reason=reasons
    )


def _validate(
    flagged, weeks, *, cutoff, holdout, min_weeks, min_levels, min_spread
) -> tuple[pd.DataFrame, dict]:
    """The held-out check of the modelled products (``flagged``: their weeks with flags, of
    those that pass ``eligibility`` on all their weeks — its every test can only fail on
    fewer weeks: fewer weeks, levels, held levels, a narrower spread; ``weeks``: every week
    with sales, sorted)."""
    if cutoff is None:
        cut = pd.Timestamp(weeks[int(len(weeks) * (1 - holdout))]) if len(weeks) else None
    else:
        try:
            cut = pd.Timestamp(cutoff)
        except (TypeError, ValueError) as exc:
            raise ParameterError(
                note(
                    N_("The cutoff {cutoff} is not a date. Give it as YYYY-MM-DD."),
                    cutoff=repr(cutoff),
                )
            ) from exc
        cut = cut.to_period("W-SUN").start_time
    cols = ["product_id", "product_name", "weeks", "model_mae", "baseline_mae", "beats"]
    empty = {
        "cutoff": None if cut is None else cut.date().isoformat(),
        "model_mae": None,
        "baseline_mae": None,
        "ratio": None,
        "n_products": 0,
        "n_weeks": 0,
        "products": [],
    }
    if cut is None or len(weeks) < 2 * min_weeks:
        return pd.DataFrame(columns=cols), empty
    if cut <= pd.Timestamp(weeks[0]) or cut > pd.Timestamp(weeks[-1]):
        raise ParameterError(
            note(
                N_(
                    "The cutoff {cutoff} must fall inside the data ({first} to {last}). Pick a "
                    "date in that range."
                ),
                cutoff=Date(cut),
                first=Date(weeks[0]),
                last=Date(weeks[-1]),
            )
        )
    horizon = int(min(13, max(1, (pd.Timestamp(weeks[-1]) - cut).days // 7 + 1)))
    t0 = pd.Timestamp(weeks[0])
    rows, err_m, err_b = [], [], []
    for pid, g in flagged.groupby("product_id", sort=True):
        train, test = g[g["week"] < cut], g[g["week"] >= cut]
        if test.empty:
            continue
        _n_weeks, _levels, reason = eligibility(
            train, min_weeks=min_weeks, min_levels=min_levels, min_spread=min_spread
        )
        if reason:
            continue
        fit = fit_product(train, t0=t0)
        if fit is None:
            continue
        # both point forecasts are medians (what minimises the absolute error): the model's
        # exp(X·b) is the median of its log-normal units, the naive one the median of the
        # weeks just before the cut-off
        pred = predict_units(fit, test, t0=t0, median=True)
        recent = train[train["week"] >= cut - pd.Timedelta(weeks=horizon)]
        naive = float((recent if len(recent) else train.tail(horizon))["units"].median())
        y = test["units"].to_numpy()
        em, eb = np.abs(y - pred), np.abs(y - naive)
        err_m.append(em), err_b.append(eb)
        rows.append(
            {
                "product_id": pid,
                "product_name": g["product_name"].iloc[-1],  # as in ``products``
                "weeks": len(y),
                "model_mae": float(em.mean()),
                "baseline_mae": float(eb.mean()),
                "beats": bool(em.mean() < eb.mean()),
            }
        )
    table = pd.DataFrame(rows, columns=cols)
    if not rows:
        return table, empty
    m, b = float(np.concatenate(err_m).mean()), float(np.concatenate(err_b).mean())
    return table, {
        "cutoff": cut.date().isoformat(),
        "model_mae": m,
        "baseline_mae": b,
        "ratio": m / b if b > 0 else None,
        "n_products": len(rows),
        "n_weeks": int(table["weeks"].sum()),
        "products": table["product_id"].tolist(),
    }


def require_estimates(result: PricingResult) -> None:
    """Raise when no product has an elasticity at all (own or category)."""
    if result.products["status"].eq("no estimate").all():
        reasons = result.products["reason"].value_counts().head(3)
        found = "; ".join(f"{n:,} × {r}" for r, n in reasons.items())
        raise InsufficientDataError(
            note(
                N_(
                    "No product has enough price variation to measure how demand answers price "
                    "(found: {found}). Pricing needs products sold at 2+ prices for 2+ weeks "
                    "each; upload a longer export or one that spans price changes."
                ),
                found=found,
            )
        )
