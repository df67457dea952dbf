"""The label catalogue in Chinese: headers, download headers, help, model names, cell formats;
and work run in the budget thread keeps the run's language."""

from __future__ import annotations

import re

import pandas as pd

from ecomdash import labels as L
from ecomdash.i18n import _, catalogue, use_lang

CNY = L.Display(currency="CNY")


def test_headers_and_help_in_chinese():
    with use_lang("zh"):
        assert L.label("gross_sales") == "总销售额"
        assert L.label("revenue") == "净销售额"
        assert L.label("aov") == "客单价"
        assert L.label("lo80") == "下限（80% 区间）"
        assert L.label("rule", "basket") == "规则（如果 → 那么）"
        assert L.label("lift", "pricing.promos") == "促销提升（销量倍数）"  # area override
        assert L.column("support").help == "包含这些商品的购物篮占全部购物篮的比例。"
        assert L.label("m3") == "第\u00a03\u00a0个月"
        assert L.label("gross_sales", None) != L.COLUMNS["gross_sales"].label
    # English unchanged, and the catalogue entry itself was not changed by the Chinese run
    assert L.label("gross_sales") == "Gross sales" == L.COLUMNS["gross_sales"].label
    assert L.column("support").help == "Share of all baskets that hold these products."
    assert L.label("m3") == "Month 3"


def test_download_headers_in_chinese_carry_the_unit_in_full_width_brackets():
    with use_lang("zh"):
        assert L.header("revenue", CNY) == "净销售额（¥）"
        assert L.header("return_rate") == "退货率（%）"
        assert L.header("orders") == "订单数"
    assert L.header("revenue", CNY) == "Net revenue (¥)"
    assert L.header("return_rate") == "Return rate (%)"


def test_model_names_in_chinese():
    with use_lang("zh"):
        assert L.model_label("ets") == "指数平滑（ETS）"
        assert L.model_label("sarimax_cal", short=True) == "SARIMAX + 中国日历"
        assert L.model_label("popularity") == "热门基线（畅销商品）"
        assert L.model_label("no_such_model") == "No such model"  # an unknown id, humanised
        assert L.format_value("ets", "model") == "指数平滑（ETS）"
        assert L.label("ets") == "指数平滑（ETS）"  # a column named after a model
    assert L.model_label("ets") == "Exponential smoothing (ETS)"


def test_cells_in_chinese():
    with use_lang("zh"):
        assert L.format_value(0.1234, "return_rate") == "12.3%"
        assert L.format_value(12.5, "improvement_pct") == "13%"  # pct, 0 decimals, half up
        assert L.format_value(-1234.5, "revenue", CNY) == "-¥1,234.50"
        assert L.format_value(pd.Timestamp("2026-11-11"), "period") == "2026年11月11日"
    assert L.format_value(0.1234, "return_rate") == "12.3\u00a0%"


def test_every_label_help_and_model_name_has_a_chinese_translation():
    """Counted from the catalogue module itself (not through label()), so a label added
    without N_ or without a translation shows here by name."""
    zh = catalogue("zh")
    texts = {c.label for c in L.COLUMNS.values()} | {c.help for c in L.COLUMNS.values() if c.help}
    texts |= set(L.MODEL_LABELS.values()) | set(L.MODEL_SHORT.values())
    missing = sorted(t for t in texts if t not in zh)
    assert not missing, missing
    # and the Chinese is Chinese: every label has a Han character or is an upper-case term
    han = re.compile(r"[\u4e00-\u9fff]")
    latin_only = sorted(
        zh[t] for t in texts if not han.search(zh[t]) and not re.fullmatch(r"[A-Z0-9 /+.-]+", zh[t])
    )
    assert latin_only == [], latin_only


def test_for_screen_in_chinese_tables():
    from ecomdash.ui.tables import _for_screen

    df = pd.DataFrame({"model": ["ets", "auto"], "mae": [1.0, 2.0]})
    with use_lang("zh"):
        assert list(_for_screen(df, None)["model"]) == ["指数平滑（ETS）", "自动选择"]
    assert list(df["model"]) == ["ets", "auto"]  # input not mutated


