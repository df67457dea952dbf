"""Core errors of the customer, pricing, alerts, overview and demo modules in Chinese.

Each case triggers the real error with bad input and checks two things: ``str(err)`` is the
English message the module gave before its raise became a Note (written out here from the old
f-strings, not copied from a run), and ``translated(err)`` in Chinese is a Chinese sentence
carrying the same figures. Drop one of the translations from its PO file and that case goes
red (the English would be shown)."""

from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from ecomdash import churn, clv, cohorts, demo_scale, engine, kpis, metrics
from ecomdash import pricing as P
from ecomdash import segment as seg
from ecomdash.alerts import core as alerts_core
from ecomdash.alerts import sql as alerts_sql
from ecomdash.alerts.orders import RULES
from ecomdash.demo import catalogue as demo_catalogue
from ecomdash.demo import generate
from ecomdash.demo.profiles import _FIRST_ID
from ecomdash.errors import EcomdashError, InsufficientDataError, ParameterError
from ecomdash.features import check_columns, customer_history, to_timestamp
from ecomdash.filters import Filters
from ecomdash.i18n import fmt, use_lang
from ecomdash.i18n.note import Note, translated
from ecomdash.pricing.features import check_panel
from ecomdash.pricing.promotions import parse_events
from ecomdash.store import Store
from tests.unit.test_segment import synthetic_lines
from tests.unit.tiny import tiny_lines

HAN = re.compile(r"[\u4e00-\u9fff]")


def _check(exc_info, english: str, *figures: str) -> None:
    """The error reads ``english`` as before; in Chinese it is Chinese with ``figures``."""
    err = exc_info.value
    assert isinstance(err, EcomdashError)
    assert isinstance(err.args[0], Note)  # a Note: translatable where it is shown
    assert str(err) == english
    with use_lang("zh"):
        zh = str(translated(err))
    assert HAN.search(zh), zh
    assert zh != english
    for f in figures:
        assert f in zh, (f, zh)
    assert str(err) == english  # translating never changes the error itself


def _panel(prices, *, pid="P", start="2024-01-01") -> pd.DataFrame:
    n = len(prices)
    prices = np.asarray(prices, dtype=float)
    return pd.DataFrame(
        {
            "product_id": pid,
            "product_name": pid,
            "category": "Cat",
            "week": pd.date_range(start, periods=n, freq="7D"),
            "units": np.full(n, 10.0),
            "median_price": prices,
            "revenue": 10.0 * prices,
            "store_orders": np.full(n, 100),
        }
    )


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    store = Store.open(tmp_path_factory.mktemp("zh_err") / "h")
    info = store.save_dataset("Tiny", tiny_lines())
    yield store, info
    store.close()


# ------------------------------------------------------------------------------ alerts


def test_alerts_severity_mute_and_rule(saved):
    with pytest.raises(ParameterError) as e:
        alerts_core.find_alerts(None, "x", min_severity="urgent")
    _check(
        e,
        "The 'min_severity' parameter must be one of high, medium, low. Got 'urgent' instead.",
        "'urgent'",
        "必须是",
    )
    with pytest.raises(ParameterError) as e:
        alerts_core.find_alerts(None, "x", mute_rules=["nope", "bad"])
    _check(
        e,
        f"Unknown rules to mute: bad, nope. Rules are: {', '.join(RULES)}.",
        "bad、nope",  # a list in Chinese is joined with 、
        "、".join(RULES),
    )
    store, info = saved
    with pytest.raises(ParameterError) as e:
        alerts_sql.alert_rule_lines(store, info.id, None, "telepathy")
    _check(e, "Unknown alert rule 'telepathy'.", "未知的提醒规则 'telepathy'")


# ------------------------------------------------------------------------------- churn


