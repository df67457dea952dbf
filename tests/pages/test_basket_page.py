"""Basket analysis page on the demo merchant (AppTest, page run alone)."""

from __future__ import annotations

import pytest

from ecomdash import basket
from ecomdash.store import Store
from tests.pages.conftest import run_page
from tests.pages.downloads import record_downloads


def _metric(at, label):
    found = [m for m in at.metric if m.label == label]
    assert found, f"no metric {label!r}; have {[m.label for m in at.metric]}"
    return found[0]


def _run_button(at):
    return next(b for b in at.button if b.label == "Run")


def _lines(home, dataset_id):
    store = Store.open(home)
    try:
        return store.load_lines(dataset_id)
    finally:
        store.close()


def _core(home, dataset_id, **kw):
    return basket.mine(_lines(home, dataset_id), **kw)


def test_basket_page_greets_with_default_results_matching_core(
    demo_dataset, _isolated_home, demo, monkeypatch
):
    # no Run pressed: the page opens on the result of its default thresholds
    downloads = record_downloads(monkeypatch)
    at = run_page("basket.py", dataset_id=demo_dataset.id)
    assert not at.exception, at.exception
    assert not any("press Run" in i.value for i in at.info)
    # the support is explained both as a share and as a number of orders
    assert any("in at least" in c.value and "baskets" in c.value for c in at.caption)
    res = _core(_isolated_home, demo_dataset.id)
    assert _metric(at, "Baskets").value == f"{res.n_baskets:,}"
    assert _metric(at, "Rules").value == f"{res.n_rules:,}"
    rules = at.dataframe[0].value
    assert list(rules.columns) == ["rule", "baskets", "confidence", "lift"]
    assert len(rules) == res.n_rules
    # the strongest rule is a planted bundle (both directions share the top lift); its ids
    # are in the download, in the table's order
    planted = {(b.antecedent, b.consequent) for b in demo.truth.bundles}
    planted |= {(c, a) for a, c in planted}
    csv = downloads.frame("basket-rules")
    assert list(csv["rule"]) == list(rules["rule"])
    assert (csv["if (ids)"].iloc[0], csv["then (ids)"].iloc[0]) in planted
    # how good: the rules are checked on the later orders of the merchant's own data
    hold = basket.holdout_check(_lines(_isolated_home, demo_dataset.id))
    assert (
        _metric(at, "Rules that still beat chance later").value
        == f"{hold.share_holding * 100:.1f}\u00a0%"
    )
    # confidence is a percentage on the tiles as in the rules table (28.8 %, not 0.288)
    for label, value in (
        ("Median confidence earlier", hold.median_confidence_train),
        ("Median confidence later", hold.median_confidence_test),
    ):
        assert _metric(at, label).value == f"{value * 100:.1f}\u00a0%"
    assert len(at.tabs) == 5
    assert len(at.get("plotly_chart")) >= 2  # scatter + network


def test_baskets_tile_is_the_overviews_orders_and_says_so(demo_dataset, _isolated_home):
    """The "Baskets" tile counts the Overview's orders (kept purchases: 50,032 on the demo,
    not the 50,202 orders with any sale line) and its help says what a basket is."""
    from ecomdash.kpis import compute_kpis

    store = Store.open(_isolated_home)
    try:
        orders = compute_kpis(store, demo_dataset.id)["orders"]
    finally:
        store.close()
    at = run_page("basket.py", dataset_id=demo_dataset.id)
    assert not at.exception, at.exception
    tile = _metric(at, "Baskets")
    assert tile.value == f"{orders:,}"
    assert tile.help == (
        "Orders with at least one product line that was not cancelled, as on the Overview: an "
        "order cancelled in full, or holding only postage or fees, is not a basket."
    )


def test_baskets_help_for_each_setting_says_cancelled_lines_are_out():
    """Four settings, four sentences, each in both languages: cancelled lines never count;
    postage and fees only with the setting on; a guest's order is its own customer-day."""
    import itertools

    from ecomdash.i18n import catalogue, use_lang
    from ecomdash.ui.basket_views import _basket_help

    zh = catalogue("zh")
    seen = set()
    for basket_kind, incl in itertools.product(("order", "customer_day"), (False, True)):
        text = _basket_help({"basket": basket_kind, "include_non_product": incl})
        assert "not cancelled" in text
        assert ("postage and fees included" in text) == incl
        assert ("guest" in text) == (basket_kind == "customer_day")
        with use_lang("zh"):
            assert _basket_help({"basket": basket_kind, "include_non_product": incl}) == zh[text]
        assert "取消" in zh[text]
        seen.add(text)
    assert len(seen) == 4


