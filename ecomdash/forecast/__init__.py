"""Forecasting: series building, models, honest rolling-origin backtests, automatic choice.

The flow is ``build_series(lines, ...) -> SeriesResult`` then ``forecast(series, ...) ->
ForecastResult`` (one series, all candidate models, nested backtest) or
``forecast_many(lines, ...) -> ManyForecastResult`` (top-N products at once, vectorised).

Package layout (by concern; every name below is re-exported here, so
``from ecomdash.forecast import X`` / ``F.X`` keep working):

* ``base``: metrics, grains, season lengths, model labels, the regular calendar helpers.
* ``events``: public holidays (``holidays`` package), sale days, merchant events.
* ``series``: ``build_series`` / ``series_from_values``; ``season``: ``seasonality``.
* ``models``: the vectorised models (seasonal naive, seasonal mean, ETS, Croston, SARIMAX).
* ``engine``: the rolling-origin backtest engine shared by ``forecast`` and ``forecast_many``.
* ``single``: ``forecast`` (one series), ``verdict``, ``default_horizon``.
* ``many``: ``forecast_many`` (top-N products).

Design notes
------------
* **Calendar.** A regular calendar (day / Monday-week / month) with missing periods filled
  with 0. Weekdays on which the *shop* (all lines, whatever the scope) never trades are
  *closed weekdays*; runs of 3+ open days without a single order, and public holidays without
  orders, are *closures*. Models run on the "trading calendar": closed weekdays removed,
  closures treated as missing values (not as zero demand). Forecasts on closed weekdays are 0.
* **Models** (all vectorised over many series with numpy, except SARIMAX):
  ``seasonal_naive`` (baseline: repeat the last cycle), ``seasonal_mean`` (mean of the last
  three cycles), ``ets`` (additive damped-trend Holt-Winters = ETS(A,Ad,A), on the log scale
  when the series is positive, i.e. multiplicative; parameters chosen on a grid by in-sample
  one-step error; analytic prediction intervals), ``croston`` (SBA, for intermittent demand),
  ``sarimax`` (statsmodels, holidays/events as regressors; single series only) and ``combo``
  (the mean of the non-baseline candidates).
* **Backtest.** Rolling origin: ``folds`` origins, each forecasting ``horizon`` periods, over the
  last ``folds × horizon`` periods. ``auto`` is scored honestly: at each fold the model with the
  lowest MAE on the *earlier* origins (a few warm-up origins precede the scored folds) is used.
* **Metrics.** MAE; MASE (fold MAE / in-sample seasonal-naive MAE before that fold's origin,
  averaged over folds); MAPE on non-zero actuals; bias (mean forecast − actual); coverage of
  the 80 % / 95 % intervals over periods that are not closed weekdays.

Monkeypatching: patch a function where it is looked up, i.e. in its submodule
(``ecomdash.forecast.models._ets_grid``), except ``forecast``/``forecast_many``/``build_series``
which pages and commands call as ``F.forecast`` etc. through this package.
"""

from __future__ import annotations

from ecomdash.forecast.base import (
    FREQ_WORD,
    FREQS,
    LINE_COLUMNS,
    METRICS,
    MODEL_LABELS,
    SEASON,
    WARMUP,
    Z80,
    Z95,
)
from ecomdash.forecast.events import (
    PRESET_EVENTS,
    Event,
    holiday_code,
    holiday_names_zh,
    holidays_between,
    localise_holidays,
    preset_events,
)
from ecomdash.forecast.many import ManyForecastResult, forecast_many
from ecomdash.forecast.models import _ets, intermittency
from ecomdash.forecast.season import SeasonalityResult, seasonality
from ecomdash.forecast.series import SeriesResult, build_series, main_country, series_from_values
from ecomdash.forecast.single import (
    ALL_MODELS,
    ForecastResult,
    _fit_folds,
    default_horizon,
    forecast,
    verdict,
)

__all__ = [
    "ALL_MODELS",
    "FREQS",
    "FREQ_WORD",
    "LINE_COLUMNS",
    "METRICS",
    "MODEL_LABELS",
    "PRESET_EVENTS",
    "SEASON",
    "WARMUP",
    "Z80",
    "Z95",
    "Event",
    "ForecastResult",
    "ManyForecastResult",
    "SeasonalityResult",
    "SeriesResult",
    "build_series",
    "default_horizon",
    "forecast",
    "forecast_many",
    "holiday_code",
    "holiday_names_zh",
    "holidays_between",
    "intermittency",
    "localise_holidays",
    "main_country",
    "preset_events",
    "seasonality",
    "series_from_values",
    "verdict",
    # private, used by tests (tests/unit/test_forecast.py, tests/unit/test_i18n_note.py)
    "_ets",
    "_fit_folds",
]
