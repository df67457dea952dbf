"""Pricing findings: a price change the measured elasticity says gains revenue, and a
promotion that lost money (from a ``pricing.PricingResult``)."""

from __future__ import annotations

import math

import pandas as pd

from ecomdash.findings.core import Finding, money_text, pct_text
from ecomdash.findings.links import LinkTab
from ecomdash.i18n import N_, _, _n, fmt

PAGE_PRICING = "pages/pricing.py"
#: The price change the finding tries (a share of the current price), up and down.
PRICE_STEP = 0.05
#: Price changes stay within the prices a product has had, widened by this share (as the
#: pricing page's what-if allows: never an extrapolation).
RANGE_SLACK = 0.10
WEEKS_A_YEAR = 52.0


def _revenue_factor(step: float, elasticity: float) -> float:
    """Revenue after a price change by ``step`` (a share) over revenue before, when units
    answer price as ``units ∝ price ** elasticity``: ``(1 + step) ** (1 + elasticity)``."""
    return (1.0 + step) ** (1.0 + elasticity)


def price_change_candidates(pr, *, step: float = PRICE_STEP) -> pd.DataFrame:
    """Products whose own measured elasticity (interval excluding 0, status "estimated")
    says one direction of a ``step`` price change gains revenue at every elasticity of its
    interval (the interval wholly above −1: raise; wholly below: lower), with the new price
    within the prices it has had (±10 %). Columns: ``product_id, product_name, elasticity,
    ci_low, ci_high, change, price, new_price, yearly_revenue, gain, gain_low, gain_high``
    (a year's extra revenue at the estimate and at the interval's ends), largest gain first.
    """
    p = pr.products
    own = p[(p["status"] == "estimated") & (p["ci_high"] < 0) & p["elasticity"].notna()]
    rows = []
    for r in own.itertuples(index=False):
        lo, hi = float(r.ci_low), float(r.ci_high)
        if lo > -1.0:
            change = step  # inelastic at every value of the interval: a higher price pays
        elif hi < -1.0:
            change = -step  # elastic throughout: a lower price sells enough more
        else:
            continue  # the interval straddles −1: the revenue's answer is not known
        p0 = float(r.current_price)
        new = p0 * (1 + change)
        if not (
            float(r.min_price) * (1 - RANGE_SLACK) - 1e-9
            <= new
            <= float(r.max_price) * (1 + RANGE_SLACK) + 1e-9
        ):
            continue
        yearly = float(r.units_per_week) * WEEKS_A_YEAR * p0
        if not (math.isfinite(yearly) and yearly > 0):
            continue
        gains = [yearly * (_revenue_factor(change, e) - 1) for e in (r.elasticity, lo, hi)]
        rows.append(
            {
                "product_id": str(r.product_id),
                "product_name": str(r.product_name),
                "elasticity": float(r.elasticity),
                "ci_low": lo,
                "ci_high": hi,
                "change": change,
                "price": p0,
                "new_price": new,
                "yearly_revenue": yearly,
                "gain": gains[0],
                "gain_low": min(gains[1:]),
                "gain_high": max(gains[1:]),
            }
        )
    out = pd.DataFrame(
        rows,
        columns=[
            "product_id",
            "product_name",
            "elasticity",
            "ci_low",
            "ci_high",
            "change",
            "price",
            "new_price",
            "yearly_revenue",
            "gain",
            "gain_low",
            "gain_high",
        ],
    )
    return out.sort_values(["gain", "product_id"], ascending=[False, True], kind="mergesort")


def plain_price_note(elasticity: float, lo: float, hi: float, level: float, ratio: float) -> str:
    """The price finding's confidence in plain words: how many fewer units a 1 % higher price
    sells (the Pricing page's what-if says it so), the interval as a range "{level} sure",
    and how the price model did on later weeks it had not seen against the naive forecast
    (the median of the weeks just before): by what share it missed less or more.
    ``elasticity``, ``lo``, ``hi`` are negative (a candidate's interval is below zero).

    >>> plain_price_note(-2.33, -2.72, -1.93, 0.9, 0.76)
    'a 1\\xa0% higher price sells about 2.3\\xa0% fewer units (between 1.9\\xa0% and 2.7\\xa0%, 90\\xa0% sure); checked on later weeks it had not seen, the price model missed by 24\\xa0% less than the median of the weeks just before'
    """
    fields = {
        "per1": fmt.pct(-elasticity / 100, 1),
        # fewer units: the interval's end nearer zero is the fewest
        "lo": fmt.pct(-hi / 100, 1),
        "hi": fmt.pct(-lo / 100, 1),
        "level": pct_text(level),
    }
    if not math.isfinite(ratio):
        return _(
            "a 1\u00a0% higher price sells about {per1} fewer units (between {lo} and {hi}, "
            "{level} sure); not checked on later weeks yet",
            **fields,
        )
    share = 1.0 - ratio
    if share > 0 and round(share * 100) >= 1:
        return _(
            "a 1\u00a0% higher price sells about {per1} fewer units (between {lo} and {hi}, "
            "{level} sure); checked on later weeks it had not seen, the price model missed "
            "by {pct} less than the median of the weeks just before",
            pct=pct_text(share),
            **fields,
        )
    if share < 0 and round(-share * 100) >= 1:
        return _(
            "a 1\u00a0% higher price sells about {per1} fewer units (between {lo} and {hi}, "
            "{level} sure); checked on later weeks it had not seen, the price model missed "
            "by {pct} more than the median of the weeks just before",
            pct=pct_text(-share),
            **fields,
        )
    return _(
        "a 1\u00a0% higher price sells about {per1} fewer units (between {lo} and {hi}, {level} "
        "sure); checked on later weeks it had not seen, the price model missed about as "
        "much as the median of the weeks just before",
        **fields,
    )


