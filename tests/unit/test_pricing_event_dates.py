"""Promotion dates typed as text are read in the shop's date order: pandas read "11/03/2024"
as 3 November whatever the shop, so a UK merchant's promotion of 11 to 24 March was refused as
"ends before it starts" or, both days under 13, measured in the wrong month without a word."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from ecomdash.cli import main
from ecomdash.errors import ParameterError
from ecomdash.i18n import use_lang
from ecomdash.i18n.note import translated
from ecomdash.pricing.promotions import parse_events
from ecomdash.store import Store
from tests.unit.test_pricing_cli import _two_mugs_lines

NB = "\u00a0"


def _rows(start: str, end: str) -> pd.DataFrame:
    return pd.DataFrame({"product_id": ["A"], "start": [start], "end": [end]})


def _days(df: pd.DataFrame) -> tuple[str, str]:
    return str(df["start"].iloc[0].date()), str(df["end"].iloc[0].date())


@pytest.mark.parametrize(
    ("dayfirst", "want"),
    [(True, ("2024-03-04", "2024-03-10")), (False, ("2024-04-03", "2024-10-03"))],
)
def test_a_day_month_date_is_read_in_the_shops_order(dayfirst, want):
    assert _days(parse_events(_rows("04/03/2024", "10/03/2024"), dayfirst=dayfirst)) == want


def test_a_day_above_12_in_the_file_proves_its_order_whatever_the_shop_says_nothing():
    # 24 can only be a day: the file is day first, its 11/03 is 11 March
    got = parse_events(_rows("11/03/2024", "24/03/2024"))
    assert _days(got) == ("2024-03-11", "2024-03-24")


@pytest.mark.parametrize(
    "cells",
    [
        ("2024-03-11", "2024-03-24"),
        ("2024年3月11日", "2024年3月24日"),
        ("11 March 2024", "24 Mar 2024"),
    ],
)
def test_dates_that_say_their_order_need_no_help(cells):
    assert _days(parse_events(_rows(*cells))) == ("2024-03-11", "2024-03-24")


def test_an_unproven_day_month_date_is_refused_with_what_to_write():
    with pytest.raises(ParameterError) as err:
        parse_events(_rows("04/03/2024", "10/03/2024"))
    assert str(err.value) == (
        "The promotion dates, such as '04/03/2024', could be day/month or month/day: no day "
        "in them is above 12 and the shop's orders do not say which order they use. Write the "
        "dates as YYYY-MM-DD, such as 2024-03-11."
    )
    with use_lang("zh"):
        zh = str(translated(err.value))
    assert zh == (
        "促销日期（如“04/03/2024”）无法判断是“日/月”还是“月/日”：其中没有大于"
        f"{NB}12{NB}的日，店铺的订单也没有表明日期顺序。请将日期写为 YYYY-MM-DD，例如"
        f"{NB}2024-03-11。"
    )


def _mugs(home, report: dict | None) -> str:
    store = Store.open(home)
    ds = store.save_dataset("mugs", _two_mugs_lines(), report=report).id
    store.close()
    return ds


#: what ingest wrote of a UK export's dates (the demo merchant's words)
DAY_FIRST = {
    "notes": ["order_date: day/month/year dates: a first part above 12 proves day/month/year"]
}


def test_the_command_reads_the_events_in_the_shops_date_order(_isolated_home, tmp_path, capsys):
    """Blue Mug's promotion of 11 to 24 March (lift 2 by hand: tests/unit/test_pricing_cli.py
    _two_mugs_lines), its first day typed day first by a UK merchant: read as 3 November
    before, after its last day, and the file refused."""
    ds = _mugs(_isolated_home, DAY_FIRST)
    events = tmp_path / "promotions.csv"
    events.write_text("SKU,From,To\nA,11/03/2024,2024-03-24\n", encoding="utf-8")
    assert main(["pricing", "--dataset", ds, "--events", str(events), "--json"]) == 0
    (promo,) = json.loads(capsys.readouterr().out)["promotions"]
    assert promo["start"].startswith("2024-03-11") and promo["lift"] == pytest.approx(2.0)


def test_the_command_refuses_dates_nothing_orders(_isolated_home, tmp_path, capsys):
    ds = _mugs(_isolated_home, None)  # no date order proved at upload
    events = tmp_path / "promotions.csv"
    events.write_text("SKU,From,To\nA,11/03/2024,2024-03-24\n", encoding="utf-8")
    assert main(["pricing", "--dataset", ds, "--events", str(events)]) == 2
    assert "could be day/month or month/day" in capsys.readouterr().err


def test_a_day_typed_that_is_not_a_date_is_quoted_not_called_missing():
    """A last day typed "next week" was named "no last day": the merchant typed one."""
    rows = pd.DataFrame(
        {
            "product_id": ["A", "B", "C"],
            "start": ["2024-03-11", "soon", ""],
            "end": ["next week", "2024-03-24", "later"],
        }
    )
    with pytest.raises(ParameterError) as err:
        parse_events(rows)
    said = str(err.value)
    assert "A (last day 'next week' is not a date), B (first day 'soon' is not a date), " in said
    assert "C (no first day; last day 'later' is not a date)" in said, said
    with use_lang("zh"):
        zh = str(translated(err.value))
    assert (
        "A（结束日“next week”不是日期）" in zh and "C（缺少开始日；结束日“later”不是日期）" in zh
    ), zh
    # a day left empty is still said missing
    with pytest.raises(ParameterError, match=r"A \(no last day\)"):
        parse_events(_rows("2024-03-11", ""))


def test_the_command_reads_the_events_file_once(_isolated_home, tmp_path, capsys, monkeypatch):
    """The command parsed the file's rows (in the shop's date order), then the analysis parsed
    the parsed frame again: now the analysis reads them once, in the shop's order, and the
    lift is Blue Mug's (2)."""
    from ecomdash.pricing import analysis, promotions

    calls, parse = [], promotions.parse_events

    def counted(events, **kw):
        calls.append(kw.get("dayfirst"))
        return parse(events, **kw)

    monkeypatch.setattr(analysis, "parse_events", counted)
    monkeypatch.setattr(promotions, "parse_events", counted)
    ds = _mugs(_isolated_home, DAY_FIRST)
    events = tmp_path / "promotions.csv"
    events.write_text("SKU,From,To\nA,11/03/2024,2024-03-24\n", encoding="utf-8")
    assert main(["pricing", "--dataset", ds, "--events", str(events), "--json"]) == 0
    (promo,) = json.loads(capsys.readouterr().out)["promotions"]
    assert promo["lift"] == pytest.approx(2.0)
    assert calls == [True]