def test_churn_model_window_and_models():
    with pytest.raises(ParameterError) as e:
        churn.make_model("forest", n_train=100)
    _check(
        e,
        f"The model must be one of {list(churn.MODELS)}. Got 'forest' instead.",
        "'forest'",
        str(list(churn.MODELS)),
    )
    with pytest.raises(ParameterError) as e:
        churn.evaluate(SimpleNamespace(y=None), SimpleNamespace(y=None))
    _check(e, "evaluate() needs labelled windows (labelled=True).", "labelled=True")
    lines = synthetic_lines(60)
    with pytest.raises(ParameterError) as e:
        churn.churn(lines, window_days=3)
    _check(
        e,
        "The 'window_days' parameter must be an int in the range [7, 365]. Got 3 instead.",
        "[7, 365]",
        "3",
    )
    with pytest.raises(ParameterError) as e:
        churn.churn(lines, models=("oracle",))
    _check(
        e,
        f"The 'models' parameter must be a non-empty subset of {list(churn.MODELS)}. "
        "Got ('oracle',).",
        "('oracle',)",
    )


# --------------------------------------------------------------------------------- clv


def test_clv_models_and_inputs():
    with pytest.raises(ParameterError) as e:
        clv.fit_bgnbd([1.0, 2.0], [1.0], [3.0])
    _check(
        e,
        "frequency, recency and T must be 1-D arrays of the same length; got shapes "
        "(2,), (1,), (1,).",
        "(2,)、(1,)、(1,)",
    )
    with pytest.raises(ParameterError) as e:
        clv.fit_bgnbd([1.0, 2.0, 0.0], [5.0, 1.0, 0.0], [3.0, 4.0, 2.0])  # recency 5 > T 3
    _check(
        e,
        "1 customers have an impossible (frequency, recency, T): need 0 <= recency <= T and "
        "recency = 0 when frequency = 0. Recompute them with rfm_summary().",
        "有\u00a01\u00a0位客户",
        "rfm_summary()",
    )
    with pytest.raises(InsufficientDataError) as e:
        clv.fit_bgnbd([], [], [])
    _check(e, "BG/NBD needs at least one customer; found none.", "BG/NBD")


def test_clv_columns_time_unit_and_horizon():
    with pytest.raises(InsufficientDataError) as e:
        clv.customer_days(pd.DataFrame({"buyer": ["a"], "amount": [1.0]}))
    _check(
        e,
        "Customer value needs the 'customer_id' column; the dataset has buyer, amount. Map a "
        "column to 'customer_id' on the Data page.",
        "buyer、amount",
        "“customer_id”",  # quoted as Chinese quotes a name (zhwords: it was 'customer_id')
    )
    with pytest.raises(InsufficientDataError) as e:
        clv.customer_days(pd.DataFrame())
    _check(
        e,
        "Customer value needs the 'customer_id' column; the dataset has no columns. Map a "
        "column to 'customer_id' on the Data page.",
        "没有任何列",
    )
    days = pd.DataFrame(
        {
            "customer_id": ["a", "a", "b"],
            "date": pd.to_datetime(["2024-01-01", "2024-01-15", "2024-01-08"]),
            "value": [10.0, 20.0, 5.0],
        }
    )
    with pytest.raises(ParameterError) as e:
        clv.rfm_summary(days, time_unit="M")
    _check(
        e,
        "The 'time_unit' parameter must be one of ['D', 'W']. Got 'M' instead.",
        "['D', 'W']",
        "'M'",
    )
    with pytest.raises(ParameterError) as e:
        clv.customer_value(tiny_lines(), horizon_months=0)
    _check(e, "The 'horizon_months' parameter must be in (0, 120]. Got 0 instead.", "(0, 120]")
    with pytest.raises(ParameterError) as e:
        clv.customer_value_days(days, horizon_months=240)
    _check(e, "The 'horizon_months' parameter must be in (0, 120]. Got 240 instead.", "240")


# ----------------------------------------------------------------------------- cohorts


