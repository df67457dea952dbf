"""Recommendations fitted on the cluster: Spark MLlib ALS (implicit feedback).

:class:`SparkALSRecommender` is an ``ALSRecommender`` whose factors are fitted by MLlib: the
weighted customer × product matrix (the same ``weight_matrix`` as the in-process ALS) goes to
Spark as (customer, product, weight) triples, MLlib alternates on the executors, and the two
factor matrices come back. Everything after the fit (scores, masks, reasons, similar products,
the offline evaluation) is the in-process model's code, so pages and commands see the same
estimator contract. ``recommend.make_model("als")`` returns it when ``ECOMDASH_ENGINE=spark``.

MLlib regularises each customer's (product's) solve by ``regParam`` times its number of
purchases (ALS-WR), so its settings differ from the in-process defaults; the hit rate@10 of
the offline test stays within 0.02 of the in-process ALS on the demo merchant
(``tests/unit/test_spark_models.py``).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from ecomdash.recommend import (
    ALSRecommender,
    BusinessRules,
)


class SparkALSRecommender(ALSRecommender):
    """Implicit ALS fitted by Spark MLlib; see :class:`ecomdash.recommend.ALSRecommender`."""

    name = "als"

    def __init__(
        self,
        *,
        factors: int = 32,
        regularization: float = 0.05,
        alpha: float = 5.0,
        iterations: int = 10,
        cg_steps: int = 2,
        weighting: str = "log",
        random_state: int = 0,
        rules: BusinessRules | None = None,
    ):
        super().__init__(
            factors=factors,
            regularization=regularization,
            alpha=alpha,
            iterations=iterations,
            cg_steps=cg_steps,
            weighting=weighting,
            random_state=random_state,
            rules=rules,
        )

    def _fit(self, inter) -> None:
        from pyspark.ml.recommendation import ALS

        from ecomdash.engine import settings
        from ecomdash.spark.session import get_session

        W = self._weights(inter).tocoo()  # the in-process ALS's checks and weights
        spark = get_session(settings().remote)
        triples = spark.createDataFrame(
            pa.table(
                {
                    "u": pa.array(W.row.astype(np.int32)),
                    "i": pa.array(W.col.astype(np.int32)),
                    "r": pa.array(W.data.astype(np.float32)),
                }
            )
        )
        model = ALS(
            userCol="u",
            itemCol="i",
            ratingCol="r",
            implicitPrefs=True,
            rank=int(self.factors),
            regParam=float(self.regularization),
            alpha=float(self.alpha),
            maxIter=int(self.iterations),
            seed=int(self.random_state),
            coldStartStrategy="drop",
        ).fit(triples)
        n_u, n_i = inter.shape
        self.user_factors_ = _factors(model.userFactors, n_u, self.factors)
        self.item_factors_ = _factors(model.itemFactors, n_i, self.factors)


def _factors(frame, n: int, rank: int) -> np.ndarray:
    """MLlib's (id, features) rows as an n × rank matrix (ids never seen stay zero)."""
    t = frame.toArrow()
    out = np.zeros((n, rank), dtype=np.float32)
    ids = np.asarray(t.column("id").to_numpy(zero_copy_only=False), dtype=np.int64)
    feats = t.column("features").to_pylist()
    if len(ids):
        out[ids] = np.asarray(feats, dtype=np.float32)
    return out
