"""The Data page's "Add to an existing dataset": a field the added file has and the dataset
lacks (a channel) is not saved, as with any append; the page now says which, from which
file, and to save the file as a new dataset to keep it (it said nothing), under the save's
confirmation, for one file and for stacked files, in English and Chinese."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from ecomdash.ingest import load_bytes
from ecomdash.store import Store
from tests.pages.conftest import ROOT
from tests.unit.test_ingest_stack import APR, JAN_MAR, MAY

SAID = {
    "en": "'{file}' has Channel, which the dataset 'Spring' does not have",
    "zh": "“{file}”有渠道，而数据集“Spring”没有",
}
SAVE = {"en": "Save", "zh": "保存"}


def _spring(home) -> str:
    store = Store.open(home)
    try:
        first = load_bytes(JAN_MAR, "jan_mar.csv")
        return store.save_dataset("Spring", first.lines, report=first.report).id
    finally:
        store.close()


def _append(files: dict[str, bytes], lang: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "data.py"), default_timeout=90)
    at.query_params["lang"] = lang
    at.run()
    at.file_uploader(key="uploader").set_value(
        [(n, b, "text/csv") for n, b in files.items()]
        if len(files) > 1
        else next((n, b, "text/csv") for n, b in files.items())
    )
    at.run()
    assert not at.exception, at.exception
    at.radio(key="save_mode").set_value("append").run()
    at.button(key=f"FormSubmitter:save_form-{SAVE[lang]}").click().run()
    assert not at.exception, at.exception
    return at


def _warnings(at) -> str:
    return " ".join(w.value for w in at.warning).replace("\\", "")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_one_file_added_says_the_fields_not_saved(_isolated_home, lang):
    ds = _spring(_isolated_home)
    at = _append({"apr.csv": APR}, lang)
    assert at.success  # the save's confirmation, the note under it
    assert SAID[lang].format(file="apr.csv") in _warnings(at), _warnings(at)
    store = Store.open(_isolated_home)
    try:
        info = store.info(ds)
    finally:
        store.close()
    assert info.rows == 5 and "channel" not in info.columns


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_stacked_files_added_say_the_fields_not_saved(_isolated_home, lang):
    _spring(_isolated_home)
    at = _append({"apr.csv": APR, "may.csv": MAY}, lang)
    shown = _warnings(at)
    assert SAID[lang].format(file="apr.csv") in shown, shown
    assert SAID[lang].format(file="may.csv") in shown, shown


def test_an_append_that_loses_nothing_says_nothing(_isolated_home):
    _spring(_isolated_home)
    at = _append({"jan_mar.csv": JAN_MAR}, "en")
    assert at.success and "does not have" not in _warnings(at)