def test_cohorts_view_columns_and_filter():
    lines = tiny_lines()
    with pytest.raises(InsufficientDataError) as e:
        cohorts.cohorts(lines.drop(columns=["order_date"]))
    _check(
        e,
        "Cohorts need the 'order_date' column; it is not mapped. Map it on the Data page.",
        "order_date",
    )
    with pytest.raises(ParameterError) as e:
        cohorts.cohorts(lines.drop(columns=["category"]), first_categories=("Kitchen",))
    _check(
        e,
        "Filtering cohorts by first categories needs the 'category' column, which this "
        "dataset does not have. Clear the filter or map the column.",
        "按首次购买品类",  # the Note field is translated with its sentence
        "category",
    )
    with pytest.raises(ParameterError) as e:
        cohorts.cohorts(lines).matrix("churn")
    _check(
        e,
        f"The 'kind' parameter must be one of {list(cohorts.VIEWS)}. Got 'churn' instead.",
        "'churn'",
    )


# -------------------------------------------------------------------- customer features


def test_features_dates_and_columns():
    with pytest.raises(ParameterError) as e:
        to_timestamp("soonish")
    _check(
        e,
        "The 'as_of' date could not be read: got 'soonish'. Use a date like 2010-12-09.",
        "'soonish'",
        "2010-12-09",
    )
    with pytest.raises(ParameterError) as e:
        to_timestamp("NaT", name="compare_to")
    _check(e, "The 'compare_to' date is missing. Use a date like 2010-12-09.", "'compare_to'")
    with pytest.raises(ParameterError) as e:
        to_timestamp(3.5)
    _check(e, "The 'as_of' parameter must be a date. Got float 3.5 instead.", "float 3.5")
    with pytest.raises(InsufficientDataError) as e:
        check_columns(pd.DataFrame({"customer_id": ["a"]}))
    _check(
        e,
        "Customer features need the customer id, order date and revenue columns. Missing: "
        "order_date, revenue. Map these columns when uploading the file.",
        "order_date、revenue",
    )


# ----------------------------------------------------------------------------- segment


def test_segment_scores_clusters_and_rules():
    with pytest.raises(ParameterError) as e:
        seg.segment_for(6, 1)
    _check(e, "RFM scores must be in 1..5. Got R=6, FM=1 instead.", "R=6", "FM=1")
    feats = customer_history(synthetic_lines(120)).features()
    with pytest.raises(ParameterError) as e:
        seg.cluster_features(feats, k_range=(1, 4))
    _check(
        e,
        "The 'k_range' parameter must be two integers 2 <= low <= high. Got (1, 4) instead.",
        "(1, 4)",
    )
    with pytest.raises(ParameterError) as e:
        seg.cluster_features(feats, k=1)
    _check(e, "The 'k' parameter must be an int >= 2. Got 1 instead.", ">=\u00a02", "1")
    with pytest.raises(ParameterError) as e:
        seg.cluster_features(feats, n_init=0, silhouette_sample=5)
    _check(
        e,
        "The 'n_init' parameter must be >= 1 and 'silhouette_sample' >= 10. Got n_init=0, "
        "silhouette_sample=5 instead.",
        "n_init=0",
        "silhouette_sample=5",
    )
    clusters = seg.cluster_features(feats, k=3, silhouette_sample=60)
    with pytest.raises(ParameterError) as e:
        seg.explain(feats, clusters, max_depth=9)
    _check(
        e,
        "The 'max_depth' parameter must be an int in 1..5 (readable rules). Got 9.",
        "1..5",
        "9",
    )


# ----------------------------------------------------------------------------- pricing


