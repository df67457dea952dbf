"""Segmentation figures carry the Result's numbers (no streamlit involved)."""

from __future__ import annotations

import pandas as pd
import pytest

from ecomdash import segment as seg
from ecomdash.charts import segment as charts
from ecomdash.i18n import fmt
from tests.unit.test_segment import synthetic_lines


@pytest.fixture(scope="module")
def res():
    return seg.segment_customers(synthetic_lines(), k=3, compare_to="2024-03-31")


def test_treemap_and_grid_count_every_customer(res):
    tm = charts.segment_treemap(res.rfm).data[0]
    assert sum(tm.values) == res.n_customers
    shown = res.rfm.segments.loc[res.rfm.segments["customers"] > 0]
    assert list(tm.labels) == shown["segment"].tolist()
    grid = charts.rfm_grid(res.rfm).data[0]
    assert sum(sum(row) for row in grid.z) == res.n_customers


def test_cluster_figures(res):
    cl = res.clusters
    curve = charts.silhouette_curve(cl)
    assert list(curve.data[0].x) == list(range(2, 11))
    assert curve.data[1].x[0] == 3  # the k used is marked
    heat = charts.profile_heatmap(cl).data[0]
    assert len(heat.y) == 3 and len(heat.x) == len(cl.profile.filter(like="median_").columns)
    pca = charts.pca_scatter(cl)
    assert sum(len(t.x) for t in pca.data) == res.n_customers  # 240: all of them drawn
    assert [t.name.split(": ", 1)[1] for t in pca.data] == list(cl.names)
    # the axes say each component's share of variance as fmt.pct does ("41 %", not "41%")
    ev1 = fmt.pct(cl.explained_variance[0], 0, lang="en")
    assert pca.layout.xaxis.title.text == f"component 1 ({ev1} of variance)"


def test_profile_heatmap_is_red_where_a_cluster_is_higher(res):
    """The title says "red = higher, blue = lower": the colour scale's top (a median above all
    customers', z > 0) is red and its bottom blue (plotly's "RdBu" is the other way round)."""
    import re

    fig = charts.profile_heatmap(res.clusters)
    heat = fig.data[0]
    assert "red = higher, blue = lower" in fig.layout.title.text

    def rgb(colour: str) -> tuple[int, ...]:
        return tuple(int(v) for v in re.findall(r"\d+", colour))

    low, high = rgb(heat.colorscale[0][1]), rgb(heat.colorscale[-1][1])
    assert high[0] > high[2] and low[2] > low[0]  # top red, bottom blue
    assert heat.zmid == 0 and (heat.z > 0).any() and (heat.z < 0).any()


def test_sankey_flows_sum_to_customers(res):
    fig = charts.movement_sankey(res.movement)
    sk = fig.data[0]
    assert sum(sk.link.value) == res.n_customers
    flows = res.movement.flows
    left = [s for s in [*seg.SEGMENT_NAMES, seg.NOT_YET] if s in set(flows["source"])]
    right = [s for s in seg.SEGMENT_NAMES if s in set(flows["target"])]
    # one node per segment with customers on its side, named by the segment alone, both
    # columns in the segments' order (the matrix's rows), top to bottom
    assert list(sk.node.label) == left + right and sk.arrangement == "fixed"  # plotly keeps it
    ys = list(sk.node.y)
    assert ys[: len(left)] == sorted(ys[: len(left)]) and ys[len(left) :] == sorted(ys[len(left) :])
    assert set(sk.node.x[: len(left)]) == {0.001} and set(sk.node.x[len(left) :]) == {0.999}
    # each column's date over it, as the tab's caption writes them ("2 August 2026"), not ISO
    start, end = res.movement.start, res.movement.end
    heads = [(a.x, a.text) for a in fig.layout.annotations]
    assert heads == [(0, f"<b>{start.day} {start:%B %Y}</b>"), (1, f"<b>{end.day} {end:%B %Y}</b>")]
    assert list(sk.node.customdata) == [f"{start.day} {start:%B %Y}"] * len(left) + [
        f"{end.day} {end:%B %Y}"
    ] * len(right)


def test_sankey_column_y_by_hand():
    """Three nodes of 1, 2 and 1 customers in a 480 px plot, 12 px apart: the gaps take
    24/480 = 0.05, the nodes 0.95 in the ratio 1:2:1 (0.2375, 0.475, 0.2375), so the
    centres are 0.11875, 0.2375 + 0.025 + 0.2375 = 0.5, and 1 - 0.11875 = 0.88125."""
    from ecomdash.charts.segment import _column_y

    assert _column_y([1, 2, 1]) == pytest.approx([0.11875, 0.5, 0.88125])
    assert _column_y([5]) == pytest.approx([0.5])


