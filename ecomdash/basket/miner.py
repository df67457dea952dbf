"""The miner: integer (basket, item) codes in, levels of frequent itemsets out; rules scored
from the levels; the refusals when thresholds would explode."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from ecomdash.basket.results import (
    MAX_BIT_WORK,
    MAX_CANDIDATES,
    MAX_ITEMSETS,
    MAX_PAIR_WORK,
    RULE_COLUMNS,
    support_share,
)
from ecomdash.errors import ParameterError
from ecomdash.i18n import N_
from ecomdash.i18n.note import Note, note

# --------------------------------------------------------------------------------------------
# The miner (integer codes in, levels of frequent itemsets out)


@dataclass
class _Level:
    sets: np.ndarray  # (m, k) int64 item indices, rows sorted lexicographically
    counts: np.ndarray  # (m,) int64
    keys: np.ndarray  # (m,) int64 sorted: rank of prefix at level k-1 * F + last item
    parent: np.ndarray  # (m,) int64 rank of the (k-1)-prefix


def _rank(levels: list[_Level], tuples: np.ndarray, n_items: int) -> tuple[np.ndarray, np.ndarray]:
    """Index of each sorted tuple in its level, and whether it is there (frequent)."""
    k = tuples.shape[1]
    r = tuples[:, 0].astype(np.int64, copy=True)
    found = np.ones(len(tuples), dtype=bool)
    for j in range(1, k):
        keys = levels[j].keys
        q = r * n_items + tuples[:, j]
        p = np.searchsorted(keys, q)
        p_ok = p < len(keys)
        hit = np.zeros(len(q), dtype=bool)
        hit[p_ok] = keys[p[p_ok]] == q[p_ok]
        found &= hit
        r = np.where(found, p, 0)
    return r, found


def _refuse(
    what: Note | str,
    found: int,
    limit: int,
    suggest_count: int | None,
    n: int,
    min_support: float,
    k: int,
) -> ParameterError:
    """The refusal: what would explode, and the computed threshold that avoids it (a
    :class:`Note`, so the page shows it in the merchant's language; a plain ``what``, as the
    Spark miner passes, is looked up in the catalogue as it is)."""
    what = what if isinstance(what, Note) else note(what)
    if suggest_count is not None and suggest_count <= n:
        fix = note(
            N_(
                "Raise the minimum support to at least {support} (items in at least {count} of "
                "{n} baskets), or set the maximum itemset size to {k}."
            )
            if k > 2
            else N_(
                "Raise the minimum support to at least {support} (items in at least {count} of "
                "{n} baskets)."
            ),
            support=support_share(suggest_count / n, towards="up"),
            count=f"{suggest_count:,}",
            n=f"{n:,}",
            **({"k": k - 1} if k > 2 else {}),
        )
    elif k > 2:
        fix = note(N_("Set the maximum itemset size to {k}."), k=k - 1)
    else:
        fix = note(N_("Raise the minimum support."))
    problem = note(
        N_(
            "These thresholds would give too many itemsets to compute and read: {what} {found} "
            "(limit {limit}) at minimum support {support}."
        ),
        what=what,
        found=f"{found:,}",
        limit=f"{limit:,}",
        support=support_share(min_support),
    )
    return ParameterError(note(N_("{problem} {fix}"), problem=problem, fix=fix))


def _smallest_count(lo: int, hi: int, ok) -> int:
    """Smallest integer t in [lo, hi] with ok(t) True (ok monotone); hi if none."""
    while lo < hi:
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def _pair_work(b: np.ndarray, n_baskets: int) -> int:
    m = np.bincount(b, minlength=n_baskets).astype(np.int64)
    return int((m * (m - 1) // 2).sum())


def _count_pairs(
    b: np.ndarray, i: np.ndarray, n_baskets: int, n_items: int, min_count: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(a, c, count) of item pairs a < c in at least ``min_count`` baskets, sorted by (a, c)."""
    m = np.bincount(b, minlength=n_baskets)
    keep = m[b] >= 2
    # (b, i) are sorted by basket then item: the CSR arrays can be written down directly
    i2 = i[keep].astype(np.int32)
    per_row = m[m >= 2]
    indptr = np.zeros(len(per_row) + 1, dtype=np.int64)
    np.cumsum(per_row, out=indptr[1:])
    x = sparse.csr_array(
        (np.ones(len(i2), dtype=np.int32), i2, indptr), shape=(len(per_row), n_items)
    )
    # XᵀX is symmetric: with the items cut into column blocks, only the blocks on and above
    # the diagonal are multiplied (about 3/4 or 2/3 of the work for 2 or 3 blocks).
    n_blocks = 1 if n_items < 300 else 2 if n_items < 1000 else 3
    edges = np.linspace(0, n_items, n_blocks + 1).astype(np.int64)
    xc = x.tocsc()
    cols = [xc[:, edges[j] : edges[j + 1]] for j in range(n_blocks)]
    rows = [blk.tocsr() for blk in cols]
    parts_a, parts_c, parts_n = [], [], []
    for bi in range(n_blocks):
        left = cols[bi].T  # CSR, no copy
        for bj in range(bi, n_blocks):
            g = (left @ rows[bj]).tocoo()
            keep_g = g.data >= min_count
            r = g.row[keep_g].astype(np.int64) + edges[bi]
            c = g.col[keep_g].astype(np.int64) + edges[bj]
            d = g.data[keep_g]
            if bi == bj:
                upper = c > r
                r, c, d = r[upper], c[upper], d[upper]
            parts_a.append(r)
            parts_c.append(c)
            parts_n.append(d)
    a, c, cnt = np.concatenate(parts_a), np.concatenate(parts_c), np.concatenate(parts_n)
    order = np.lexsort((c, a))
    return a[order], c[order], cnt[order].astype(np.int64)


