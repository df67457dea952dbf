"""Data page with several order exports in one upload (two months' exports overlapping on March;
a Taobao shop's export beside its JD shop's): each cleaned on its own with its own report,
stacked into one dataset, duplicates skipped, in English and Chinese (AppTest)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ecomdash.store import Store
from tests.pages.conftest import ROOT
from tests.unit.test_ingest_stack import JAN_MAR, MAR_MAY

CN = Path(__file__).parents[1] / "fixtures" / "cn_platforms"


def _upload(files: dict[str, bytes], lang: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "data.py"), default_timeout=90)
    if lang:
        at.query_params["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    at.file_uploader(key="uploader").set_value(
        [(n, b, "application/octet-stream") for n, b in files.items()]
    )
    at.run()
    assert not at.exception, at.exception
    return at


def _frame(at, column):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _saved(home):
    store = Store.open(home)
    try:
        [info] = [d for d in store.list_datasets() if not d.is_demo]
        return info, store.load_lines(info.id)
    finally:
        store.close()


def test_two_overlapping_exports_stacked_and_saved(_isolated_home):
    at = _upload({"jan_mar.csv": JAN_MAR, "mar_may.csv": MAR_MAY})
    # no join step: the two exports are stacked, each with its own counts
    assert not any(s.key == "multi_fact" for s in at.selectbox)
    parts = _frame(at, "platform")
    assert parts[["file", "rows", "lines", "dropped"]].values.tolist() == [
        ["jan_mar.csv", 4, 4, 0],
        ["mar_may.csv", 5, 4, 1],
    ]
    # each file's cleaning report in a tab of its own
    # the file names as written: a tab label is markdown, "_x_.csv" would read in italics
    from ecomdash.ui.common import inert

    assert {inert("jan_mar.csv"), inert("mar_may.csv")} <= {t.label for t in at.tabs}
    assert "Cleaned 2 exports in" in " ".join(s.label for s in at.status)
    assert not at.warning  # same columns, same (no) currency
    at.text_input[0].set_value("Spring")
    at.button(key="FormSubmitter:save_form-Save").click().run()
    assert not at.exception, at.exception
    info, lines = _saved(_isolated_home)
    assert info.name == "Spring" and info.rows == 6
    assert lines["revenue"].sum() == pytest.approx(42.5)
    flash = " ".join(s.value for s in at.success).replace("\\", "")  # markdown-escaped
    assert "Saved 2 exports as one dataset of 6 lines in" in flash
    assert "'mar_may.csv': 2 lines added, 2 already saved (skipped)" in flash
    # the first file could have no line already saved: not said ("0 already saved")
    assert "'jan_mar.csv': 4 lines added; 'mar_may.csv'" in flash and "0 already" not in flash
    # the saved dataset's report names each file
    captions = " ".join(c.value for c in at.caption).replace("\\", "")
    assert "The cleaning rules below are the first file's: jan_mar.csv." in captions
    assert "Appended from mar_may.csv: 2 lines added, 2 duplicates skipped." in captions
    # the two files stay in the uploader: the note names both, not "remove this file"
    [said] = [i.value.replace("\\", "") for i in at.info]
    assert said == (
        "This upload is saved as the dataset “Spring”, now open in the dashboard. To upload "
        "another export, remove these 2 files from the box above (× beside each)."
    )
    assert "FormSubmitter:save_form-Save" not in [b.key for b in at.button]


def test_taobao_and_jd_exports_stacked_in_chinese(_isolated_home):
    files = {n: (CN / n).read_bytes() for n in ("taobao_items_v2.csv", "jd_orders.csv")}
    at = _upload(files, lang="zh")
    parts = _frame(at, "platform")
    assert parts[["rows", "lines", "dropped", "currency"]].values.tolist() == [
        [6, 5, 2, "CNY"],
        [9, 8, 2, "CNY"],
    ]
    assert "淘宝" in parts["platform"][0] and "京东" in parts["platform"][1]
    warnings = " ".join(w.value for w in at.warning)
    # the fields Taobao's report lacks, named in Chinese, with its count of lines
    assert (
        "“taobao\\_items\\_v2\\.csv”没有客户 ID、国家/地区、渠道：它的\u00a05\u00a0个订单行"
        in warnings
    ), warnings
    assert "has no" not in warnings
    at.button(key="FormSubmitter:save_form-保存").click().run()
    assert not at.exception, at.exception
    info, lines = _saved(_isolated_home)
    assert info.rows == 13 and lines["revenue"].sum() == pytest.approx(635 + 1294.8)
    assert info.report["currency"] == "CNY"
    flash = " ".join(s.value for s in at.success).replace("\\", "")
    assert "已保存\u00a02\u00a0个导出文件，合为一个含\u00a013\u00a0个订单行的数据集" in flash, flash
    captions = " ".join(c.value for c in at.caption).replace("\\", "")
    assert "从jd_orders.csv追加：新增\u00a08\u00a0个订单行，跳过\u00a00\u00a0个重复行。" in captions


def test_different_currencies_refused_on_the_page(_isolated_home):
    head = b"Order ID,Date,Customer,SKU,Product,Qty,Price\n"
    dollars = head + b"1,2025-01-10,C1,A,Apple,2,$5.00\n2,2025-01-11,C2,B,Pear,1,$3.00\n"
    yuan = head + "3,2025-01-12,C3,A,苹果,2,¥35.00\n4,2025-01-13,C4,B,梨,1,¥21.00\n".encode()
    at = _upload({"us_shop.csv": dollars, "cn_shop.csv": yuan})
    errors = " ".join(e.value for e in at.error)
    assert "different currencies" in errors
    assert "'us\\_shop\\.csv' in USD" in errors and "'cn\\_shop\\.csv' in CNY" in errors
    assert not [b for b in at.button if b.key == "FormSubmitter:save_form-Save"]


def test_exports_added_to_an_existing_dataset(_isolated_home, tmp_path):
    from tests.pages.conftest import save_upload

    (tmp_path / "jan_mar.csv").write_bytes(JAN_MAR)
    before = save_upload(_isolated_home, tmp_path / "jan_mar.csv", "Orders")
    at = _upload({"jan_mar.csv": JAN_MAR, "mar_may.csv": MAR_MAY})
    at.radio(key="save_mode").set_value("append").run()
    at.button(key="FormSubmitter:save_form-Save").click().run()
    assert not at.exception, at.exception
    info, lines = _saved(_isolated_home)
    assert info.id == before.id and info.rows == 6 and info.version == 3
    assert lines["revenue"].sum() == pytest.approx(42.5)
    flash = " ".join(s.value for s in at.success).replace("\\", "")
    assert "'jan_mar.csv': 0 lines added, 4 already saved (skipped)" in flash
    assert "'mar_may.csv': 2 lines added, 2 already saved (skipped)" in flash


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_saved_note_says_the_sales_a_return_in_another_export_cancels(_isolated_home, lang):
    """January's and February's exports, February's returns cancelling three earlier sales
    (test_ingest_stack): the flash after saving says so, after the files' counts."""
    from tests.unit.test_ingest_stack import FEB, JAN

    at = _upload({"jan.csv": JAN, "feb.csv": FEB}, lang)
    at.button(key="FormSubmitter:save_form-" + {"en": "Save", "zh": "保存"}[lang]).click().run()
    assert not at.exception, at.exception
    info, lines = _saved(_isolated_home)
    assert int(lines["is_cancelled"].sum()) == 3
    flash = " ".join(s.value for s in at.success).replace("\\", "")
    said = {
        "en": "(skipped). 3 sale lines are cancelled by a return in another of these exports",
        "zh": "（跳过）。有\u00a03\u00a0行销售被另一个导出文件中的退货冲销",
    }[lang]
    assert said in flash, flash
    # and under the saved dataset's report in "Your datasets"
    from ecomdash.ingest.stack import cancelled_across

    assert cancelled_across(info.report) == 3
    captions = " ".join(c.value for c in at.caption)
    assert said.split("。")[-1].split(". ")[-1] in captions, captions


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_saved_note_of_many_files_names_only_those_with_repeats(lang):
    """Thirteen monthly UCI files made a flash of thirteen "'uci_2010-01.csv': 31,234 lines
    added" (seen in Chromium): past three files it says the dataset, where each file's counts
    are, and only the files that held lines already saved; up to three, each file as before."""
    from types import SimpleNamespace

    from ecomdash.i18n import use_lang
    from ecomdash.i18n.note import tr_note
    from ecomdash.ingest.stack import FileResult, StackResult
    from ecomdash.ui.data_stack import saved_note

    def result(dups):
        files = tuple(
            FileResult(f"m{i}.csv", 10, 10, 10 - d, d, 0.1) for i, d in enumerate(dups, 1)
        )
        return StackResult(SimpleNamespace(rows=sum(10 - d for d in dups)), files, 2.0)

    with use_lang(lang):
        many = tr_note(saved_note(result([0, 0, 2, 0, 3])))
        none = tr_note(saved_note(result([0, 0, 0, 0])))
        few = tr_note(saved_note(result([0, 2, 0])))
    if lang == "en":
        assert many == (
            "Saved 5 exports as one dataset of 45 lines in 2.0\u00a0s; each file's counts are "
            "under Your datasets. 5 lines an earlier file already held were skipped ('m3.csv': "
            "2; 'm5.csv': 3)."
        )
        assert none.endswith("each file's counts are under Your datasets.")
        assert "'m1.csv': 10 lines added; 'm2.csv': 8 lines added, 2 already saved" in few
    else:
        assert many == (
            "已保存\u00a05\u00a0个导出文件，合为一个含\u00a045\u00a0个订单行的数据集（2.0\u00a0秒）；"
            "每个文件的行数见“我的数据集”。跳过了\u00a05\u00a0个前面的文件已有的订单行"
            "（“m3.csv”：2；“m5.csv”：3）。"
        )
        assert "跳过" not in none
        assert "“m2.csv”：新增\u00a08\u00a0个订单行" in few


