"""The Data page's "Your datasets" tab after an append: its counts are the dataset's, every
file's together, not the first save's alone. UCI Online Retail II's first month saved and its
second appended shows what one file of both months shows: the rows read, kept and dropped, and
the sale lines cancelled later (a January return cancels a December sale: the append
re-matches them; the tile read the first file's report, the December file's own matches)."""

from __future__ import annotations

import gzip
import io

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from ecomdash.ingest import load_bytes
from ecomdash.store import Store
from tests.conftest import UCI_PATH, shared
from tests.pages.conftest import ROOT
from tests.unit.test_append_rematch import FEB, JAN

LABELS = ["Rows read", "Rows kept", "Rows dropped", "Sale lines cancelled later"]


def _uci_two_months() -> tuple[bytes, bytes]:
    text = gzip.decompress(shared(UCI_PATH).read_bytes()).decode("utf-8")
    head, *body = text.splitlines(keepends=True)
    when = pd.read_csv(io.StringIO(text), dtype=str, usecols=["InvoiceDate"])["InvoiceDate"]
    month = pd.to_datetime(when).dt.strftime("%Y-%m").to_numpy()
    first, second = sorted(set(month))[:2]
    return tuple(
        (head + "".join(line for m, line in zip(month, body, strict=True) if m == want)).encode()
        for want in (first, second)
    )


def _saved_and_appended(home, files: list[bytes]) -> str:
    store = Store.open(home)
    try:
        first = load_bytes(files[0], "first.csv")
        ds = store.save_dataset("Shop", first.lines, report=first.report).id
        for i, data in enumerate(files[1:], start=2):
            res = load_bytes(data, f"file{i}.csv")
            store.append(ds, res.lines, report=res.report)
    finally:
        store.close()
    return ds


def _sets_tab(ds: str, lang: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "data.py"), default_timeout=90)
    if lang:
        at.query_params["lang"] = lang
    at.run()
    at.selectbox(key="manage_pick").set_value(ds).run()
    assert not at.exception, at.exception
    return at


def _tiles(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric if m.label in LABELS}


def test_uci_first_month_with_its_second_appended_counts_as_one_file_of_both(_isolated_home):
    dec, jan = _uci_two_months()
    one = load_bytes(dec + jan.split(b"\n", 1)[1], "both.csv")
    rep = one.report
    cancelled = int(one.lines["is_cancelled"].sum())
    # one file of both: a January return cancels a December sale its own file held
    assert cancelled == rep.matched_cancellations
    assert cancelled > load_bytes(dec, "dec.csv").report.matched_cancellations + (
        load_bytes(jan, "jan.csv").report.matched_cancellations
    )
    at = _sets_tab(_saved_and_appended(_isolated_home, [dec, jan]))
    assert _tiles(at) == {
        "Rows read": f"{rep.rows_read:,}",
        "Rows kept": f"{rep.rows_kept:,}",
        "Rows dropped": f"{rep.rows_read - rep.rows_kept:,}",
        "Sale lines cancelled later": f"{cancelled:,}",
    }
    captions = " ".join(c.value for c in at.caption).replace("\\", "")
    assert "These counts add up the 2 files saved to this dataset" in captions
    assert "The cleaning rules below are the first file's." in captions


SAID = {
    "en": (
        "These counts add up the 2 files saved to this dataset",
        "Appended later: 3 lines added, 0 duplicates skipped. Its returns cancel 2 sale lines "
        "saved before it.",
    ),
    "zh": (
        "这些计数合计了保存到本数据集的\u00a02\u00a0个文件",
        "后续追加：新增\u00a03\u00a0个订单行，跳过\u00a00\u00a0个重复行。"
        "它的退货抵消了在它之前保存的\u00a02\u00a0行销售。",
    ),
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_tab_says_what_its_counts_add_up_and_each_appends_matches(_isolated_home, lang):
    """January saved, February appended: 4 + 3 rows read, 2 January sales cancelled by
    February's returns (neither file's own cleaning matched them: 0 each)."""
    at = _sets_tab(_saved_and_appended(_isolated_home, [JAN, FEB]), lang)
    values = [m.value for m in at.metric][-4:]
    assert values == ["7", "7", "0", "2"]
    captions = " ".join(c.value for c in at.caption).replace("\\", "")
    for said in SAID[lang]:
        assert said in captions, captions