def test_pricing_parameters_cutoffs_and_products():
    df = _panel([5.0] * 20)
    with pytest.raises(ParameterError) as e:
        P.analyze(df, level=1.5)
    _check(
        e,
        "The 'level' parameter of pricing must be a float in [0.5, 1). Got 1.5 instead.",
        "[0.5, 1) 范围内的小数",  # the rule is a Note field, translated with the sentence
        "1.5",
    )
    with pytest.raises(ParameterError) as e:
        P.analyze(df, min_weeks=3)
    _check(
        e,
        "The 'min_weeks' parameter of pricing must be an int in [6, 520]. Got 3 instead.",
        "[6, 520] 范围内的整数",
    )
    with pytest.raises(ParameterError) as e:
        P.analyze(df, cutoff="soon")
    _check(e, "The cutoff 'soon' is not a date. Give it as YYYY-MM-DD.", "'soon'")
    varied = _panel(np.tile([5.0, 5.0, 6.0, 6.0], 8))  # 32 weeks from 2024-01-01
    with pytest.raises(ParameterError) as e:
        P.analyze(varied, cutoff="2030-01-07")
    _check(
        e,
        "The cutoff 7 January 2030 must fall inside the data (1 January 2024 to 5 August 2024). Pick a "
        "date in that range.",
        "2030年1月7日",
        "2024年1月1日",
        "2024年8月5日",
    )
    res = P.analyze(df)
    with pytest.raises(InsufficientDataError) as e:
        P.require_estimates(res)
    _check(
        e,
        "No product has enough price variation to measure how demand answers price (found: "
        "1 × one price in all 20 weeks). Pricing needs products sold at 2+ prices for 2+ weeks "
        "each; upload a longer export or one that spans price changes.",
        "1 × one price in all 20 weeks",
    )
    with pytest.raises(ParameterError) as e:
        res.product("ZZ9")
    _check(
        e,
        "Product 'ZZ9' has no sales in this dataset (after the filters). Check the product id "
        "(see the products table).",
        "'ZZ9'",
    )
    with pytest.raises(ParameterError) as e:
        P.markdown_candidates(res, weeks_to_clear=0)
    _check(e, "weeks_to_clear must be 1–52 weeks; got 0.", "1–52", "0")


def test_pricing_panel_and_events():
    with pytest.raises(ParameterError) as e:
        check_panel(pd.DataFrame({"product_id": ["a"], "week": [pd.Timestamp("2024-01-01")]}))
    _check(
        e,
        "The price panel lacks columns units, median_price; build it with "
        "Store.product_week_prices().",
        "units、median_price",
        "Store.product_week_prices()",
    )
    with pytest.raises(ParameterError) as e:
        parse_events(pd.DataFrame({"sku": ["a"], "from": ["2024-01-01"]}))
    _check(
        e,
        "Promotion events need columns product_id, start and end (dates); found sku, from.",
        "sku、from",
    )
    with pytest.raises(ParameterError) as e:
        parse_events(pd.DataFrame())
    _check(
        e,
        "Promotion events need columns product_id, start and end (dates); found none.",
        "一列都没有",
    )
    ends = ["2024-01-09", "2023-12-01", "2024-01-09"]  # the second ends before it starts
    for bad, en, zh in [
        (
            ["2024-01-01", "2024-01-01", "2024-01-01"],
            "1 promotion row in the events file cannot be used: b (last day 1 December 2023 "
            "before the first, 1 January 2024). Fill in its first and last day",
            "促销活动文件中有\u00a01\u00a0条促销记录无法使用：b（结束日2023年12月1日早于开始日"
            "2024年1月1日）。",
        ),
        (
            ["2024-01-01", "2024-01-01", "soon"],
            "2 promotion rows in the events file cannot be used: b (last day 1 December 2023 "
            "before the first, 1 January 2024), c (first day 'soon' is not a date). Fill in "
            "their first and last days",
            "促销活动文件中有\u00a02\u00a0条促销记录无法使用：b（结束日2023年12月1日早于开始日"
            "2024年1月1日）、c（开始日“soon”不是日期）。",
        ),
    ]:
        with pytest.raises(ParameterError) as e:
            parse_events(pd.DataFrame({"product_id": ["a", "b", "c"], "start": bad, "end": ends}))
        _check(
            e,
            f"{en} as YYYY-MM-DD, the last on or after the first, and run the command again.",
            zh,
        )


