"""The Pricing page's chart titles fit on one line (plotly never wraps a title and cuts it at
the chart's right edge): a long product name is cut short with "…" (its id stays whole), the
weeks chart's colour key is a line of its own under the title, in English and Chinese; the
elasticity chart's title has a plain space after its colon."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from ecomdash.charts import pricing as charts
from ecomdash.i18n import use_lang

#: UCI's product whose weeks chart's title was cut at the chart's edge
DUCKS = ("SET OF 3 COLOURED FLYING DUCKS", "35004C")
LONG = ("SET OF 3 COLOURED FLYING DUCKS WITH HANGING CORD AND GIFT BOX, ASSORTED", "35004C")
LONG_ZH = ("手工编织藤编收纳篮带盖大号家用客厅卧室衣物玩具杂物整理筐（三件套）", "HOM-101")
WEEKS = {"en": ": units and price per week", "zh": "：每周件数与价格"}
KEY = {
    "en": "Green: promotion weeks; red: the weeks after",
    "zh": "绿色：促销周；红色：促销之后的几周",
}
DEMAND = {
    "en": ": demand across the prices it has had (±10\u00a0%)",
    "zh": "：在有过的价格范围（±10%）内的需求",
}


def _weeks_chart(name: str, pid: str, lang: str) -> dict:
    weeks = pd.date_range("2025-01-06", periods=12, freq="7D")
    panel = pd.DataFrame(
        {
            "product_id": pid,
            "product_name": name,
            "week": weeks,
            "units": np.arange(12.0),
            "median_price": 5.0,
            "promo": [i in (4, 5) for i in range(12)],
            "post": [i in (6, 7) for i in range(12)],
        }
    )
    with use_lang(lang):
        fig = charts.price_units_timeline(SimpleNamespace(panel=panel), pid, symbol="£")
    return fig.to_plotly_json()["layout"]


def _demand_chart(name: str, pid: str, lang: str) -> dict:
    prices = np.linspace(4.0, 6.0, 5)
    curve = pd.DataFrame(
        {
            "product_id": pid,
            "price": prices,
            "units": 10.0 - prices,
            "units_low": 9.0 - prices,
            "units_high": 11.0 - prices,
            "revenue": prices * (10.0 - prices),
            "profit": np.nan,
        }
    )
    table = pd.DataFrame(
        [
            {
                "product_id": pid,
                "product_name": name,
                "current_price": 5.0,
                "best_price": 6.0,
                "new_price": 5.5,
                "units": 4.5,
                "units_low": 3.5,
                "units_high": 5.5,
            }
        ]
    )
    with use_lang(lang):
        fig = charts.demand_curve(SimpleNamespace(curve=curve, table=table), pid, symbol="£")
    return fig.to_plotly_json()["layout"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_weeks_chart_keeps_its_colour_key_under_the_title(lang):
    """UCI's "SET OF 3 COLOURED FLYING DUCKS (35004C): units and price per week (green:
    promotion, red: the weeks after)" ran past the chart's edge: the key is now the subtitle
    and the title, product whole, fits."""
    layout = _weeks_chart(*DUCKS, lang)
    title = layout["title"]["text"]
    assert title == "SET OF 3 COLOURED FLYING DUCKS (35004C)" + WEEKS[lang]
    assert charts.title_px(title) <= charts.TITLE_PX
    assert layout["title"]["subtitle"]["text"] == KEY[lang]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("chart", [_weeks_chart, _demand_chart], ids=["weeks", "demand"])
@pytest.mark.parametrize("product", [LONG, LONG_ZH], ids=["latin", "chinese"])
def test_a_long_product_name_is_cut_to_fit_the_title(lang, chart, product):
    name, pid = product
    title = chart(name, pid, lang)["title"]["text"]
    tail = {_weeks_chart: WEEKS, _demand_chart: DEMAND}[chart][lang]
    assert charts.title_px(title) <= charts.TITLE_PX, title
    # the name cut short, the id and the rest of the title whole
    assert title.endswith(f"… ({pid}){tail}"), title
    cut = title[: -len(f"… ({pid}){tail}")]
    assert len(cut) > 10 and name.startswith(cut)
    # as long as fits: one character more would not (a space at the cut is dropped)
    more = len(cut) + 1
    while name[:more].rstrip() == cut:
        more += 1
    one_more = name[:more].rstrip() + f"… ({pid}){tail}"
    assert charts.title_px(one_more) > charts.TITLE_PX


def test_a_name_that_fits_stays_whole_and_is_measured_before_it_is_escaped():
    """The demo's names stay whole; "<" and "&" are measured as one character each and shown
    as entities (plotly reads them as markup)."""
    title = _demand_chart("Wooden Train Set – Starter", "TOY-229", "en")["title"]["text"]
    assert title == "Wooden Train Set – Starter (TOY-229)" + DEMAND["en"]
    name = "Tea & Biscuits <Gift> Tin " + "x" * 22  # fits only when "&amp;" counts one
    title = _weeks_chart(name, "KIT-1", "en")["title"]["text"]
    assert charts.title_px(f"{name} (KIT-1){WEEKS['en']}") <= charts.TITLE_PX
    assert (
        charts.title_px(
            f"{name.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')} (KIT-1)"
            + WEEKS["en"]
        )
        > charts.TITLE_PX
    )
    assert title == "Tea &amp; Biscuits &lt;Gift&gt; Tin " + "x" * 22 + " (KIT-1)" + WEEKS["en"]
    # a product without a name of its own: its id, whole
    assert _weeks_chart("", "KIT-1", "en")["title"]["text"] == "KIT-1" + WEEKS["en"]


def test_the_elasticity_title_has_a_plain_space_after_its_colon():
    """It had a no-break space there, a leftover of the no-break space before "%" (the
    catalogue's rule read "% change" as a figure's unit); "percentage change" needs none."""
    products = pd.DataFrame(
        {
            "product_id": ["A"],
            "product_name": ["Mug"],
            "category": ["Kitchen"],
            "status": ["estimated"],
            "revenue": [10.0],
            "elasticity": [-1.2],
            "ci_low": [-1.5],
            "ci_high": [-0.9],
            "source": ["own data"],
        }
    )
    res = SimpleNamespace(products=products, categories=pd.DataFrame())
    titles = {}
    for lang in ("en", "zh"):
        with use_lang(lang):
            titles[lang] = charts.elasticity_chart(res).layout.title.text
    assert titles == {
        "en": "Price elasticity: percentage change in units for a 1\u00a0% higher price",
        "zh": "价格弹性：价格提高\u00a01% 时件数变化的百分比",
    }
    assert all(charts.title_px(t) <= charts.TITLE_PX for t in titles.values())
