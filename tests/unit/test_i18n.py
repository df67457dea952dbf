"""The message catalogue: the mechanism, and every message id in the source translated."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from ecomdash import labels as L
from ecomdash.i18n import _, _n, catalogue, fmt, get_lang, negotiate, normalise, set_lang, use_lang
from ecomdash.i18n import extract as X


def test_negotiate_reads_accept_language_weights():
    assert negotiate("zh-CN,zh;q=0.9,en;q=0.8") == "zh"
    assert negotiate("en-US,en;q=0.9,zh-CN;q=0.8") == "en"
    assert negotiate("fr-FR, zh-TW;q=0.5, en;q=0.4") == "zh"  # first one we speak by weight
    assert negotiate("fr-FR,de;q=0.9") == "en"
    assert negotiate(None) == "en" and negotiate("") == "en"
    assert negotiate("en;q=0.2, zh;q=0.9") == "zh"
    assert normalise("zh_Hans") == "zh" and normalise("EN-gb") == "en" and normalise("ja") is None


def test_lookup_fields_and_fallback():
    with use_lang("zh"):
        assert get_lang() == "zh"
        assert _("Overview") == "概览"
        # an id without a translation shows as written, fields filled
        assert _("No such message {n}", n=3) == "No such message 3"
    assert get_lang() == "en"
    assert _("Overview") == "Overview"
    assert _n("{n} line", "{n} lines", 1) == "1 line"
    assert _n("{n} line", "{n} lines", 2) == "2 lines"


def test_plural_in_chinese_is_the_translation_of_the_form_english_uses():
    """Chinese has one form, but a plural may say more than its singular: for several
    customers the days are a median, in both languages."""
    one, many = (
        "{n} customer in the segments “{a}” and “{b}” has not bought for {days} days: "
        "send the win-back offer",
        "{n} customers in the segments “{a}” and “{b}” have not bought for a median "
        "{days} days: send the win-back offer",
    )
    seg = {"a": "A", "b": "B"}
    assert "a median 40 days" in _n(one, many, 3, days=40, **seg)
    with use_lang("zh"):
        assert _n(one, many, 1, days=40, **seg).endswith("已\u00a040\u00a0天未下单：发送挽回优惠")
        assert _n(one, many, 3, days=40, **seg).endswith(
            "未下单天数中位数为\u00a040\u00a0天：发送挽回优惠"
        )
        # a plural without a translation of its own: the singular's
        assert _n("{n} customer", "{n} customers (none)", 3) == "3\u00a0位客户"


def test_language_is_per_thread_of_work():
    """Two sessions run in two threads: one's choice never leaks into the other's."""
    seen = {}

    def run(name, lang):
        set_lang(lang)
        seen[name] = _("Overview")

    threads = [
        threading.Thread(target=run, args=(n, lang)) for n, lang in (("a", "zh"), ("b", "en"))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == {"a": "概览", "b": "Overview"}
    assert get_lang() == "en"


def test_compact_figures_in_each_language():
    assert fmt.compact(3_321_456.7, symbol="£", lang="en") == "£3.32M"
    assert fmt.compact(41_600, lang="en") == "41.6k"
    assert fmt.compact(3_321_456.7, symbol="¥", lang="zh") == "¥332万"  # 3 significant figures
    assert fmt.compact(123_456_789, lang="zh") == "1.23亿"
    assert fmt.compact(-12_345, lang="zh") == "-1.23万"
    assert fmt.compact(9_876.5, symbol="¥", lang="zh") == "¥9,877"  # whole from 1,000
    # money in an unknown currency keeps its cents; a count is whole
    assert fmt.compact(85.5, money=True, lang="en") == "85.50"
    assert fmt.compact(85.5, lang="en") == "86"
    assert fmt.pct(0.0412, lang="en") == "4.1\u00a0%" and fmt.pct(0.0412, lang="zh") == "4.1%"
    assert fmt.long_date(date(2026, 11, 11), lang="zh") == "2026年11月11日"
    assert fmt.long_date(date(2026, 11, 11), lang="en") == "11 November 2026"


def test_pct_signed_writes_the_sign_as_money_does():
    # the alerts' "(+12 %, score 4.1)": a plus when asked, a hyphen minus as fmt.money writes it
    assert fmt.pct(0.12, 0, signed=True, lang="en") == "+12\u00a0%"
    assert fmt.pct(-1.0, 0, signed=True, lang="en") == "-100\u00a0%"
    assert fmt.pct(-1.0, 0, signed=True, lang="zh") == "-100%"
    assert fmt.money(-5, places=0, symbol="") == "-5"  # the same minus
    assert fmt.pct(-0.25, 0, lang="en") == "-25\u00a0%"  # unsigned keeps the minus
    # a share that rounds to zero has no sign either way: "0 %", not "-0 %" / "+0 %"
    assert fmt.pct(-0.001, 0, signed=True, lang="en") == "0\u00a0%"
    assert fmt.pct(0.004, 0, signed=True, lang="zh") == "0%"
    assert fmt.pct(0.5349, 0, lang="en") == "53\u00a0%"


def test_table_dates_follow_the_language():
    d = L.Display(currency="GBP", date_style="dmy")
    assert date(2026, 11, 1).strftime(d.strftime) == "01/11/2026"
    with use_lang("zh"):
        assert date(2026, 11, 1).strftime(d.strftime) == "2026年11月01日"
        assert d.date_format == "YYYY年MM月DD日"


def test_a_month_in_a_sentence_is_written_long_in_each_language():
    """A cohort is "the November 2024 cohort" / 2024年11月同期群, never "2024-11"."""
    import pandas as pd

    month = pd.Period("2024-11", "M")
    assert fmt.long_month(month, lang="en") == "November 2024"
    assert fmt.long_month(month, lang="zh") == "2024年11月"
    assert fmt.long_month("2024-01", lang="en") == "January 2024"
    assert fmt.long_month(date(2024, 1, 31), lang="zh") == "2024年1月"
    assert fmt.long_month(pd.Timestamp("2025-03-15 10:00")) == "March 2025"
    with use_lang("zh"):
        assert fmt.long_month(month) == "2024年11月"
        assert _("{month} cohort", month=fmt.long_month(month)) == "2024年11月同期群"


def test_every_message_in_the_source_is_translated_with_its_fields():
    """The test that fails when a string shown on a page has no Chinese translation: every
    literal passed to _(), _n() or N_() is in the zh catalogue, with the same {fields}."""
    found, not_literal = X.messages()
    assert len(found) >= 10  # the extractor finds the frame's page names at least
    assert not not_literal, (
        "message ids must be literals, with {fields} filled by _():\n"
        + "\n".join(f"{m.path}:{m.line}: {m.msgid}" for m in not_literal)
    )
    zh = catalogue("zh")
    missing = sorted({f"{m.path}:{m.line}: {m.msgid!r}" for m in found if m.msgid not in zh})
    assert not missing, f"{len(missing)} messages without a Chinese translation:\n" + "\n".join(
        missing[:60]
    )
    wrong = [
        f"{m.msgid!r} -> {zh[m.msgid]!r}"
        for m in found
        if X.fields(m.msgid) != X.fields(zh[m.msgid])
    ]
    assert not wrong, "translations must fill the same {fields}:\n" + "\n".join(wrong)


def test_catalogue_holds_no_stale_entries():
    """A translation whose English text is gone from the source is stale: remove it."""
    found, _bad = X.messages()
    used = {m.msgid for m in found}
    stale = sorted(set(catalogue("zh")) - used)
    assert not stale, f"{len(stale)} catalogue entries no longer in the source: {stale[:20]}"


def test_extractor_finds_literals_and_refuses_fstrings(tmp_path):
    (tmp_path / "pages").mkdir()
    (tmp_path / "ecomdash").mkdir()
    (tmp_path / "app.py").write_text(
        "from ecomdash.i18n import _, _n, N_\n"
        'a = _("Saved {n} lines", n=3)\n'
        'b = _n("{n} day", "{n} days", 2)\n'
        'c = N_("Home")\n'
        'd = _(f"Hello {a}")\n'
        "e = _(a)\n"
        'f = note_n("{n} row", "{n} rows", 2)\n'
        'g = note_n(f"{a} row", "{n} rows", 2)\n'
    )
    found, bad = X.messages(tmp_path)
    assert [m.msgid for m in found] == [
        "Saved {n} lines",
        "{n} day",
        "{n} days",
        "Home",
        "{n} row",
        "{n} rows",
        "{n} rows",
    ]
    assert [m.line for m in bad] == [5, 8]
    assert X.fields("Saved {n:,} lines of {total}") == {"n", "total"}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_catalogue_loads(lang):
    cat = catalogue(lang)
    assert (len(cat) == 0) == (lang == "en")


def test_round_count_says_a_large_count_as_each_language_does():
    # an alert's chance, "about 1 in 16,000" / "约1.6万分之一": two significant digits
    assert fmt.round_count(16_339, lang="en") == "16,000"
    assert fmt.round_count(16_339, lang="zh") == "1.6万"
    assert fmt.round_count(3_512_000, lang="en") == "3.5 million"
    assert fmt.round_count(3_512_000, lang="zh") == "350万"
    assert fmt.round_count(660_400_000, lang="zh") == "6.6亿"
    assert fmt.round_count(999_999_999, lang="en") == "1 billion"
    assert (
        fmt.round_count(830, lang="zh") == "830" and fmt.round_count(9_960, lang="en") == "10,000"
    )


def test_pct_keeps_its_figure_and_sign_on_one_line():
    """English writes a no-break space between a figure and its "%": the Home card's confidence
    note wrapped "53" and "%" onto two lines in Chromium (a normal space is a break
    opportunity); a chart's percent ticks take the same sign. Chinese has no space."""
    from ecomdash.charts.percent import pct_axis, pct_text, pct_ticks

    assert fmt.pct(0.5349, 0, lang="en") == "53\u00a0%" and " " not in fmt.pct(0.5349, lang="en")
    assert fmt.pct(0.5349, 0, lang="zh") == "53%"
    assert fmt.pct_sign("en") == "\u00a0%" and pct_axis(lang="en")["ticksuffix"] == "\u00a0%"
    assert pct_ticks(0.0, 0.31, lang="en")["ticktext"][1] == "10\u00a0%"
    assert pct_text([0.334], lang="en") == ["33.4\u00a0%"]
