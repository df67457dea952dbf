"""Notes: a core sentence that is its English text now and translatable where it is shown
(the ingest messages are Notes too: capitalised, JSON round-trip for saved cleaning reports)."""

from __future__ import annotations

import json
import pickle

import pandas as pd
import pytest

from ecomdash import basket, forecast
from ecomdash import calendar_cn as CN
from ecomdash.i18n import N_, catalogue, use_lang
from ecomdash.i18n.note import (
    Field,
    Note,
    Percent,
    Quoted,
    from_json,
    note,
    note_n,
    quoted,
    to_json,
    tr_note,
)


def test_a_note_is_its_english_text_and_survives_pickling():
    n = note(N_("Only {n} baskets from {date} on: the check itself is rough."), n="12", date="d")
    assert n == "Only 12 baskets from d on: the check itself is rough."
    assert isinstance(n, str) and "check itself" in n
    back = pickle.loads(pickle.dumps(n))  # st.cache_data pickles results
    assert isinstance(back, Note) and back == n
    assert back.msgid == n.msgid and back.fields == {"n": "12", "date": "d"}
    with use_lang("zh"):
        assert tr_note(back) == "d起只有\u00a012\u00a0个购物篮：这次检验本身也比较粗略。"
    assert tr_note(back) == n  # English: the text as built
    assert tr_note("plain text") == "plain text"


def test_note_fields_that_are_notes_or_lists_are_translated_with_the_sentence():
    n = note(
        N_(
            "Calendar: the shop took no orders on most days of every past {holidays} break, "
            "so the calendar models forecast 0 on those days ahead."
        ),
        holidays=(note(CN.LABELS["spring_festival"]), note(CN.LABELS["national_day"])),
    )
    assert "every past Spring Festival 春节, National Day 国庆节 break" in n
    with use_lang("zh"):
        assert tr_note(n).startswith("日历：过去每个春节、国庆节假期")


def test_core_warning_in_chinese_keeps_the_core_numbers():
    """A real warning from basket.mine: the suggested support, in both languages."""
    lines = pd.DataFrame(
        {
            "order_id": ["1", "1", "2", "2", "3", "4", "5", "6", "7", "8", "9", "10"],
            "product_id": ["a", "b", "a", "b", "a", "c", "c", "d", "e", "f", "g", "h"],
            "quantity": [1.0] * 12,
            "is_return": [False] * 12,
            "is_non_product": [False] * 12,
            "is_cancelled": [False] * 12,
        }
    )
    res = basket.mine(lines, min_support=0.5)
    assert res.suggested_min_support == 0.2  # {a, b} is in 2 of the 10 orders
    [w] = [w for w in res.warnings if "Lower the minimum support" in w]
    assert "Lower the minimum support to 20\u00a0% (appears in 2 orders)" in w
    with use_lang("zh"):
        zh = tr_note(w)
    assert (
        "把最小支持度降到\u00a020%（出现在\u00a02\u00a0个订单中）" in zh
    )  # fmt.pct's Chinese: no space
    assert (
        "（即\u00a010\u00a0个订单中的\u00a05\u00a0个）" in zh
    )  # support 0.5 of 10 orders = 5 (count by hand)


def test_verdict_numbers_and_words():
    v = forecast.verdict("ets", 77.0, 100.0)
    assert v == (
        "Exponential smoothing (ETS) is 23\u00a0% better than repeating the last cycle "
        "(seasonal naive) in the backtest."
    )
    with use_lang("zh"):
        zh = tr_note(v)
    assert zh.startswith("回测中，") and zh.endswith("好\u00a023%。")
    with use_lang("zh"):
        assert tr_note(forecast.verdict("ets", 110.0, 100.0, seasonal=False)).endswith(
            "差\u00a010%。"
        )


def test_every_festival_has_its_chinese_name_in_the_catalogue():
    zh = catalogue("zh")
    names = {k: zh[CN.LABELS[k]] for k in CN.FEATURES}
    for key, (_en, name_zh, *_rest) in {**CN.PUBLIC_HOLIDAYS, **CN.SHOPPING_FESTIVALS}.items():
        assert name_zh in names[key]  # the Chinese UI shows the festival's own name
    assert names["makeup_workday"].startswith("调休")


def test_an_error_whose_message_is_a_note_is_shown_translated():
    from ecomdash.errors import InsufficientDataError, ParameterError
    from ecomdash.i18n.note import translated

    with pytest.raises(InsufficientDataError) as info:
        forecast._fit_folds(10, 8, 4)  # 8 + 4 periods needed, 10 there
    err = info.value
    assert "A backtest needs more history: 10 periods" in str(err)
    with use_lang("zh"):
        zh = translated(err)
    assert type(zh) is InsufficientDataError and zh.__cause__ is err
    assert str(zh).startswith(
        "回测需要更长的历史：现有\u00a010\u00a0期"
    ) and "共需\u00a012\u00a0期" in str(zh)
    plain = ParameterError("plain")
    assert translated(plain) is plain


