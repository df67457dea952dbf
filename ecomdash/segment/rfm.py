"""RFM: recency / frequency / monetary quintile scores, the named segments (:data:`SEGMENTS`)
with a definition and an action each, and who moved between segments from one date to another."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ecomdash.errors import InsufficientDataError, ParameterError
from ecomdash.features import (
    CustomerFeatures,
    customer_history,
)
from ecomdash.i18n import N_, _, fmt
from ecomdash.i18n.note import Date, Note, note, note_n


@dataclass(frozen=True)
class SegmentDef:
    """A named RFM segment: what it means and what to do about it."""

    name: str
    definition: str
    action: str


#: The named segments, best first (display order).
SEGMENTS: tuple[SegmentDef, ...] = (
    SegmentDef(
        N_("Champions"),
        N_("Bought very recently, order often and spend the most."),
        N_("Reward them: early access and loyalty perks; ask for reviews and referrals."),
    ),
    SegmentDef(
        N_("Loyal"),
        N_("Order regularly and spend well; bought in the last few months."),
        N_("Upsell higher-value products; invite them to a loyalty programme."),
    ),
    SegmentDef(
        N_("Potential loyalist"),
        N_("Recent customers with average frequency and spend."),
        N_("Offer a membership or bundle to turn the next orders into a habit."),
    ),
    SegmentDef(
        N_("New"),
        N_("Bought very recently for the first time (or rarely), spent little so far."),
        N_("Welcome series and onboarding; give them a reason to come back."),
    ),
    SegmentDef(
        N_("Promising"),
        N_("Fairly recent buyers who have not bought much yet."),
        N_("Build the habit: free-shipping threshold or a small repeat-order offer."),
    ),
    SegmentDef(
        N_("Needs attention"),
        N_("Middle of the road on recency, frequency and spend."),
        N_("Time-limited offers based on past purchases before they slip."),
    ),
    SegmentDef(
        N_("About to sleep"),
        N_("Below-average recency, few orders and low spend."),
        N_("Share bestsellers and a discount; reconnect before they are lost."),
    ),
    SegmentDef(
        N_("At risk"),
        N_("Used to order often and spend well, but not for a long time."),
        N_("Personal win-back emails, renewal offers and helpful reminders."),
    ),
    SegmentDef(
        N_("Can't lose them"),
        N_("Were among the best customers; have not bought for a long time."),
        N_("Win them back with your best offer or a personal call; ask what went wrong."),
    ),
    SegmentDef(
        N_("Hibernating"),
        N_("Last bought long ago, few orders and low spend."),
        N_("Offer relevant products and special discounts; keep the cost low."),
    ),
    SegmentDef(
        N_("Lost"),
        N_("The longest since the last order, with the fewest orders and lowest spend."),
        N_("Try one revival campaign; otherwise stop spending on them."),
    ),
)
SEGMENT_NAMES: tuple[str, ...] = tuple(s.name for s in SEGMENTS)

# R score (rows 5..1) x FM score (columns 1..5), FM = round-half-up((F + M) / 2).
RFM_GRID: tuple[tuple[str, ...], ...] = (
    ("New", "Potential loyalist", "Potential loyalist", "Champions", "Champions"),  # R = 5
    ("Promising", "Potential loyalist", "Potential loyalist", "Loyal", "Loyal"),  # R = 4
    ("About to sleep", "About to sleep", "Needs attention", "Loyal", "Loyal"),  # R = 3
    ("Hibernating", "Hibernating", "At risk", "At risk", "Can't lose them"),  # R = 2
    ("Lost", "Lost", "At risk", "At risk", "Can't lose them"),  # R = 1
)
#: A last order at least this many days before the as-of date is "a long time" ago in a
#: sentence. R scores are ranks among the customers, not days: on a short history the
#: segments that say "have not bought for a long time" (R 1 and 2) hold customers who
#: bought weeks ago, and :func:`recency_note` says so.
LONG_AGO_DAYS = 90
#: The segments whose words say the customer has not bought for a long time (R 1 and 2)
LONG_AGO_SEGMENTS: tuple[str, ...] = ("At risk", "Can't lose them", "Hibernating", "Lost")
NOT_YET = N_("Not yet a customer")
MIN_CUSTOMERS_RFM = 5
MIN_CUSTOMERS_CLUSTER = 20
#: Above this many customers k-means is fitted on a sample of this size (see cluster_features).
FIT_SAMPLE = 50_000
#: Above this many customers the explaining tree is fitted on a seeded sample of this size
#: (its fidelity and rule counts are still over every customer; see explain).
EXPLAIN_SAMPLE = 200_000


def segment_for(r: int, fm: int) -> str:
    """The segment of an R score and a combined FM score (both 1..5).

    >>> segment_for(5, 5), segment_for(1, 1), segment_for(2, 5)
    ('Champions', 'Lost', "Can't lose them")
    """
    if not (1 <= r <= 5 and 1 <= fm <= 5):
        raise ParameterError(
            note(N_("RFM scores must be in 1..5. Got R={r}, FM={fm} instead."), r=r, fm=fm)
        )
    return RFM_GRID[5 - r][fm - 1]


@dataclass(frozen=True)
class RFMResult:
    """RFM per customer and per segment, as of ``as_of``.

    ``customers``: index ``customer_id``; columns ``recency_days, frequency, monetary,
    r_score, f_score, m_score, fm_score, rfm, segment``.
    ``segments``: one row per segment in :data:`SEGMENTS` order (empty ones included) with
    ``segment, definition, action, customers, customer_share, revenue, revenue_share,
    median_recency_days, median_frequency, median_monetary``.
    """

    customers: pd.DataFrame
    segments: pd.DataFrame
    as_of: pd.Timestamp
    n_customers: int
    n_guest_orders: int
    warnings: tuple[str, ...] = field(default=())
    #: each row's customer code in the history the features came from (None: not from one)
    codes: np.ndarray | None = field(default=None, repr=False)
    #: :func:`recency_note` of the customers, made with the segments (a slim copy without
    #: customers keeps it); read it with :func:`short_history_note`
    recency_warning: Note | None = None


def _scores_of(order: np.ndarray) -> np.ndarray:
    """1..5 by equal-sized rank groups of a sort order (every customer its own rank, so
    the groups are true quintiles whatever the ties: pd.qcut of rank(method="first"))."""
    n = len(order)
    ranks = np.empty(n, dtype=np.int64)
    ranks[order] = np.arange(n)
    return (ranks * 5 // n + 1).astype(np.int64)


def _order_ties_last_first(keys: list[np.ndarray]) -> np.ndarray:
    """``np.lexsort([-arange(n), *keys])`` without the position key: a stable sort of the
    reversed keys meets full ties in reversed positions, i.e. higher position first."""
    n = len(keys[0])
    rev = [k[::-1] for k in keys]
    order = np.lexsort(rev) if len(rev) > 1 else np.argsort(rev[0], kind="stable")
    return (n - 1) - order


def _rfm_scores(
    recency: np.ndarray, last: np.ndarray, freq: np.ndarray, mon_key: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The R, F and M scores :func:`rfm_from_features` defines by its three lexsorts (R:
    -recency, last order, F, M; F: F, M; M: M, F; ties by higher position first), with one
    or two sort passes each instead of three to five (about 0.7 s a call at 1 M customers).

    F and M are replaced by their dense ranks (``np.unique``: the sort's own equality, NaN
    last and equal to NaN) packed into one integer per customer, F-major or M-major. R sorts
    by the last order and that pair; recency is whole days to the as-of date from the last
    order, so ordering by the last order orders -recency too — checked on the result, and
    when it does not hold (features built some other way) R takes the five-key lexsort.
    """
    n = len(freq)
    fu, fr = np.unique(freq, return_inverse=True)
    mu, mr = np.unique(mon_key, return_inverse=True)
    fr = fr.reshape(-1).astype(np.int64)
    mr = mr.reshape(-1).astype(np.int64)
    f_major = fr * len(mu) + mr  # < n² ≤ 2^62 for n < 2^31
    m_major = mr * len(fu) + fr
    f = _scores_of(_order_ties_last_first([f_major]))
    m = _scores_of(_order_ties_last_first([m_major]))
    neg_rec = -recency
    order = _order_ties_last_first([f_major, last])
    steps = np.diff(neg_rec[order])
    if not (steps >= 0).all():  # not monotone in the last order (or NaN): the full sort
        order = np.lexsort([-np.arange(n), mon_key, freq, last, neg_rec])
    return _scores_of(order), f, m


