"""The "Not stated" currency on the Data page: a choice under the saved datasets' "Currency" (it was not
offered: a dataset given a currency, or one read off its amounts, could not go back to plain
numbers), and the Save form's "Not stated" for a file whose amounts carry a sign ("$6.95"
cells: the sign was read off and shown on every page whatever the merchant chose, seen in
Chromium on the Overview). Both record ``currencies.NOT_STATED``; the pages then write the
amounts without a sign. English and Chinese."""

from __future__ import annotations

import pytest

from ecomdash.currencies import dataset_currency
from ecomdash.i18n import _, use_lang
from ecomdash.store import Store
from tests.pages.conftest import run_page
from tests.pages.test_data_page import PLAIN, _page, _upload

SAID = {
    "en": "The amounts are now shown without a currency sign.",
    "zh": "金额现在显示时不带货币符号。",
}
#: the Overview's money tiles
TILES = ("Net revenue", "Gross sales", "Average order value")


def _info(home, ref):
    store = Store.open(home)
    try:
        return store.resolve(ref)
    finally:
        store.close()


def _tiles(at) -> list[str]:
    return [str(m.value) for m in at.metric if m.label in TILES]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_dataset_goes_back_to_not_stated(demo_dataset, _isolated_home, lang):
    ds = demo_dataset.id
    at = run_page("data.py", dataset_id=ds, lang=lang)
    [box] = [s for s in at.selectbox if s.key and s.key.startswith(f"currency_{ds}_")]
    with use_lang(lang):
        not_stated = _("Not stated")  # short: the popover is narrow
    assert box.value == "GBP" and box.options[0] == not_stated
    box.set_value("").run()
    at.button(key=f"do_cur_{ds}").click().run()
    assert not at.exception, at.exception
    assert [s.value.replace("\\", "") for s in at.success] == [SAID[lang]]
    info = _info(_isolated_home, ds)
    assert info.report["currency"] == "" and info.version == demo_dataset.version + 1
    assert dataset_currency(info.report, is_demo=True) is None
    # it sticks: the popover shows it as the dataset's, with nothing to change
    [box] = [s for s in at.selectbox if s.key and s.key.startswith(f"currency_{ds}_")]
    assert box.value is None
    assert at.button(key=f"do_cur_{ds}").disabled
    over = run_page("overview.py", dataset_id=ds)
    assert not over.exception, over.exception
    tiles = _tiles(over)
    assert len(tiles) == 3 and not any("£" in t for t in tiles), tiles


def test_not_stated_in_the_save_form_drops_the_sign_read_off(_isolated_home):
    """A file of "$6.95" cells saved with "Not stated": no sign on the pages."""
    dollars = PLAIN.replace(b",6.95,", b",$6.95,").replace(b",2.10,", b",$2.10,")
    dollars = dollars.replace(b",2.55,", b",$2.55,")
    at = _upload(_page(), "dollars.csv", dollars)
    box = next(s for s in at.selectbox if s.label == "Currency of the amounts")
    assert box.value == "USD"  # read off the amounts
    box.set_value("")
    at.button(key="FormSubmitter:save_form-Save").click().run()
    assert not at.exception, at.exception
    info = _info(_isolated_home, "dollars")
    assert info.report["currency"] == "" and dataset_currency(info.report) is None
    over = run_page("overview.py", dataset_id=info.id)
    assert not over.exception, over.exception
    tiles = _tiles(over)
    assert len(tiles) == 3 and not any("$" in t for t in tiles), tiles
