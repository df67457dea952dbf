"""The Basket analysis page in Chinese on the Chinese demo merchant (issue 16): every text of
ours in Chinese through the form, Run, every tab and the suggestion button; the numbers in
the rule sentences the same as in English and as computed from the core."""

from __future__ import annotations

import re

import pytest

from ecomdash import basket
from ecomdash import labels as L
from ecomdash.i18n import catalogue, use_lang
from ecomdash.store import Store
from tests.pages.conftest import run_page
from tests.pages.zh_areas import english_left_here

NUM = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")


@pytest.fixture
def zh_dataset(zh_store):
    return zh_store("演示商户")


def _data_values(lines) -> set[str]:
    return {str(v) for c in ("product_name", "product_id") for v in lines[c].dropna().unique()}


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def test_basket_page_in_chinese_through_form_and_tabs(zh_dataset, zh_lines):
    # AppTest calls a widget's format_func in the test's thread to find the chosen option
    # among the shown ones: run it in the page's language, as the browser session would
    with use_lang("zh"):
        _walk_basket_in_chinese(zh_dataset, _data_values(zh_lines))


def _walk_basket_in_chinese(zh_dataset, data):
    at = run_page("basket.py", dataset_id=zh_dataset.id, lang="zh", timeout=180)
    assert not at.exception, at.exception
    assert at.title[0].value == "购物篮分析"
    # "Rules" and "Baskets" are the column catalogue's words (ecomdash.labels, the frame's)
    assert [t.label for t in at.tabs] == [
        L.label("kinds"),
        "项集",
        "图表",
        "商品查询",
        "组合套装假设分析",
    ]
    assert {m.label for m in at.metric} >= {
        L.label("baskets"),
        "含\u00a02\u00a0件及以上",
        "后期仍优于随机的规则",
    }
    assert english_left_here(at, data_values=data) == []
    # the support as a number of orders, customer-days as baskets, categories as items; Run
    at.segmented_control(key="basket_support_unit").set_value("number of orders").run()
    assert not at.exception, at.exception
    assert any(n.label == "最小支持度：至少出现在 N 个订单中" for n in at.number_input)
    basket_radio = next(r for r in at.radio if r.label == "购物篮")
    assert basket_radio.options == ["单个订单", "客户日"]
    basket_radio.set_value("customer_day")
    _button(at, "运行").click().run()
    assert not at.exception, at.exception
    assert any("个客户日" in c.value for c in at.caption)
    # filters of the rules tab, the lookup and the what-if (AppTest renders every tab)
    at.radio(key="basket_rule_side").set_value("if").run()
    at.slider(key="basket_whatif_share").set_value(30).run()
    assert not at.exception, at.exception
    # both percent sliders in the Chinese style, "30%", as fmt.pct writes it on the page
    assert at.slider(key="basket_whatif_share").proto.format == "%d%%"
    assert [s.proto.format for s in at.slider if s.label == "最小置信度"] == ["%d%%"]
    assert any("提升度" in c.value for c in at.caption)
    assert english_left_here(at, data_values=data) == []
    # a threshold no pair reaches: the warning and the suggestion button, in Chinese
    at.segmented_control(key="basket_support_unit").set_value("share of orders").run()
    sup = next(n for n in at.number_input if n.label == "最小支持度（占订单的百分比）")
    sup.set_value(50)
    _button(at, "运行").click().run()
    assert not at.exception, at.exception
    [warning] = [w.value for w in at.warning if "降到" in w.value]
    again = next(b for b in at.button if b.label.startswith("以最小支持度"))
    assert NUM.findall(again.label)[0] in warning.replace("\\", "")
    assert english_left_here(at, data_values=data) == []


def _caption(at, word):
    return next(c.value for c in at.caption if word in c.value)


