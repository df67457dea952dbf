"""The customer-value analysis: per-customer lifetime value over a horizon, with the models'
fit and calibration, or the historical average when the data cannot support them."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ecomdash.clv.bgnbd import (
    BGNBDParams,
    bgnbd_expected_purchases,
    bgnbd_median_time_to_next,
    bgnbd_p_alive,
    bgnbd_p_purchase_within,
    fit_bgnbd,
)
from ecomdash.clv.calibration import CalibrationResult, _calibration_coded, with_ids
from ecomdash.clv.data import (
    DAYS_PER_MONTH,
    _rfm,
    _unit_days,
    coded_days,
    customer_days,
)
from ecomdash.clv.gamma_gamma import GammaGammaParams, fit_gamma_gamma, gamma_gamma_expected_spend
from ecomdash.errors import InsufficientDataError, ParameterError
from ecomdash.i18n import N_, _, fmt
from ecomdash.i18n.note import Date, note, translated

#: Repeat buyers needed before BG/NBD / Gamma-Gamma are fitted at all.
MIN_REPEAT_BUYERS = 30
#: |Pearson correlation| between spend per order and frequency above which Gamma-Gamma is not used.
MAX_SPEND_FREQUENCY_CORR = 0.3


# --------------------------------------------------------------------------------------
# The customer-value analysis
# --------------------------------------------------------------------------------------


def _plain_historical() -> str:
    """A model that could not be fitted, in plain words (``plain_notices``)."""
    return _(
        "The purchase model could not be fitted, so each customer's value is their average "
        "order value times the shop's average rate of buying again."
    )


def _plain_spend() -> str:
    """A spend model that did not settle, in plain words (``plain_notices``)."""
    return _(
        "The spend model did not settle: each customer's average spend per order is used instead."
    )


@dataclass(frozen=True)
class CLVResult:
    """Per-customer lifetime value over a horizon, with the models' fit and calibration.

    ``customers`` columns: ``customer_id, frequency, recency, T, monetary_value, mean_value,
    total_value, last_date, expected_purchases, p_alive, p_purchase_in_horizon,
    expected_spend, expected_value, next_order_date`` (sorted by expected value, descending).
    ``method``: ``"bgnbd+gamma_gamma"``, ``"bgnbd+historical_spend"`` or ``"historical_average"``.
    """

    customers: pd.DataFrame
    method: str
    params: BGNBDParams | None
    gamma_gamma: GammaGammaParams | None
    calibration: CalibrationResult | None
    cutoff: pd.Timestamp
    horizon_months: float
    time_unit: str
    repeat_buyers: int
    spend_frequency_corr: float
    #: the models' own account of what went wrong (parameters, limits, correlations): the
    #: page's technical details and the CLI
    notices: tuple[str, ...] = field(default_factory=tuple)
    #: what each of ``notices`` means for the figures, in plain words (the page's warnings and
    #: the report): "the spend model did not settle: each customer's average spend per order
    #: is used instead", not "p = 1.63e+05"
    plain_notices: tuple[str, ...] = field(default_factory=tuple)


def _historical_rate(summary: pd.DataFrame) -> float:
    """Population repeat purchases per unit of customer-time observed."""
    exposure = float(summary["T"].sum())
    return float(summary["frequency"].sum()) / exposure if exposure > 0 else 0.0


def customer_value(
    sales: pd.DataFrame,
    *,
    cutoff: str | pd.Timestamp | None = None,
    horizon_months: float = 12,
    time_unit: str = "W",
    calibration_cutoff: str | pd.Timestamp | None = None,
    min_repeat_buyers: int = MIN_REPEAT_BUYERS,
    max_spend_frequency_corr: float = MAX_SPEND_FREQUENCY_CORR,
) -> CLVResult:
    """Expected purchases, P(alive) and value per customer over ``horizon_months``.

    With ``cutoff``, the models are fitted on purchases up to and including it, customers are
    scored from it, and the calibration check uses the holdout after it. Without, the models
    are fitted on all data (scored from the last date) and the calibration check uses
    ``calibration_cutoff`` (default: a third of the history before the end).
    Falls back to historical averages, with a notice, when the models cannot be trusted.
    """
    if not (0 < horizon_months <= 120):
        raise ParameterError(
            note(
                N_("The 'horizon_months' parameter must be in (0, 120]. Got {value} instead."),
                value=repr(horizon_months),
            )
        )
    return customer_value_days(
        customer_days(sales),
        cutoff=cutoff,
        horizon_months=horizon_months,
        time_unit=time_unit,
        calibration_cutoff=calibration_cutoff,
        min_repeat_buyers=min_repeat_buyers,
        max_spend_frequency_corr=max_spend_frequency_corr,
    )


def customer_value_days(
    days: pd.DataFrame,
    *,
    cutoff: str | pd.Timestamp | None = None,
    horizon_months: float = 12,
    time_unit: str = "W",
    calibration_cutoff: str | pd.Timestamp | None = None,
    min_repeat_buyers: int = MIN_REPEAT_BUYERS,
    max_spend_frequency_corr: float = MAX_SPEND_FREQUENCY_CORR,
) -> CLVResult:
    """:func:`customer_value` from purchases once per customer-day (:func:`customer_days` of
    the sales lines, or the store's SQL aggregate ``Store.customer_days``): the page uses this,
    so it never holds the lines."""
    if not (0 < horizon_months <= 120):
        raise ParameterError(
            note(
                N_("The 'horizon_months' parameter must be in (0, 120]. Got {value} instead."),
                value=repr(horizon_months),
            )
        )
    unit = _unit_days(time_unit)
    if days.empty:
        raise InsufficientDataError(
            note(
                N_(
                    "Customer value needs orders with a customer id; found none. Map the customer "
                    "id column on the Data page (guest orders without an id cannot be followed "
                    "over time)."
                )
            )
        )
    data_end = days["date"].max()
    notices: list[str] = []
    plain: list[str] = []
    if cutoff is not None:
        cutoff = pd.Timestamp(cutoff).normalize()
        if cutoff < days["date"].min():
            raise ParameterError(
                note(
                    N_(
                        "The cut-off {date} is before the data's first purchase ({first}); choose a "
                        "later date."
                    ),
                    date=Date(cutoff),
                    first=Date(days["date"].min()),
                )
            )
        fit_end = min(cutoff, data_end)
    else:
        fit_end = data_end
    # the customers' text ids hashed once: every group-by below is on their integer codes
    # (numbered in the ids' sorted order, so groups, sums and ties come out as by the ids)
    coded, ids = coded_days(days)
    summary = _rfm(coded, cutoff=fit_end, time_unit=time_unit)
    horizon_units = horizon_months * DAYS_PER_MONTH / unit
    repeat = summary["frequency"] > 0
    n_repeat = int(repeat.sum())
    rep = summary.loc[repeat]
    if n_repeat >= 3 and rep["frequency"].std() > 0 and rep["monetary_value"].std() > 0:
        corr = float(
            np.corrcoef(summary.loc[repeat, "frequency"], summary.loc[repeat, "monetary_value"])[
                0, 1
            ]
        )
    else:
        corr = math.nan

    params: BGNBDParams | None = None
    gg: GammaGammaParams | None = None
    if n_repeat < min_repeat_buyers:
        notices.append(
            _(
                "Only {n} repeat buyers (need {need}) — the BG/NBD and Gamma-Gamma models were "
                "skipped; values are historical averages (each customer's average order value "
                "× the shop's average repeat-purchase rate).",
                n=f"{n_repeat:,}",
                need=f"{min_repeat_buyers:,}",
            )
        )
        plain.append(
            _(
                "Only {n} customers bought on more than one day (the models need {need}), so "
                "each customer's value is their average order value times the shop's average "
                "rate of buying again, not a model's prediction.",
                n=f"{n_repeat:,}",
                need=f"{min_repeat_buyers:,}",
            )
        )
    else:
        try:
            params = fit_bgnbd(
                summary["frequency"], summary["recency"], summary["T"], time_unit=time_unit
            )
            dropout = params.a / (params.a + params.b)
            if dropout < 1e-3:
                notices.append(
                    _(
                        "The data shows almost no customer dropout after a purchase (BG/NBD "
                        "mean dropout probability {p}): the model reduces to a plain "
                        "purchase-rate model and P(alive) is about 1 for everyone. Expected "
                        "purchases are still checked below; to see who has stopped buying, use "
                        "the churn models.",
                        # "< 0.1 %", not "9.0e-11": the gate is the point, not the digits
                        p=f"<{fmt.NBSP}{fmt.pct(1e-3, 1)}",
                    )
                )
                plain.append(
                    _(
                        "The lifetime-value model sees almost no customer stop buying, so it "
                        "gives every customer a chance still active of about 100\u00a0%; to see who "
                        "has stopped buying, use the churn risk."
                    )
                )
            elif not params.converged:
                notices.append(
                    _(
                        "The BG/NBD fit did not converge cleanly (a parameter ran to its bound); "
                        "treat predictions with caution and check the calibration plot."
                    )
                )
                plain.append(
                    _(
                        "The purchase model did not settle: treat the expected purchases and "
                        "values with caution, and see how they compared with later purchases on "
                        "the Customer value page."
                    )
                )
        except InsufficientDataError as err:
            notices.append(
                _(
                    "BG/NBD fit failed: {reason} Values are historical averages.",
                    reason=translated(err),
                )
            )
            plain.append(_plain_historical())
            params = None

    p_alive = np.full(len(summary), np.nan)
    p_buy = np.full(len(summary), np.nan)
    next_days = np.full(len(summary), np.inf)
    if params is not None:
        f, rcy, T = summary["frequency"], summary["recency"], summary["T"]
        exp_purch = bgnbd_expected_purchases(params, horizon_units, f, rcy, T)
        p_alive = bgnbd_p_alive(params, f, rcy, T)
        p_buy = bgnbd_p_purchase_within(params, horizon_units, f, rcy, T)
        next_days = bgnbd_median_time_to_next(params, f, rcy, T) * unit
        if not np.all(np.isfinite(exp_purch)):
            notices.append(
                _("BG/NBD gave non-finite expectations; values are historical averages.")
            )
            plain.append(_plain_historical())
            params = None
    if params is None:
        exp_purch = _historical_rate(summary) * horizon_units * np.ones(len(summary))
        method = "historical_average"
    else:
        method = "bgnbd+historical_spend"
        if n_repeat >= min_repeat_buyers:
            if np.isfinite(corr) and abs(corr) > max_spend_frequency_corr:
                notices.append(
                    _(
                        "Spend per order is correlated with purchase frequency (r = {r}, limit "
                        "±{limit}), which breaks the Gamma-Gamma independence assumption; spend "
                        "uses each customer's historical average order value.",
                        r=f"{corr:.2f}",
                        limit=f"{max_spend_frequency_corr:.2f}",
                    )
                )
                plain.append(
                    _(
                        "Customers who buy more often spend differently per order, so the spend "
                        "model does not apply: each customer's average spend per order is used "
                        "instead."
                    )
                )
            else:
                try:
                    gg = fit_gamma_gamma(summary["frequency"], summary["monetary_value"])
                    if gg.q <= 1:
                        notices.append(
                            _(
                                "The Gamma-Gamma fit is degenerate (q = {q} ≤ 1 means an "
                                "infinite mean spend); spend uses each customer's historical "
                                "average order value.",
                                q=f"{gg.q:.3g}",
                            )
                        )
                        plain.append(_plain_spend())
                        gg = None
                    elif not gg.converged:
                        notices.append(
                            _(
                                "The Gamma-Gamma fit ran to a limit (p = {p}, q = {q}, v = {v}): "
                                "order values hardly vary around each customer's own average, "
                                "so the model adds nothing; spend uses each customer's "
                                "historical average order value.",
                                p=f"{gg.p:.3g}",
                                q=f"{gg.q:.3g}",
                                v=f"{gg.v:.3g}",
                            )
                        )
                        plain.append(_plain_spend())
                        gg = None
                    else:
                        method = "bgnbd+gamma_gamma"
                except InsufficientDataError as err:
                    notices.append(_("Gamma-Gamma skipped: {reason}", reason=translated(err)))
                    plain.append(_plain_spend())
    if gg is not None:
        spend = gamma_gamma_expected_spend(gg, summary["frequency"], summary["monetary_value"])
    else:
        spend = summary["mean_value"].to_numpy(dtype=float)
    spend = np.maximum(spend, 0.0)
    finite_next = np.isfinite(next_days) & (next_days < 5 * 365)
    next_date = pd.Series(pd.NaT, index=summary.index, dtype="datetime64[ns]")
    next_date[finite_next] = fit_end + pd.to_timedelta(np.ceil(next_days[finite_next]), unit="D")
    customers = summary.drop(columns=["first_date"]).assign(
        expected_purchases=np.asarray(exp_purch, dtype=float),
        p_alive=p_alive,
        p_purchase_in_horizon=p_buy,
        expected_spend=spend,
        expected_value=np.asarray(exp_purch, dtype=float) * spend,
        next_order_date=next_date.to_numpy(),
    )
    customers = customers.sort_values(
        ["expected_value", "customer_id"], ascending=[False, True], kind="mergesort"
    ).reset_index(drop=True)
    customers["customer_id"] = ids.take(customers["customer_id"].to_numpy()).astype(str)

    # Calibration check on held-out time
    calibration = None
    if cutoff is not None and cutoff < data_end:
        cal_cut = cutoff
    elif calibration_cutoff is not None:
        cal_cut = pd.Timestamp(calibration_cutoff).normalize()
    else:
        span = (data_end - days["date"].min()).days
        cal_cut = data_end - pd.Timedelta(days=max(int(round(span / 3)), 1))
    try:
        before = coded["customer_id"].to_numpy()[(coded["date"] <= cal_cut).to_numpy()]
        cal_summary_buyers = int((np.bincount(before) > 1).sum()) if len(before) else 0
        if cal_summary_buyers < min_repeat_buyers:
            notices.append(
                _(
                    "Calibration check skipped: only {n} repeat buyers before {date} (need "
                    "{need}).",
                    n=f"{cal_summary_buyers:,}",
                    date=fmt.long_date(cal_cut),
                    need=f"{min_repeat_buyers:,}",
                )
            )
            plain.append(
                _(
                    "The predictions were not checked against later purchases: only {n} "
                    "customers had bought on more than one day by {date} (need {need}).",
                    n=f"{cal_summary_buyers:,}",
                    date=fmt.long_date(cal_cut),
                    need=f"{min_repeat_buyers:,}",
                )
            )
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                calibration = _calibration_coded(
                    coded,
                    cutoff=cal_cut,
                    end=pd.Timestamp(data_end).normalize(),
                    time_unit=time_unit,
                    params=params
                    if (cutoff is not None and params is not None and cal_cut == fit_end)
                    else None,
                )
                calibration = with_ids(calibration, ids)
    except (InsufficientDataError, ParameterError) as err:
        notices.append(_("Calibration check skipped: {reason}", reason=translated(err)))
        plain.append(_("The predictions were not checked against later purchases."))
    return CLVResult(
        customers=customers,
        method=method,
        params=params,
        gamma_gamma=gg,
        calibration=calibration,
        cutoff=fit_end,
        horizon_months=float(horizon_months),
        time_unit=time_unit,
        repeat_buyers=n_repeat,
        spend_frequency_corr=corr,
        notices=tuple(notices),
        plain_notices=tuple(plain),
    )
