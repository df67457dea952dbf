"""How well rules found on earlier baskets hold on later ones."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ecomdash import schema as S
from ecomdash.basket.encode import _encode_any, count_baskets
from ecomdash.basket.miner import _bitsets, _dense
from ecomdash.basket.mining import mine
from ecomdash.basket.results import FEW_BASKETS, _check_range, line_columns
from ecomdash.errors import InsufficientDataError
from ecomdash.i18n import N_
from ecomdash.i18n.note import Date, note


@dataclass(frozen=True)
class HoldoutResult:
    """How well rules found on earlier baskets hold on later ones (the merchant's own data).

    Rules are mined with the same thresholds on the baskets before ``cutoff`` and scored on the
    baskets from ``cutoff`` on. ``share_holding`` is the share of those rules whose lift on the
    later baskets is still above 1 (better than chance); ``rules`` has train and test metrics.
    """

    cutoff: pd.Timestamp
    n_train: int
    n_test: int
    n_rules: int
    share_holding: float | None
    median_confidence_train: float | None
    median_confidence_test: float | None
    rules: pd.DataFrame
    warnings: tuple[str, ...] = ()


def holdout_check(
    lines: pd.DataFrame,
    *,
    test_share: float = 0.25,
    min_support: float = 0.01,
    min_confidence: float = 0.0,
    min_lift: float = 1.0,
    max_len: int | None = None,
    basket: str = "order",
    level: str = "product",
    include_non_product: bool = False,
) -> HoldoutResult:
    """Mine the earlier ``1 - test_share`` of the period, check the rules on the rest.

    The split is on a calendar day, so no order (or customer-day) is cut in two. Raises
    :class:`InsufficientDataError` without dates or when either part has no baskets.
    """
    func = "basket.holdout_check"
    test_share = _check_range("test_share", test_share, 0.0, 1.0, func, low_open=True)
    if S.ORDER_DATE not in lines.columns or lines[S.ORDER_DATE].notna().sum() == 0:
        raise _no_dates()
    cutoff = _cutoff(lines[S.ORDER_DATE].dropna().dt.normalize().to_numpy(), test_share)
    is_test = (lines[S.ORDER_DATE] >= cutoff).to_numpy()
    train, test = lines[~is_test], lines[is_test]
    return _check_later(
        lambda: train,
        test,
        n_train_lines=len(train),
        n_test_lines=len(test),
        cutoff=cutoff,
        min_support=min_support,
        min_confidence=min_confidence,
        min_lift=min_lift,
        max_len=max_len,
        basket=basket,
        level=level,
        include_non_product=include_non_product,
    )


def holdout_check_dataset(
    store,
    dataset_id: str,
    filters=None,
    *,
    test_share: float = 0.25,
    min_support: float = 0.01,
    min_confidence: float = 0.0,
    min_lift: float = 1.0,
    max_len: int | None = None,
    basket: str = "order",
    level: str = "product",
    include_non_product: bool = False,
) -> HoldoutResult:
    """:func:`holdout_check` of a stored dataset's filtered lines, without loading them.

    The cut-off day comes from the store's count of lines per day (``Store.line_days``: the
    same quantile of every dated line's day), and each side's baskets from the store's SQL
    (``Store.basket_pairs`` of the lines on or after the cut-off, and of the rest): the same
    result as :func:`holdout_check` on ``Store.load_columns`` of the lines, while only two
    int32 arrays of about one entry per line reach Python. On the Spark engine (no basket
    pairs there) the columns the check reads are loaded and :func:`holdout_check` runs on them.
    """
    func = "basket.holdout_check"
    from ecomdash.engine import on_spark

    kw = {"basket": basket, "level": level, "include_non_product": include_non_product}
    rules = {
        "min_support": min_support,
        "min_confidence": min_confidence,
        "min_lift": min_lift,
        "max_len": max_len,
    }
    if on_spark(store):  # the lake has no basket pairs: the lines read for this check alone
        lines = store.load_columns(dataset_id, filters, line_columns(basket, level))
        return holdout_check(lines, test_share=test_share, **rules, **kw)
    test_share = _check_range("test_share", test_share, 0.0, 1.0, func, low_open=True)
    per_day = store.line_days(dataset_id, filters)
    dated = per_day.loc[per_day["day"].notna()]
    if int(dated["lines"].sum()) == 0:
        raise _no_dates()
    # every dated line's day, as holdout_check has them (numpy's quantile of the same values)
    days = np.repeat(dated["day"].to_numpy(dtype="datetime64[us]"), dated["lines"].to_numpy())
    cutoff = _cutoff(days, test_share)
    del days
    n_test_lines = int(dated.loc[dated["day"] >= cutoff, "lines"].sum())

    def pairs(later: bool):
        return store.basket_pairs(dataset_id, filters, cutoff=cutoff, later=later, **kw)

    return _check_later(
        lambda: pairs(False),
        pairs(True) if n_test_lines else None,
        n_train_lines=int(per_day["lines"].sum()) - n_test_lines,
        n_test_lines=n_test_lines,
        cutoff=cutoff,
        **rules,
        **kw,
    )


def _no_dates() -> InsufficientDataError:
    return InsufficientDataError(
        note(
            N_(
                "Checking rules on later orders needs order dates; this dataset has none. "
                "Map the order date column when uploading."
            )
        )
    )


def _cutoff(days: np.ndarray, test_share: float) -> pd.Timestamp:
    """The first later day: the ``1 - test_share`` quantile of the dated lines' days (one
    value per line), at least the day after the first."""
    cutoff = pd.Timestamp(np.quantile(days, 1.0 - test_share)).normalize()
    first = pd.Timestamp(days.min())
    if cutoff <= first:
        cutoff = first + pd.Timedelta(days=1)
    return cutoff


def _check_later(
    train,
    test,
    *,
    n_train_lines: int,
    n_test_lines: int,
    cutoff: pd.Timestamp,
    min_support: float,
    min_confidence: float,
    min_lift: float,
    max_len: int | None,
    basket: str,
    level: str,
    include_non_product: bool,
) -> HoldoutResult:
    """Mine the earlier baskets (``train()``: lines or store pairs), score on the later ones
    (``test``: lines or store pairs; None when there are no later lines)."""
    func = "basket.holdout_check"
    kw = {"basket": basket, "level": level, "include_non_product": include_non_product}
    n_test = count_baskets(test, **kw) if n_test_lines else 0
    if n_test == 0 or n_train_lines == 0:
        raise InsufficientDataError(
            note(
                N_(
                    "Checking rules on later orders needs baskets on both sides of {date}; "
                    "found {n} later baskets. Use a longer period."
                ),
                date=Date(cutoff),
                n=f"{n_test:,}",
            )
        )
    res = mine(
        train(),
        min_support=min_support,
        min_confidence=min_confidence,
        min_lift=min_lift,
        max_len=max_len,
        **kw,
    )
    cols = [
        "names",
        "antecedents",
        "consequents",
        "confidence_train",
        "confidence_test",
        "lift_train",
        "lift_test",
        "count_test",
    ]
    if res.rules.empty:
        return HoldoutResult(
            cutoff=cutoff,
            n_train=res.n_baskets,
            n_test=n_test,
            n_rules=0,
            share_holding=None,
            median_confidence_train=None,
            median_confidence_test=None,
            rules=pd.DataFrame({c: pd.Series(dtype=object) for c in cols}),
            warnings=res.warnings,
        )
    # count every train itemset in the later baskets with packed bitsets
    enc = _encode_any(test, func=func, **kw)[0]
    test_ids = enc.items.astype(str)
    item_ids = res.items["item"].to_numpy(dtype=str)
    pos = np.searchsorted(test_ids, item_ids)
    pos_ok = pos < len(test_ids)
    present = np.zeros(len(item_ids), dtype=bool)
    present[pos_ok] = test_ids[pos[pos_ok]] == item_ids[pos_ok]
    code_of = {it: j for j, it in enumerate(item_ids)}
    remap = np.full(len(test_ids), -1, dtype=np.int64)
    remap[pos[present]] = np.flatnonzero(present)
    sel = remap[enc.i] >= 0
    bits = _bitsets(_dense(enc.b[sel]), remap[enc.i[sel]], len(item_ids))
    test_count: dict[tuple, int] = {}
    for k, group in res.itemsets.groupby("size"):
        sets = np.array([[code_of[x] for x in t] for t in group["itemset"]], dtype=np.int64)
        acc = bits[sets[:, 0]].copy()
        for p in range(1, int(k)):
            np.bitwise_and(acc, bits[sets[:, p]], out=acc)
        cnt = np.bitwise_count(acc).sum(axis=1, dtype=np.int64)
        test_count.update(zip(group["itemset"], cnt.tolist(), strict=True))
    r = res.rules
    n_t = float(n_test)
    c_ac = np.array(
        [
            test_count[tuple(sorted(a + c))]
            for a, c in zip(r["antecedents"], r["consequents"], strict=True)
        ],
        dtype=float,
    )
    c_a = np.array([test_count[a] for a in r["antecedents"]], dtype=float)
    c_c = np.array([test_count[c] for c in r["consequents"]], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        conf_t = np.where(c_a > 0, c_ac / c_a, np.nan)
        lift_t = np.where(c_c > 0, conf_t / (c_c / n_t), np.nan)
    table = pd.DataFrame(
        {
            "names": r["names"].to_numpy(),
            "antecedents": r["antecedents"].to_numpy(),
            "consequents": r["consequents"].to_numpy(),
            "confidence_train": r["confidence"].to_numpy(),
            "confidence_test": conf_t,
            "lift_train": r["lift"].to_numpy(),
            "lift_test": lift_t,
            "count_test": c_ac.astype(np.int64),
        }
    )
    warnings = list(res.warnings)
    if n_test < FEW_BASKETS:
        warnings.append(
            note(
                N_("Only {n} baskets from {date} on: the check itself is rough."),
                n=f"{n_test:,}",
                date=Date(cutoff),
            )
        )
    return HoldoutResult(
        cutoff=cutoff,
        n_train=res.n_baskets,
        n_test=n_test,
        n_rules=len(table),
        share_holding=float(np.mean(np.nan_to_num(lift_t, nan=0.0) > 1.0)),
        median_confidence_train=float(np.median(table["confidence_train"])),
        median_confidence_test=float(np.nanmedian(conf_t)) if np.isfinite(conf_t).any() else None,
        rules=table,
        warnings=tuple(warnings),
    )
