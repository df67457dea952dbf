"""st.column_config built from the label catalogue: labels and number formats per kind, numbers
left as numbers (sorting works), model ids shown as labels, download headers with the unit."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pandas as pd
import pytest
import streamlit

from ecomdash import labels as L
from ecomdash.i18n import use_lang
from ecomdash.ui import tables as T

GBP = L.Display(currency="GBP", date_style="dmy")


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period": pd.to_datetime(["2024-03-05", "2024-03-06"]),
            "revenue": [145939.64, 1.5],
            "orders": [1234, 5],
            "return_rate": [0.1234, 0.0],
            "model": pd.array(["sarimax", "auto"], dtype="string"),
            "product_name": ["Mug", "Tea tin"],
        }
    )


def test_table_config_labels_and_formats():
    cfg = T.table_config(_frame(), display=GBP, hide_index=True)
    assert cfg["period"]["label"] == "Period"
    tc = cfg["period"]["type_config"]
    assert (tc["type"], tc["format"]) == ("date", "DD/MM/YYYY")
    assert cfg["revenue"]["label"] == "Net revenue"
    assert cfg["revenue"]["type_config"]["format"] == "£%,.2f"
    assert cfg["orders"]["type_config"]["format"] == "%,d"
    assert cfg["return_rate"]["type_config"]["format"] == "percent"
    assert cfg["product_name"]["label"] == "Product"
    assert cfg["model"]["label"] == "Model"


def test_kinds_override_and_unknown_currency():
    df = pd.DataFrame({"mean": [10.0]})
    assert T.table_config(df, display=GBP)["mean"]["type_config"]["format"] == "%,.2f"
    money = T.table_config(df, display=GBP, kinds={"mean": "money"})
    assert money["mean"]["type_config"]["format"] == "£%,.2f"
    plain = T.table_config(pd.DataFrame({"revenue": [1.0]}), display=L.Display())
    assert plain["revenue"]["type_config"]["format"] == "%,.2f"


def test_model_ids_become_labels_and_the_frame_is_not_changed():
    df = _frame()
    before = df.copy()
    shown = T._for_screen(df, None)
    assert list(shown["model"]) == ["Seasonal ARIMA (SARIMAX)", "Automatic choice"]
    pd.testing.assert_frame_equal(df, before)
    assert shown["revenue"].tolist() == df["revenue"].tolist()  # numbers stay numbers


def test_download_headers_follow_the_written_columns():
    df = _frame().set_index("product_name")
    headers = T.download_headers(df)
    assert headers[:3] == ["Product", "Period", "Net revenue"]
    assert headers[4] == "Return rate (%)"


def test_shares_go_to_the_screen_in_percent_points_with_the_column_decimals():
    # Streamlit's "percent" format showed 89% beside 62.8% in one column; the screen now
    # gets percent points and a printf format with the column's decimals (89.0%, 62.8%)
    df = pd.DataFrame({"return_rate": [0.89, 0.628], "support": [0.01234, 0.5]})
    before = df.copy()
    cfg = T.table_config(df, display=GBP, scaled=True)
    assert cfg["return_rate"]["type_config"]["format"] == "%,.1f\u00a0%%"  # share: 1 decimal
    assert cfg["support"]["type_config"]["format"] == "%,.2f\u00a0%%"  # support: 2 (labels.py)
    shown = T._for_screen(df, None)
    assert shown["return_rate"].tolist() == pytest.approx([89.0, 62.8])
    assert shown["support"].tolist() == pytest.approx([1.234, 50.0])
    pd.testing.assert_frame_equal(df, before)  # the frame (and its download) keeps shares
    # a kind given here counts too; a column the caller configures itself is sent as is
    assert T._for_screen(pd.DataFrame({"x": [0.5]}), None, {"x": "share"})["x"][0] == 50.0
    assert T._for_screen(df, None, own=("support",))["support"].tolist() == [0.01234, 0.5]
    # in Chinese without the space, as the page's other percentages (12.3%)
    with use_lang("zh"):
        assert (
            T.table_config(df, display=GBP, scaled=True)["return_rate"]["type_config"]["format"]
            == "%,.1f%%"
        )
    # an unscaled frame (data_editor) keeps Streamlit's own percent format
    assert T.table_config(df, display=GBP)["return_rate"]["type_config"]["format"] == "percent"


def _streamlit_sprintf(pairs: list[tuple[str, float]]) -> list[str]:
    """What the browser writes: each (format, value) through Streamlit's own bundled sprintf
    (a NumberColumn's printf format is applied in the browser, not in Python), run by node."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: Streamlit's sprintf runs in JavaScript")
    js = Path(streamlit.__file__).parent / "static" / "static" / "js"
    found = sorted(js.glob("sprintfjs.*.js"))
    if not found:
        pytest.skip(f"no sprintfjs bundle in {js}")
    entry = found[0]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        (out / "package.json").write_text('{"type": "module"}')
        todo, done = [entry.name], set()
        while todo:  # the bundle and the chunks it imports
            name = todo.pop()
            if name not in done:
                done.add(name)
                text = (js / name).read_text(encoding="utf-8")
                (out / name).write_text(text, encoding="utf-8")
                todo += re.findall(r'(?:from|import)\s*"\./([^"]+\.js)"', text)
        (out / "run.js").write_text(
            "globalThis.window = {};\n"  # a chunk reads window.__streamlit
            f'const {{ t: sprintf }} = await import("./{entry.name}");\n'
            f"const pairs = {json.dumps(pairs)};\n"
            "console.log(JSON.stringify(pairs.map(([f, v]) => sprintf(f, v))));\n",
            encoding="utf-8",
        )
        run = subprocess.run(
            [node, "run.js"], cwd=out, capture_output=True, text=True, timeout=60, check=True
        )
    return json.loads(run.stdout)


@pytest.mark.parametrize(
    ("lang", "want"),
    [
        ("en", ["1,065.0\u00a0%", "62.8\u00a0%", "-1,234.5\u00a0%", "0.0\u00a0%"]),
        ("zh", ["1,065.0%", "62.8%"]),
    ],
)
def test_large_percentages_in_a_table_have_thousands(lang, want):
    """A percent column read "1065.0 %" in the browser (printf "%.1f %%"); fmt.pct's text
    writes "1,065.0 %" since fmtread: the column's format has the thousands flag now."""
    df = pd.DataFrame({"return_rate": [10.65, 0.628, -12.345, -0.0001]})
    with use_lang(lang):
        fmt_ = T.table_config(df, display=GBP, scaled=True)["return_rate"]["type_config"]["format"]
    shown = T._for_screen(df, None)["return_rate"].tolist()
    got = _streamlit_sprintf([(fmt_, v) for v in shown[: len(want)]])
    assert got == want


@pytest.mark.parametrize(
    ("lang", "whole", "one"), [("en", "%d\u00a0%%", "%.1f\u00a0%%"), ("zh", "%d%%", "%.1f%%")]
)
def test_a_sliders_percent_is_written_as_fmt_pct_writes_it(lang, whole, one):
    """A slider's percentage (ui.tables.percent_format: the basket what-if, the restock
    service level) takes fmt.pct_sign: "10 %" with a no-break space in English, "10%" in
    Chinese; Streamlit's sprintf writes the figure (tests/unit/test_table_config.py)."""
    from ecomdash.i18n import fmt

    with use_lang(lang):
        assert T.percent_format() == whole
        assert T.percent_format(1) == one
        assert T.percent_format().replace("%d", "10").replace("%%", "%") == fmt.pct(0.1, 0)


CNY = L.Display(currency="CNY")


@pytest.mark.parametrize(
    ("lang", "display", "header"),
    [("en", GBP, "Net revenue (£)"), ("zh", CNY, "净销售额（¥）")],
)
def test_a_money_column_with_a_refund_names_its_currency_in_the_header(lang, display, header):
    """The browser's printf wrote a refund "£-739.32" (the sign after the currency). A money
    column holding an amount below zero now names its currency in the header, as its download
    does, and writes "-739.32"; one with none keeps the sign in its cells, and an amount
    that rounds to zero (-0.001, sent as 0.0) is not a refund."""
    df = pd.DataFrame(
        {"revenue": [1200.5, -739.32], "unit_price": [5.0, -0.001], "mean": [-3.0, 2.0]}
    )
    with use_lang(lang):
        cfg = T.table_config(df, display=display, hide_index=True)
        download = L.header("revenue", display)
        mean = L.column("mean").label
    assert cfg["revenue"]["label"] == header == download
    assert cfg["revenue"]["type_config"]["format"] == "%,.2f"
    sign = display.symbol
    assert cfg["unit_price"]["type_config"]["format"] == f"{sign}%,.2f"  # no refund: as before
    assert cfg["mean"]["type_config"]["format"] == "%,.2f"  # not money: no currency anywhere
    assert cfg["mean"]["label"] == mean
    shown = T._for_screen(df, None)
    got = _streamlit_sprintf(
        [(cfg[c]["type_config"]["format"], v) for c in ("revenue", "unit_price") for v in shown[c]]
    )
    assert got == ["1,200.50", "-739.32", f"{sign}5.00", f"{sign}0.00"]


def test_the_layout_measures_the_header_and_cells_a_refund_column_shows(monkeypatch):
    """The widths are worked out on what is drawn: the header with its currency, the cells
    without (else the column is cut or too wide)."""
    monkeypatch.setattr(T, "current_display", lambda: GBP)
    df = pd.DataFrame({"revenue": [1200.5, -739.32], "unit_price": [5.0, 1.0]})
    cells, headers = T._layout_input(df, None, None)
    assert headers == {"revenue": "Net revenue (£)", "unit_price": L.column("unit_price").label}
    assert cells == {"revenue": ["1,200.50", "-739.32"], "unit_price": ["£5.00", "£1.00"]}


def test_dates_and_yes_no_values_the_catalogue_calls_text_are_drawn_as_dates_and_tick_boxes():
    # an id the catalogue does not know is kind "text": its dates would read as milliseconds
    # since 1970 in the browser and its bools as "true" / "false" (English in every language)
    df = pd.DataFrame(
        {
            "first_day_off": [pd.Timestamp("2026-02-15").date(), None],
            "shipped_on": pd.to_datetime(["2026-02-15", "2026-02-16"]),
            "was_official": [True, False],
            "note": ["a", "b"],
        }
    )
    assert L.column("first_day_off").kind == "text"  # the case this test is about
    cfg = T.table_config(df, display=GBP, hide_index=True)
    for col in ("first_day_off", "shipped_on"):
        tc = cfg[col]["type_config"]
        assert (tc["type"], tc["format"]) == ("date", "DD/MM/YYYY"), col
    assert cfg["was_official"]["type_config"]["type"] == "checkbox"
    assert cfg["note"]["type_config"]["type"] == "text"