def _dense(codes: np.ndarray) -> np.ndarray:
    """Renumber sorted codes 0..n-1 (codes are sorted by basket)."""
    if len(codes) == 0:
        return codes
    step = np.empty(len(codes), dtype=np.int64)
    step[0] = 0
    step[1:] = codes[1:] != codes[:-1]
    return np.cumsum(step)


def _bitsets(b: np.ndarray, i: np.ndarray, n_items: int) -> np.ndarray:
    """Packed bitsets (n_items × words) of the baskets holding each item. ``b`` dense, sorted."""
    nb = int(b.max(initial=-1) + 1)
    words = max(1, (nb + 63) // 64)
    nbytes = words * 8
    flat = i * nbytes + (b >> 3)
    val = np.left_shift(1, (b & 7)).astype(np.float64)
    packed = np.bincount(flat, weights=val, minlength=n_items * nbytes).astype(np.uint8)
    return packed.reshape(n_items, nbytes).view(np.uint64)


def _mine_levels(
    b: np.ndarray,
    i: np.ndarray,
    n_baskets: int,
    n_items: int,
    min_count: int,
    max_len: int | None,
    min_support: float,
    timings: list[tuple[str, float]],
) -> list[_Level]:
    """Frequent itemsets of every size, as levels (level k at index k-1)."""
    counts = np.bincount(i, minlength=n_items).astype(np.int64)
    levels = [
        _Level(
            sets=np.arange(n_items, dtype=np.int64).reshape(-1, 1),
            counts=counts,
            keys=np.arange(n_items, dtype=np.int64),
            parent=np.full(n_items, -1, dtype=np.int64),
        )
    ]
    if n_items < 2 or (max_len is not None and max_len < 2):
        return levels

    t0 = time.perf_counter()
    work = _pair_work(b, n_baskets)
    if work > MAX_PAIR_WORK:

        def fits(t: int) -> bool:
            sel = counts[i] >= t
            return _pair_work(b[sel], n_baskets) <= MAX_PAIR_WORK

        t = _smallest_count(min_count, int(counts.max()), fits)
        raise _refuse(
            note(N_("the baskets hold this many pairs of frequent products to count:")),
            work,
            MAX_PAIR_WORK,
            t,
            n_baskets,
            min_support,
            2,
        )
    a, c, cnt = _count_pairs(b, i, n_baskets, n_items, min_count)
    timings.append(("count pairs", time.perf_counter() - t0))
    if len(a) == 0:
        return levels
    levels.append(_Level(sets=np.stack([a, c], axis=1), counts=cnt, keys=a * n_items + c, parent=a))
    if max_len is not None and max_len < 3:
        return levels

    t0 = time.perf_counter()
    # Baskets that can hold a frequent triple: ≥ 3 items that are in some frequent pair.
    in_pair = np.zeros(n_items, dtype=bool)
    in_pair[a] = True
    in_pair[c] = True
    sel = in_pair[i]
    b3, i3 = b[sel], i[sel]
    m3 = np.bincount(b3, minlength=n_baskets)
    sel = m3[b3] >= 3
    b3, i3 = _dense(b3[sel]), i3[sel]
    item_bits = _bitsets(b3, i3, n_items)
    words = item_bits.shape[1]
    chunk = max(1, (1 << 20) // (words * 8))  # ~1 MB of bitsets per step: stays in cache
    cur = levels[-1]
    cur_bits = np.empty((len(cur.counts), words), dtype=np.uint64)
    for s in range(0, len(cur.counts), chunk):
        e = s + chunk
        np.bitwise_and(item_bits[cur.sets[s:e, 0]], item_bits[cur.sets[s:e, 1]], out=cur_bits[s:e])
    k = 2
    while max_len is None or k < max_len:
        # candidates: join siblings (same (k-1)-prefix): (prefix, x) + (prefix, y), x < y
        par = cur.parent
        starts = np.flatnonzero(np.r_[True, par[1:] != par[:-1]])
        ends = np.r_[starts[1:], len(par)]
        gsize = ends - starts
        later = np.repeat(ends, gsize) - np.arange(len(par)) - 1  # siblings after each set
        n_cand = int(later.sum())
        if n_cand == 0:
            break
        if n_cand > MAX_CANDIDATES:

            def fits_c(t: int, cur: _Level = cur) -> bool:
                g = np.bincount(cur.parent[cur.counts >= t])
                return int((g * (g - 1) // 2).sum()) <= MAX_CANDIDATES

            t = _smallest_count(min_count, int(cur.counts.max()), fits_c)
            raise _refuse(
                note(N_("{k}-item candidate sets to count:"), k=k + 1),
                n_cand,
                MAX_CANDIDATES,
                t,
                n_baskets,
                min_support,
                k + 1,
            )
        left = np.repeat(np.arange(len(par)), later)
        offs = np.arange(n_cand) - np.repeat(np.cumsum(later) - later, later)
        right = left + 1 + offs
        last = cur.sets[right, k - 1]
        cand = np.concatenate([cur.sets[left], last[:, None]], axis=1)
        # apriori prune: every k-subset must be frequent (the two joined ones are)
        keep = np.ones(n_cand, dtype=bool)
        for p in range(k - 1):
            sub = np.delete(cand[keep], p, axis=1)
            _, found = _rank(levels, sub, n_items)
            idx = np.flatnonzero(keep)
            keep[idx[~found]] = False
        left, last, cand = left[keep], last[keep], cand[keep]
        if len(left) == 0:
            break
        if len(left) * words > MAX_BIT_WORK:
            budget = MAX_BIT_WORK // words

            def fits_w(t: int, cur: _Level = cur, budget: int = budget) -> bool:
                g = np.bincount(cur.parent[cur.counts >= t])
                return int((g * (g - 1) // 2).sum()) <= budget

            t = _smallest_count(min_count, int(cur.counts.max()), fits_w)
            raise _refuse(
                note(N_("{k}-item candidate sets to count:"), k=k + 1),
                len(left),
                budget,
                t,
                n_baskets,
                min_support,
                k + 1,
            )
        want_bits = max_len is None or k + 1 < max_len
        new_counts = np.empty(len(left), dtype=np.int64)
        kept_bits = []
        for s in range(0, len(left), chunk):
            e = s + chunk
            v = np.bitwise_and(cur_bits[left[s:e]], item_bits[last[s:e]])
            cnts = np.bitwise_count(v).sum(axis=1, dtype=np.int64)
            new_counts[s:e] = cnts
            if want_bits:
                kept_bits.append(v[cnts >= min_count])
        freq = new_counts >= min_count
        if not freq.any():
            break
        nxt = _Level(
            sets=cand[freq],
            counts=new_counts[freq],
            keys=left[freq] * n_items + last[freq],
            parent=left[freq],
        )
        levels.append(nxt)
        total = sum(len(lv.counts) for lv in levels)
        if total > MAX_ITEMSETS:
            allc = np.sort(np.concatenate([lv.counts for lv in levels[1:]]))[::-1]
            t = int(allc[MAX_ITEMSETS // 2]) + 1
            raise _refuse(
                note(N_("frequent itemsets found so far:")),
                total,
                MAX_ITEMSETS,
                t,
                n_baskets,
                min_support,
                k + 1,
            )
        cur = nxt
        cur_bits = np.concatenate(kept_bits) if want_bits else cur_bits[:0]
        k += 1
    timings.append(("count larger itemsets", time.perf_counter() - t0))
    return levels


def _rule_arrays(
    levels: list[_Level],
    n: int,
    n_items: int,
    min_confidence: float,
    min_lift: float,
) -> dict[str, np.ndarray]:
    """Every rule A ⇒ C from the itemsets, scored with mlxtend's formulas, then filtered."""
    out: dict[str, list[np.ndarray]] = {
        k: [] for k in ("kA", "rA", "kC", "rC", "cA", "cC", "cAC", "conf", "lift", "lev", "conv")
    }
    nf = float(n)
    for k in range(2, len(levels) + 1):
        lv = levels[k - 1]
        sets = lv.sets
        sAC = lv.counts / nf
        for mask in range(1, (1 << k) - 1):
            apos = [p for p in range(k) if mask >> p & 1]
            cpos = [p for p in range(k) if not mask >> p & 1]
            ra, fa = _rank(levels, sets[:, apos], n_items)
            rc, fc = _rank(levels, sets[:, cpos], n_items)
            if not (fa.all() and fc.all()):  # pragma: no cover - anti-monotonicity broken
                raise AssertionError("a subset of a frequent itemset was not frequent")
            cA = levels[len(apos) - 1].counts[ra]
            cC = levels[len(cpos) - 1].counts[rc]
            sA, sC = cA / nf, cC / nf
            # exactly mlxtend's association_rules arithmetic (complete data: dis* = 0)
            conf = (sAC * (nf - 0.0)) / (sA * (nf - 0.0) - 0.0)
            keep = conf >= min_confidence
            lift = conf / sC
            keep &= lift >= min_lift
            if not keep.any():
                continue
            conf_k, sC_k = conf[keep], sC[keep]
            conv = np.full(len(conf_k), np.inf)
            lt1 = conf_k < 1.0
            conv[lt1] = (1.0 - sC_k[lt1]) / (1.0 - conf_k[lt1])
            m = int(keep.sum())
            out["kA"].append(np.full(m, len(apos)))
            out["rA"].append(ra[keep])
            out["kC"].append(np.full(m, len(cpos)))
            out["rC"].append(rc[keep])
            out["cA"].append(cA[keep])
            out["cC"].append(cC[keep])
            out["cAC"].append(lv.counts[keep])
            out["conf"].append(conf_k)
            out["lift"].append(lift[keep])
            out["lev"].append(sAC[keep] - sA[keep] * sC_k)
            out["conv"].append(conv)
    return {k: (np.concatenate(v) if v else np.empty(0, dtype=np.float64)) for k, v in out.items()}


def _n_rule_candidates(levels: list[_Level]) -> int:
    return sum(len(levels[k - 1].counts) * ((1 << k) - 2) for k in range(2, len(levels) + 1))


def _tuples(ids: np.ndarray, sets: np.ndarray) -> np.ndarray:
    """Object array of id tuples, one per row of ``sets``."""
    cols = [ids[sets[:, p]] for p in range(sets.shape[1])]
    return np.fromiter(zip(*cols, strict=True), dtype=object, count=len(sets))


def _joined(names: np.ndarray, sets: np.ndarray) -> np.ndarray:
    """Object array of readable names joined with `` + ``, one per row of ``sets``."""
    out = names[sets[:, 0]].copy()
    for p in range(1, sets.shape[1]):
        out = out + " + " + names[sets[:, p]]
    return out


def _rules_frame(
    ra: dict[str, np.ndarray],
    tuples: list[np.ndarray],
    labels: list[np.ndarray],
    nf: float,
) -> pd.DataFrame:
    """The rules table; ``tuples[k-1][r]`` / ``labels[k-1][r]`` are the ids / readable name of
    the r-th frequent k-itemset (shared by the itemsets table: no per-rule joins)."""
    if len(ra["conf"]) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in RULE_COLUMNS})
    order = np.lexsort(
        (np.arange(len(ra["conf"])), -ra["cAC"], -ra["conf"], -ra["lift"])
    )  # lift, then confidence, then support, largest first; ties in generation order
    ra = {k: v[order] for k, v in ra.items()}
    n_r = len(order)
    ante = np.empty(n_r, dtype=object)
    cons = np.empty(n_r, dtype=object)
    a_lab = np.empty(n_r, dtype=object)
    c_lab = np.empty(n_r, dtype=object)
    for side_k, side_r, t_out, l_out in (("kA", "rA", ante, a_lab), ("kC", "rC", cons, c_lab)):
        for k in np.unique(ra[side_k]):
            where = ra[side_k] == k
            t_out[where] = tuples[int(k) - 1][ra[side_r][where]]
            l_out[where] = labels[int(k) - 1][ra[side_r][where]]
    names = a_lab + " → " + c_lab
    return pd.DataFrame(
        {
            "antecedents": ante,
            "consequents": cons,
            "names": names,
            "antecedent_support": ra["cA"] / nf,
            "consequent_support": ra["cC"] / nf,
            "support": ra["cAC"] / nf,
            "count": ra["cAC"].astype(np.int64),
            "confidence": ra["conf"],
            "lift": ra["lift"],
            "leverage": ra["lev"],
            "conviction": ra["conv"],
        }
    )


def _best_rule(levels: list[_Level], n: int, n_items: int) -> tuple[float, float] | None:
    ra = _rule_arrays(levels, n, n_items, 0.0, 0.0)
    if len(ra["conf"]) == 0:
        return None
    return float(ra["conf"].max()), float(ra["lift"].max())


def _suggest_from_codes(
    b: np.ndarray, i: np.ndarray, n: int, n_items: int, *, target: int
) -> float | None:
    """Support of the ``target``-th most frequent pair (or of the last pair when fewer)."""
    counts = np.bincount(i, minlength=n_items)
    t = 2
    # restrict to the most frequent items until the pair count fits the work limit
    while True:
        sel = counts[i] >= t
        if _pair_work(b[sel], n) <= MAX_PAIR_WORK:
            break
        t = max(t + 1, int(t * 1.5))
    b2, i2 = b[sel], i[sel]
    a, _, cnt = _count_pairs(b2, i2, n, n_items, 1)
    if len(cnt) == 0:
        return None
    top = np.sort(cnt)[::-1]
    c = int(top[min(target, len(top)) - 1])
    return c / n
