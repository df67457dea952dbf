"""A chart's hover built in code joins a Chinese word and the figure after it with the
no-break space, as the catalogue does (``ZH_PLAIN_BEFORE`` in test_i18n_units.py): the Overview
and Pricing hovers read "净销售额 %{x:$,.2f}" and "价格 %{x:$,.2f}" with a plain space, found
by running the Chinese pages' charts (every other hover is one catalogue message, checked
there). English keeps its plain space ("Net revenue %{x:$,.2f}")."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from ecomdash.i18n import use_lang
from tests.unit.test_i18n_units import ZH_PLAIN_BEFORE

NBSP = "\u00a0"
CHART_IDS = ["breakdown", "busiest", "count_breakdown", "elasticity", "demand", "validation"]
CHARTS = Path(__file__).resolve().parents[2] / "ecomdash" / "charts"


def _overview():
    from ecomdash.charts.overview import breakdown_figure, busiest_figure, count_breakdown_figure

    rows = pd.DataFrame({"key": ["US", "FR"], "revenue": [-120.0, 900.0], "orders": [3, 9]})
    busiest = pd.DataFrame(
        {"weekday": [0, 0, 4], "hour": [9, 14, 20], "orders": [5, 2, 7]}  # with times: heatmap
    )
    units = pd.DataFrame({"key": ["Mug", "Tray"], "units": [40, 12]})
    return {
        "breakdown": breakdown_figure(rows, "Top countries", symbol="¥"),
        "busiest": busiest_figure(busiest),
        "count_breakdown": count_breakdown_figure(units, "Top products", "units"),
    }


def _pricing():
    from ecomdash.charts.pricing import demand_curve, elasticity_chart, validation_chart

    products = pd.DataFrame(
        {
            "product_id": ["A-1", "B-2"],
            "product_name": ["杯子", "托盘"],
            "category": ["厨房", "厨房"],
            "status": ["estimated", "estimated"],
            "revenue": [900.0, 400.0],
            "elasticity": [-1.8, -0.6],
            "ci_low": [-2.4, -1.1],
            "ci_high": [-1.2, -0.1],
            "source": ["own", "own"],
        }
    )
    validation = pd.DataFrame(
        {
            "product_id": ["A-1", "B-2"],
            "product_name": ["杯子", "托盘"],
            "model_mae": [2.0, 5.0],
            "baseline_mae": [3.0, 4.0],
            "beats": [True, False],
        }
    )
    result = SimpleNamespace(
        products=products,
        categories=pd.DataFrame({"category": ["厨房"], "elasticity": [-1.2]}),
        validation=validation,
    )
    prices = [9.0, 10.0, 11.0]
    curve = pd.DataFrame(
        {
            "product_id": "A-1",
            "price": prices,
            "units": [12.0, 10.0, 8.5],
            "units_low": [10.0, 8.0, 7.0],
            "units_high": [14.0, 12.0, 10.0],
            "revenue": [108.0, 100.0, 93.5],
            "profit": [float("nan")] * 3,
        }
    )
    table = pd.DataFrame(
        {
            "product_id": ["A-1"],
            "product_name": ["杯子"],
            "current_price": [10.0],
            "new_price": [9.0],
            "best_price": [9.0],
            "units": [12.0],
            "units_low": [10.0],
            "units_high": [14.0],
        }
    )
    whatif = SimpleNamespace(curve=curve, table=table)
    return {
        "elasticity": elasticity_chart(result),
        "demand": demand_curve(whatif, "A-1", symbol="¥"),
        "validation": validation_chart(result),
    }


def _hovers(figures) -> dict[str, list[str]]:
    return {
        name: [t.hovertemplate for t in fig.data if isinstance(t.hovertemplate, str)]
        for name, fig in figures.items()
    }


def _built(lang: str) -> dict[str, list[str]]:
    with use_lang(lang):
        return _hovers({**_overview(), **_pricing()})


def test_every_hover_built_in_code_joins_a_chinese_word_and_its_figure():
    hovers = _built("zh")
    assert all(hovers.values()), hovers  # every chart has a hover to check
    bad = {
        name: [h for h in hs if ZH_PLAIN_BEFORE.search(h)]
        for name, hs in hovers.items()
        if any(ZH_PLAIN_BEFORE.search(h) for h in hs)
    }
    assert not bad, bad


@pytest.mark.parametrize(
    ("chart", "zh", "en"),
    [
        ("breakdown", f"净销售额{NBSP}%{{x:$,.2f}}<br>订单数{NBSP}%{{customdata[0]:,}}", None),
        ("busiest", f"%{{y}}{NBSP}%{{x}}<br>订单数{NBSP}%{{z:,}}", "%{y} %{x}<br>Orders %{z:,}"),
        ("count_breakdown", f"件数{NBSP}%{{x:,}}", "Units %{x:,}"),
        ("elasticity", f"价格弹性{NBSP}%{{x:.2f}}", "elasticity %{x:.2f}"),
        ("demand", f"价格{NBSP}%{{x:$,.2f}}", "price %{x:$,.2f}"),
        ("validation", f"朴素预测{NBSP}%{{x:.1f}}<br>模型{NBSP}%{{y:.1f}}", "naive %{x:.1f}"),
    ],
    ids=CHART_IDS,
)
def test_the_hover_reads_as_the_catalogue_writes_it(chart, zh, en):
    """The joined words, by hand: Chinese with the no-break space, English unchanged."""
    assert any(zh in h for h in _built("zh")[chart]), _built("zh")[chart]
    en = en or "Net revenue %{x:$,.2f}<br>Orders %{customdata[0]:,}"
    assert any(en in h for h in _built("en")[chart]), _built("en")[chart]


def test_no_chart_joins_a_word_and_a_plotly_field_with_a_plain_space_literal():
    """A hover written as ``_(word) + " %{x}"`` is a plain space in every language: the
    charts join a word and its figure with ``charts.text.word_figure`` (or write both in one
    catalogue message)."""
    found = [
        f"{path.name}:{n}: {line.strip()}"
        for path in sorted(CHARTS.glob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"""["'] %\{|\+ ["'] ["'] \+""", line)
    ]
    assert not found, found
