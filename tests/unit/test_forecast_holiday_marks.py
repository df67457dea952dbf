"""The forecast chart marks the shop's public holidays only where the forecast uses them: a
UK shop (the UCI file) saw a bank holiday's purple marker over a seasonal mean's forecast,
though no model and no calendar it had chosen used one. The merchant's own events stay
marked whatever the model."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from ecomdash import forecast as F
from ecomdash.charts import forecast as charts
from ecomdash.i18n import use_lang


def _uk_lines() -> pd.DataFrame:
    d = pd.date_range("2024-06-01", "2024-09-30", freq="D")  # 26 August: a bank holiday
    df = pd.DataFrame(
        {
            "order_date": d,
            "order_id": [f"o{i}" for i in range(len(d))],
            "product_id": "A",
            "quantity": 2.0 + (d.dayofweek == 5),
            "unit_price": 5.0,
            "country": "United Kingdom",
            "is_return": False,
            "is_non_product": False,
            "is_cancelled": False,
        }
    )
    df["revenue"] = df["quantity"] * df["unit_price"]
    return df


def _marked(fig) -> list[str]:
    return [
        str(t)
        for tr in fig.data
        if tr.mode == "markers" and tr.marker.symbol == "triangle-down"
        for t in tr.text
    ]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_holidays_are_marked_only_where_the_forecast_uses_them(lang):
    events = (F.Event("Summer sale", date(2024, 7, 15), date(2024, 7, 16)),)
    s = F.build_series(_uk_lines(), future_periods=14, events=events)
    assert s.holiday_country == "GB"
    assert "Late Summer Bank Holiday" in set(s.frame["holiday"])
    with use_lang(lang):
        mean = F.forecast(s, horizon=14, folds=1, models=("seasonal_mean",))
        assert mean.model == "seasonal_mean" and not charts.holidays_in_use(mean)
        texts = _marked(charts.forecast_figure(mean, history_periods=120))
        assert texts and all(t == "Summer sale" for t in texts), texts  # its events only
        arima = F.forecast(s, horizon=14, folds=1, models=("sarimax",))
        texts = _marked(charts.forecast_figure(arima, history_periods=120))
        assert "Late Summer Bank Holiday" in texts and "Summer sale" in texts, texts