#: each RFM_GRID cell's position in SEGMENT_NAMES
_GRID_CODES = np.array([[SEGMENT_NAMES.index(s) for s in row] for row in RFM_GRID], dtype=np.int8)
#: "111".."555": the text of each score triple, indexed by r * 100 + f * 10 + m
_RFM_TEXT = np.array([str(i) for i in range(556)], dtype=object)


def rfm_from_features(features: CustomerFeatures) -> RFMResult:
    """RFM scores and named segments from already computed :class:`CustomerFeatures`."""
    t = features.table
    n = len(t)
    if n < MIN_CUSTOMERS_RFM:
        raise InsufficientDataError(
            note(
                N_(
                    "RFM segments need at least {need} customers with an id. Found {n} on or before "
                    "{date} (and {guests} guest orders). Pick a later as-of date or upload more "
                    "orders with customer ids."
                ),
                need=MIN_CUSTOMERS_RFM,
                n=n,
                date=Date(features.as_of),
                guests=f"{features.n_guest_orders:,}",
            )
        )
    # the index is sorted by customer id: a deterministic last tie-break (higher position first)
    last = t["last_order"].to_numpy().astype("datetime64[us]").astype(np.int64)
    freq = t["frequency"].to_numpy()
    mon = t["monetary"].to_numpy()
    # rank on cents: sums of the same cents differ in the last bits between DuckDB and pandas,
    # which would break exact ties (many one-order customers spend the same) differently
    mon_key = np.round(mon, 2)
    # Recency: fewer days is better; ties by exact last-order time, then F, then M.
    r, f, m = _rfm_scores(t["recency_days"].to_numpy(), last, freq, mon_key)
    fm = np.floor((f + m) / 2 + 0.5).astype(np.int64)
    customers = pd.DataFrame(
        {
            "recency_days": t["recency_days"].to_numpy(),
            "frequency": freq,
            "monetary": mon,
            "r_score": r,
            "f_score": f,
            "m_score": m,
            "fm_score": fm,
            "rfm": _RFM_TEXT[r * 100 + f * 10 + m],  # "543": the three scores
            "segment": pd.Categorical.from_codes(
                _GRID_CODES[5 - r, fm - 1], categories=SEGMENT_NAMES
            ),
        },
        index=t.index,
    )
    recency = recency_note(customers)
    return RFMResult(
        customers=customers,
        segments=_segment_table(customers),
        as_of=features.as_of,
        n_customers=n,
        n_guest_orders=features.n_guest_orders,
        # the features' own warnings, then whether the recency words hold on this history
        warnings=(*features.warnings, *filter(None, [recency])),
        codes=features.codes,
        recency_warning=recency,
    )


