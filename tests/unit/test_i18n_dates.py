"""Dates inside sentences: one long form per language (``fmt.long_date``), one form with the
weekday, one range helper, and ``note.Date`` for sentences built before the language is known."""

from __future__ import annotations

import json
import pickle
from datetime import date, datetime

import numpy as np
import pandas as pd

from ecomdash.i18n import N_, fmt, use_lang
from ecomdash.i18n.note import Date, Note, from_json, note, to_json, tr_note

D = date(2026, 1, 12)  # a Monday (checked: 2026-01-01 is a Thursday, +11 days)


def test_long_date_in_both_languages_from_every_kind_of_date():
    for value in (
        D,
        datetime(2026, 1, 12, 23, 59),
        pd.Timestamp("2026-01-12 08:00"),
        "2026-01-12",
        np.datetime64("2026-01-12"),
    ):
        assert fmt.long_date(value, lang="en") == "12 January 2026"
        assert fmt.long_date(value, lang="zh") == "2026年1月12日"
    with use_lang("zh"):
        assert fmt.long_date(D) == "2026年1月12日"  # the run's language by default
    assert fmt.long_date(date(2011, 12, 9), lang="en") == "9 December 2011"  # no leading 0


def test_a_table_cell_writes_a_day_in_the_shops_format_with_the_weekday_where_each_language_puts_it():
    from ecomdash.labels import Display

    # 2026-02-14 is a Saturday (2026-01-12 is a Monday: +33 days = 4 weeks and 5 days)
    sat = date(2026, 2, 14)
    cells = {
        style: Display(date_style=style).day(sat, weekday=True)
        for style in ("iso", "dmy", "mdy", "unknown")
    }
    assert cells == {
        "iso": "2026-02-14 (Sat)",
        "dmy": "14/02/2026 (Sat)",
        "mdy": "02/14/2026 (Sat)",
        "unknown": "2026-02-14 (Sat)",  # a style the store does not know reads ISO
    }
    assert Display(date_style="dmy").day(pd.Timestamp("2026-02-14")) == "14/02/2026"
    with use_lang("zh"):  # the Chinese UI writes 年月日 whatever the shop's order
        assert Display(date_style="dmy").day(sat, weekday=True) == "2026年02月14日周六"
        assert Display(date_style="mdy").day("2026-02-15", weekday=True) == "2026年02月15日周日"
    assert fmt.table_date(sat, "%d.%m.%Y", weekday=True, lang="zh") == "14.02.2026周六"


def test_the_weekday_form_is_the_long_date_with_cldrs_short_day_name():
    assert fmt.long_date(D, weekday=True, lang="en") == "Mon, 12 January 2026"
    assert fmt.long_date(D, weekday=True, lang="zh") == "2026年1月12日周一"
    # the day name follows the date: 2026-01-18 is a Sunday
    assert fmt.long_date("2026-01-18", weekday=True, lang="en") == "Sun, 18 January 2026"
    assert fmt.long_date("2026-01-18", weekday=True, lang="zh") == "2026年1月18日周日"


def test_a_range_writes_both_ends_long_and_one_date_for_one_day():
    assert fmt.date_range(D, date(2026, 1, 14), lang="en") == "12 January 2026 – 14 January 2026"
    assert fmt.date_range(D, date(2026, 1, 14), lang="zh") == "2026年1月12日至2026年1月14日"
    assert fmt.date_range(D, pd.Timestamp(D), lang="en") == "12 January 2026"
    assert fmt.date_range(D, D, lang="zh") == "2026年1月12日"


def test_a_date_field_is_written_in_the_language_where_it_is_shown():
    """A Note built in a worker (no language) keeps its date as a date: English long form in
    its text, the Chinese form where shown in Chinese, after pickling and after JSON (a saved
    cleaning report) too."""
    n = note(
        N_("Only {n} baskets from {date} on: the check itself is rough."),
        n="3",
        date=Date(pd.Timestamp("2026-01-12 10:30")),
    )
    assert n == "Only 3 baskets from 12 January 2026 on: the check itself is rough."
    for back in (pickle.loads(pickle.dumps(n)), from_json(json.loads(json.dumps(to_json(n))))):
        assert isinstance(back, Note) and back == n
        assert isinstance(back.fields["date"], Date) and back.fields["date"].iso == "2026-01-12"
        assert tr_note(back) == n
        with use_lang("zh"):
            assert (
                tr_note(back)
                == "2026年1月12日起只有\u00a03\u00a0个购物篮：这次检验本身也比较粗略。"
            )
    wd = Date("2026-01-12", weekday=True)
    assert wd == "Mon, 12 January 2026" and pickle.loads(pickle.dumps(wd)).weekday
    assert to_json(wd) == {"date": "2026-01-12", "weekday": True}
    with use_lang("zh"):
        assert from_json(to_json(wd)).shown() == "2026年1月12日周一"
    assert from_json({"date": "x", "weekday": False}) == "x"  # damaged: as text
