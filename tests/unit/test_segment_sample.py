"""k-means on a sample above FIT_SAMPLE customers: said on the page, close to the full fit."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score

from ecomdash.features import customer_history
from ecomdash.segment import FIT_SAMPLE, cluster_features


def test_sample_fit_is_said_and_close_to_full_fit(demo):
    feats = customer_history(demo.lines).features()
    n = feats.n_customers
    assert n < FIT_SAMPLE  # the demo and the tests' data stay on the full fit
    full = cluster_features(feats, k=4)
    part = cluster_features(feats, k=4, fit_sample=n // 2)
    assert not any("sample" in w for w in full.warnings)
    assert any(f"{n // 2:,} of the {n:,} customers" in w for w in part.warnings)
    # every customer is labelled, not only the sample
    assert part.labels.index.equals(full.labels.index)
    assert part.labels.notna().all() and part.labels.nunique() == 4
    # fitted on half the customers the partition barely moves (independent measure: ARI)
    assert adjusted_rand_score(full.labels, part.labels) > 0.8
    inertia = {r.k: r.inertia for r in full.curve.itertuples()}
    got = {r.k: r.inertia for r in part.curve.itertuples()}
    assert abs(got[4] / inertia[4] - 1) < 0.05


def test_full_fit_unchanged_below_threshold(demo):
    feats = customer_history(demo.lines).features()
    a = cluster_features(feats, k=3)
    b = cluster_features(feats, k=3, fit_sample=feats.n_customers)
    pd.testing.assert_series_equal(a.labels, b.labels)
    assert np.isclose(a.silhouette, b.silhouette)