def test_ingest_note_is_its_english_sentence():
    m = note("{field} ({column}): {note}", field=note("revenue"), column="'Total'", note="x")
    assert m == "revenue ('Total'): x" and isinstance(m, str)
    assert json.dumps({"n": m}) == '{"n": "revenue (\'Total\'): x"}'
    assert note("{note}.", note=note("one line per order")).capitalised() == "One line per order."


def test_tr_note_translates_the_message_and_its_message_fields_only():
    m = note("{field} ({column}): {note}", field=Field("revenue"), column="'revenue'", note="x")
    with use_lang("zh"):
        # the field is named, the merchant's column (a plain str) is not translated
        assert tr_note(m) == "销售额（'revenue'）：x"
        assert tr_note("plain text") == "plain text" and tr_note(None) == ""
    assert tr_note(m) == "Line amount ('revenue'): x"  # English: the field's name too


def test_json_and_pickle_keep_id_and_fields_and_capitals():
    m = note(
        "{label}: {states}",
        label=note("order not paid (not a sale yet, left out)"),
        states="待支付 (1)",
    )
    back = from_json(json.loads(json.dumps(to_json(m))))
    assert back == m and back.msgid == m.msgid and isinstance(back.fields["label"], Note)
    with use_lang("zh"):
        assert tr_note(back) == "订单未付款（尚未成交，已剔除）：待支付 (1)"
    p = pickle.loads(pickle.dumps(m))
    assert p == m and p.fields["states"] == "待支付 (1)"
    cap = note(N_("{note}."), note=note(N_("units counted"))).capitalised()
    assert cap == "Units counted." and isinstance(cap, Note)
    for back_cap in (
        pickle.loads(pickle.dumps(cap)),
        from_json(json.loads(json.dumps(to_json(cap)))),
    ):
        assert back_cap == "Units counted." and back_cap.msgid == "{note}."
    assert to_json("plain") == "plain" and from_json("plain") == "plain"
    assert from_json({"en": "x", "id": "{a}", "fields": {}}) == "x"  # fields missing: English


def test_a_counted_note_reads_its_form_for_n_now_and_where_shown():
    """note_n, the lazy _n: the English form for n now, the form for n (and language) where it
    is shown, kept through pickle, JSON and capitalising."""
    one, many, lower = (
        "Skipped {n} title row above the table.",
        "Skipped {n} title rows above the table.",
        "skipped {n} title rows above the table.",
    )
    assert note_n(one, many, 1) == "Skipped 1 title row above the table."
    assert note_n(one, many, 2) == "Skipped 2 title rows above the table."
    assert note_n(one, many, 0) == "Skipped 0 title rows above the table."
    # a formatted count as the field, the number choosing the form
    assert note_n(one, many, 1200, n="1,200") == "Skipped 1,200 title rows above the table."
    low = note_n(lower.replace("rows", "row"), lower, 1).capitalised()
    assert low == "Skipped 1 title row above the table." and low.plural == lower
    for n in (1, 2):
        m = note_n(one, many, n)
        for back in (pickle.loads(pickle.dumps(m)), from_json(json.loads(json.dumps(to_json(m))))):
            assert isinstance(back, Note) and back == m
            assert (back.msgid, back.plural, back.count) == (one, many, n)
            assert tr_note(back) == m  # English: the form for n
            with use_lang("zh"):
                assert (
                    tr_note(back) == f"跳过了表格上方的\u00a0{n}\u00a0行标题。"
                )  # one Chinese form
    assert set(to_json(note(N_("units counted")))) == {"en", "id", "fields"}  # as before


#: Written by the code before Msg and Note were one (ecomdash.ingest.messages.to_json, commit
#: df72ff2): a saved dataset's CleaningReport.to_dict() for a Chinese export, byte for byte.
SAVED_BEFORE = {
    "notes_msg": [
        {
            "en": "unit_price ('单价'): decimal comma (1.234,50)",
            "id": "{field} ({column}): {note}",
            "fields": {
                "field": {"en": "unit_price", "id": "unit_price", "fields": {}},
                "column": "'单价'",
                "note": {
                    "en": "decimal comma (1.234,50)",
                    "id": "decimal comma (1.234,50)",
                    "fields": {},
                },
            },
        }
    ],
    "label_msg": {
        "en": "order cancelled or closed before any sale (not a sale, left out): 交易关闭 (1)",
        "id": "{label}: {states}",
        "fields": {
            "label": {
                "en": "order cancelled or closed before any sale (not a sale, left out)",
                "id": "order cancelled or closed before any sale (not a sale, left out)",
                "fields": {},
            },
            "states": "交易关闭 (1)",
        },
    },
}


