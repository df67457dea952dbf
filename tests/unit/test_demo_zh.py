"""The Chinese demo merchant: determinism, CNY and provinces, the planted festivals and the
Spring Festival shipping pause, and the forecast with the Chinese calendar finding them."""

from __future__ import annotations

import json
import re
from datetime import date

import numpy as np
import pandas as pd
import pytest

from ecomdash import calendar_cn as C
from ecomdash import demo_zh
from ecomdash import forecast as F
from ecomdash import schema as S
from ecomdash.cli import main
from ecomdash.ingest import platforms_cn

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def zh(demo_zh_merchant):
    return demo_zh_merchant  # demo_zh.generate(7), generated once per worker (tests/conftest.py)


def _orders_per_day(lines: pd.DataFrame) -> pd.Series:
    sales = S.sales_lines(lines)
    return sales.groupby(sales[S.ORDER_DATE].dt.floor("D"))[S.ORDER_ID].nunique()


def test_deterministic_and_seeded():
    a = demo_zh.generate(3, n_customers=150, days=200)
    b = demo_zh.generate(3, n_customers=150, days=200)
    pd.testing.assert_frame_equal(a.lines, b.lines)
    c = demo_zh.generate(4, n_customers=150, days=200)
    assert not a.lines[S.ORDER_DATE].equals(c.lines[S.ORDER_DATE])


def test_chinese_names_cny_and_provinces(zh):
    lines = zh.lines
    # the region is the province's short form, as Chinese platform exports are read
    short = {dict(platforms_cn.PROVINCES)[full] for full in demo_zh.PROVINCES}
    assert {"广东", "广西", "上海"} <= short
    assert set(lines[S.COUNTRY]) <= short
    assert S.LOCATION not in lines
    assert lines[S.COUNTRY].nunique() >= 18
    # 广东省 has the largest planted share (15 %): the most lines
    assert lines[S.COUNTRY].value_counts().index[0] == "广东"
    # a registered customer always ships to one province
    per_cust = lines.dropna(subset=[S.CUSTOMER_ID]).groupby(S.CUSTOMER_ID)[S.COUNTRY].nunique()
    assert (per_cust == 1).all()
    products = lines[~lines[S.IS_NON_PRODUCT]]
    assert products[S.PRODUCT_NAME].map(lambda n: bool(CJK.search(n))).all()
    # no English word left in a name (sizes such as "A5" or "25 厘米", and "LED" as Chinese
    # writes it, are fine): every variant of the catalogue is translated
    names = products[S.PRODUCT_NAME].str.replace("LED", "", regex=False)
    latin = names.str.contains(r"[A-Za-z]{2,}", regex=True)
    assert not latin.any(), sorted(products.loc[latin, S.PRODUCT_NAME].unique())[:10]
    assert set(products[S.CATEGORY]) == set(demo_zh.CATEGORIES.values())
    assert zh.truth.currency == "CNY"
    # CNY prices: floor(GBP × 9.2) + 0.9, so every positive price ends in .90
    p = lines.loc[lines[S.UNIT_PRICE] > 0, S.UNIT_PRICE].to_numpy()
    assert np.allclose(np.round(p % 1, 2), 0.9)
    base = zh.truth.base.products.set_index("product_id")["base_price"]
    med = lines[lines[S.PRODUCT_ID].isin(base.index)].groupby(S.PRODUCT_ID)[S.UNIT_PRICE].median()
    ratio = (med / base.reindex(med.index)).median()
    assert 8.5 < ratio < 10.5
    assert np.allclose(lines[S.REVENUE], (lines[S.QUANTITY] * lines[S.UNIT_PRICE]).round(2))


def test_spring_festival_shipping_pause(zh):
    lines = zh.lines
    assert zh.truth.pauses[0] == (date(2025, 1, 24), date(2025, 2, 4))  # SF 2025-01-29 −5 … +6
    days = lines[S.ORDER_DATE].dt.floor("D")
    for p0, p1 in zh.truth.pauses:
        inside = (days >= pd.Timestamp(p0)) & (days <= pd.Timestamp(p1))
        assert not inside.any(), (p0, p1)
        per = _orders_per_day(lines)
        assert per.get(pd.Timestamp(p0) - pd.Timedelta(days=1), 0) > 10
        assert per.get(pd.Timestamp(p1) + pd.Timedelta(days=1), 0) > 10
    # every return still comes after its sale
    ret = lines[lines[S.ORDER_ID].str.startswith("C")]
    sale = lines[~lines[S.ORDER_ID].str.startswith("C")].groupby(S.ORDER_ID)[S.ORDER_DATE].min()
    assert (ret[S.ORDER_DATE].to_numpy() > ret[S.ORDER_ID].str[1:].map(sale).to_numpy()).all()


