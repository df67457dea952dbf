"""Seasonal patterns measured on a daily series: the weekday profile and the yearly cycle."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ecomdash.errors import ParameterError
from ecomdash.forecast.series import SeriesResult
from ecomdash.i18n import N_
from ecomdash.i18n.note import note


@dataclass(frozen=True)
class SeasonalityResult:
    """Seasonal patterns measured on a daily series.

    * ``weekday_profile``: Monday..Sunday multipliers (mean 1): value / centred 7-day mean,
      median per weekday, renormalised.
    * ``yearly_amplitude`` ``A`` and ``yearly_peak_doy`` from a robust fit of weekly totals to
      ``exp(a + b·t) · (1 + A·cos(2π(doy − peak)/365.25))`` (None with less than a year).
    """

    weekday_profile: pd.Series
    yearly_amplitude: float | None
    yearly_peak_doy: float | None
    warnings: tuple[str, ...] = ()


def seasonality(series: SeriesResult) -> SeasonalityResult:
    """Weekly and yearly seasonality of a daily series (see :class:`SeasonalityResult`)."""
    from scipy.optimize import least_squares

    if series.freq != "D":
        raise ParameterError(
            note(
                N_(
                    "Seasonality is measured on a daily series; got freq={freq}. Build the "
                    "series with freq='D'."
                ),
                freq=repr(series.freq),
            )
        )
    fr = series.frame
    y = pd.Series(fr["value"].to_numpy(float), index=pd.DatetimeIndex(fr["period"]))
    ma = y.rolling(7, center=True).mean()
    ok = (ma > 0) & ~fr["closure" if "closure" in fr else "closed"].to_numpy(bool)
    ok = ok | fr["closed_weekday"].to_numpy(bool) & (ma > 0)
    ratio = (y / ma)[ok]
    prof = ratio.groupby(ratio.index.day_of_week).median().reindex(range(7), fill_value=0.0)
    prof = prof / prof.mean() if prof.mean() > 0 else prof
    prof.index = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    warn: list[str] = []
    amp = peak = None
    wk = y.resample("W-SUN").sum()
    if len(y) >= 7:
        first_full = y.index[0].day_of_week == 0
        last_full = y.index[-1].day_of_week == 6
        wk = wk.iloc[(0 if first_full else 1) : (len(wk) if last_full else len(wk) - 1)]
    if len(wk) >= 52 and (wk > 0).all():
        t = np.arange(len(wk)) / 52.18
        doy = (wk.index - pd.Timedelta(days=3)).day_of_year.to_numpy(float)

        def resid(p: np.ndarray) -> np.ndarray:
            a, b, c, d = p
            model = (
                a
                + b * t
                + np.log(
                    np.maximum(
                        1
                        + c * np.cos(2 * np.pi * doy / 365.25)
                        + d * np.sin(2 * np.pi * doy / 365.25),
                        1e-6,
                    )
                )
            )
            return np.log(wk.to_numpy()) - model

        fit = least_squares(
            resid, x0=[np.log(wk.mean()), 0.0, 0.0, 0.0], loss="soft_l1", f_scale=0.1
        )
        c, d = fit.x[2], fit.x[3]
        amp = float(np.hypot(c, d))
        peak = float((np.degrees(np.arctan2(d, c)) % 360) / 360 * 365.25)
    else:
        warn.append(
            note(N_("Less than a year of complete weeks: yearly seasonality is not measured."))
        )
    return SeasonalityResult(prof, amp, peak, tuple(warn))
