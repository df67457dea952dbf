"""Everything the segmentation page shows in one :class:`SegmentationResult`: RFM segments,
clusters, their explanation and movement (the page, the CLI and the benchmark use it)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ecomdash.errors import InsufficientDataError, ParameterError
from ecomdash.features import (
    CustomerFeatures,
    CustomerHistory,
    customer_history,
    to_timestamp,
)
from ecomdash.i18n import N_, _
from ecomdash.i18n.note import Date, note, translated
from ecomdash.segment._threads import single_threaded
from ecomdash.segment.clusters import ClusterResult, cluster_features
from ecomdash.segment.rfm import MovementResult, RFMResult, movement_between, rfm_from_features
from ecomdash.segment.rules import ExplainResult, explain
from ecomdash.tasks import Tasks


@dataclass(frozen=True)
class SegmentationResult:
    """Everything the segmentation page shows, from one pass over the lines.

    ``clusters``/``explanation`` are ``None`` with the reason in ``cluster_error`` when there
    are too few customers; ``movement`` is ``None`` with ``movement_error`` likewise.
    ``customers``: the export table (see :func:`customer_table`).
    """

    features: CustomerFeatures
    rfm: RFMResult
    clusters: ClusterResult | None
    explanation: ExplainResult | None
    movement: MovementResult | None
    customers: pd.DataFrame
    params: dict
    cluster_error: str | None = None
    movement_error: str | None = None

    @property
    def n_customers(self) -> int:
        return self.rfm.n_customers

    @property
    def n_guest_orders(self) -> int:
        return self.rfm.n_guest_orders


def customer_table(rfm_result: RFMResult, clusters: ClusterResult | None = None) -> pd.DataFrame:
    """One row per customer: ``customer_id, recency_days, frequency, monetary, r_score,
    f_score, m_score, rfm, segment, cluster, cluster_name`` (what an email tool imports).
    ``cluster`` is 0..k-1 for a customer with at least two orders and ``k`` (after the
    clusters) for a one-time buyer, whose ``cluster_name`` is the one-time group's."""
    c = rfm_result.customers
    seg = c["segment"]
    out = pd.DataFrame(
        {
            "customer_id": c.index.astype("string"),
            "recency_days": c["recency_days"].to_numpy(),
            "frequency": c["frequency"].to_numpy(),
            "monetary": c["monetary"].to_numpy(),
            "r_score": c["r_score"].to_numpy(),
            "f_score": c["f_score"].to_numpy(),
            "m_score": c["m_score"].to_numpy(),
            "rfm": c["rfm"].array if c["rfm"].dtype == "str" else c["rfm"].to_numpy(),
            "segment": _segment_text(seg),
        }
    )
    if clusters is not None:
        labels = clusters.labels
        # the same customers in the same order (both from one features table): no reindex
        # of ~1 M id strings
        same = labels.index.equals(c.index) and labels.index.is_unique
        lab = (labels if same else labels.reindex(c.index)).to_numpy()
        out["cluster"] = lab
        group_names = list(clusters.group_names)  # the one-time buyers' name at number k
        names = _text_at(lab, group_names)
        out["cluster_name"] = np.array(group_names, dtype=object)[lab] if names is None else names
    return out


def _segment_text(seg: pd.Series):
    text = _text_at(seg.cat.codes.to_numpy(), list(seg.cat.categories))
    return seg.astype("str").to_numpy() if text is None else text


def _text_at(codes: np.ndarray, names: list[str]):
    """``names[codes]`` as the "str" column pandas infers from those Python strings, by
    Arrow's dictionary decode instead of an object array of ~1 M strings (0.06 s → 0.01 s;
    the segment's ``astype("str")`` 0.2 s). None (the caller's own expression, as before)
    for no codes, codes outside ``0..len(names) - 1`` or names that are not all text."""
    codes = np.asarray(codes)
    if (
        len(codes) == 0
        or codes.dtype.kind not in "iu"
        or codes.min() < 0
        or codes.max() >= len(names)
        or not all(isinstance(n, str) for n in names)
    ):
        return None
    import pyarrow as pa

    decoded = pa.DictionaryArray.from_arrays(
        pa.array(codes.astype(np.int32)), pa.array(names, pa.large_string())
    ).cast(pa.large_string())
    return pd.array(decoded, dtype=pd.StringDtype("pyarrow", na_value=np.nan))


#: How far back the movement between segments looks by default, days
COMPARE_DAYS = 90


def default_compare_to(first, last):
    """The earlier cut-off the Segments page, the Home and the report compare with by default:
    :data:`COMPARE_DAYS` before ``last``, not before the data's ``first`` day (dates, or
    anything with ``-`` of a ``timedelta`` and ``max``: days or timestamps alike)."""
    from datetime import timedelta

    return max(first, last - timedelta(days=COMPARE_DAYS))


