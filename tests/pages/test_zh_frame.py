"""The language switch: the URL's ?lang=, the sidebar's picker, the browser's language."""

from __future__ import annotations

from tests.pages.conftest import run_app, run_page


def test_url_lang_opens_the_page_in_chinese(demo_dataset):
    at = run_page("overview.py", dataset_id=demo_dataset.id, lang="zh", timeout=120)
    assert not at.exception, at.exception
    assert at.title[0].value == "概览"
    at = run_page("overview.py", dataset_id=demo_dataset.id, lang="en", timeout=120)
    assert at.title[0].value == "Overview"


def test_sidebar_picker_switches_and_puts_it_in_the_url(demo_dataset):
    at = run_app(dataset_id=demo_dataset.id, timeout=180)
    assert not at.exception, at.exception
    picker = next(w for w in at.button_group if w.label.startswith("Language"))
    assert picker.value == "en"  # no browser behind AppTest: English
    picker.set_value("zh").run()
    assert not at.exception, at.exception
    assert at.query_params["lang"] == ["zh"] or at.query_params["lang"] == "zh"
    assert at.session_state["ui_lang"] == "zh"