def test_bad_comparison_date_only_drops_movement():
    r = seg.segment_customers(synthetic_lines(), k=3, compare_to="2030-01-01")
    assert r.movement is None and "before the as-of date" in r.movement_error
    assert r.clusters is not None and r.n_customers == 240


def test_scatter_sizes_by_hand():
    # the demo's three clusters (3,312 + 4,583 + 1,092 = 8,987 customers) into 2,000 points:
    # quotas 737.06, 1019.92, 243.02; floors 737 + 1019 + 243 = 1999; the one point left
    # goes to the largest remainder (.92, cluster 1)
    assert charts.scatter_sizes([3312, 4583, 1092], 2000) == [737, 1020, 243]
    # everyone fits: everyone is drawn
    assert charts.scatter_sizes([10, 0, 5], 2000) == [10, 0, 5]
    # a tiny cluster keeps one point; the largest gives the points the floors took
    # (quotas 99.35, 0.05, 0.05, 0.05, 0.50 -> floors 99, 1, 1, 1, 1 = 103 -> 96, 1, 1, 1, 1)
    assert charts.scatter_sizes([1995, 1, 1, 1, 10], 100) == [96, 1, 1, 1, 1]
    # an empty cluster gets nothing; even split by largest remainders, ties to the lower id
    assert charts.scatter_sizes([5, 0, 5, 5], 10) == [4, 0, 3, 3]


def _pca(sizes):
    """A pca frame of len(sizes) clusters with sizes[c] customers each (ids c-<n>)."""
    rows = [(f"c{c}-{i}", float(i), float(-i), c) for c, n in enumerate(sizes) for i in range(n)]
    df = pd.DataFrame(rows, columns=["customer_id", "pc1", "pc2", "cluster"])
    return df.sample(frac=1.0, random_state=1).set_index("customer_id")  # clusters mixed


def test_scatter_sample_is_stratified_deterministic_and_of_the_stated_size():
    pca = _pca([3312, 4583, 1092])
    a = charts.scatter_sample(pca, 3, max_points=2000)
    b = charts.scatter_sample(pca.copy(), 3, max_points=2000)
    assert len(a) == 2000
    assert a["cluster"].value_counts().sort_index().tolist() == [737, 1020, 243]
    assert a.index.equals(b.index)  # the same customers on every run
    assert a.index.is_unique and a.index.isin(pca.index).all()
    # in the original order, and not simply the first rows of each cluster
    assert list(a.index) == [i for i in pca.index if i in set(a.index)]
    assert not a.index.equals(pca.loc[pca["cluster"] == 0].index[:737])
    small = _pca([30, 20])
    assert charts.scatter_sample(small, 2, max_points=2000) is small


def test_pca_scatter_draws_the_sample_as_float32():
    from types import SimpleNamespace

    import numpy as np

    pca = _pca([3312, 4583, 1092])
    cl = SimpleNamespace(pca=pca, k=3, names=("a", "b", "c"), explained_variance=(0.6, 0.3))
    fig = charts.pca_scatter(cl)
    assert [len(t.x) for t in fig.data] == [737, 1020, 243]
    assert all(np.asarray(t.x).dtype == np.float32 for t in fig.data)
    want = charts.scatter_sample(pca, 3)
    assert list(fig.data[2].customdata) == list(want.index[want["cluster"] == 2])


def test_profile_heatmap_colour_bar_reads_as_multiples_not_log2(res):
    """The colour bar read "log2 vs all" with ticks 1, 0, -1 (the log2 ratio the colours are
    drawn from), which a merchant cannot read: it now reads "vs all" / "vs 2+ orders" with
    ticks as multiples of the typical customer's median, ×2 at 1, ×1 at 0, ×1/2 at -1, and
    spans the cells' colours, in both languages."""
    import numpy as np

    from ecomdash.i18n import use_lang

    heat = charts.profile_heatmap(res.clusters).data[0]
    bar = heat.colorbar
    assert "log2" not in bar.title.text and bar.title.text.startswith("vs ")
    vals = list(bar.tickvals)
    assert vals == sorted(vals) and 0 in vals
    for k, text in zip(vals, bar.ticktext, strict=True):
        assert text == (f"×{2**k:,}" if k >= 0 else f"×1/{2**-k:,}")
    z = np.asarray(heat.z, dtype=float)
    assert vals[0] <= np.nanmin(z) and vals[-1] >= np.nanmax(z)
    with use_lang("zh"):
        zh = charts.profile_heatmap(res.clusters).data[0].colorbar
    assert zh.title.text.startswith("相对") and "log2" not in zh.title.text
    assert list(zh.ticktext) == list(bar.ticktext)