# ----------------------------------------------------- overview, filters, metrics, engine


def test_overview_filters_and_metrics(saved):
    with pytest.raises(ParameterError) as e:
        Filters(start=date(2024, 2, 1), end=date(2024, 1, 1))
    _check(
        e,
        "The start date 1 February 2024 is after the end date 1 January 2024. Pick a start date on or "
        "before the end date.",
        "2024年2月1日",
        "2024年1月1日",
    )
    store, info = saved
    with pytest.raises(ParameterError) as e:
        kpis.overview(store, info.id, grain="hour")
    _check(
        e,
        "The 'grain' parameter must be one of day, week, month or auto. Got 'hour' instead.",
        "'hour'",
    )
    with pytest.raises(ParameterError) as e:
        metrics.precision_at_k({"u": {"a"}}, {"u": ["a"]}, 0)
    _check(
        e,
        "The 'k' parameter of the ranking metrics must be an int in the range [1, inf). Got 0 "
        "instead.",
        "[1, inf)",
    )
    with pytest.raises(ParameterError) as e:
        metrics.catalogue_coverage({"u": {"a"}}, {"u": ["a"]}, 1, n_items=0)
    _check(
        e,
        "The 'n_items' parameter of catalogue_coverage must be an int in the range [1, inf). "
        "Got 0 instead.",
        "'n_items'",
    )


def test_engine_settings(monkeypatch):
    monkeypatch.delenv("ECOMDASH_ENGINE", raising=False)
    monkeypatch.delenv("ECOMDASH_SPARK_REMOTE", raising=False)
    with pytest.raises(ParameterError) as e:
        engine.settings(engine="hive")
    _check(
        e,
        "The engine 'hive' is not known. Set ECOMDASH_ENGINE (or --engine) to duckdb or spark.",
        "'hive'",
        "duckdb or spark",
    )
    with pytest.raises(ParameterError) as e:
        engine.settings(remote="http://cluster:7077")
    _check(
        e,
        "The Spark remote 'http://cluster:7077' is neither a Spark Connect URL nor a local "
        "master. Set ECOMDASH_SPARK_REMOTE (or --spark-remote) to sc://host:15002 or local[*].",
        "'http://cluster:7077'",
        "sc://host:15002",
    )


# -------------------------------------------------------------------------------- demo


def test_demo_sizes():
    with pytest.raises(ParameterError) as e:
        generate(days=30)
    _check(
        e,
        "The demo needs at least 120 days to plant seasonality, price changes and churn; got "
        "days=30. Ask for a longer period.",
        "days=30",
        "120",
    )
    with pytest.raises(ParameterError) as e:
        generate(n_customers=50)
    _check(
        e,
        "The demo needs at least 100 customers to plant its customer groups; got "
        "n_customers=50. Ask for more customers.",
        "n_customers=50",
    )
    most = 100_000 - _FIRST_ID
    with pytest.raises(ParameterError) as e:
        generate(n_customers=100, n_new_customers=most)
    _check(
        e,
        "The demo's customer ids have five digits, so n_customers + n_new_customers must be "
        f"at most {most:,} (and n_new_customers at least 0); got n_customers=100, "
        f"n_new_customers={most}. Ask for fewer customers.",
        f"{most:,}",
        f"n_new_customers={most}",
    )
    special = (
        {b[0] for b in demo_catalogue._BUNDLES}
        | {b[1] for b in demo_catalogue._BUNDLES}
        | {p[0] for p in demo_catalogue._ELASTIC}
    )
    with pytest.raises(ParameterError) as e:
        demo_catalogue._catalogue(np.random.default_rng(0), 5)
    _check(
        e,
        f"The demo needs at least {len(special) + 20} products (its {len(special)} planted "
        "bundle and price-change products plus a catalogue); got n_products=5. Ask for more "
        "products.",
        "n_products=5",
        str(len(special) + 20),
    )
    with pytest.raises(ParameterError) as e:
        demo_scale.plan(10)
    _check(
        e,
        "A generated merchant needs between 5,000 and 100,000,000 lines; got 10. Ask for a "
        "size in that range; for a smaller shop, use the demo merchant the app makes when it "
        "first starts on an empty store.",
        "5,000",
        "100,000,000",
    )


