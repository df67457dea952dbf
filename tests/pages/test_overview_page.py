from __future__ import annotations

from datetime import timedelta

import pytest
from streamlit.testing.v1 import AppTest

from ecomdash.filters import Filters
from ecomdash.i18n import fmt
from ecomdash.kpis import compute_kpis
from ecomdash.store import Store
from ecomdash.ui.overview import kpi_text
from tests.conftest import kept_customer_sales
from tests.pages.conftest import ROOT, run_app, run_page


def _metric(at, label):
    found = [m for m in at.metric if m.label == label]
    assert found, f"no metric {label!r}; have {[m.label for m in at.metric]}"
    return found[0]


def test_overview_shows_demo_kpis(demo_dataset, _isolated_home):
    at = run_page("overview.py", dataset_id=demo_dataset.id)
    assert not at.exception, at.exception
    store = Store.open(_isolated_home)
    k = compute_kpis(store, demo_dataset.id)
    store.close()
    # money in the demo shop's currency (GBP); outside a page kpi_text has no currency
    assert _metric(at, "Net revenue").value == "£" + kpi_text("revenue", k["revenue"])
    assert _metric(at, "Orders").value == kpi_text("orders", k["orders"])
    assert _metric(at, "Customers").value == f"{k['customers']:,}"  # under 10,000: exact
    assert f"Exact: £{k['revenue']:,.2f}." in _metric(at, "Net revenue").help
    assert len(at.tabs) == 3
    assert any("no earlier period" in c.value for c in at.caption)
    # two years: a monthly trend, its rows read as months ("Nov 2024"), not as 01/11/2024
    assert _trend_period(at) == {
        "label": "Month",
        "type_config": {"type": "date", "format": "MMM YYYY"},
    }
    # every table under its chart at the page's width, none in a column beside it: at 2/5
    # of the row the trend's fifth column was cut in yuan (at 1/4 three columns in pounds)
    assert_tables_full_width(at)
    # the trend's grain: "automatic" (was "auto") says in its help what it picks
    grain = at.button_group(key="ov_grain")
    assert list(grain.options) == ["automatic", "day", "week", "month"]
    assert grain.help.startswith("Automatic: by day for a period of up to two months")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_breakdown_tables_name_what_they_break_down(demo_dataset, lang):
    """Top products / categories / countries: the first header is the dimension ("Country"),
    not the result's "key" column (it read "Id" over country names)."""
    from ecomdash import labels as L
    from ecomdash.i18n import use_lang
    from tests.pages.test_table_headers import displayed_headers

    at = run_page("overview.py", dataset_id=demo_dataset.id, lang=lang)
    assert not at.exception, at.exception
    with use_lang(lang):
        want = {
            (L.label("product_id"), L.label("product_name")),
            (L.label("category"), L.label("revenue")),
            (L.label("country"), L.label("revenue")),
        }
        assert ("Country" if lang == "en" else "国家/地区") == L.label("country")
    firsts = {tuple(displayed_headers(d)[:2]) for d in at.dataframe if "period" not in d.value}
    assert firsts == want
    countries = next(d.value for d in at.dataframe if "country" in d.value.columns)
    assert countries["country"].iloc[0] == "United Kingdom"  # the demo's home market


def assert_tables_full_width(at) -> None:
    """The trend table and the breakdowns' (one tab's each) are at the page's width, each
    under its chart, not beside it in a column of the row (tests/pages/test_zh_overview.py
    too: seen cut in the Chinese demo's Overview in Chromium, branch fmtfix)."""
    beside = [d.value.columns[0] for c in at.columns for d in c.dataframe]
    assert beside == [], beside
    shown = [d.value for d in at.dataframe]
    assert any("gross_sales" in t.columns for t in shown), [list(t.columns) for t in shown]
    assert len(shown) >= 4, [list(t.columns) for t in shown]  # the trend and three tabs'


def _trend_period(at) -> dict:
    import json

    trend = next(d for d in at.dataframe if "period" in d.value.columns)
    return {k: v for k, v in json.loads(trend.proto.columns)["period"].items() if k != "help"}