def pricing_finding(pr, *, step: float = PRICE_STEP) -> Finding | None:
    """The best price change of :func:`price_change_candidates`, sized by a year's extra
    revenue at the product's current units per week. ``high`` confidence when the price
    model beat the naive forecast on held-out weeks and the gain at the interval's less
    favourable end is at least half the estimate; ``medium`` otherwise. A price cut adds
    revenue but sells more units at a lower margin: the detail says to check costs."""
    cand = price_change_candidates(pr, step=step)
    if cand.empty:
        return None
    best = cand.iloc[0]
    level = float(pr.params.get("level", 0.90))
    v = pr.validation_summary or {}
    ratio = float(v.get("ratio", float("nan"))) if v.get("n_products") else float("nan")
    beats = math.isfinite(ratio) and ratio < 1
    firm = best["gain_low"] >= 0.5 * best["gain"]
    conf = "high" if beats and firm else "medium"
    # the technical figures are the detail (the confidence label's tooltip); the note says
    # them in plain words, as the Pricing page's what-if does ("elasticity -2.33 (90 %: -2.72
    # to -1.93), held-out error 0.76× naive" read as jargon on the Home). Numbers keep the
    # hyphen-minus the Pricing page's table and what-if write ("-2.33")
    interval = {
        "e": f"{best['elasticity']:.2f}",
        "level": pct_text(level),
        "lo": f"{best['ci_low']:.2f}",
        "hi": f"{best['ci_high']:.2f}",
    }
    if math.isfinite(ratio):
        figures = _(
            "elasticity {e} ({level}: {lo} to {hi}), held-out error {ratio}× naive",
            ratio=f"{ratio:.2f}",
            **interval,
        )
    else:
        figures = _(
            "elasticity {e} ({level}: {lo} to {hi}), not checked on held-out weeks", **interval
        )
    note = plain_price_note(
        float(best["elasticity"]), float(best["ci_low"]), float(best["ci_high"]), level, ratio
    )
    fields = {
        "pct": pct_text(abs(best["change"])),
        "value": money_text(best["gain"]),
    }
    if best["change"] > 0:
        headline = _(
            "Raising one product's price {pct} would add ~{value} of revenue a year", **fields
        )
        detail = _(
            "Its buyers hardly answer price: even at the interval's less favourable end a "
            "year brings {low} more. The new price stays within the prices it has had.",
            low=money_text(best["gain_low"]),
        )
    else:
        headline = _(
            "Lowering one product's price {pct} would add ~{value} of revenue a year", **fields
        )
        detail = _(
            "Its buyers answer price strongly: even at the interval's less favourable end a "
            "year brings {low} more revenue, but from more units at a lower margin: check "
            "your costs first.",
            low=money_text(best["gain_low"]),
        )
    return Finding(
        kind="pricing",
        headline=headline,
        value=float(best["gain"]),
        confidence=conf,
        confidence_note=note,
        confidence_detail=figures,
        detail=detail,
        page=PAGE_PRICING,
        subjects=(str(best["product_name"]),),
        link_label=N_("Price what-if"),
        # the Pricing page opens its What-if tab on this product at this change
        query=(
            ("tab", LinkTab.WHAT_IF),
            ("product", str(best["product_id"])),
            ("change", f"{round(float(best['change']) * 100):d}"),
        ),
    )


#: A promotion's lift within this share of 1 reads "hardly changed" (1.04× is no rise).
FLAT_LIFT = 0.05


