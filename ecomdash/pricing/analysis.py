"""``analyze``: elasticities per product and category, held-out validation and promotions."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from ecomdash.errors import InsufficientDataError, ParameterError
from ecomdash.i18n import N_, _
from ecomdash.i18n.note import note
from ecomdash.pricing.features import check_panel, flag_promotions
from ecomdash.pricing.models import (
    eligibility,
    fit_category,
    fit_product,
    predict_units,
    shrink,
    tau_squared,
    too_few_weeks,
)
from ecomdash.pricing.promotions import PROMO_COLUMNS, parse_events, promotion_effects

#: where a product's elasticity comes from (message ids: the result carries them translated
#: into the language of the run that computed it)
SRC_POOLED = N_("own data, pooled with category")
SRC_OWN = N_("own data")
SRC_CATEGORY = N_("category estimate")

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
    * ``validation``: per product ``product_id, weeks, model_mae, baseline_mae, beats``;
      ``validation_summary``: ``cutoff, model_mae, baseline_mae, ratio, n_products, n_weeks,
      products``.
    * ``promotions``: ``promotions.PROMO_COLUMNS``.
    * ``panel``: the weekly panel with ``promo``/``post``/``ref_price`` flags (for charts and
      the what-if).
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
    margin: float | dict[str, float] | None = None,
    progress=None,
) -> PricingResult:
    """Fit the pricing models on a product-week panel (``Store.product_week_prices``).

    ``cutoff``: first held-out week for the validation (default: the last ``holdout`` share
    of the weeks). ``max_products``: the products with the most revenue that get a model
    (the others are listed with that reason). ``events``: promotions the merchant ran
    (``product_id, start, end``; see :func:`promotions.parse_events`), added to the ones
    found in the prices. ``progress(step, share)`` is called between steps when given.
    """
    t_start = time.perf_counter()
    if events is not None:
        events = parse_events(events)
    _check_params(min_weeks, min_levels, min_spread, level, holdout, max_products)
    check_panel(pw)
    say = progress or (lambda *_: None)
    warns: list[str] = []
    pw = pw.copy()
    if "product_name" not in pw:
        pw["product_name"] = pw["product_id"]
    if "category" not in pw:
        pw["category"] = pd.NA
    if "revenue" not in pw:
        pw["revenue"] = pw["units"] * pw["median_price"]
    # plain object strings: the per-product loops below slice the panel thousands of times
    for c in ("product_id", "product_name", "category"):
        pw[c] = pw[c].astype(object).where(pw[c].notna(), None)
    pw = pw.sort_values(["product_id", "week"], kind="stable").reset_index(drop=True)
    t0 = pw["week"].min()
    store_weeks = pw.groupby("week")["store_orders"].first() if "store_orders" in pw else None

    revenue = pw.groupby("product_id")["revenue"].sum().sort_values(ascending=False)
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
        unknown = sorted(set(events["product_id"]) - set(revenue.index))
        if unknown:
            warns.append(
                _(
                    "{n} promotion event(s) name products without sales here ({ids}); ignored.",
                    n=len(unknown),
                    ids=f"{', '.join(unknown[:3])}{' ...' if len(unknown) > 3 else ''}",
                )
            )
    say("Finding promotions", 0.1)
    top = pw[pw["product_id"].isin(modelled)]
    rest = pw[~pw["product_id"].isin(modelled)].assign(
        ref_price=lambda d: d["median_price"], promo=False, post=False, promo_id=0
    )
    flagged = pd.concat(
        [flag_promotions(g, events=events) for _, g in top.groupby("product_id", sort=True)]
        + [rest],
        ignore_index=True,
    ).sort_values(["product_id", "week"], kind="stable", ignore_index=True)

    say("Fitting one demand model per product", 0.3)
    rows = []
    fits: dict[str, dict] = {}
    for pid, g in top.pipe(lambda _: flagged[flagged["product_id"].isin(modelled)]).groupby(
        "product_id", sort=True
    ):
        n, levels, reason = eligibility(
            g, min_weeks=min_weeks, min_levels=min_levels, min_spread=min_spread
        )
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
    if len(rest):
        rows.extend(_unmodelled(rest, min_weeks=min_weeks, max_products=max_products))
    products = pd.DataFrame(rows)

    say("Pooling products into their categories", 0.55)
    categories = _categories(flagged, products, fits, t0=t0, level=level)
    products = _pool(products, categories, level=level)

    say("Checking the model on held-out weeks", 0.7)
    validation, summary = _validate(
        flagged,
        cutoff=cutoff,
        holdout=holdout,
        min_weeks=min_weeks,
        min_levels=min_levels,
        min_spread=min_spread,
        modelled=modelled,
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
        promos = promotion_effects(
            flagged[flagged["product_id"].isin(modelled)], store_weeks, margin=margin, level=level
        )
    else:
        promos = pd.DataFrame(columns=PROMO_COLUMNS)
    if products["status"].eq("estimated").sum() == 0:
        warns.append(
            _(
                "No product has enough price variation for its own elasticity (prices need at "
                "least {levels} levels held 2+ weeks each, {spread} apart, over {weeks}+ weeks "
                "of sales).",
                levels=min_levels,
                spread=f"{min_spread:.0%}",
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
    }
    return PricingResult(
        products=products[PRODUCT_COLUMNS]
        .sort_values(["status", "revenue"], ascending=[True, False], key=_status_key, kind="stable")
        .reset_index(drop=True),
        categories=categories,
        validation=validation,
        validation_summary=summary,
        promotions=promos,
        panel=flagged,
        params=params,
        warnings=tuple(warns),
        seconds=time.perf_counter() - t_start,
    )


def _unmodelled(rest: pd.DataFrame, *, min_weeks: int, max_products: int) -> list[dict]:
    """The rows of the products outside the modelled top, computed in one pass."""
    g = rest.groupby("product_id", sort=True)
    rp = rest.assign(rp=rest["median_price"].round(2))
    per_price = rp.groupby(["product_id", "rp"]).size()
    levels = (per_price >= 2).groupby(level=0).sum()
    raw = per_price.groupby(level=0).size()
    out = pd.DataFrame(
        {
            "product_name": g["product_name"].last(),
            "category": g["category"].last(),
            "weeks": g.size(),
            "n_price_levels": levels,
            "raw": raw,
            "min_price": g["median_price"].min(),
            "max_price": g["median_price"].max(),
            "current_price": g["median_price"].apply(lambda s: s.tail(4).median()),
            "units_per_week": g["units"].apply(lambda s: s.tail(8).mean()),
            "revenue": g["revenue"].sum(),
        }
    )
    reason = np.where(
        out["weeks"] < min_weeks,
        [too_few_weeks(n, min_weeks) for n in out["weeks"]],
        np.where(
            out["raw"] <= 1,
            [_("one price in all {n} weeks", n=n) for n in out["weeks"]],
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
    return out.reset_index(names="product_id").to_dict("records")


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
            _("from {n} product(s) whose price changed", n=fit["n_products"])
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
    cats = categories.set_index("category") if len(categories) else None
    el, lo, hi, src, status = [], [], [], [], []
    notes: dict = {}
    for r in products.itertuples():
        c = cats.loc[r.category] if cats is not None and r.category in cats.index else None
        if not np.isnan(r.own_elasticity):
            if c is not None and c["n_products"] >= 2:
                m, _se, a, b = shrink(
                    r.own_elasticity,
                    r.own_se,
                    float(c["elasticity"]),
                    float(c["tau"]) ** 2 + float(c["se"]) ** 2,
                    level=level,
                )
                el.append(m), lo.append(a), hi.append(b), src.append(_(SRC_POOLED))
            else:
                el.append(r.own_elasticity), lo.append(r.own_ci_low), hi.append(r.own_ci_high)
                src.append(_(SRC_OWN))
            status.append("estimated")
        elif c is not None and bool(c["trustworthy"]):
            el.append(float(c["elasticity"])), lo.append(float(c["ci_low"]))
            hi.append(float(c["ci_high"])), src.append(_(SRC_CATEGORY)), status.append("category")
        else:
            el.append(np.nan), lo.append(np.nan), hi.append(np.nan), src.append("")
            status.append("no estimate")
            if c is not None:
                notes[r.Index] = _(
                    "{reason}; its category's estimate is {note}", reason=r.reason, note=c["note"]
                )
    out = products.assign(elasticity=el, ci_low=lo, ci_high=hi, source=src, status=status)
    for i, text in notes.items():
        out.loc[i, "reason"] = text
    return out


def _validate(
    flagged, *, cutoff, holdout, min_weeks, min_levels, min_spread, modelled
) -> tuple[pd.DataFrame, dict]:
    weeks = np.sort(flagged["week"].unique())
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
    cols = ["product_id", "weeks", "model_mae", "baseline_mae", "beats"]
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
                cutoff=str(cut.date()),
                first=str(pd.Timestamp(weeks[0]).date()),
                last=str(pd.Timestamp(weeks[-1]).date()),
            )
        )
    horizon = int(min(13, max(1, (pd.Timestamp(weeks[-1]) - cut).days // 7 + 1)))
    t0 = pd.Timestamp(weeks[0])
    rows, err_m, err_b = [], [], []
    for pid, g in flagged.groupby("product_id", sort=True):
        if pid not in modelled:
            continue
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