def test_overview_shows_both_returning_customer_cards(demo_dataset, demo, _isolated_home):
    """All time: nobody is "returning in this period" (every first order is in it), while
    Shopify's returning customers (more than one order) are counted by hand from the lines."""
    at = run_page("overview.py", dataset_id=demo_dataset.id)
    assert not at.exception, at.exception
    lines = demo.lines
    counted = kept_customer_sales(lines)
    per_customer = lines[counted].groupby("customer_id")["order_id"].nunique()
    repeat = int((per_customer > 1).sum())
    assert 0 < repeat < len(per_customer)  # most customers buy once (test_demo.py)
    shopify = _metric(at, "Returning customers")
    assert shopify.value == f"{repeat:,}"
    assert "more than one order" in shopify.help and "Shopify" in shopify.help
    in_period = _metric(at, "Returning in this period")
    assert in_period.value == "0"
    assert "bought before it" in in_period.help
    # all time starts on the data's first day (1 Nov 2024): every customer counts as new
    # (8,947 = Customers), said under the tiles and in the New customers tile's help
    first = demo.lines["order_date"].min()
    assert f"{first:%Y-%m-%d}" == "2024-11-01"
    new = _metric(at, "New customers")
    assert new.value == _metric(at, "Customers").value == f"{per_customer.size:,}"
    said = (
        "New customers are counted from 1 November 2024, the first day of your data: customers who "
        "bought before then count as new, so every customer of this period is new and none is "
        "returning in it."
    )
    assert [c.value for c in at.caption if c.value == said] == [said]
    assert new.help.endswith(said) and "Exact: " in new.help
    assert not any("first day of your data" in m.help for m in at.metric if m is not new)


def test_overview_without_dataset_selection_uses_demo(_isolated_home):
    at = run_page("overview.py")
    assert not at.exception, at.exception
    assert _metric(at, "Net revenue").value != "n/a"


def test_frame_first_run_draws_sidebar_and_overview(demo_dataset):
    # AppTest reruns only the page script for files under pages/ (see ARCHITECTURE.md), so
    # interaction with the frame's sidebar is covered by the browser tests.
    at = run_app(dataset_id=demo_dataset.id)
    assert not at.exception, at.exception
    assert at.sidebar.selectbox(key="sidebar_dataset").value == demo_dataset.id
    assert at.sidebar.selectbox(key=f"period_{demo_dataset.id}").value == "All time"
    assert _metric(at, "Net revenue").value != "n/a"


def test_period_filter_compares_with_previous_period(demo_dataset, _isolated_home):
    store = Store.open(_isolated_home)
    _, hi = store.date_range(demo_dataset.id)
    end = hi.date()
    f = Filters(start=end - timedelta(days=89), end=end)
    k = compute_kpis(store, demo_dataset.id, f)
    before = compute_kpis(store, demo_dataset.id, f.previous_period())
    store.close()
    at = AppTest.from_file(str(ROOT / "pages" / "overview.py"), default_timeout=60)
    at.session_state["dataset_id"] = demo_dataset.id
    at.session_state["filters"] = f
    at.run()
    assert not at.exception, at.exception
    m = _metric(at, "Net revenue")
    assert m.value == "£" + kpi_text("revenue", k["revenue"])
    assert m.delta == fmt.pct(
        (k["revenue"] - before["revenue"]) / before["revenue"], 1, signed=True
    )
    # the caption says what it is compared with: the same number of days just before
    prev = f.previous_period()
    said = (
        f"{f.start.day} {f.start:%B %Y} to {end.day} {end:%B %Y} (90 days), compared with the "
        f"90 days just before them: {prev.start.day} {prev.start:%B %Y} to "
        f"{prev.end.day} {prev.end:%B %Y}. Computed in "
    )
    assert [c.value for c in at.caption if c.value.startswith(said)], [c.value for c in at.caption]
    # each tile with a change says in its help what the change is against
    against = (
        f"The change under the figure is against {prev.start.day} {prev.start:%B %Y} to "
        f"{prev.end.day} {prev.end:%B %Y}."
    )
    assert all(against in x.help for x in at.metric if x.delta), [x.help for x in at.metric]
    assert against in m.help
    # the last 90 days and the 90 before them are far from the data's first day: no note
    assert not any("first day of your data" in c.value for c in at.caption)
    assert "first day of your data" not in _metric(at, "New customers").help
    # 90 days: a weekly trend, each row a week by its first day in the shop's date format
    assert _trend_period(at) == {
        "label": "Week",
        "type_config": {"type": "date", "format": "DD/MM/YYYY"},
    }


@pytest.mark.parametrize("bad", ["nope", "../../etc"])
def test_unknown_dataset_in_state_falls_back(demo_dataset, bad):
    at = run_page("overview.py", dataset_id=bad)
    assert not at.exception, at.exception
    assert _metric(at, "Orders").value != "n/a"