def test_basket_page_thresholds_and_lookup(demo_dataset, _isolated_home, demo, monkeypatch):
    downloads = record_downloads(monkeypatch)
    at = run_page("basket.py", dataset_id=demo_dataset.id)
    at.number_input[0].set_value(0.5)  # minimum support, in percent (0.5 % = 0.005)
    at.slider[0].set_value(20)  # minimum confidence, in percent
    _run_button(at).click()
    at.run()
    assert not at.exception, at.exception
    res = _core(_isolated_home, demo_dataset.id, min_support=0.005, min_confidence=0.2)
    assert _metric(at, "Rules").value == f"{res.n_rules:,}"
    # product lookup: frequently bought together for a planted bundle's antecedent
    b = demo.truth.bundles[0]
    at.selectbox(key="basket_lookup_item").set_value(b.antecedent)
    at.run()
    assert not at.exception, at.exception
    # the table shows the product and its share; its id is in the CSV beside it
    fbt_tables = [d.value for d in at.dataframe if "share" in d.value.columns]
    assert fbt_tables, "no frequently-bought-together table"
    assert downloads.table("frequently-bought-together")["item"].iloc[0] == b.consequent


def test_basket_page_refuses_explosive_thresholds(demo_dataset):
    at = run_page("basket.py", dataset_id=demo_dataset.id)
    at.segmented_control(key="basket_support_unit").set_value("number of orders")
    at.run()
    at.number_input[0].set_value(1)  # every pair that ever occurred
    _run_button(at).click()
    at.run()
    assert not at.exception, at.exception
    assert any("too many itemsets" in e.value for e in at.error), [e.value for e in at.error]


def test_basket_page_proposes_a_support_when_nothing_is_frequent(demo_dataset, _isolated_home):
    at = run_page("basket.py", dataset_id=demo_dataset.id)
    at.number_input[0].set_value(50)  # percent: no pair is in half the orders
    _run_button(at).click()
    at.run()
    assert not at.exception, at.exception
    assert any("Lower the minimum support" in w.value for w in at.warning)
    lines = _lines(_isolated_home, demo_dataset.id)
    suggested = basket.suggest_support(lines)
    button = at.button(key="basket_use_suggested")
    # in percent, cut down to the figures written, in the warning and on the button alike
    shown = basket.support_share(suggested, towards="down")
    assert shown.value <= suggested
    assert str(shown) in button.label
    # (the warning is markdown: its "." and "(" come escaped)
    warned = [w.value.replace("\\", "") for w in at.warning]
    assert any(f"Lower the minimum support to {shown} " in w for w in warned), warned
    button.click()
    at.run()
    assert not at.exception, at.exception
    # the run uses the support as written, which still finds the 10 pairs
    res = basket.mine(lines, min_support=shown.value)
    assert (res.itemsets["size"] >= 2).sum() >= 10
    assert _metric(at, "Itemsets of 2+ items").value == f"{(res.itemsets['size'] >= 2).sum():,}"


def test_changing_thresholds_twice_in_a_row_takes_effect(demo_dataset, _isolated_home):
    """Each Run uses the confidence just chosen: the rules shown and the Rules metric follow."""
    at = run_page("basket.py", dataset_id=demo_dataset.id)
    assert not at.exception, at.exception
    lines = _lines(_isolated_home, demo_dataset.id)
    shown = []
    for conf in (0.3, 0.25, 0.35):  # 4, 8 and 1 rules on the demo
        [s for s in at.slider if s.label == "Minimum confidence"][0].set_value(round(conf * 100))
        _run_button(at).click()
        at.run()
        assert not at.exception, at.exception
        res = basket.mine(lines, min_confidence=conf)
        assert _metric(at, "Rules").value == f"{res.n_rules:,}"
        rules = at.dataframe[0].value
        assert "confidence" in rules.columns and "rule" in rules.columns
        assert len(rules) == res.n_rules
        assert rules["confidence"].min() >= conf
        shown.append(len(rules))
    # each setting gives a different answer on the demo, so a stale run cannot pass
    assert len(set(shown)) == 3, shown


