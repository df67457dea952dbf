"""The products-bought-together section (the Basket analysis page's rules)."""

from __future__ import annotations

import pandas as pd

from ecomdash import basket as B
from ecomdash import schema as S
from ecomdash.charts import basket as basket_charts
from ecomdash.errors import InsufficientDataError
from ecomdash.i18n import _
from ecomdash.i18n import fmt as i18n_fmt
from ecomdash.report import results
from ecomdash.report.data import ReportData
from ecomdash.report.model import Section, Table
from ecomdash.report.sections.common import (
    pct,
)


# -- baskets ---------------------------------------------------------------------------------------
def basket_rules(data: ReportData, *, min_support: float = 0.01, top: int = 10) -> Section:
    # the store's basket codes, as the page (no line loaded); at the default support built
    # once (the digest's bundle reads it too)
    def mine(support: float) -> B.BasketResult:
        return B.mine_dataset(data.store, data.info.id, data.filters, min_support=support)

    res = results.basket(data) if min_support == results.BASKET_SUPPORT else mine(min_support)
    text: list[str] = []
    if res.n_rules == 0 and res.suggested_min_support is not None:
        # the suggestion as written (cut down to its shown figures), and used as written
        suggested = B.support_share(res.suggested_min_support, towards="down")
        text.append(
            _(
                "No rule reached the default minimum support of {default}; the report uses the "
                "suggested {suggested} instead.",
                default=B.support_share(min_support).shown(),
                suggested=suggested.shown(),
            )
        )
        min_support = suggested.value
        res = mine(min_support)
    if res.n_rules == 0:
        raise InsufficientDataError(
            _(
                "No products are bought together often enough in {orders} orders to make a "
                "rule (minimum support {support}). Lower the minimum support on the Basket "
                "analysis page.",
                orders=f"{res.n_baskets:,}",
                support=B.support_share(min_support).shown(),
            )
        )
    rules = res.rules.sort_values(["lift", "confidence"], ascending=False).head(top)
    strong = int((res.rules["lift"] >= 2).sum())
    thin = int((res.rules["count"] < 30).sum())
    counts = dict(rules=f"{res.n_rules:,}", orders=f"{res.n_baskets:,}", strong=f"{strong:,}")
    text.append(
        _(
            "{rules} rules from {orders} orders: {strong} have lift ≥ 2 (together at least "
            "twice as often as chance); {thin} rest on fewer than 30 orders.",
            thin=f"{thin:,}",
            **counts,
        )
        if thin
        # not "0 rest on fewer than 30 orders"
        else _(
            "{rules} rules from {orders} orders: {strong} have lift ≥ 2 (together at least "
            "twice as often as chance); every one rests on 30 orders or more.",
            **counts,
        )
    )
    verdict, tone = (
        _("The rules were not checked on later orders (the data has no order dates)."),
        "warn",
    )
    if S.ORDER_DATE in data.columns:
        try:
            hold = B.holdout_check_dataset(
                data.store, data.info.id, data.filters, min_support=min_support
            )
        except InsufficientDataError as exc:
            verdict = _("Not checked on later orders: {why}", why=exc)
        else:
            if hold.share_holding is not None:
                verdict = _(
                    "Checked on your own data: of {rules} rules mined on orders before {cutoff}, "
                    "{share} still beat chance (lift > 1) on the {later} later orders.",
                    rules=f"{hold.n_rules:,}",
                    cutoff=i18n_fmt.long_date(hold.cutoff),
                    share=pct(hold.share_holding),
                    later=f"{hold.n_test:,}",
                )
                tone = "good" if hold.share_holding >= 0.5 else "warn"
    table = pd.DataFrame(
        {
            "rule": rules["names"].astype(str),
            "orders": rules["count"],
            "confidence": rules["confidence"],
            "lift": rules["lift"],
        }
    )
    return Section(
        "basket",
        "Products bought together",
        verdict,
        tone,
        tuple(text + list(res.warnings)),
        figures=(basket_charts.network_figure(res, top=25),),
        tables=(
            Table(
                _("Strongest {n} rules by lift", n=len(table)),
                table,
                {"orders": "{:,.0f}", "confidence": "{:.1%}", "lift": "{:.2f}"},
            ),
        ),
    )