# ----------------------------- errors raised while the page's language is Chinese


def _raised_in_zh(fn, exc_type):
    """Raise inside a Chinese run (a page's worker thread): the error itself stays English."""
    with use_lang("zh"), pytest.raises(exc_type) as e:
        fn()
    return e


def test_errors_raised_in_a_chinese_run_stay_english_until_shown():
    """These messages were built with _() at the raise, so str(err) followed the language of
    the run that raised (Chinese in a Chinese page, cached with it); now they are Notes."""
    e = _raised_in_zh(lambda: clv.fit_bgnbd([0.0, 0.0, 0.0], [0.0] * 3, [3.0, 4.0, 5.0]), Exception)
    _check(
        e,
        "BG/NBD needs repeat buyers; found 0 of 3 customers. Use a longer history or an "
        "earlier cut-off.",
        "3",
    )
    e = _raised_in_zh(lambda: clv.fit_gamma_gamma([1.0, 0.0], [5.0, 0.0]), InsufficientDataError)
    _check(
        e,
        "Gamma-Gamma needs repeat buyers with a positive spend; found 1. Use a longer history "
        "or check the revenue column.",
        "1",
    )
    feats = customer_history(synthetic_lines(12)).features()
    e = _raised_in_zh(lambda: seg.cluster_features(feats), InsufficientDataError)
    assert str(e.value).startswith(
        f"Clustering needs at least 20 customers with an id. Found {feats.table.shape[0]} on "
        f"or before {fmt.long_date(feats.as_of)}."
    )
    with use_lang("zh"):
        assert HAN.search(str(translated(e.value)))
    big = customer_history(synthetic_lines(120)).features()
    n = len(big.table)
    rep = int((big.table["frequency"] >= 2).sum())  # k-means clusters the repeat customers
    e = _raised_in_zh(lambda: seg.cluster_features(big, k=n), ParameterError)
    _check(
        e,
        f"The 'k' parameter must be at most {rep // 5} for {rep} customers who ordered at "
        f"least twice (5 per cluster). Got {n} instead.",
        str(rep // 5),
        str(n),
    )
    e = _raised_in_zh(lambda: P.what_if(None, change_pct=500), ParameterError)
    _check(e, "The price change must be between -90\u00a0% and +200\u00a0%; got 500\u00a0%.", "500")


def test_a_caught_error_inside_a_result_is_in_the_run_language():
    """segment_history keeps going without the movement view and says why: in a Chinese run
    the reason (a Note-built error) is Chinese too, not English inside a Chinese sentence."""
    hist = customer_history(synthetic_lines(120))
    as_of = hist.features().as_of
    later = (as_of + pd.Timedelta(days=5)).date()
    with use_lang("zh"):
        res = seg.segment_history(hist, compare_to=later, k=3, silhouette_sample=60)
    assert res.movement is None
    assert HAN.search(res.movement_error)
    assert fmt.long_date(later, lang="zh") in res.movement_error
    assert "The comparison date" not in res.movement_error
    res = seg.segment_history(hist, compare_to=later, k=3, silhouette_sample=60)
    assert res.movement_error == (
        "No movement view: The comparison date must be before the as-of date "
        f"{fmt.long_date(as_of)}. Got {fmt.long_date(later)} instead."
    )