def test_rule_sentences_carry_the_same_numbers_in_both_languages(
    zh_dataset, zh_lines, _isolated_home
):
    en = run_page("basket.py", dataset_id=zh_dataset.id, lang="en", timeout=180)
    zh = run_page("basket.py", dataset_id=zh_dataset.id, lang="zh", timeout=180)
    assert not en.exception and not zh.exception
    for en_word, zh_word in (("How much to trust", "这些规则有多可信"), ("lift ≥", "提升度 ≥")):
        en_text, zh_text = _caption(en, en_word), _caption(zh, zh_word)
        # the same figures (Chinese word order differs)
        assert sorted(NUM.findall(en_text)) == sorted(NUM.findall(zh_text)), (en_text, zh_text)
    # ... and they are the core's numbers, counted here from its rules
    store = Store.open(_isolated_home)
    try:
        lines = store.load_lines(zh_dataset.id)
    finally:
        store.close()
    res = basket.mine(lines)
    strong = int((res.rules["lift"] >= 2).sum())
    share = res.n_multi_item_baskets / res.n_baskets * 100
    trust = _caption(zh, "这些规则有多可信")
    assert trust.startswith(
        f"这些规则有多可信：{res.n_rules:,}\u00a0条中有\u00a0{strong:,}\u00a0条提升度 ≥\u00a02"
    )
    assert f"{share:.1f}% 的订单含两件及以上商品" in trust
    settings = _caption(zh, "提升度 ≥")
    assert (
        f"在\u00a0{res.n_baskets:,}\u00a0个订单中至少出现\u00a0{res.min_count:,}\u00a0次"
        in settings
    )
    # the English page is unchanged
    assert _caption(en, "How much to trust").startswith(
        f"How much to trust these rules: {strong:,} of {res.n_rules:,} have lift ≥ 2"
    )
    # no rule rests on fewer than 30 orders here: none is called an idea to test ("0 rest on
    # fewer than 30 orders — treat those as ideas to test" before)
    assert int((res.rules["count"] < 30).sum()) == 0
    assert "every rule rests on 30 orders or more." in _caption(en, "How much to trust")
    assert "每条规则都依据\u00a030\u00a0个及以上订单。" in trust and "待验证" not in trust


def test_basket_catalogue_is_used():
    """The page's Chinese comes from basket.po (a msgid missing there shows English)."""
    zh = catalogue("zh")
    assert zh["Minimum lift"] == "最小提升度"
    assert zh["Bundle what-if"] == "组合套装假设分析"


def test_refusal_of_explosive_thresholds_in_chinese(zh_dataset):
    """The core's refusal (a ParameterError whose message is a Note) is shown in Chinese,
    with the same figures as the English page shows."""
    shown = {}
    for lang, run_label in (("en", "Run"), ("zh", "运行")):
        with use_lang(lang):
            at = run_page("basket.py", dataset_id=zh_dataset.id, lang=lang, timeout=180)
            at.segmented_control(key="basket_support_unit").set_value("number of orders").run()
            at.number_input[0].set_value(1)  # every pair that ever occurred
            _button(at, run_label).click().run()
            assert not at.exception, at.exception
            shown[lang] = [e.value.replace("\\", "") for e in at.error]
    [en], [zh] = shown["en"], shown["zh"]
    assert "too many itemsets" in en
    assert zh.startswith("这组门槛下项集太多") and "请把" in zh
    assert sorted(NUM.findall(en)) == sorted(NUM.findall(zh)), (en, zh)


def test_switching_language_reuses_the_cached_result_and_shows_it_in_chinese(zh_dataset):
    """The mining result is cached without the language (it holds Notes, not sentences):
    the same session switched to Chinese gets the cached result's warning in Chinese."""
    at = run_page("basket.py", dataset_id=zh_dataset.id, lang="en", timeout=180)
    at.number_input[0].set_value(50)  # percent
    _button(at, "Run").click().run()
    [en] = [w.value for w in at.warning if "Lower the minimum support" in w.value]
    # (AppTest formats the shown widgets' values in the test's thread: they are English here)
    at.query_params["lang"] = "zh"
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value == "购物篮分析"
    [zh] = [w.value for w in at.warning if "降到" in w.value]
    assert "Lower" not in zh
    assert sorted(NUM.findall(en)) == sorted(NUM.findall(zh)), (en, zh)


def test_trust_sentence_calls_rules_ideas_only_when_some_are_thin():
    from ecomdash.i18n import use_lang
    from ecomdash.ui.basket_views import _trust_text

    trust = {"strong": "3", "n": "5", "thin": "2", "share": "40.0 %"}
    for by_order, unit in ((True, "orders"), (False, "customer-days")):
        some = _trust_text(trust, by_order=by_order, thin=True)
        assert f"2 rest on fewer than 30 {unit} — treat those as ideas to test" in some
        none = _trust_text({**trust, "thin": "0"}, by_order=by_order, thin=False)
        assert f"every rule rests on 30 {unit} or more" in none and "ideas" not in none
    with use_lang("zh"):
        assert "2\u00a0条依据的客户日不到\u00a030\u00a0个" in _trust_text(
            trust, by_order=False, thin=True
        )
        assert "每条规则都依据\u00a030\u00a0个及以上客户日" in _trust_text(
            {**trust, "thin": "0"}, by_order=False, thin=False
        )


def test_baskets_tile_help_in_chinese(zh_dataset):
    """What a basket is, in Chinese: the Overview's order (not cancelled, not postage alone)."""
    at = run_page("basket.py", dataset_id=zh_dataset.id, lang="zh", timeout=180)
    assert not at.exception, at.exception
    tile = next(m for m in at.metric if m.label == "购物篮数")
    assert tile.help == (
        "至少含一个未取消商品行的订单，与概览页相同：整单取消的订单、只有运费或手续费的订单不算购物篮。"
    )
