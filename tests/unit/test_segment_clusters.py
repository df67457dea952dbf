"""k-means clusters' building blocks by hand: the feature matrix, the scaling, the names,
the profile, the numbering by revenue and the guards (values computed in the comments)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import silhouette_score

from ecomdash.errors import InsufficientDataError, ParameterError
from ecomdash.features import FEATURES, CustomerFeatures
from ecomdash.i18n import use_lang
from ecomdash.segment import clusters as C

E1 = math.e - 1  # log1p(E1) = 1
E2 = math.e**2 - 1  # log1p(E2) = 2


def _features(table: pd.DataFrame) -> CustomerFeatures:
    return CustomerFeatures(
        table=table,
        as_of=pd.Timestamp("2024-06-30"),
        n_customers=len(table),
        n_guest_orders=0,
        guest_revenue=0.0,
        breadth_basis="category",
        returns_known=True,
    )


def test_feature_matrix_sets_a_single_order_customers_gap_to_their_tenure():
    table = pd.DataFrame(
        {f: [1.0, 2.0] for f in FEATURES}, index=pd.Index(["a", "b"], name="customer_id")
    )
    table["tenure_days"] = [30.0, 90.0]
    table["interpurchase_days"] = [np.nan, 15.0]
    table["first_order"] = pd.Timestamp("2024-01-01")  # extra columns are not clustered
    before = table.copy()
    x = C.feature_matrix(table)
    assert list(x.columns) == list(FEATURES)
    assert x["interpurchase_days"].tolist() == [30.0, 15.0]
    assert (x.dtypes == "float64").all()
    pd.testing.assert_frame_equal(table, before)  # the caller's table is left alone


def test_scale_log1p_standardise_drop_constant_and_clip():
    n = 20
    x = pd.DataFrame(
        {
            # log1p -> 0, 1, 0, 1, ...: mean 0.5, sd 0.5 -> -1, +1
            "alt": [0.0, E1] * (n // 2),
            # constant: dropped
            "flat": [5.0] * n,
            # one customer far out: log1p -> 19 zeros and a 2; standardised the outlier is
            # sqrt(19) = 4.36 sd away -> clipped at 3; the others -1 / sqrt(19)
            "spike": [0.0] * (n - 1) + [E2],
            # negatives are clipped to 0 before log1p: -> 0 x 10, 1 x 10 -> -1, +1
            "neg": [-5.0] * (n // 2) + [E1] * (n // 2),
            # three levels, log1p -> 0, 1, 2 (x 4, 12, 4): mean 1, sd sqrt(8 / 20)
            "three": [0.0] * 4 + [E1] * 12 + [E2] * 4,
            # one customer far below: -sqrt(19) -> clipped at -3
            "dip": [E2] * (n - 1) + [0.0],
        }
    )
    z, used = C._scale(x)
    assert used == ("alt", "spike", "neg", "three", "dip")
    assert z.shape == (n, 5)
    sd3 = math.sqrt(8 / 20)
    assert z[:, 3].tolist() == pytest.approx([-1 / sd3] * 4 + [0.0] * 12 + [1 / sd3] * 4)
    assert z[-1, 4] == pytest.approx(-3.0) and z[0, 4] == pytest.approx(1 / math.sqrt(19))
    assert z[:, 0].tolist() == pytest.approx([-1.0, 1.0] * (n // 2))
    assert z[:-1, 1] == pytest.approx(np.full(n - 1, -1 / math.sqrt(19)))
    assert z[-1, 1] == pytest.approx(3.0)
    assert z[:, 2].tolist() == pytest.approx([-1.0] * (n // 2) + [1.0] * (n // 2))


def _names_case():
    used = tuple(FEATURES)
    col = {f: i for i, f in enumerate(used)}
    centres = np.zeros((6, len(used)))

    def put(c, **vals):
        for f, v in vals.items():
            centres[c, col[f]] = v

    # 0: recent (-1), frequent (+1), high spend (+1); order size +0.9 beats returns -0.85
    put(0, recency_days=-1, frequency=1, monetary=1, avg_order_value=0.9, return_rate=-0.85)
    # 1: lapsed wins over new; frequency 0 and a median of 1 order -> one-time; returns +1
    #    beat order size -0.9
    put(1, recency_days=1, tenure_days=-1, monetary=-1, avg_order_value=-0.9, return_rate=1)
    # 2: new (tenure -0.6); occasional (-0.6, median 3 orders); mid spend; 0.8 is no qualifier
    put(2, tenure_days=-0.6, frequency=-0.6, category_breadth=0.8)
    # 3: long-standing (+0.6); frequency 0 with a median of 2 orders: no frequency word
    put(3, tenure_days=0.6, monetary=0.2)
    # 4 and 5: every level exactly at its cut (0.5) -> neutral; breadth -0.9 -> narrowly
    for c in (4, 5):
        put(c, recency_days=0.5, tenure_days=-0.5, frequency=0.5, monetary=-0.5)
        put(c, category_breadth=-0.9)
    labels = np.array([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5])
    freq = [9, 9, 1, 1, 3, 3, 2, 2, 2, 2, 2, 2]
    x = pd.DataFrame({f: 1.0 for f in FEATURES}, index=range(12))
    x["frequency"] = np.array(freq, dtype=float)
    x["recency_days"] = 200.0  # a long history: the least recent last ordered months ago
    return centres, used, x, labels


def test_cluster_names_by_hand():
    centres, used, x, labels = _names_case()
    assert C._name_clusters(centres, used, x, labels) == (
        "Recent frequent high spenders with big orders",
        "Lapsed one-time low spenders with high returns",
        "New occasional mid spenders",
        "Long-standing mid spenders",
        "Mid spenders buying narrowly",
        "Mid spenders buying narrowly (2)",
    )


def test_a_cluster_is_lapsed_only_when_its_last_orders_are_long_ago_in_days():
    """On a few months of data the least recent cluster bought weeks ago: "Less recent", not
    "Lapsed" (已流失), whose word says the customers are gone (branch fmtfix)."""
    from ecomdash.i18n import use_lang
    from ecomdash.segment.rfm import LONG_AGO_DAYS

    centres, used, x, labels = _names_case()
    x["recency_days"] = 20.0  # cluster 1's customers last ordered 20 days ago
    names = C._name_clusters(centres, used, x, labels)
    assert names[1] == "Less recent one-time low spenders with high returns"
    with use_lang("zh"):
        assert C._name_clusters(centres, used, x, labels)[1].startswith("上次购买较早")
    # from LONG_AGO_DAYS (90) on their median last order, lapsed
    x["recency_days"] = float(LONG_AGO_DAYS)
    assert C._name_clusters(centres, used, x, labels)[1].startswith("Lapsed ")
    x.loc[labels == 1, "recency_days"] = [LONG_AGO_DAYS - 1.0, LONG_AGO_DAYS - 1.0]
    assert C._name_clusters(centres, used, x, labels)[1].startswith("Less recent ")


def test_cluster_names_without_some_features_read_them_as_average():
    centres, used, x, labels = _names_case()
    # without recency, tenure and order size: cluster 0 keeps "frequent high spenders" and
    # its next most distinctive trait, few returns (-0.85); cluster 1 has no order-size word
    keep = [i for i, f in enumerate(used) if f not in ("recency_days", "tenure_days")]
    keep = [i for i in keep if used[i] != "avg_order_value"]
    names = C._name_clusters(centres[:, keep], tuple(used[i] for i in keep), x, labels)
    assert names[0] == "Frequent high spenders with few returns"
    assert names[1] == "One-time low spenders with high returns"
    assert names[2] == "Occasional mid spenders"


def test_cluster_names_other_qualifiers_and_none_available():
    used = ("recency_days", "monetary", "avg_order_value", "category_breadth")
    centres = np.array([[0, 0, -0.9, 0.3], [0, 0, 0.1, 0.85]])
    x = pd.DataFrame({"frequency": [2.0, 2, 2, 2]})
    labels = np.array([0, 0, 1, 1])
    assert C._name_clusters(centres, used, x, labels) == (
        "Mid spenders with small orders",
        "Mid spenders buying broadly",
    )
    # none of the qualifying features clustered: the name has no qualifier
    assert C._name_clusters(
        np.array([[0.0, 1.0]]), ("recency_days", "monetary"), x, labels * 0
    ) == ("High spenders",)


def test_profile_by_hand():
    x = pd.DataFrame({f: 0.0 for f in FEATURES}, index=range(5))
    x["monetary"] = [100.0, 300.0, 50.0, 30.0, 20.0]
    x["frequency"] = [1.0, 5.0, 2.0, 4.0, 3.0]
    labels = np.array([0, 0, 1, 1, 1])
    prof = C._profile(x, labels, ("Big", "Small"))
    assert prof["cluster"].tolist() == ["0", "1", "all"]
    assert prof["name"].tolist() == ["Big", "Small", "All customers"]
    assert prof["customers"].tolist() == [2, 3, 5]
    assert prof["customers"].dtype == np.int64
    assert prof["customer_share"].tolist() == pytest.approx([2 / 5, 3 / 5, 1.0])
    # total 500: 400 / 500, 100 / 500
    assert prof["revenue_share"].tolist() == pytest.approx([0.8, 0.2, 1.0])
    assert prof["median_monetary"].tolist() == pytest.approx([200.0, 30.0, 50.0])
    assert prof["median_frequency"].tolist() == pytest.approx([3.0, 3.0, 3.0])
    assert [c for c in prof.columns if c.startswith("median_")] == [f"median_{f}" for f in FEATURES]
    # a cluster number with nobody in it still has its row (medians NaN), and no spend at
    # all gives revenue shares of 0, not a division by zero
    empty = C._profile(x.assign(monetary=0.0), np.array([0, 0, 0, 0, 0]), ("A", "B"))
    assert empty["customers"].tolist() == [5, 0, 5]
    assert empty["revenue_share"].tolist()[:2] == [0.0, 0.0]
    assert np.isnan(empty.loc[1, "median_frequency"])
    assert list(prof.index) == [0, 1, 2] and list(empty.index) == [0, 1, 2]
    # the last cluster number empty while there is spend: its revenue share is 0
    spent = C._profile(x, np.zeros(5, dtype=int), ("A", "B"))
    assert spent["revenue_share"].tolist() == pytest.approx([1.0, 0.0, 1.0])


def _groups_table(n_per: int = 10) -> pd.DataFrame:
    """Two clear groups of repeat customers that differ in every feature: "big" customers
    spend 10x more. (The small ones had one order each until one-time buyers became a group
    of their own, not clustered: now two orders, 25 days apart, so both groups are clustered.)"""
    rng = np.random.default_rng(7)
    rows = []
    for g, (rec, freq, mon) in enumerate([(5.0, 12.0, 2000.0), (200.0, 2.0, 40.0)]):
        for i in range(n_per):
            j = rng.uniform(0.9, 1.1, 5)  # each feature jittered on its own: a ball, not a line
            rows.append(
                {
                    "customer_id": f"{'BS'[g]}{i:02d}",
                    "recency_days": rec * j[0],
                    "frequency": freq,
                    "monetary": mon * j[1],
                    "avg_order_value": mon * j[2] / freq,
                    "tenure_days": [400.0, 30.0][g] * j[3],
                    "interpurchase_days": [30.0, 25.0][g] * j[4],
                    "category_breadth": [4.0, 1.0][g],
                    "return_rate": 0.0,
                }
            )
    return pd.DataFrame(rows).set_index("customer_id")


def test_clusters_are_numbered_by_revenue_and_k_swept_up_to_a_fifth():
    # 26 customers: 13 small ones (listed first), 13 big spenders -> k at most 26 // 5 = 5
    table = pd.concat([_groups_table(13).iloc[13:], _groups_table(13).iloc[:13]])
    r = C.cluster_features(_features(table), k_range=(2, 9), n_init=2)
    assert r.curve["k"].tolist() == [2, 3, 4, 5]
    assert r.k == 2 and r.k_chosen_by == "silhouette" and r.seed == 0
    # cluster 0 = the big spenders (more revenue), whatever k-means' own numbering
    assert (r.labels[r.labels.index.str.startswith("B")] == 0).all()
    assert (r.labels[r.labels.index.str.startswith("S")] == 1).all()
    assert r.labels.name == "cluster" and r.labels.index.equals(table.index)
    assert r.profile["customers"].tolist() == [13, 13, 26]
    big = table["monetary"].iloc[13:].sum()
    assert r.profile["revenue_share"].iloc[0] == pytest.approx(big / table["monetary"].sum())
    # the silhouette is sklearn's on the scaled features (every customer is in the sample)
    z, _ = C._scale(C.feature_matrix(table))
    assert r.silhouette == pytest.approx(silhouette_score(z, r.labels.to_numpy()))
    assert r.silhouette > 0.7  # two well separated groups
    assert r.silhouette == pytest.approx(r.curve.set_index("k").loc[2, "silhouette"])
    assert not any("Weak cluster" in w for w in r.warnings)
    assert r.silhouette_sample == 26 and r.features_used == tuple(
        f
        for f in FEATURES
        if f != "return_rate"  # constant: dropped
    )
    assert r.pca["cluster"].tolist() == r.labels.tolist()
    assert r.pca["name"].tolist() == [r.names[c] for c in r.labels]
    assert r.pca.index.equals(table.index)
    assert r.explained_variance[0] >= r.explained_variance[1] > 0
    assert r.explained_variance[0] > 0.8  # one direction separates the groups
    # k given: the same two groups, said as an override
    k2 = C.cluster_features(_features(table), k=2, n_init=2)
    assert k2.k_chosen_by == "override" and k2.labels.equals(r.labels)
    # a silhouette sample smaller than the customers: that many in the score
    assert C.cluster_features(_features(table), k=2, silhouette_sample=12).silhouette_sample == 12


def test_weak_structure_is_said():
    # one blob: any split overlaps (silhouette < 0.25)
    rng = np.random.default_rng(3)
    n = 60
    table = pd.DataFrame(
        {
            "recency_days": rng.uniform(1, 100, n),
            "frequency": rng.integers(1, 10, n).astype(float),
            "monetary": rng.uniform(10, 1000, n),
            "avg_order_value": rng.uniform(10, 100, n),
            "tenure_days": rng.uniform(100, 400, n),
            "interpurchase_days": rng.uniform(5, 50, n),
            "category_breadth": rng.integers(1, 6, n).astype(float),
            "return_rate": rng.uniform(0, 0.3, n),
        },
        index=pd.Index([f"c{i:02d}" for i in range(n)], name="customer_id"),
    )
    r = C.cluster_features(_features(table), k=3, n_init=2)
    assert r.silhouette < 0.25
    assert f"Weak cluster structure (silhouette {r.silhouette:.2f} < 0.25)" in r.warnings[0]
    # what overlaps: the k-means clusters of the customers who came back (the one-time buyers,
    # here some of the 60, are a group by definition, not by the silhouette)
    assert r.n_one_time > 0
    assert "the clusters of the customers who ordered at least twice overlap" in r.warnings[0]
    with use_lang("zh"):
        zh = C.cluster_features(_features(table), k=3, n_init=2).warnings[0]
    assert zh.startswith(
        f"聚类结构较弱（轮廓系数\u00a0{r.silhouette:.2f} <\u00a00.25）：下过至少两单的客户之间"
    )


def test_parameter_and_data_errors_say_what_was_found():
    table = _groups_table(13)
    f = _features(table)
    with pytest.raises(ParameterError, match=r"Got n_init=0, silhouette_sample=1500 instead"):
        C.cluster_features(f, n_init=0)
    with pytest.raises(ParameterError, match=r"Got n_init=3, silhouette_sample=9 instead"):
        C.cluster_features(f, silhouette_sample=9)
    C.cluster_features(f, k=2, silhouette_sample=10, n_init=1)  # the smallest allowed
    with pytest.raises(
        ParameterError, match=r"at most 5 for 26 customers who ordered at least twice.*Got 6 in"
    ):
        C.cluster_features(f, k=6)
    assert C.cluster_features(f, k=5, n_init=1).k == 5  # 26 // 5 = 5 is allowed
    with pytest.raises(ParameterError, match=r"must be an int >= 2. Got 2.0 instead"):
        C.cluster_features(f, k=2.0)
    with pytest.raises(ParameterError, match=r"2 <= low <= high. Got \(1, 4\) instead"):
        C.cluster_features(f, k_range=(1, 4))
    C.cluster_features(f, k_range=(3, 3), n_init=1)  # low == high is a range of one
    with pytest.raises(InsufficientDataError, match=r"at least 20 customers.*Found 19 on or"):
        C.cluster_features(_features(table.iloc[:19]))
    assert C.cluster_features(_features(table.iloc[:20]), n_init=1).curve["k"].tolist() == [
        2,
        3,
        4,
    ]
    # only one feature varies: nothing to cluster on, and the message names it
    flat = table.assign(**{c: 2.0 for c in FEATURES if c != "monetary"})  # 2 orders each
    with pytest.raises(InsufficientDataError, match=r"only in spend among 26 customers"):
        C.cluster_features(_features(flat))


def test_fast_silhouette_equals_sklearn_on_small_clusters():
    from sklearn.metrics import pairwise_distances

    rng = np.random.default_rng(1)
    x = rng.normal(0, 1, size=(9, 2))
    d = pairwise_distances(x)
    for labels in (
        np.array([0, 0, 1, 1, 1, 2, 2, 2, 2]),  # a pair: mean distance to 1 other member
        np.array([0, 1, 1, 1, 1, 1, 2, 2, 2]),  # a singleton scores 0
        np.array([5, 5, 7, 7, 7, 7, 9, 9, 9]),  # any label values
    ):
        assert C._silhouette_precomputed(d, labels) == pytest.approx(
            silhouette_score(d, labels, metric="precomputed"), abs=1e-12
        )
    # one cluster, or every customer alone: undefined
    assert np.isnan(C._silhouette_precomputed(d, np.zeros(9, dtype=int)))
    assert np.isnan(C._silhouette_precomputed(d, np.arange(9)))
    assert C._silhouette_precomputed(d, np.r_[np.arange(8), 7]) == pytest.approx(
        silhouette_score(d, np.r_[np.arange(8), 7], metric="precomputed"), abs=1e-12
    )


def test_fit_on_a_sample_labels_everyone_and_is_seeded():
    table = _groups_table(13)
    f = _features(table)
    full = C.cluster_features(f, k=2, n_init=1)
    part = C.cluster_features(f, k=2, n_init=1, fit_sample=14)
    assert any("14 of the 26 customers" in w for w in part.warnings)
    assert not any("sample" in w for w in full.warnings)
    # every customer labelled (the two groups are clear: the same partition)
    assert part.labels.index.equals(table.index) and part.labels.equals(full.labels)
    # inertia over all 26 customers, to centres fitted on 14: at least the full fit's (whose
    # centres are the groups' means, the least squares for this partition), and close to it
    i_full = full.curve.set_index("k").loc[2, "inertia"]
    i_part = part.curve.set_index("k").loc[2, "inertia"]
    assert i_full <= i_part <= 1.5 * i_full
    z, _ = C._scale(C.feature_matrix(table))
    means = np.vstack([z[full.labels.to_numpy() == c].mean(axis=0) for c in (0, 1)])
    assert i_full == pytest.approx(((z - means[full.labels.to_numpy()]) ** 2).sum())
    # the seed fixes the result, on the sample path too: one blob, where k-means' start matters
    rng = np.random.default_rng(8)
    blob = pd.DataFrame(
        {f: rng.uniform(1, 100, 60) for f in FEATURES},
        index=pd.Index([f"c{i:02d}" for i in range(60)], name="customer_id"),
    )
    runs = {
        seed: [
            C.cluster_features(_features(blob), k=5, n_init=1, seed=seed, fit_sample=40)
            for _ in range(2)
        ]
        for seed in (0, 1, 2)
    }
    for a, b in runs.values():
        pd.testing.assert_frame_equal(a.curve, b.curve)
    # and on the full fit
    full_a, full_b = (C.cluster_features(_features(blob), k=5, n_init=1, seed=3) for _ in "ab")
    pd.testing.assert_frame_equal(full_a.curve, full_b.curve)
    inertias = {seed: a.curve["inertia"].iloc[0] for seed, (a, _) in runs.items()}
    assert len(set(inertias.values())) > 1  # the start does matter here


@pytest.mark.parametrize("big_first", [True, False])
def test_cluster_0_is_the_most_revenue_even_when_it_is_the_fewest_customers(big_first):
    """8 big spenders and 18 small customers, listed either way round: cluster 0 is the big
    spenders (most revenue), not the larger group and not whatever k-means numbered first."""
    big, small = _groups_table(18).iloc[:8], _groups_table(18).iloc[18:]
    table = pd.concat([big, small] if big_first else [small, big])
    r = C.cluster_features(_features(table), k=2, n_init=2)
    assert (r.labels[r.labels.index.str.startswith("B")] == 0).all()
    assert (r.labels[r.labels.index.str.startswith("S")] == 1).all()
    assert r.profile["customers"].tolist()[:2] == [8, 18]


def test_a_k_outside_the_swept_range_is_fitted_on_the_same_rows():
    """k = 4 asked with a sweep of 2 to 3: it is fitted (four clusters, said as your choice),
    with a fit sample too. (Whether that fit used the sample's rows is not visible in the
    result: the sample route is checked on the swept ks, test_fit_on_a_sample_…)"""
    table = _groups_table(13)
    f = _features(table)
    r = C.cluster_features(f, k=4, k_range=(2, 3), n_init=2)
    assert r.k == 4 and r.k_chosen_by == "override"
    assert sorted(r.labels.unique()) == [0, 1, 2, 3]
    assert r.curve["k"].tolist() == [2, 3]  # the sweep as asked; k = 4 fitted beside it
    part = C.cluster_features(f, k=4, k_range=(2, 3), n_init=2, fit_sample=14)
    assert any("14 of the 26 customers" in w for w in part.warnings)
    assert sorted(part.labels.unique()) == [0, 1, 2, 3]


def test_the_map_is_the_first_two_principal_components_of_the_scaled_features():
    from sklearn.decomposition import PCA

    table = _groups_table(13)
    r = C.cluster_features(_features(table), k=2, n_init=2, seed=5)
    z, _ = C._scale(C.feature_matrix(table))
    xy = PCA(n_components=2, random_state=5).fit_transform(z)
    assert list(r.pca.columns[:2]) == ["pc1", "pc2"]
    # a component's sign is arbitrary: compare up to it
    for j, col in enumerate(("pc1", "pc2")):
        got = r.pca[col].to_numpy()
        assert np.allclose(np.abs(got), np.abs(xy[:, j])), col
