"""Segmentation figures carry the Result's numbers (no streamlit involved)."""

from __future__ import annotations

import pytest

from ecomdash import segment as seg
from ecomdash.charts import segment as charts
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
    assert sum(len(t.x) for t in pca.data) == res.n_customers
    assert [t.name.split(": ", 1)[1] for t in pca.data] == list(cl.names)


def test_sankey_flows_sum_to_customers(res):
    sk = charts.movement_sankey(res.movement).data[0]
    assert sum(sk.link.value) == res.n_customers
    assert len(sk.node.label) == 2 * len(seg.SEGMENT_NAMES) + 1


def test_bad_comparison_date_only_drops_movement():
    r = seg.segment_customers(synthetic_lines(), k=3, compare_to="2030-01-01")
    assert r.movement is None and "before the as-of date" in r.movement_error
    assert r.clusters is not None and r.n_customers == 240