def short_history_note(result: RFMResult) -> Note | None:
    """The note that the segments for customers who have not bought for a long time hold
    some who bought within :data:`LONG_AGO_DAYS` days (:func:`recency_note`: R scores are
    ranks, on a short history weeks apart), or None when their words are true. The one
    place every reader of the RFM segments takes it from: the Segments page's RFM tab, the
    report's segments section, ``ecomdash segment`` and the Home's segment finding."""
    return result.recency_warning


def recency_note(customers: pd.DataFrame) -> Note | None:
    """A warning when the segments whose words say "not for a long time" (R 1 and 2:
    :data:`LONG_AGO_SEGMENTS`) hold a customer who last ordered fewer than
    :data:`LONG_AGO_DAYS` days before the as-of date, as on a few months of data, where
    recency quintiles are weeks apart; None when their words are true."""
    long_ago = customers["r_score"].to_numpy() <= 2
    if not long_ago.any():
        return None
    days = int(np.nanmin(customers["recency_days"].to_numpy()[long_ago]))
    if days >= LONG_AGO_DAYS:
        return None
    return note_n(
        "Recency scores rank customers against each other, and this data covers a short "
        "time: the segments for customers who have not bought for a long time "
        "({segments}) include some whose last order was only {n} day before the as-of "
        "date.",
        "Recency scores rank customers against each other, and this data covers a short "
        "time: the segments for customers who have not bought for a long time "
        "({segments}) include some whose last order was only {n} days before the as-of "
        "date.",
        days,
        segments=tuple(note(s) for s in LONG_AGO_SEGMENTS),
    )