def test_bundle_whatif_says_whole_sales_and_rounded_revenue_as_the_home_finding(
    demo_dataset, _isolated_home
):
    """The what-if tab on the demo's first rule: 10 % of the 929 orders with A but not B is
    92.9 sales, said "about 93"; £1,206.77 is said "about £1,200" (an estimate's two
    significant figures: fmt.money_about; it read "about £1,207"), on the tile too; the
    Home's bundle finding says the same figures (one function); Chinese too."""
    from ecomdash import findings as FD
    from ecomdash import schema as S
    from ecomdash.i18n import catalogue, fmt, use_lang

    lines = _lines(_isolated_home, demo_dataset.id)
    res = basket.mine(lines)
    rule = res.rules.iloc[0]  # the tab's first bundle
    (a,), (b,) = rule["antecedents"], rule["consequents"]
    # by hand: the orders holding A but not B, and B's average selling price
    sales = S.customer_sales(lines)
    held = sales.groupby(S.ORDER_ID)[S.PRODUCT_ID].agg(set)
    n = int(held.map(lambda items: a in items and b not in items).sum())
    b_lines = sales[sales[S.PRODUCT_ID] == b]
    price = b_lines[S.REVENUE].sum() / b_lines[S.QUANTITY].sum()
    exact_sales, exact_revenue = 0.1 * n, 0.1 * n * price
    about_sales = int(exact_sales + 0.5)
    assert 100 <= exact_revenue < 10_000  # two significant figures by hand: 1,206.77 → 1,200
    about_revenue = f"£{round(exact_revenue, 2 - len(str(int(exact_revenue)))):,.0f}"
    assert about_sales != exact_sales  # the demo's count is not whole (929 orders: 92.9)
    expected = (
        f"If 10\u00a0% of the {n:,} orders with A but not B had also taken B: about "
        f"{about_sales:,} more sales of B, about {about_revenue} more revenue (B's "
        f"average selling price over the period, £{price:,.2f})."
    )
    at = run_page("basket.py", dataset_id=demo_dataset.id)
    assert not at.exception, at.exception
    captions = [c.value for c in at.caption if c.value.startswith("If ")]
    assert captions == [expected]
    assert _metric(at, "Extra revenue").value == about_revenue
    # the Home's bundle finding on the same what-if: the same rounded figures
    w = basket.bundle_whatif(lines, (a,), (b,), share=FD.BUNDLE_SHARE)
    with fmt.use_currency("£"):
        detail = FD.bundle_finding(res, w).detail
    assert (
        f"the second: about {about_sales:,} more sales of it, about {about_revenue} "
        "more revenue." in detail
    )
    # in Chinese: the same figures in the translated sentence
    with use_lang("zh"):
        at = run_page("basket.py", dataset_id=demo_dataset.id, lang="zh")
    assert not at.exception, at.exception
    zh = catalogue("zh")[
        "If {share} of the {n} orders with A but not B had also taken B: {sales} of B, about "
        "{revenue} more revenue (B's average selling price over the period, {price})."
    ].format(
        share="10%",
        n=f"{n:,}",
        sales=f"约多卖\u00a0{about_sales:,}\u00a0单",
        revenue=about_revenue,
        price=f"£{price:,.2f}",
    )
    assert zh in [c.value for c in at.caption]


def test_non_product_toggle_label_is_short_and_its_help_says_the_rest(demo_dataset):
    """The toggle sits in a third of the form's row: its label must fit there at 1400 px
    (the old "Include postage, fees and other non-product lines" was cut to "…other
    non-…"); what it covers is in its help. The layout itself is checked on screenshots."""
    from ecomdash.i18n import use_lang

    for lang, label, words in (
        ("en", "Include postage and fees", ("non-product lines", "Returns and cancelled")),
        ("zh", "包含运费和手续费", ("非商品订单行", "退货和已取消")),
    ):
        with use_lang(lang):
            at = run_page("basket.py", dataset_id=demo_dataset.id, lang=lang)
        assert not at.exception, at.exception
        (toggle,) = at.toggle
        assert toggle.label == label
        assert all(w in toggle.help for w in words), toggle.help


def test_bundle_whatif_by_customer_day_counts_customer_days_not_orders(
    demo_dataset, _isolated_home
):
    """With "A customer's day" as the basket the what-if counts customer-days: its slider,
    tiles and sentence say so (they said "orders" for the customer-days' counts)."""
    lines = _lines(_isolated_home, demo_dataset.id)
    at = run_page("basket.py", dataset_id=demo_dataset.id)
    (radio,) = [r for r in at.radio if r.label == "Basket"]
    radio.set_value("customer_day")
    _run_button(at).click()
    at.run()
    assert not at.exception, at.exception
    res = basket.mine(lines, basket="customer_day")
    rule = res.rules.iloc[0]
    w = basket.bundle_whatif(
        lines, rule["antecedents"], rule["consequents"], share=0.1, basket="customer_day"
    )
    assert _metric(at, "Customer-days with A").value == f"{w.n_with_antecedent:,}"
    assert not [m for m in at.metric if m.label == "Orders with A"]
    assert any(
        s.label == "Share of the customer-days with A but not B that would also take B"
        for s in at.slider
    )
    (caption,) = [c.value for c in at.caption if c.value.startswith("If ")]
    assert caption.startswith(
        f"If 10\u00a0% of the {w.n_antecedent_only:,} customer-days with A but not B had also "
        "taken B: about "
    ), caption
    assert "orders" not in caption


