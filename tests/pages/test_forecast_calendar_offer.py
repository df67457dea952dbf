"""The Forecast page offers the Chinese calendar (holidays, 调休, shopping festivals) only
where it applies: a shop selling mostly in China (on by default) or in yuan (off by default).
A shop in euros or pounds selling elsewhere is not offered it, in either UI language: the UK
shop of the UCI file read "Chinese calendar: …" with nothing chosen."""

from __future__ import annotations

import pytest

from ecomdash import calendar_cn as CN
from ecomdash.ingest import load_bytes
from ecomdash.store import Store
from tests.pages.conftest import run_page
from tests.pages.test_forecast_page import _euro_csv


def _saved(home, country: str | None, currency: str | None = None):
    res = load_bytes(_euro_csv(country), "shop.csv")
    report = res.report.to_dict()
    if currency:
        report["currency"] = currency
    store = Store.open(home)
    try:
        return store.save_dataset("Shop", res.lines, report=report)
    finally:
        store.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(
    "country, currency, offered, default",
    [
        ("France", None, False, None),  # euros, sells in France
        (None, None, False, None),  # no country column, euros
        ("China", None, True, len(CN.FEATURES)),  # sells in China: on
        (None, "CNY", True, 0),  # in yuan: offered, off
    ],
)
def test_the_chinese_calendar_is_offered_where_it_applies(
    _isolated_home, lang, country, currency, offered, default
):
    info = _saved(_isolated_home, country, currency)
    at = run_page("forecast.py", dataset_id=info.id, lang=lang, timeout=180)
    assert not at.exception, at.exception
    keys = [m.key for m in at.multiselect]
    assert ("fc_calendar" in keys) == offered, keys
    if offered:
        assert len(at.multiselect(key="fc_calendar").value) == default
