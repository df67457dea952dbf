"""Customer segmentation: RFM segments with meaning, k-means clusters that explain themselves.

- :func:`rfm` — recency / frequency / monetary as of a date, 1–5 quintile scores and the named
  segments merchants know (:data:`SEGMENTS`), each with a definition and a suggested action.
- :func:`cluster` — k-means of the customers with at least two orders, on log1p-scaled,
  standardised behaviour features (:data:`ecomdash.features.FEATURES`), k by silhouette over
  a range, a profile and a short name per cluster, and a 2-D PCA picture; one-time buyers
  are one fixed group of their own (number k, after the clusters), not a k-means cluster.
- :func:`explain` — a shallow decision tree reproducing the cluster labels, as readable rules
  with its fidelity.
- :func:`movement` — segments at two cut-off dates and who moved where.
- :func:`short_history_note` — the note that, on a short history, the segments for customers
  who have not bought for a long time hold some who bought weeks ago (page, report, CLI).
- :func:`segment_customers` — all of the above in one :class:`SegmentationResult` (the page,
  the CLI and the benchmark use it).

Customers are the lines with a customer id; guest orders are left out and counted.

The package, by concern: :mod:`.rfm` (segments, scores, movement), :mod:`.clusters`
(k-means, naming, profile), :mod:`.rules` (the explaining tree), :mod:`.api` (all of it in one
result).
"""

from __future__ import annotations

from ecomdash.segment.api import (
    SegmentationResult,
    customer_table,
    default_compare_to,
    segment_customers,
    segment_history,
)
from ecomdash.segment.clusters import ClusterResult, cluster, cluster_features, feature_matrix
from ecomdash.segment.rfm import (
    EXPLAIN_SAMPLE,
    FIT_SAMPLE,
    MIN_CUSTOMERS_CLUSTER,
    MIN_CUSTOMERS_RFM,
    NOT_YET,
    RFM_GRID,
    SEGMENT_NAMES,
    SEGMENTS,
    MovementResult,
    RFMResult,
    SegmentDef,
    movement,
    movement_between,
    recency_note,
    rfm,
    rfm_from_features,
    segment_for,
    short_history_note,
)
from ecomdash.segment.rules import ExplainResult, explain

__all__ = [
    "SEGMENTS",
    "SEGMENT_NAMES",
    "NOT_YET",
    "RFM_GRID",
    "MIN_CUSTOMERS_RFM",
    "MIN_CUSTOMERS_CLUSTER",
    "FIT_SAMPLE",
    "EXPLAIN_SAMPLE",
    "SegmentDef",
    "RFMResult",
    "ClusterResult",
    "ExplainResult",
    "MovementResult",
    "SegmentationResult",
    "segment_for",
    "rfm",
    "rfm_from_features",
    "recency_note",
    "short_history_note",
    "cluster",
    "cluster_features",
    "feature_matrix",
    "explain",
    "movement",
    "movement_between",
    "customer_table",
    "default_compare_to",
    "segment_customers",
    "segment_history",
]
