"""The report's first section: the Home's "what to do this week", ranked as the Home ranks it.

Each finding comes from the result its own section computes (:mod:`ecomdash.report.results`,
memoised on the :class:`ReportData`): no analysis runs twice. The words are the Home's
(:mod:`ecomdash.findings.words`), the findings the core's (:mod:`ecomdash.findings`).
"""

from __future__ import annotations

from collections.abc import Callable

from ecomdash import findings as FD
from ecomdash import schema as S
from ecomdash.errors import EcomdashError
from ecomdash.findings.words import NEEDS, STEPS, TEXT
from ecomdash.i18n import N_, _, fmt
from ecomdash.i18n.note import translated
from ecomdash.report import results
from ecomdash.report.data import ReportData
from ecomdash.report.model import Section

#: at-risk customers the Customer value page lists (the win-back finding reads them)
AT_RISK_TOP = 500

#: the digest's own words where the Home's name what a report file has not got: the Home's
#: intro says "open it" (a finding is a link there) and its "nothing stands out" sends the
#: reader to "the pages in the sidebar"; the intro is the section's whole preamble (no
#: "About these figures:" before it)
REPORT_TEXT = {
    "intro": N_(
        "From every analysis in this report, run with the app's default settings: what to act "
        "on, largest first, what is only to watch last. Each one says how much is at stake, how "
        "sure the model is and which page of ecomdash has the detail and the settings to change."
    ),
    "none": N_(
        "Nothing stands out this week: no restock, win-back, bundle, forecast gap, segment, "
        "price, recommendation or alert large enough to act on. The sections below and the "
        "pages of ecomdash have every detail."
    ),
}


def _has_money(data: ReportData) -> bool:
    return S.REVENUE in data.columns or S.UNIT_PRICE in data.columns


def _restock(data: ReportData):
    return FD.restock_finding(results.restock(data), money=_has_money(data))


def _at_risk(data: ReportData):
    from ecomdash import churn as churn_mod

    ch = results.churn(data)
    try:
        cv = results.clv(data)
    except EcomdashError:
        cv = None
    ev = None if cv is None else cv.customers.set_index("customer_id")["expected_value"]
    return ch, churn_mod.at_risk(ch, expected_value=ev, top=AT_RISK_TOP)


def _winback(data: ReportData):
    ch, at_risk = _at_risk(data)
    return FD.winback_finding(at_risk, ch, days=S.ORDER_ID not in data.columns)


def _bundle(data: ReportData):
    from ecomdash import basket as B

    res = results.basket(data)
    prices = None
    if res.params["level"] == "product":  # the pair worth the most, not the rarest
        products = FD.bundle_products(res)
        prices = B.avg_prices_dataset(data.store, data.info.id, data.filters, products)
    rule = FD.best_bundle_rule(res, prices)
    whatif = None
    if rule is not None and res.params["level"] == "product":
        try:  # the baskets' codes and B's lines from the store, as the page: no line loaded
            whatif = B.bundle_whatif_dataset(
                data.store,
                data.info.id,
                data.filters,
                tuple(rule["antecedents"]),
                tuple(rule["consequents"]),
                share=FD.BUNDLE_SHARE,
            )
        except EcomdashError:  # e.g. no prices: the bundle stands, unsized
            whatif = None
    return FD.bundle_finding(res, whatif, prices)


def _forecast(data: ReportData):
    fc = results.forecast(data)
    groups, by = FD.gap_groups(data.store, data.info.id, data.filters, data.columns, fc)
    return FD.forecast_finding(fc, groups=groups, by=FD.driver_by(by, data.display.provinces))


def _segments(data: ReportData):
    seg = results.segments(data)
    try:
        churn, at_risk = _at_risk(data)
        ids = FD.winback_customers(at_risk)["customer_id"]
    except EcomdashError:  # no churn model: the segment stands, unsized
        churn, ids = None, ()
    return FD.segments_finding(seg, churn=churn, winback_ids=ids)


def _pricing(data: ReportData):
    res = results.pricing(data)
    return FD.pricing_finding(res), FD.promotion_finding(res)


def _recommend(data: ReportData):
    if S.ORDER_DATE not in data.columns:
        return None
    return FD.recommend_finding(results.recommend(data))


def _alerts(data: ReportData):
    return FD.alerts_finding(results.alerts(data))


#: The Home's sources (``ecomdash.ui.home.SOURCES``), in its order, from the report's results.
SOURCES: dict[str, Callable[[ReportData], object]] = {
    "restock": _restock,
    "winback": _winback,
    "bundle": _bundle,
    "forecast": _forecast,
    "segments": _segments,
    "pricing": _pricing,
    "recommend": _recommend,
    "alerts": _alerts,
}


def _missing(data: ReportData, needs: str) -> list[str]:
    """The fields an analysis lacks, named as the Data page's mapping names them (the Home's
    rule: a summed-sales dataset lacks order lines)."""
    if data.info.kind == S.KIND_SUMMED and needs in S.NEEDS_LINES:
        return [_("order lines")]
    return [S.field_name(f) for f in sorted(S.missing_for(needs, data.columns))]


def findings(data: ReportData) -> tuple[tuple[FD.Finding, ...], tuple[tuple[str, str], ...]]:
    """The findings ranked as the Home ranks them, and what could not be checked: (the step's
    label, why) in the current language, the money in the dataset's currency."""
    found: list = []
    unchecked: list[tuple[str, str]] = []
    with FD.use_currency(data.display.symbol):
        for name, source in SOURCES.items():
            label = _(STEPS[name])
            missing = _missing(data, NEEDS[name])
            if missing:
                unchecked.append(
                    (_(TEXT["step_skipped"], label=label, fields=fmt.join(missing)), "")
                )
                continue
            try:
                got = source(data)
            except EcomdashError as exc:
                unchecked.append((label, str(translated(exc))))
                continue
            found.extend(got if isinstance(got, tuple) else (got,))
    return FD.rank(found), tuple(unchecked)


def digest(data: ReportData) -> Section:
    """What to do this week: the Home's findings, ranked, each with its stake, confidence and
    page; "Nothing stands out this week" when there are none."""
    ranked, unchecked = findings(data)
    text = () if ranked else (_(REPORT_TEXT["none"]),)
    if ranked and not _has_money(data):
        text = (_(TEXT["no_money"]),)
    return Section(
        "digest",
        "What to do this week",
        _(REPORT_TEXT["intro"]),
        "info",
        text,
        findings=ranked,
        unchecked=unchecked,
        money=_has_money(data),
        verdict_label="",
    )