def _segment_table(customers: pd.DataFrame) -> pd.DataFrame:
    total = float(customers["monetary"].sum())
    g = customers.groupby("segment", observed=False)
    out = pd.DataFrame(
        {
            "segment": list(SEGMENT_NAMES),
            "definition": [s.definition for s in SEGMENTS],
            "action": [s.action for s in SEGMENTS],
        }
    )
    sizes = g.size().reindex(SEGMENT_NAMES, fill_value=0).to_numpy()
    revenue = g["monetary"].sum().reindex(SEGMENT_NAMES, fill_value=0.0).to_numpy()
    out["customers"] = sizes.astype(np.int64)
    out["customer_share"] = sizes / max(len(customers), 1)
    out["revenue"] = revenue
    out["revenue_share"] = revenue / total if total else 0.0
    med = g[["recency_days", "frequency", "monetary"]].median().reindex(SEGMENT_NAMES)
    out["median_recency_days"] = med["recency_days"].to_numpy()
    out["median_frequency"] = med["frequency"].to_numpy()
    out["median_monetary"] = med["monetary"].to_numpy()
    return out


def rfm(lines: pd.DataFrame, *, as_of: object = None) -> RFMResult:
    """RFM segments of the customers in ``lines`` as of ``as_of`` (default: the last date).

    ``lines`` is the canonical table; standard cleaning is applied inside.
    """
    return rfm_from_features(customer_history(lines).features(as_of=as_of))


# ---------------------------------------------------------------------------------- movement


@dataclass(frozen=True)
class MovementResult:
    """Segments at two cut-off dates and who moved where.

    ``matrix``: rows = segment at ``start`` (plus :data:`NOT_YET`), columns = segment at
    ``end``, values = customers. ``flows``: ``source, target, customers`` (non-zero cells).
    """

    start: pd.Timestamp
    end: pd.Timestamp
    matrix: pd.DataFrame
    flows: pd.DataFrame
    stayed_share: float


def movement_between(before: RFMResult, after: RFMResult) -> MovementResult:
    """Transition counts between two RFM results (``before`` is the earlier date)."""
    if before.as_of >= after.as_of:
        raise ParameterError(
            note(
                N_(
                    "The comparison date must be before the as-of date. Got {before} and {after} "
                    "instead."
                ),
                before=Date(before.as_of),
                after=Date(after.as_of),
            )
        )
    k = len(SEGMENT_NAMES)
    rows_order = [*SEGMENT_NAMES, NOT_YET]
    src = _earlier_codes(before, after)
    seg = after.customers["segment"]
    dst = seg.cat.codes.to_numpy().astype(np.int64)
    if src is None or list(seg.cat.categories) != list(SEGMENT_NAMES) or (dst < 0).any():
        return _movement_by_names(before, after)
    # counted on the codes: the crosstab of the names (_movement_by_names) without making
    # and hashing two columns of ~1 M strings (0.8 s at 400,000 customers)
    counts = np.bincount(src * k + dst, minlength=(k + 1) * k).reshape(k + 1, k)
    matrix = pd.DataFrame(
        counts.astype(np.int64), index=pd.Index(rows_order), columns=pd.Index(list(SEGMENT_NAMES))
    )
    existing = src != k
    stayed = float(np.mean(src[existing] == dst[existing])) if existing.any() else float("nan")
    return _movement_result(before, after, matrix, stayed)


