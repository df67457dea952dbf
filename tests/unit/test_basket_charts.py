"""Basket figures: built from the result, merchant text inert."""

from __future__ import annotations

import pandas as pd

from ecomdash import basket
from ecomdash.charts import basket as charts


def _result():
    rows = []
    for o in range(30):
        rows += [(str(o), "a", "<b>Mug</b>"), (str(o), "b", "Tea & Co")]
        if o % 3 == 0:
            rows += [(str(o), "c", "Spoon")]
        rows += [(f"x{o}", "d", "Plate"), (f"x{o}", "c", "Spoon")] if o % 2 else []
    lines = pd.DataFrame(rows, columns=["order_id", "product_id", "product_name"])
    return basket.mine(lines, min_support=0.1, min_lift=0.0)


def test_network_has_one_node_per_item_of_the_top_rules_and_escapes_names():
    res = _result()
    fig = charts.network_figure(res, top=4)
    top = res.rules.head(4)
    items = {x for t in list(top["antecedents"]) + list(top["consequents"]) for x in t}
    nodes = [tr for tr in fig.data if tr.mode == "markers+text"][0]
    assert len(nodes.x) == len(items)
    assert "&lt;b&gt;Mug&lt;/b&gt;" in list(nodes.text)
    assert not any("<b>" in t for t in nodes.text)
    # one arrow per (antecedent item, consequent item) of each rule
    assert len(fig.layout.annotations) == sum(
        len(a) * len(c) for a, c in zip(top["antecedents"], top["consequents"], strict=True)
    )


def test_scatter_has_every_rule_coloured_by_lift():
    res = _result()
    fig = charts.scatter_figure(res)
    assert list(fig.data[0].x) == res.rules["support"].tolist()
    assert list(fig.data[0].marker.color) == res.rules["lift"].tolist()
    assert all("&lt;" in c[0] or "<" not in c[0] for c in fig.data[0].customdata)
