"""A saved dataset's currency changed on the Data page (the saved datasets' "Currency"), in
English and Chinese: afterwards every page writes the new sign, with the caches of the pages
seen before the change still warm.

A dataset saved without a currency (amounts written without a sign, nothing chosen) could not
be corrected: the merchant had to upload it again. The pages' caches (figures, the Home's
findings, tables) are keyed by the dataset's version, not its currency, so the change makes
a new version of the same lines (``Store.set_currency``): a change that only rewrote the
report showed the new sign on the Overview's tiles and the old one on its cached charts and
the Home's cached findings.

The AppTests share the process's Streamlit caches (``st.cache_data`` / ``cache_resource``),
as two pages of one browser session do; each page is run before the change and again after.
"""

from __future__ import annotations

import pytest

from ecomdash.i18n import _, use_lang
from ecomdash.ingest.cleaning_report import generated_report
from ecomdash.store import Store
from tests.pages.chart_money import sent_currency
from tests.pages.conftest import run_app, run_page

SIGNS = ("£", "€", "$", "¥")


@pytest.fixture(autouse=True)
def _patient_home(monkeypatch):
    """A loaded test machine must not push the Home's analyses past its wait."""
    from ecomdash.ui import home as home_ui

    monkeypatch.setattr(home_ui, "STEP_BUDGET_S", 300.0)


def _texts(at) -> list[str]:
    """What a page shows that may carry a currency sign: its words, tiles (and their exact
    figures), the formats and headers of its tables, its charts' currency."""
    out = [e.value for kind in ("markdown", "caption", "text", "success") for e in at.get(kind)]
    out += [str(m.value) for m in at.metric] + [m.proto.help for m in at.metric]
    out += [d.proto.columns for d in at.dataframe]
    out += [str(sent_currency(c)) for c in at.get("plotly_chart")]
    return out


def _signs(at) -> set[str]:
    return {s for s in SIGNS if any(s in t for t in _texts(at))}


def _pages(dataset_id: str, lang: str) -> dict:
    """Home (the frame's default page), Overview and Pricing (its models run on arrival), as a
    merchant opens them."""
    out = {
        "home": run_app(dataset_id=dataset_id, lang=lang, timeout=600),
        "overview": run_page("overview.py", dataset_id=dataset_id, lang=lang, timeout=300),
        "pricing": run_page("pricing.py", dataset_id=dataset_id, lang=lang, timeout=300),
    }
    for name, at in out.items():
        assert not at.exception, (name, at.exception)
    return out


def _change_currency(dataset_id: str, lang: str, code: str):
    """The Data page's saved datasets: pick the dataset, choose ``code`` under "Currency",
    press "Change the currency"."""
    at = run_page("data.py", dataset_id=dataset_id, lang=lang)
    at.selectbox(key="manage_pick").set_value(dataset_id).run()
    [box] = [s for s in at.selectbox if s.key and s.key.startswith(f"currency_{dataset_id}_")]
    assert box.value is None  # saved without one: nothing chosen yet
    box.set_value(code).run()
    at.button(key=f"do_cur_{dataset_id}").click().run()
    assert not at.exception, at.exception
    return at


def _money_tiles(at, lang: str) -> list[str]:
    with use_lang(lang):
        labels = {_("At stake"), _("Below forecast"), _("Above forecast")}
    return [m.value for m in at.metric if m.label in labels and any(c.isdigit() for c in m.value)]


def _check_change(home, dataset_id: str, lang: str, sign: str, said: str) -> None:
    before = _pages(dataset_id, lang)  # every cache of the three pages warm, no currency
    for name, at in before.items():
        assert _signs(at) == set(), (name, _signs(at))
    tiles = _money_tiles(before["home"], lang)
    assert tiles and not any(t[0] in SIGNS for t in tiles), tiles

    data = _change_currency(dataset_id, lang, "EUR")
    assert [s.value.replace("\\", "") for s in data.success] == [said]

    after = _pages(dataset_id, lang)
    for name, at in after.items():
        assert _signs(at) == {sign}, (name, _signs(at))
    # the cached parts: the Overview's charts (figure cache) and the Home's findings
    charts = after["overview"].get("plotly_chart")
    assert charts and [sent_currency(c) for c in charts] == [sign] * len(charts)
    tiles = _money_tiles(after["home"], lang)
    assert tiles and all(t.startswith(sign) or t.startswith("-" + sign) for t in tiles), tiles
    net = next(m for m in after["overview"].metric if m.value.startswith(sign))
    assert net.value[1].isdigit(), net.value
    # recorded as the Save form records it, in a new version of the same lines
    store = Store.open(home)
    try:
        info = store.info(dataset_id)
    finally:
        store.close()
    assert info.report["currency"] == "EUR" and info.version == 2


def test_a_currency_set_after_saving_reaches_every_page(_isolated_home, demo):
    store = Store.open(_isolated_home)
    try:
        info = store.save_dataset(
            "UK shop", demo.lines, report=generated_report(demo.lines), source="upload"
        )
    finally:
        store.close()
    _check_change(_isolated_home, info.id, "en", "€", "The amounts are now in Euro (EUR).")


def test_a_currency_set_after_saving_reaches_every_page_in_chinese(
    _isolated_home, zh_store, demo_zh_merchant
):
    info = zh_store("网店", report=generated_report(demo_zh_merchant.lines))  # no currency
    _check_change(_isolated_home, info.id, "zh", "€", "金额现以\u00a0欧元（EUR）\u00a0计。")