def _movement_by_names(before: RFMResult, after: RFMResult) -> MovementResult:
    """:func:`movement_between` by the customers' ids and segment names (two RFM results
    not from one history)."""
    src = before.customers["segment"].astype("str").reindex(after.customers.index).fillna(NOT_YET)
    dst = after.customers["segment"].astype("str")
    rows_order = [*SEGMENT_NAMES, NOT_YET]
    matrix = (
        pd.crosstab(
            pd.Categorical(src, categories=rows_order),
            pd.Categorical(dst, categories=SEGMENT_NAMES),
            dropna=False,
        )
        .reindex(index=rows_order, columns=list(SEGMENT_NAMES), fill_value=0)
        .astype(np.int64)
    )
    existing = src != NOT_YET
    stayed = (
        float(np.mean(src[existing].to_numpy() == dst[existing].to_numpy()))
        if existing.any()
        else float("nan")
    )
    return _movement_result(before, after, matrix, stayed)


def _movement_result(
    before: RFMResult, after: RFMResult, matrix: pd.DataFrame, stayed: float
) -> MovementResult:
    matrix.index.name = _("segment on {date}", date=fmt.long_date(before.as_of))
    matrix.columns.name = _("segment on {date}", date=fmt.long_date(after.as_of))
    flows = matrix.stack().rename("customers").reset_index()
    flows.columns = ["source", "target", "customers"]
    flows = flows.loc[flows["customers"] > 0].reset_index(drop=True)
    return MovementResult(
        start=before.as_of, end=after.as_of, matrix=matrix, flows=flows, stayed_share=stayed
    )


def _earlier_codes(before: RFMResult, after: RFMResult) -> np.ndarray | None:
    """``before``'s segment of each of ``after``'s customers as its position in
    :data:`SEGMENT_NAMES` (``len(SEGMENT_NAMES)``: :data:`NOT_YET`), by the history's
    customer codes instead of a reindex on ~1 M id strings (1 s at 10 M lines). None
    (reindex instead) unless both come from one history: every earlier customer is found
    among the later ones by code, with the same id (checked)."""
    cb, ca = before.codes, after.codes
    if cb is None or ca is None or len(cb) != len(before.customers):
        return None
    if len(ca) != len(after.customers) or len(cb) == 0 or len(ca) == 0:
        return None
    pos = np.full(int(max(cb.max(), ca.max())) + 1, -1, dtype=np.int64)
    pos[cb] = np.arange(len(cb))
    at = pos[ca]
    have = at >= 0
    if int(have.sum()) != len(cb):
        return None
    if not before.customers.index[at[have]].equals(after.customers.index[have]):
        return None
    seg = before.customers["segment"]
    codes = seg.cat.codes.to_numpy().astype(np.int64)
    if (codes < 0).any() or list(seg.cat.categories) != list(SEGMENT_NAMES):
        return None
    out = np.full(len(ca), len(SEGMENT_NAMES), dtype=np.int64)
    out[have] = codes[at[have]]
    return out


def _earlier_segments(before: RFMResult, after: RFMResult) -> pd.Series | None:
    """:func:`_earlier_codes` as the segment names (:data:`NOT_YET` if none), by ``after``'s
    customer ids."""
    codes = _earlier_codes(before, after)
    if codes is None:
        return None
    names = np.array([*SEGMENT_NAMES, NOT_YET], dtype=object)
    return pd.Series(names[codes], index=after.customers.index, dtype="str")


def movement(lines: pd.DataFrame, *, start: object, end: object = None) -> MovementResult:
    """Who moved between RFM segments from ``start`` to ``end`` (default: the last date)."""
    hist = customer_history(lines)
    return movement_between(
        rfm_from_features(hist.features(as_of=start)), rfm_from_features(hist.features(as_of=end))
    )
