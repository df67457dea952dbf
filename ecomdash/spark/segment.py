"""Customer clusters fitted on the cluster: Spark MLlib KMeans on the per-customer features.

``segment.cluster_features`` scales the per-customer features of the customers with at least
two orders (log1p, standardised, clipped at ±3 sd; one-time buyers are a fixed group, split off
before any fit) and sweeps k; with ``ECOMDASH_ENGINE=spark`` each k-means fit of that sweep is
:func:`mllib_kmeans`: the scaled rows go to Spark (one row per repeat customer, 5–6 doubles),
MLlib KMeans (k-means|| initialisation, Lloyd iterations on the executors) fits the centres, and
only the k centres come back. Every repeat customer's cluster is then its nearest centre, and
the inertia is computed over all of them, exactly as for the in-process fit, so the silhouette
sweep, the names, the profile and the explanation tree are the core's code.

MLlib has no ``n_init``: the best of ``n_init`` fits (k-means|| starts with seeds ``seed``,
``seed + 1`` ...) replaces scikit-learn's best of ``n_init`` k-means++ starts. On the demo merchant's
repeat customers both pick k = 7, the fewest clusters within the silhouette's sampling noise of
the best (adjusted Rand index 0.99 between them, both ≥ 0.92 with the planted groups:
``tests/unit/test_spark_cli.py``, test_segment_same_answer); on other data a different local optimum can give slightly
different clusters or a neighbouring k (the RFM segments and the one-time buyers' group never
differ: they do not use k-means).
"""

from __future__ import annotations

import numpy as np


class MLlibKMeans:
    """The part of a fitted scikit-learn ``KMeans`` the segment code reads: ``cluster_centers_``,
    ``labels_`` (nearest centre of each row fitted), ``inertia_`` and ``predict``."""

    def __init__(self, centres: np.ndarray, z: np.ndarray):
        self.cluster_centers_ = centres
        self.labels_ = self.predict(z)
        self.inertia_ = float(((z - centres[self.labels_]) ** 2).sum())

    def predict(self, z: np.ndarray) -> np.ndarray:
        c = self.cluster_centers_
        out = np.empty(len(z), dtype=np.int32)
        for s in range(0, len(z), 100_000):  # n × k distances, 100,000 rows at a time
            d = ((z[s : s + 100_000, None, :] - c[None, :, :]) ** 2).sum(axis=2)
            out[s : s + 100_000] = d.argmin(axis=1)
        return out


def mllib_kmeans(
    z: np.ndarray, k: int, *, seed: int = 0, n_init: int = 3, max_iter: int = 300
) -> MLlibKMeans:
    """k-means of the rows of ``z`` with ``k`` clusters, fitted by Spark MLlib KMeans: the best
    (lowest training cost) of ``n_init`` k-means|| starts, seeds ``seed .. seed + n_init - 1``."""
    import pyarrow as pa
    from pyspark.ml.clustering import KMeans
    from pyspark.ml.feature import VectorAssembler

    from ecomdash.engine import settings
    from ecomdash.spark.session import get_session
    from ecomdash.spark.sql import _spark_errors

    spark = get_session(settings().remote)
    cols = [f"f{j}" for j in range(z.shape[1])]
    with _spark_errors():
        frame = spark.createDataFrame(
            pa.table({c: pa.array(z[:, j].astype(np.float64)) for j, c in enumerate(cols)})
        )
        rows = VectorAssembler(inputCols=cols, outputCol="features").transform(frame).cache()
        try:
            best = None
            for j in range(max(1, int(n_init))):
                model = KMeans(k=int(k), seed=int(seed) + j, maxIter=int(max_iter), tol=1e-4).fit(
                    rows
                )
                cost = float(model.summary.trainingCost)
                if best is None or cost < best[0]:
                    best = (cost, model.clusterCenters())
        finally:
            rows.unpersist()
    centres = np.asarray([np.asarray(c, dtype=np.float64) for c in best[1]])
    return MLlibKMeans(centres, z)