def test_a_file_without_a_sign_beside_a_yuan_export_is_said_and_not_stated_sticks(
    _isolated_home,
):
    """Two exports of one layout, January's amounts without a sign, February's in "¥5.00":
    the page names 'jan.csv' above the Save form, whose currency starts at CNY (the dataset
    took CNY without a word before); "Not stated" chosen there is recorded (the stacked save
    passed it on as no choice, and the dataset took CNY all the same)."""
    from ecomdash.currencies import dataset_currency
    from tests.unit.test_ingest_stack import HEADER

    plain = (HEADER + "1,2025-01-10,C1,A,Apple,2,5.00\n2,2025-01-11,C2,B,Pear,1,3.00\n").encode()
    yuan = (HEADER + "3,2025-02-10,C1,A,Apple,2,¥5.00\n4,2025-02-11,C2,B,Pear,1,¥3.00\n").encode()
    at = _upload({"jan.csv": plain, "feb.csv": yuan})
    warnings = " ".join(w.value for w in at.warning).replace("\\", "")
    assert "'jan.csv' has amounts without a currency sign, 'feb.csv' in CNY" in warnings, warnings
    box = next(s for s in at.selectbox if s.label == "Currency of the amounts")
    assert box.value == "CNY"
    box.set_value("")
    at.button(key="FormSubmitter:save_form-Save").click().run()
    assert not at.exception, at.exception
    info, lines = _saved(_isolated_home)
    assert len(lines) == 4
    assert info.report["currency"] == "" and dataset_currency(info.report) is None
