"""A dataset whose country field holds provinces (a Chinese marketplace export maps 收货省份 to
it; the Chinese demo records ``places=provinces``) is labelled "Province" / 省份 on every page
(``labels.places_are_provinces``). The Alerts page's reasons and drivers had a rule of their
own, by value (``alerts.days.is_region``), and called the same 浙江 "region" / 地区 under a
sidebar that says 省份. They now say "province" / 省份 on such a dataset; a Chinese province in
a column of countries is still a region (tests/unit/test_alerts_cn.py)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from ecomdash import labels as L
from ecomdash.alerts import driver_dimension, find_alerts, looks_for
from ecomdash.alerts.days import _where
from ecomdash.alerts.drivers import place_word
from ecomdash.i18n import _, use_lang
from ecomdash.store import Store

T = pd.Timestamp


def test_a_place_is_named_a_province_where_the_places_are_provinces():
    with use_lang("en"):
        assert _where("country", "浙江", provinces=True) == "province 浙江"
        assert _where("country", "浙江") == "region 浙江"  # among countries, by its value
        assert driver_dimension("country", "天津", provinces=True) == "Province"
        assert driver_dimension("country", "天津") == "Region"
        assert driver_dimension("country", "France") == "Country"
        assert _(place_word("山东", True)) == "province"
        assert "top provinces" in _(looks_for("unusual_day", provinces=True))
        assert "top countries" in _(looks_for("unusual_day"))
    with use_lang("zh"):
        assert _where("country", "浙江", provinces=True) == "省份“浙江”"
        assert _where("country", "浙江") == "地区“浙江”"
        assert driver_dimension("country", "天津", provinces=True) == "省份"
        assert driver_dimension("country", "天津") == "地区"
        assert _(place_word("山东", True)) == "省份"
        assert "主要省份" in _(looks_for("unusual_day", provinces=True))


@pytest.mark.parametrize("provinces", [True, False], ids=["provinces", "countries"])
def test_a_day_driven_by_one_province_names_it_as_the_sidebar_does(
    demo_zh_merchant, tmp_path, provinces
):
    """Wed 17 September 2025 with each of 山东's orders that day placed 30 more times (the
    planted day of test_alerts_cn): saved as the Chinese demo is (its report says its places
    are provinces), its driver reads "led by province 山东" / 省份“山东” (it read "region" /
    地区); saved without that record, the column is one of countries and 山东 stays a
    region."""
    lines = demo_zh_merchant.lines
    day = lines["order_date"].dt.normalize() == T("2025-09-17")
    sales = ~lines["order_id"].astype(str).str.startswith("C")
    sd = lines[day & sales & (lines["country"] == "山东")]
    copies = [
        sd.assign(
            order_id=sd["order_id"].astype(str) + f"-t{i}",
            customer_id=sd["customer_id"].astype(str) + f"-t{i}",
        )
        for i in range(30)
    ]
    out = pd.concat([lines, *copies], ignore_index=True).sort_values("order_date", kind="stable")
    out = out.assign(line_no=np.arange(1, len(out) + 1)).reset_index(drop=True)
    report = {"places": L.PROVINCES} if provinces else None
    store = Store.open(tmp_path)
    try:
        info = store.save_dataset("shandong", out, report=report, source="generated")
        said, reasons = {}, {}
        for lang in ("en", "zh"):
            with use_lang(lang):
                res = find_alerts(store, info.id)
            a = res.alerts
            on = a[(a["kind"] == "unusual_day") & (a["date"] == T("2025-09-17"))]
            said[lang] = " ".join(on["driver"].dropna())
            reasons[lang] = " ".join(a.loc[a["kind"] == "unusual_day", "reason"])
            with use_lang(lang):
                looked = {
                    driver_dimension(b, k, provinces=provinces)
                    for b, k in zip(res.drivers["by"], res.drivers["key"], strict=True)
                    if b == "country"
                }
            if provinces:  # the drivers' "By" column, as the Alerts page shows it
                assert looked == ({"Province"} if lang == "en" else {"省份"}), looked
    finally:
        store.close()
    word_en, word_zh = ("province", "省份") if provinces else ("region", "地区")
    assert re.search(rf"(mostly|led by) {word_en} 山东: \+120 orders", said["en"]), said
    assert f"{word_zh}“山东”：订单数" in said["zh"], said
    assert "country 山东" not in said["en"] and "国家/地区" not in said["zh"]
    if provinces:
        # no reason of a province's own day calls it a region either
        assert "region " not in reasons["en"] and "地区“" not in reasons["zh"], reasons
        assert re.search(r"of province [\u4e00-\u9fff]+ on ", reasons["en"]), reasons["en"]
        assert re.search(r"省份“[\u4e00-\u9fff]+”，", reasons["zh"]), reasons["zh"]
