"""Pricing and alert sentences in Chinese (issue 16): the core writes them in the run's
language with the same figures; English stays as it was (CLI, JSON, reports)."""

from __future__ import annotations

import pandas as pd

from ecomdash.alerts.core import _group
from ecomdash.alerts.days import _where
from ecomdash.alerts.orders import Signal, signals_from
from ecomdash.i18n import fmt, use_lang
from ecomdash.pricing.models import eligibility


def _weeks(n: int, prices: list[float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "week": pd.date_range("2026-01-05", periods=n, freq="7D"),
            "units": 5.0,
            "median_price": (prices * n)[:n],
            "promo": False,
        }
    )


def test_eligibility_reasons_in_both_languages():
    few = _weeks(3, [9.9])
    one = _weeks(20, [9.9])
    narrow = _weeks(20, [10.0, 10.0, 10.2, 10.2])
    assert eligibility(few, min_weeks=12, min_levels=2, min_spread=0.05)[2] == (
        "only 3 weeks of sales (needs 12)"
    )
    assert eligibility(few.head(1), min_weeks=12, min_levels=2, min_spread=0.05)[2] == (
        "only 1 week of sales (needs 12)"
    )
    assert eligibility(one, min_weeks=12, min_levels=2, min_spread=0.05)[2] == (
        "one price in all 20 weeks"
    )
    # 10.2 / 10.0 - 1 = 2.0 % apart, 5 % needed
    assert eligibility(narrow, min_weeks=12, min_levels=2, min_spread=0.05)[2] == (
        "prices vary by only 2.0\u00a0% (needs 5\u00a0%)"
    )
    with use_lang("zh"):
        assert eligibility(few, min_weeks=12, min_levels=2, min_spread=0.05)[2] == (
            "只有\u00a03\u00a0周销售（需要\u00a012\u00a0周）"
        )
        assert eligibility(one, min_weeks=12, min_levels=2, min_spread=0.05)[2] == (
            "全部\u00a020\u00a0周都是同一个价格"
        )
        assert eligibility(narrow, min_weeks=12, min_levels=2, min_spread=0.05)[2] == (
            "价格只相差\u00a02.0%（需要\u00a05%）"
        )


def test_price_error_reason_in_chinese_has_the_figures():
    """Three orders of a £10 product at £1.00, two units each: 10.0× below, 3 × (20 − 2) =
    54.00 lost against the usual price; one of them alone: 1 line, 18.00 lost."""
    df = pd.DataFrame(
        {
            "order_date": pd.to_datetime(
                ["2026-11-11 10:00", "2026-11-11 11:00", "2026-11-11 12:00"]
            ),
            "order_id": ["o1", "o2", "o3"],
            "product_id": ["SKU-1"] * 3,
            "customer_id": ["c1", "c2", "c3"],
            "line_no": [1, 2, 3],
            "quantity": [2.0, 2.0, 2.0],
            "unit_price": [1.0, 1.0, 1.0],
            "revenue": [2.0, 2.0, 2.0],
            "usual": [10.0, 10.0, 10.0],
            "ratio": [0.1, 0.1, 0.1],
            "big_qty": [50.0, 50.0, 50.0],
        }
    )
    (en,) = signals_from("price_off", df)
    with use_lang("zh"):
        (zh,) = signals_from("price_off", df)
    assert en.reason == (
        "SKU-1 sold at 1.00 on 3 lines, 10.0× below its usual 10.00 "
        "(54.00 lost against the usual price)"
    )
    assert (
        zh.reason
        == "“SKU-1”在\u00a03\u00a0个订单行以\u00a01.00 售出，仅为常价\u00a010.00 的\u00a01/10.0（按常价计少收\u00a054.00）"
    )
    assert (
        (en.severity, en.kind, en.key)
        == (zh.severity, zh.kind, zh.key)
        == (
            "high",
            "price_off",
            "price:SKU-1:2026-11-11",
        )
    )
    (one,) = signals_from("price_off", df.iloc[:1])
    assert one.reason == (
        "SKU-1 sold at 1.00 on 1 line, 10.0× below its usual 10.00 "
        "(18.00 lost against the usual price)"
    )
    with use_lang("zh"):
        (one,) = signals_from("price_off", df.iloc[:1])
    assert (
        one.reason
        == "“SKU-1”在\u00a01\u00a0个订单行以\u00a01.00 售出，仅为常价\u00a010.00 的\u00a01/10.0（按常价计少收\u00a018.00）"
    )


def test_an_alert_of_several_signals_counts_the_ones_it_does_not_show():
    def signal(i: int) -> Signal:
        day = pd.Timestamp("2026-11-11")
        return Signal("order:o1", day, "high", "huge_quantity", f"r{i}", 10.0 - i)

    for n, en, zh in [
        (1, "r0. Also: r1 (+1 more signal)", "r0。另外：r1（还有\u00a01\u00a0个信号）"),
        (2, "r0. Also: r1 (+2 more signals)", "r0。另外：r1（还有\u00a02\u00a0个信号）"),
    ]:
        group = [signal(i) for i in range(n + 2)]
        assert _group(group)[0]["reason"].tolist() == [en]
        with use_lang("zh"):
            assert _group(group)[0]["reason"].tolist() == [zh]


def test_days_and_places_as_sentences_name_them():
    day = pd.Timestamp("2026-11-11")  # a Wednesday
    assert fmt.long_date(day, weekday=True) == "Wed, 11 November 2026"  # as alert reasons write it
    assert _where("shop", None) == "the shop" and _where("category", "Toys") == "category Toys"
    with use_lang("zh"):
        assert fmt.long_date(day, weekday=True) == "2026年11月11日周三"
        assert _where("shop", None) == "全店"
        assert _where("country", "广东") == "地区“广东”"  # a province is a region, not a country
        assert _where("country", "法国") == "国家/地区“法国”"