def test_whatif_share_slider_writes_percent_as_the_page_does(demo_dataset):
    """The slider wrote "10%" under a caption saying "10 %" (fmt.pct, the page's style in
    English); in Chinese both are "10%"."""
    from ecomdash.i18n import fmt, use_lang

    for lang, form in (("en", "%d\u00a0%%"), ("zh", "%d%%")):
        with use_lang(lang):
            at = run_page("basket.py", dataset_id=demo_dataset.id, lang=lang)
            assert not at.exception, at.exception
            (slider,) = [s for s in at.slider if s.key == "basket_whatif_share"]
            assert slider.proto.format == form
            # the slider's 10 as the caption writes 10 %
            assert (form % 10) == fmt.pct(0.10, 0)


def test_settings_caption_says_itemset_size_and_what_the_toggle_keeps(demo_dataset):
    """The settings caption said "largest itemset no limit" (zh "项集最大项数 不限", a space
    before Chinese text) and, with the toggle on, "Non-product lines included." — read as if
    returns came back too. Now: "itemsets of any size" / "of at most 3 items", and "Postage
    and fees included; returns and cancelled sales left out."."""
    from ecomdash.i18n import use_lang

    def settings(at):
        (c,) = [
            c.value
            for c in at.caption
            if c.value.startswith(("Minimum support", "最小支持度"))
            and ("every itemset" in c.value or "每个项集" in c.value)
        ]
        return c

    at = run_page("basket.py", dataset_id=demo_dataset.id)
    assert not at.exception, at.exception
    assert settings(at).endswith(
        "Confidence ≥ 0\u00a0%, lift ≥ 1, itemsets of any size. Postage, fees, returns and "
        "cancelled sales left out."
    ), settings(at)
    # confidence in percent, as the rules table and the tiles write it (was "≥ 0.3")
    (conf,) = [s for s in at.slider if s.label == "Minimum confidence"]
    # in fmt.pct's style: "30 %" in English (plotly's "percent" wrote "30%")
    assert conf.proto.format == "%d\u00a0%%" and conf.value == 0
    conf.set_value(30)
    [s for s in at.selectbox if s.label == "Largest itemset"][0].set_value(3)
    at.toggle[0].set_value(True)
    _run_button(at).click()
    at.run()
    assert not at.exception, at.exception
    assert settings(at).endswith(
        "Confidence ≥ 30\u00a0%, lift ≥ 1, itemsets of at most 3 items. Postage and fees included; "
        "returns and cancelled sales left out."
    ), settings(at)
    with use_lang("zh"):
        at = run_page("basket.py", dataset_id=demo_dataset.id, lang="zh")
    assert not at.exception, at.exception
    assert settings(at).endswith(
        "置信度 ≥\u00a00%，提升度 ≥\u00a01，项集大小不限。已排除运费、手续费、退货和已取消的销售。"
    ), settings(at)


def test_support_captions_write_the_minimum_support_in_percent(demo_dataset):
    """Both captions under the form write the minimum support as a percentage, as the rules
    table writes support ("Minimum support 1 % = in at least 501 of 50,032 baskets"); they
    read "Minimum support 0.01" beside a confidence of "0 %"."""
    from ecomdash.i18n import fmt, use_lang

    for lang, start in (("en", "Minimum support "), ("zh", "最小支持度")):
        at = run_page("basket.py", dataset_id=demo_dataset.id, lang=lang)
        assert not at.exception, at.exception
        said = [c.value for c in at.caption if c.value.startswith(start)]
        assert len(said) == 2, [c.value for c in at.caption]
        with use_lang(lang):
            one = fmt.pct(0.01, 0)  # the demo's default support
        for text in said:
            head = text.split("=")[0].split(":")[0].split("：")[0]
            assert one in head and "0.01" not in text, text


@pytest.mark.parametrize(
    ("basket_kind", "said", "not_said"),
    [("customer_day", "purchases", "orders"), ("order", "orders", "purchases")],
)
def test_the_rules_check_says_purchases_for_customer_day_baskets(
    demo_dataset, basket_kind, said, not_said
):
    """With "A customer's day" as the basket the rules are checked on later customer-days:
    the status line said "Checked on later orders" and the tile's help "rules found on the
    earlier orders"; they say purchases then (words2), and orders for order baskets."""
    at = run_page("basket.py", dataset_id=demo_dataset.id)
    (radio,) = [r for r in at.radio if r.label == "Basket"]
    radio.set_value(basket_kind)
    _run_button(at).click()
    at.run()
    assert not at.exception, at.exception
    steps = [m.value for m in at.markdown if m.value.startswith("Checked on later")]
    assert len(steps) == 1, [m.value for m in at.markdown]
    assert steps[0].startswith(f"Checked on later {said} ("), steps
    hold = _metric(at, "Rules that still beat chance later").proto.help
    assert f"earlier {said}" in hold and f"later {said}" in hold, hold
    assert not_said not in steps[0] + hold