@pytest.mark.parametrize(
    ("day", "mult"), [("2025-11-11", 6.0), ("2025-06-18", 4.0), ("2025-12-12", 2.5)]
)
def test_festival_peaks_are_planted(zh, day, mult):
    per = _orders_per_day(zh.lines)
    d = pd.Timestamp(day)
    # the same weekday one to three weeks later has no festival, the same weekly factor and
    # a trend 1 % higher at most: the lift over it is the planted multiplier (stated by hand
    # here, not read from the truth), up to Poisson noise on ~50-300 orders a day
    ref = np.mean([per[d + pd.Timedelta(weeks=k)] for k in (1, 2, 3)])
    assert per[d] / ref == pytest.approx(mult, rel=0.25)


def test_forecast_with_the_calendar_finds_the_planted_peaks(zh):
    s = F.build_series(zh.lines, metric="revenue", freq="D", future_periods=14)
    assert s.holiday_country == "CN"
    res = F.forecast(s, horizon=14, folds=8, calendar=C.FEATURES)
    bt = res.backtest.set_index("model")["mae"]
    assert bt["ets_cal"] < 0.9 * bt["ets"]
    assert bt["sarimax_cal"] < 0.9 * bt["sarimax"]
    assert res.model.endswith("_cal")
    # the backtest fold that holds Double 11 2026: the calendar model puts its peak there
    f = res.folds
    d11 = pd.Timestamp("2026-11-11")
    fold = f.loc[(f["model"] == "ets_cal") & (f["period"] == d11), "fold"].iloc[0]
    g = f[(f["model"] == "ets_cal") & (f["fold"] == fold)].set_index("period")["mean"]
    plain = f[(f["model"] == "ets") & (f["fold"] == fold)].set_index("period")["mean"]
    assert g.idxmax() == d11 and g[d11] > 2.5 * plain[d11]
    # and the forecast ahead peaks on Double 12 2026
    fc = res.forecast.set_index("period")["mean"]
    assert fc.idxmax() == pd.Timestamp("2026-12-12")


def test_cli_demo_locale_zh(capsys, tmp_path):
    assert main(["demo", "--locale", "zh", "--lines", "6000", "--name", "演示商户", "--json"]) == 0
    out = capsys.readouterr().out
    assert '"currency": "CNY"' in out
    from ecomdash.engine import open_store

    store = open_store()
    try:
        info = next(d for d in store.list_datasets() if d.name == "演示商户")
        lines = store.load_lines(info.id)
    finally:
        store.close()
    assert lines[S.COUNTRY].value_counts().index[0] == "广东"
    # its prices are yuan, and its tables say so (the restock plan's net revenue had no ¥)
    from ecomdash import labels as L

    display = L.display_for(info.report, is_demo=info.is_demo)
    assert display.currency == "CNY"
    assert L.number_format(L.column("revenue", "forecast"), display) == "¥%,.2f"
    # the forecast command with the Chinese calendar on it
    capsys.readouterr()
    assert (
        main(
            [
                "forecast",
                "--dataset",
                info.id,
                "--freq",
                "W",
                "--horizon",
                "8",
                "--folds",
                "2",
                "--calendar",
                "cn",
                "--json",
            ]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert out["calendar"] == list(C.FEATURES)
    assert {"ets", "ets_cal"} <= set(out["backtest"])
    assert main(["forecast", "--dataset", info.id, "--calendar", "easter"]) == 2
    assert "Unknown Chinese calendar feature" in capsys.readouterr().err
    path = tmp_path / "zh.csv"
    assert main(["demo", "--locale", "zh", "--lines", "4000", "--csv", str(path)]) == 0
    head = path.read_text(encoding="utf-8-sig").splitlines()[0]
    assert head.startswith("order_id,order_date") and "country" in head
    # the English generator still needs --lines
    assert main(["demo", "--name", "x"]) == 2
    assert "--lines" in capsys.readouterr().err


def test_next_spring_festival_break_is_forecast_as_closed():
    # history to 2026-02-08, the shop paused over Spring Festival 2025: the calendar models
    # forecast 0 over the published 2026 break (15-23 Feb), the plain ETS does not
    d = demo_zh.generate(7, days=435)
    s = F.build_series(d.lines, metric="revenue", freq="D", future_periods=21)
    res = F.forecast(s, horizon=21, folds=4, calendar=["spring_festival", "nianhuo"])
    c = res.candidates.pivot(index="period", columns="model", values="mean")
    brk = pd.date_range("2026-02-15", "2026-02-23")
    assert (c.loc[brk, "ets_cal"] == 0).all() and (c.loc[brk, "ets"] > 0).all()
    assert (c.loc[pd.Timestamp("2026-02-24") :, "ets_cal"] > 0).all()
    assert any("Spring Festival" in w and "forecast 0" in w for w in res.warnings)