def test_budget_thread_keeps_the_language():
    """run_with_budget runs the work in another thread: it must see the run's language."""
    from ecomdash.ui.common import run_with_budget

    with use_lang("zh"):
        assert run_with_budget(lambda: _("Overview"), seconds=30) == "概览"
    assert run_with_budget(lambda: _("Overview"), seconds=30) == "Overview"


def test_a_header_takes_the_kind_a_run_gives_its_column():
    # a revenue forecast's backtest error is money; the catalogue's "mae" is a plain number
    eur = L.Display(currency="EUR")
    assert L.header("mae", eur, "forecast") == "Backtest error (MAE)"
    assert L.header("mae", eur, "forecast", kind="money") == "Backtest error (MAE) (€)"
    assert L.header("mae", eur, "forecast", kind="number") == "Backtest error (MAE)"
    with use_lang("zh"):
        mae = _("Backtest error (MAE)")
        assert mae != "Backtest error (MAE)"
        assert L.header("mae", CNY, "forecast", kind="money") == f"{mae}（¥）"
    assert L.COLUMNS["mae"].kind == "number"  # the catalogue itself is not changed


def _cells(text: str) -> int:
    """Display width: a CJK character is about two Latin ones in the app's font."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


#: The Recommendations page's Model box (a third of the form at 1400 px) showed 42 cells
#: before its ellipsis: "Automatic (the model that tests best on yo…"; a few cells spare.
MODEL_BOX_CELLS = 38


def test_recommendation_model_names_are_plain_and_fit_the_model_box():
    """The model names a merchant reads on the Recommendations page ("Model in use: …", the
    Model box, the test's table) say what each does in plain words, no "CF" (collaborative
    filtering), and fit the Model box whole in both languages (the automatic choice read
    "Automatic (the model that tests best on yo…")."""
    from ecomdash.recommend.data import MODEL_LABELS
    from ecomdash.ui.recommend import AUTO_LABEL

    for lang in ("en", "zh"):
        with use_lang(lang):
            shown = [_(AUTO_LABEL), *(_(m) for m in MODEL_LABELS.values())]
        too_wide = [s for s in shown if _cells(s) > MODEL_BOX_CELLS]
        assert not too_wide, (lang, too_wide)
        assert not [s for s in shown if re.search(r"\bCF\b|协同过滤", s)], (lang, shown)
    with use_lang("zh"):
        assert L.model_label("user_knn") == "相似客户的购买"
    assert L.model_label("user_knn") == "Similar customers' purchases"
    assert L.model_label("item_knn") == "Similar products (same buyers)"


def test_the_data_pages_join_tables_have_chinese_headers():
    """The proposed joins' and the combine steps' headers (Data page, several files) were
    'Lines column' and 'Table column' in the Chinese UI: ids the catalogue did not know."""
    from ecomdash.ingest.multi import CombinedResult, JoinProposal

    joins = JoinProposal("lines", ()).to_frame()
    steps = CombinedResult(None, "lines", (), (), False).steps_frame()
    with use_lang("zh"):
        shown = [L.label(c, "data") for c in [*joins.columns, *steps.columns]]
    assert [h for h in shown if re.search("[A-Za-z]", h)] == [], shown
    assert shown[1:3] == ["订单行的列", "该表的列"]


def test_the_backtests_downloads_have_chinese_headers():
    """Forecast → Backtest's second download (下载各折的预测值与实际值): every header in
    Chinese; it had 'Chosen' (the model auto chose in each fold)."""
    from ecomdash import forecast as F

    idx = pd.date_range("2024-01-01", periods=21, freq="D")
    s = F.series_from_values(idx, [10, 12, 14, 16, 18, 20, 22] * 3, freq="D", future_periods=7)
    res = F.forecast(s, horizon=7, folds=1, models=("seasonal_naive", "ets"))
    with use_lang("zh"):
        headers = [L.header(c, area="forecast") for c in res.folds.columns]
    assert [h for h in headers if re.search("[A-Za-z]", h)] == [], headers
    assert L.header("chosen", area="forecast") == "Model used"