def _return_rate_by_hand(lines, start, end) -> float:
    """Returns and cancellations over gross sales, by value, from the lines (not the core)."""
    d = lines[(lines["order_date"] >= str(start)) & (lines["order_date"] < str(end))]
    sale = ~d["is_return"] & ~d["is_non_product"] & (d["revenue"] > 0) & (d["quantity"] > 0)
    returned = d["is_return"] & ~d["is_non_product"]
    return d.loc[returned, "revenue"].abs().sum() / d.loc[sale, "revenue"].sum()


def test_return_rate_change_is_in_points(demo_dataset, demo):
    """October 2026 against the 31 days before: the return rate went from 3.71 % to 2.88 %
    (by hand from the lines). Its tile says -0.8 points, not -22.5 % (a relative change of a
    percentage, read as the rate falling by 22.5 points), and its help gives both rates."""
    from datetime import date

    f = Filters(start=date(2026, 10, 1), end=date(2026, 10, 31))
    now = _return_rate_by_hand(demo.lines, "2026-10-01", "2026-11-01")
    before = _return_rate_by_hand(demo.lines, "2026-08-31", "2026-10-01")
    assert (round(before * 100, 2), round(now * 100, 2)) == (3.71, 2.88)
    at = AppTest.from_file(str(ROOT / "pages" / "overview.py"), default_timeout=60)
    at.session_state["dataset_id"] = demo_dataset.id
    at.session_state["filters"] = f
    at.run()
    assert not at.exception, at.exception
    rate = _metric(at, "Return rate")
    assert rate.value == "2.9\u00a0%"
    assert rate.delta == f"{(now - before) * 100:+.1f} points" == "-0.8 points"
    assert rate.help.startswith("Returns and cancellations as a share of gross sales, by value.")
    assert rate.help.endswith(
        "Its change is the difference in percentage points: 3.71\u00a0% in the earlier period, "
        "2.88\u00a0% in this one."
    )
    # the money and count tiles keep their relative change
    assert _metric(at, "Returns & cancellations").delta.endswith(fmt.pct_sign("en"))


def _charts(at) -> list[dict]:
    import json

    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def test_money_charts_say_their_currency(demo_dataset):
    """The revenue trend's axis and the breakdowns' bars are pounds: the axis ticks and every
    hover say £ (they said bare numbers, 175,166.52), and a return's hover is the amount
    returned, not the bar's negative height. The £ is d3's currency, written after the sign
    (the returns below zero read -£5,000, were £-5,000: charts.money), sent in the chart's
    config."""
    from tests.pages.chart_money import money_axis, sent_currency, spec_currency

    at = run_page("overview.py", dataset_id=demo_dataset.id)
    assert not at.exception, at.exception
    trend, *breakdowns = _charts(at)
    assert trend["layout"]["title"]["text"] == "Net revenue by month"
    assert money_axis(trend["layout"]["yaxis"]) and spec_currency(trend) == "£"
    assert [sent_currency(c) for c in at.get("plotly_chart")] == ["£"] * 4
    hovers = {tr["name"]: tr["hovertemplate"] for tr in trend["data"]}
    assert hovers == {
        "Gross sales": "%{y:$,.2f}",
        "Returns": "%{customdata:$,.2f}",
        "Net revenue": "%{y:$,.2f}",
    }
    returns = next(tr for tr in trend["data"] if tr["name"] == "Returns")
    assert returns["customdata"]  # the amounts returned, positive (plotly's typed array)
    assert len(breakdowns) == 3
    for fig in breakdowns:
        assert money_axis(fig["layout"]["xaxis"]) and spec_currency(fig) == "£"
        assert fig["data"][0]["hovertemplate"].startswith("%{y}<br>Net revenue %{x:$,.2f}<br>")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_units_say_they_are_net_of_returns(demo_dataset, lang):
    """The Units tile and every breakdown's Units column say the one meaning they share:
    units sold less units returned (the columns counted the units sold before, so a product
    refunded in full read 0 orders and 2 units; tests/unit/test_units_net.py)."""
    import json

    from ecomdash import labels as L
    from ecomdash.i18n import use_lang

    at = run_page("overview.py", dataset_id=demo_dataset.id, lang=lang)
    assert not at.exception, at.exception
    words = {"en": "(net of returns)", "zh": "（已扣除退货）"}[lang]
    tile = next(m for m in at.metric if m.label == {"en": "Units", "zh": "件数"}[lang])
    assert words in tile.help, tile.help
    helps = [
        json.loads(d.proto.columns)["units"].get("help")
        for d in at.dataframe
        if "units" in d.value.columns
    ]
    assert len(helps) == 3, helps  # top products, categories, countries
    with use_lang(lang):
        want = L.column("units", "overview").help
    assert words in want and want in tile.help, (want, tile.help)  # the tile adds its figure
    assert helps == [want] * 3, helps