def test_a_report_saved_by_the_old_msg_code_still_loads_and_translates():
    [n] = [from_json(x) for x in SAVED_BEFORE["notes_msg"]]
    label = from_json(SAVED_BEFORE["label_msg"])
    assert isinstance(n, Note) and isinstance(label, Note)
    assert n == "unit_price ('单价'): decimal comma (1.234,50)"
    assert to_json(n) == SAVED_BEFORE["notes_msg"][0]  # the same JSON is written today
    with use_lang("zh"):
        assert tr_note(n) == "单价（'单价'）：小数点为逗号（1.234,50）"  # ingest.po, labels.po
        assert tr_note(label) == "订单在成交前已取消或关闭（不算销售，已剔除）：交易关闭 (1)"
    assert tr_note(n) == "Unit price ('单价'): decimal comma (1.234,50)"  # the field named


def test_a_percent_field_is_written_in_the_language_where_it_is_shown():
    """A Note built in a worker (no language) keeps its share as a number: "53 %" in its
    English text, "53%" where shown in Chinese, after pickling and after JSON too."""
    n = note(N_("{share} of values are numbers"), share=Percent(0.534))
    assert n == "53\u00a0% of values are numbers"
    for back in (pickle.loads(pickle.dumps(n)), from_json(json.loads(json.dumps(to_json(n))))):
        assert back == n
        with use_lang("zh"):
            assert tr_note(back) == "53% 的值是数字"
    assert Percent(-0.125, 1, signed=True) == "-12.5\u00a0%"
    assert from_json({"pct": "x", "digits": 0, "signed": False}) == "x"  # damaged: as text


def test_a_field_is_its_id_in_the_text_and_its_name_where_shown():
    """The ingest names a field with Field(id): the English text (CLI, JSON, logs) keeps the id
    `--map` takes; a page shows the field's name, as the Data page's mapping names it."""
    n = note(N_("{field} ({column}): {note}"), field=Field("quantity"), column="'Qty'", note="x")
    assert n == "quantity ('Qty'): x"
    assert tr_note(n) == "Quantity ('Qty'): x"
    with use_lang("zh"):
        assert tr_note(n) == "数量（'Qty'）：x"
    for back in (pickle.loads(pickle.dumps(n)), from_json(json.loads(json.dumps(to_json(n))))):
        assert back == n and isinstance(back.fields["field"], Field)
        assert tr_note(back) == "Quantity ('Qty'): x"
    # a report saved before Field named the field by a Note of its id: shown by its name too
    old = {
        "en": "revenue ('Amt'): x",
        "id": "{field} ({column}): {note}",
        "fields": {
            "field": {"en": "revenue", "id": "revenue", "fields": {}},
            "column": "'Amt'",
            "note": "x",
        },
    }
    assert tr_note(from_json(old)) == "Line amount ('Amt'): x"
    with use_lang("zh"):
        assert tr_note(from_json(old)).startswith("销售额")


def test_a_quoted_file_value_reads_with_the_languages_quotation_marks():
    """Headers and cells from the merchant's file: 'Qty' in the English text (CLI, JSON), “Qty”
    in Chinese (an ASCII quote reads as a stray mark there), lists joined with 、; the same
    after pickling and after the JSON a saved cleaning report keeps."""
    n = note(
        N_("{field} ({column}): {note}"), field=Field("quantity"), column=Quoted("Qty"), note="x"
    )
    many = note(N_("header {column} matches {field}"), column=quoted(["A b", "数量"]), field="f")
    assert n == "quantity ('Qty'): x" and many == "header 'A b', '数量' matches f"
    for m in (n, many):
        for back in (
            m,
            pickle.loads(pickle.dumps(m)),
            from_json(json.loads(json.dumps(to_json(m)))),
        ):
            assert back == m
            assert tr_note(back) == tr_note(m)
            with use_lang("zh"):
                shown = tr_note(back)
            assert "'" not in shown
    with use_lang("zh"):
        assert tr_note(n) == "数量（“Qty”）：x"
        assert tr_note(many) == "列名“A b”、“数量”对应 f"


def test_the_data_pages_mapping_reasons_quote_headers_in_chinese():
    from ecomdash.ingest import inspect_bytes, propose_mapping

    raw = inspect_bytes(
        b"Invoice,StockCode,Quantity,InvoiceDate,Price\n1,A,1,2024-01-01,2\n", "x.csv"
    )
    reasons = [r.reason for r in propose_mapping(raw).fields if r.column == "Invoice"]
    assert reasons and "'Invoice'" in reasons[0]
    with use_lang("zh"):
        assert "“Invoice”" in tr_note(reasons[0]) and "'" not in tr_note(reasons[0])
