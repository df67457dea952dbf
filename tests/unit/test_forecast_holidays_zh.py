"""Holiday names on the Chinese Forecast page: the ``holidays`` package's own Simplified
Chinese names where it has them (China, Hong Kong, Macau, Taiwan), the package's name
elsewhere; the core's results keep the package's names."""

from __future__ import annotations

import pandas as pd

from ecomdash import forecast as F
from ecomdash.charts import forecast as charts
from ecomdash.i18n import use_lang


def _cn_lines() -> pd.DataFrame:
    d = pd.date_range("2024-08-01", "2024-09-30", freq="D")
    df = pd.DataFrame(
        {
            "order_date": d,
            "order_id": [f"o{i}" for i in range(len(d))],
            "product_id": "A",
            "quantity": 2.0,
            "unit_price": 5.0,
            "country": "China",
            "is_return": False,
            "is_non_product": False,
            "is_cancelled": False,
        }
    )
    df["revenue"] = df["quantity"] * df["unit_price"]
    return df


def test_names_the_package_has_in_chinese():
    y24 = pd.Timestamp("2024-01-01"), pd.Timestamp("2024-12-31")
    # the State Council's names of the days (1 October: 国庆节; Spring Festival: 春节)
    got = F.localise_holidays(
        ["", "National Day", "Chinese New Year (Spring Festival)", "Unknown day"], "CN", *y24
    )
    assert got == ["", "国庆节", "春节", "Unknown day"]
    # Hong Kong: the package's Simplified Chinese (not its Traditional default)
    hk = F.holiday_names_zh("HK", *y24)
    assert hk["Chinese New Year"] == "农历年初一"
    # no Chinese in the package for the UK: the names stay English
    assert F.localise_holidays(["Boxing Day"], "GB", *y24) == ["Boxing Day"]
    assert F.holiday_names_zh(None, *y24) == {}


def test_forecast_chart_marks_holidays_in_the_page_language():
    s = F.build_series(_cn_lines(), holiday_country="CN", future_periods=14)
    assert s.holiday_country == "CN"
    # Seasonal ARIMA takes the holidays as a regressor: the chart marks them
    res = F.forecast(s, horizon=14, folds=1, models=("sarimax",))
    # the core keeps the package's (English) name: CLI and JSON unchanged
    assert "National Day" in set(res.forecast["holiday"])

    def marks(fig) -> str:
        return " ".join(
            " ".join(map(str, t.text)) for t in fig.data if t.mode == "markers" and t.text
        )

    with use_lang("zh"):
        zh = marks(charts.forecast_figure(res))
    en = marks(charts.forecast_figure(res))
    assert "国庆节" in zh and "National Day" not in zh
    assert "National Day" in en and "国庆节" not in en


def test_forecast_chart_axes_are_titled_like_each_other():
    """Both axes are titled in sentence case ("Day" beside "Revenue"), in the page language."""
    s = F.build_series(_cn_lines(), future_periods=14)
    res = F.forecast(s, horizon=14, folds=1, models=("seasonal_naive",))
    fig = charts.forecast_figure(res)
    assert (fig.layout.xaxis.title.text, fig.layout.yaxis.title.text) == ("Day", "Revenue")
    with use_lang("zh"):
        zh = charts.forecast_figure(res)
    assert (zh.layout.xaxis.title.text, zh.layout.yaxis.title.text) == ("日", "销售额")
