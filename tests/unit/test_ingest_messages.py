"""ingest.messages.Msg: English as a plain str, translated where shown, kept through JSON."""

from __future__ import annotations

import json
import pickle

from ecomdash.i18n import use_lang
from ecomdash.ingest.messages import Msg, from_json, shown, to_json


def test_msg_is_its_english_sentence():
    m = Msg("{field} ({column}): {note}", field=Msg("revenue"), column="'Total'", note="x")
    assert m == "revenue ('Total'): x" and isinstance(m, str)
    assert json.dumps({"n": m}) == '{"n": "revenue (\'Total\'): x"}'
    assert Msg("{note}.", note=Msg("one line per order")).capitalised() == "One line per order."


def test_shown_translates_the_message_and_its_message_fields_only():
    m = Msg("{field} ({column}): {note}", field=Msg("revenue"), column="'revenue'", note="x")
    with use_lang("zh"):
        # the field id is translated, the merchant's column (a plain str) is not
        assert shown(m) == "销售额（'revenue'）：x"
        assert shown("plain text") == "plain text" and shown(None) == ""
    assert shown(m) == "revenue ('revenue'): x"


def test_json_and_pickle_keep_id_and_fields():
    m = Msg(
        "{label}: {states}",
        label=Msg("order not paid (not a sale yet, left out)"),
        states="待支付 (1)",
    )
    back = from_json(json.loads(json.dumps(to_json(m))))
    assert back == m and back.msgid == m.msgid and isinstance(back.fields["label"], Msg)
    with use_lang("zh"):
        assert shown(back) == "订单未付款（尚未成交，已剔除）：待支付 (1)"
    p = pickle.loads(pickle.dumps(m))
    assert p == m and p.fields["states"] == "待支付 (1)"
    assert to_json("plain") == "plain" and from_json("plain") == "plain"
    assert from_json({"en": "x", "id": "{a}", "fields": {}}) == "x"  # fields missing: English
