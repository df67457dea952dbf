"""How many clusters of repeat customers: the fewest within the silhouette's sampling noise
of the best (hand-built silhouettes checked by hand)."""

from __future__ import annotations

import numpy as np

from ecomdash.segment import clusters as C


def test_k_is_the_fewest_within_the_silhouettes_sampling_noise():
    # three samples (rows) of k = 2, 3, 4 (columns); means 0.30, 0.33, 0.34: k = 4 is best.
    # k = 3 - k = 4 per sample: -0.01, 0.00, -0.02 -> sd 0.01 (ddof 1): 0.33 >= 0.34 - 2 * 0.01
    # k = 2 - k = 4: -0.04 each time -> sd 0: 0.30 < 0.34, out
    sils = np.array([[0.30, 0.33, 0.34], [0.31, 0.35, 0.35], [0.29, 0.31, 0.33]])
    assert C.choose_k([2, 3, 4], sils) == (3, 4)
    # the same means with k = 3 steadily 0.01 below: no noise, so the best stands
    steady = np.array([[0.30, 0.33, 0.34], [0.31, 0.34, 0.35], [0.29, 0.32, 0.33]])
    assert C.choose_k([2, 3, 4], steady) == (4, 4)
    # k = 2 within the noise too: the fewest wins (k = 2 - k = 4: -0.10, +0.06, -0.02 -> mean
    # -0.02, sd 0.08)
    wide = np.array([[0.24, 0.33, 0.34], [0.41, 0.35, 0.35], [0.31, 0.31, 0.33]])
    assert C.choose_k([2, 3, 4], wide) == (2, 4)
    # one sample (every customer in it): no noise to allow for, the best
    assert C.choose_k([2, 3, 4], sils[:1]) == (4, 4)
    # a k without a silhouette (nan) is never chosen
    assert C.choose_k([2, 3], np.array([[np.nan, 0.2], [np.nan, 0.3]])) == (3, 3)


def test_the_silhouette_samples_are_the_pages_and_nine_more_or_everyone_once():
    few = C._silhouette_samples(40, 1500, seed=0)
    assert len(few) == 1 and few[0].tolist() == list(range(40))
    many = C._silhouette_samples(5000, 1500, seed=0)
    assert len(many) == C.SILHOUETTE_SAMPLES == 10
    # the first is the sample the page always drew (default_rng(seed)), the others differ
    first = np.sort(np.random.default_rng(0).choice(5000, size=1500, replace=False))
    assert np.array_equal(many[0], first)
    assert all(len(np.unique(s)) == 1500 for s in many)
    assert len({tuple(s[:20]) for s in many}) == 10
