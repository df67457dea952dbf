"""Calibration / holdout: fit on purchases up to a cut-off, compare with what came after
(Fader-Hardie plots)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ecomdash.clv.bgnbd import (
    BGNBDParams,
    bgnbd_expected_purchases,
    bgnbd_expected_unconditional,
    fit_bgnbd,
)
from ecomdash.clv.data import (
    _isin,
    _unit_days,
    rfm_summary,
)
from ecomdash.errors import ParameterError
from ecomdash.i18n import N_
from ecomdash.i18n.note import note

# --------------------------------------------------------------------------------------
# Calibration / holdout (Fader-Hardie plots)
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalibrationResult:
    """Fit on purchases up to ``cutoff`` (inclusive), predict ``(cutoff, end]``.

    ``by_frequency``: ``frequency`` (group label, last is "k+"), ``customers``,
    ``actual`` and ``predicted`` mean holdout purchases per customer.
    ``tracking``: ``date``, ``actual`` and ``predicted`` cumulative repeat purchases of the
    calibration customers (weekly), with ``in_holdout``.
    """

    cutoff: pd.Timestamp
    end: pd.Timestamp
    holdout_units: float
    params: BGNBDParams
    calibration_repeat_purchases: int
    actual_holdout_purchases: int
    predicted_holdout_purchases: float
    by_frequency: pd.DataFrame
    tracking: pd.DataFrame
    customers: pd.DataFrame

    @property
    def error_pct(self) -> float:
        """Predicted vs actual total holdout purchases, in % of actual."""
        if self.actual_holdout_purchases == 0:
            return math.nan
        return 100.0 * (self.predicted_holdout_purchases / self.actual_holdout_purchases - 1.0)


def calibration_holdout(
    days: pd.DataFrame,
    *,
    cutoff: str | pd.Timestamp,
    end: str | pd.Timestamp | None = None,
    time_unit: str = "W",
    max_group: int = 7,
    params: BGNBDParams | None = None,
) -> CalibrationResult:
    """Fit BG/NBD on purchases up to ``cutoff`` and compare its predictions with the holdout.

    Only customers whose first purchase is on or before ``cutoff`` are scored; the holdout is
    ``(cutoff, end]`` (``end`` defaults to the last purchase date).
    """
    unit = _unit_days(time_unit)
    cutoff = pd.Timestamp(cutoff).normalize()
    end = days["date"].max() if end is None else pd.Timestamp(end).normalize()
    if end <= cutoff:
        raise ParameterError(
            note(
                N_(
                    "The calibration cut-off {date} must be before the end of the data ({end}); "
                    "choose an earlier cut-off."
                ),
                date=cutoff.date(),
                end=end.date(),
            )
        )
    summary = rfm_summary(days, cutoff=cutoff, time_unit=time_unit)
    if params is None:
        params = fit_bgnbd(
            summary["frequency"], summary["recency"], summary["T"], time_unit=time_unit
        )
    holdout_units = (end - cutoff).days / unit
    known = set(summary["customer_id"])
    hold = days[(days["date"] > cutoff) & (days["date"] <= end)]
    hold = hold[_isin(hold["customer_id"], known)]
    actual = hold.groupby("customer_id").size()
    summary = summary.assign(
        actual=summary["customer_id"].map(actual).fillna(0).to_numpy(dtype=float),
        predicted=bgnbd_expected_purchases(
            params, holdout_units, summary["frequency"], summary["recency"], summary["T"]
        ),
    )
    grp = np.minimum(summary["frequency"].to_numpy(), max_group).astype(int)
    labels = [str(i) for i in range(max_group)] + [f"{max_group}+"]
    by = (
        summary.assign(group=grp)
        .groupby("group")
        .agg(
            customers=("actual", "size"), actual=("actual", "mean"), predicted=("predicted", "mean")
        )
        .reindex(range(max_group + 1))
        .reset_index(drop=True)
    )
    by.insert(0, "frequency", labels)
    by["customers"] = by["customers"].fillna(0).astype(int)

    # cumulative repeat purchases over time (weekly), actual vs model
    cal_days = days[(days["date"] <= end) & _isin(days["customer_id"], known)]
    first = cal_days.groupby("customer_id")["date"].transform("min")
    repeats = cal_days.loc[cal_days["date"] > first, "date"]
    start = summary["first_date"].min()
    grid = pd.date_range(start + pd.Timedelta(days=7), end, freq="7D")
    if len(grid) == 0 or grid[-1] != end:
        grid = grid.append(pd.DatetimeIndex([end]))
    rep_sorted = np.sort(repeats.to_numpy(dtype="datetime64[ns]"))
    actual_cum = np.searchsorted(rep_sorted, grid.to_numpy(dtype="datetime64[ns]"), side="right")
    firsts = summary["first_date"].to_numpy(dtype="datetime64[ns]")
    # E[X(t - s_i)] summed over customers: group customers by first date for speed
    f_uniq, f_cnt = np.unique(firsts, return_counts=True)
    g_ns = grid.to_numpy(dtype="datetime64[ns]")
    elapsed = (g_ns[:, None] - f_uniq[None, :]).astype("timedelta64[D]").astype(float) / unit
    pred_cum = (bgnbd_expected_unconditional(params, elapsed) * f_cnt[None, :]).sum(axis=1)
    tracking = pd.DataFrame(
        {
            "date": grid,
            "actual": actual_cum.astype(float),
            "predicted": pred_cum,
            "in_holdout": grid > cutoff,
        }
    )
    cal_repeats = int(summary["frequency"].sum())
    return CalibrationResult(
        cutoff=cutoff,
        end=end,
        holdout_units=holdout_units,
        params=params,
        calibration_repeat_purchases=cal_repeats,
        actual_holdout_purchases=int(summary["actual"].sum()),
        predicted_holdout_purchases=float(summary["predicted"].sum()),
        by_frequency=by,
        tracking=tracking,
        customers=summary[["customer_id", "frequency", "recency", "T", "actual", "predicted"]],
    )