def _during(lift: float, weeks: int) -> str:
    """The promotion detail's first clause: how its sales moved during its ``weeks``: "rose
    1.5×", "fell 10 %" (a lift of 0.9: it read "rose 0.9×"), or "hardly changed" (within
    ``FLAT_LIFT`` of 1).

    >>> _during(1.5, 2), _during(0.9, 2)
    ('Sales rose 1.5× during its 2 weeks', 'Sales fell 10\\xa0% during its 2 weeks')
    >>> _during(1.02, 1)
    'Sales hardly changed during its 1 week'
    """
    if lift >= 1 + FLAT_LIFT:
        return _n(
            "Sales rose {lift}× during its {weeks} week",
            "Sales rose {lift}× during its {weeks} weeks",
            weeks,
            weeks=weeks,
            lift=f"{lift:.1f}",
        )
    if lift <= 1 - FLAT_LIFT:
        return _n(
            "Sales fell {pct} during its {weeks} week",
            "Sales fell {pct} during its {weeks} weeks",
            weeks,
            weeks=weeks,
            pct=pct_text(1 - lift),
        )
    return _n(
        "Sales hardly changed during its {weeks} week",
        "Sales hardly changed during its {weeks} weeks",
        weeks,
        weeks=weeks,
    )


def promotion_finding(pr) -> Finding | None:
    """The promotion that lost the most revenue (its extra sales during the promotion did
    not make up for the dip after it: ``net_revenue`` < 0), sized by that loss. ``medium``
    confidence when the dip's interval excludes 0 (the dip is measured), else ``low``, and
    the headline then says the promotion "may have" lost it (the dip may be chance); without
    weeks after it, or when sales after it did not fall below usual (an unmeasured dip whose
    estimate is not negative), the loss is the promotion's own and the headline says so."""
    promos = pr.promotions
    if promos is None or promos.empty:
        return None
    lost = promos[promos["net_revenue"] < 0].sort_values("net_revenue", kind="mergesort")
    if lost.empty:
        return None
    r = lost.iloc[0]
    dip = float(r["dip"])
    measured = bool(pd.notna(r["dip_high"]) and r["dip_high"] < 0)
    fields = {"pct": pct_text(float(r["discount"])), "value": money_text(-float(r["net_revenue"]))}
    during = _during(float(r["lift"]), int(r["weeks"]))
    # a lift under 1 is sales that fell during the promotion ("Sales rose 0.9×" read as a rise)
    rose = float(r["lift"]) >= 1 + FLAT_LIFT
    # sales after it at or above usual (an unmeasured dip whose estimate is positive, or one
    # that rounds to 0 %): no dip to blame, the loss is the promotion's own (it read "then
    # fell 12 % below usual" for sales 12 % above, and "if the dip after it is real")
    no_dip = math.isfinite(dip) and not measured and dip > -0.005
    if not math.isfinite(dip) or no_dip:
        # no weeks after it yet, or no dip after it: the loss is the promotion's own
        headline = (
            _(
                "A {pct} promotion lost ~{value} of revenue: its extra sales did not pay for "
                "the discount",
                **fields,
            )
            if rose
            else _(
                "A {pct} promotion lost ~{value} of revenue: sales did not rise during it", **fields
            )
        )
        detail = (
            _(
                "{during}; sales after it did not fall below usual: the loss is the "
                "discount's own.",
                during=during,
            )
            if no_dip
            else _("{during}; no weeks after it yet to measure a dip.", during=during)
        )
    elif measured:
        headline = (
            _(
                "A {pct} promotion lost ~{value} of revenue: the dip after it undid the lift",
                **fields,
            )
            if rose
            else _(
                "A {pct} promotion lost ~{value} of revenue: sales did not rise during it and "
                "dipped after it",
                **fields,
            )
        )
        detail = _(
            "{during}, then fell {dip} below usual: do not repeat it as it was.",
            during=during,
            dip=pct_text(abs(dip)),
        )
    else:
        # the dip's interval includes zero: the loss rests on a dip that may be chance, so the
        # headline says "may have" (it said the dip "undid the lift" as a fact)
        headline = _(
            "A {pct} promotion may have lost ~{value} of revenue, if the dip after it is real",
            **fields,
        )
        detail = _(
            "{during}, then fell {dip} below usual, a dip that may be chance: look again "
            "before repeating it as it was.",
            during=during,
            dip=pct_text(abs(dip)),
        )
    return Finding(
        kind="promotion",
        headline=headline,
        value=-float(r["net_revenue"]),
        confidence="medium" if measured else "low",
        confidence_note=(
            _("the dip after it is measured: its interval is below zero")
            if measured
            else _("no dip after it: the loss is measured against the weeks before it alone")
            if no_dip
            else _("the dip after it is not measured precisely: its interval includes zero")
            if math.isfinite(dip)
            else _("no weeks after it to measure a dip")
        ),
        detail=detail,
        page=PAGE_PRICING,
        subjects=(str(r["product_name"]),),
        link_label=N_("Promotions"),
        query=(("tab", LinkTab.PROMOTIONS),),
    )