def segment_customers(
    lines: pd.DataFrame,
    *,
    as_of: object = None,
    compare_to: object = None,
    k: int | None = None,
    k_range: tuple[int, int] = (2, 10),
    seed: int = 0,
    n_init: int = 3,
    silhouette_sample: int = 1500,
    max_depth: int | None = None,
    history: CustomerHistory | None = None,
) -> SegmentationResult:
    """RFM segments, clusters, their explanation and movement, as of ``as_of``.

    ``compare_to`` is the earlier cut-off for movement (default: 90 days before ``as_of``);
    ``max_depth`` the explaining tree's (default: :func:`ecomdash.segment.rules.tree_depth`).
    Pass ``history`` (from :func:`ecomdash.features.customer_history` of the same lines) to
    skip re-reading the lines. A thin wrapper of :func:`segment_history`.
    """
    with single_threaded():
        return segment_history(
            history if history is not None else customer_history(lines),
            as_of=as_of,
            compare_to=compare_to,
            k=k,
            k_range=k_range,
            seed=seed,
            n_init=n_init,
            silhouette_sample=silhouette_sample,
            max_depth=max_depth,
        )


#: from this many orders, the RFM at the comparison date is built in a thread
MOVEMENT_THREAD_ORDERS = 50_000


def _earlier_rfm(
    hist: CustomerHistory, start: pd.Timestamp
) -> tuple[RFMResult | None, Exception | None]:
    """RFM at the comparison date, or None and the error that says why not."""
    try:
        return rfm_from_features(hist.features(as_of=start)), None
    except (InsufficientDataError, ParameterError) as err:
        return None, err


def segment_history(
    hist: CustomerHistory,
    *,
    as_of: object = None,
    compare_to: object = None,
    k: int | None = None,
    k_range: tuple[int, int] = (2, 10),
    seed: int = 0,
    n_init: int = 3,
    silhouette_sample: int = 1500,
    max_depth: int | None = None,
) -> SegmentationResult:
    """:func:`segment_customers` from a per-order history (``features.customer_history`` of
    the lines, or the store's SQL aggregate ``Store.customer_history``): pages and commands
    use this, so they never hold the lines."""
    with single_threaded():
        as_of_ts = to_timestamp(
            hist.last_date if as_of is None else as_of
        )  # as features() reads it
        start = (
            as_of_ts - pd.Timedelta(days=COMPARE_DAYS)
            if compare_to is None
            else to_timestamp(compare_to, name="compare_to")
        )
        # the RFM at the earlier date reads only the history: with many customers it is built
        # in a thread beside everything else, in this run's context (its language)
        beside = start < as_of_ts and hist.orders.shape[0] >= MOVEMENT_THREAD_ORDERS
        with Tasks(2 if beside else 1, name="movement") as tasks:
            later = tasks.submit(_earlier_rfm, hist, start) if beside else None
            feats = hist.features(as_of=as_of)
            rfm_now = rfm_from_features(feats)
            clusters = explanation = None
            cluster_error = movement_error = None
            try:
                clusters = cluster_features(
                    feats,
                    k=k,
                    k_range=k_range,
                    seed=seed,
                    n_init=n_init,
                    silhouette_sample=silhouette_sample,
                )
                explanation = explain(feats, clusters, max_depth=max_depth, seed=seed)
            except InsufficientDataError as err:
                cluster_error = str(translated(err))  # a Note-built error in this run's language
            move = None
            try:
                if start >= feats.as_of:
                    raise ParameterError(
                        note(
                            N_(
                                "The comparison date must be before the as-of date {date}. Got "
                                "{start} instead."
                            ),
                            date=Date(feats.as_of),
                            start=Date(start),
                        )
                    )
                before, err = later.result() if later is not None else _earlier_rfm(hist, start)
                if err is not None:
                    raise err
                move = movement_between(before, rfm_now)
            except (InsufficientDataError, ParameterError) as err:
                # Movement is one part of the page: the segments and clusters still stand.
                movement_error = _("No movement view: {reason}", reason=translated(err))
        return SegmentationResult(
            features=feats,
            rfm=rfm_now,
            clusters=clusters,
            explanation=explanation,
            movement=move,
            customers=customer_table(rfm_now, clusters),
            params={
                "as_of": feats.as_of.date().isoformat(),
                "compare_to": start.date().isoformat(),
                "k": k,
                "k_range": k_range,
                "seed": seed,
                "n_init": n_init,
                "silhouette_sample": silhouette_sample,
                # the depth the explaining tree was grown to (tree_depth(k) unless one was asked
                # for); with no clusters there is no tree: the depth asked for (None by default)
                "max_depth": max_depth if explanation is None else explanation.max_depth,
            },
            cluster_error=cluster_error,
            movement_error=movement_error,
        )
