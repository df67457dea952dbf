"""Frequently bought together, and what a bundle could add (the what-if)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ecomdash import schema as S
from ecomdash.basket.encode import BasketPairs, _encode_any, _positions_kept
from ecomdash.basket.results import BasketResult, BundleWhatIf, _check_count, _check_range
from ecomdash.errors import InsufficientDataError, ParameterError
from ecomdash.i18n import N_, _, _n, fmt
from ecomdash.i18n.note import note


def frequently_bought_together(
    data: BasketResult | pd.DataFrame | BasketPairs,
    product_id: str,
    *,
    k: int = 3,
    basket: str = "order",
    level: str = "product",
    include_non_product: bool = False,
) -> pd.DataFrame:
    """The ``k`` items most often in the same basket as ``product_id`` (Amazon-style).

    ``data`` is either a :class:`BasketResult` (uses its frequent pairs: fast, limited to
    frequent items) or the order lines (exact, every item), or the store's
    :class:`BasketPairs` built for these settings (exact, the same answer without the lines). Columns: ``item``, ``name``,
    ``together`` (baskets with both), ``share`` (of the baskets with ``product_id``, how many
    also hold the item — the rule's confidence), ``lift``. Sorted by ``together``, then lift.
    """
    _check_count("k", k, "frequently_bought_together")
    product_id = str(product_id)
    cols = ["item", "name", "together", "share", "lift"]
    if isinstance(data, BasketResult):
        pairs = data.itemsets[data.itemsets["size"] == 2]
        n = data.n_baskets
        hit = data.items.loc[data.items["item"] == product_id, "count"]
        if len(hit) == 0:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
        c_p = int(hit.iloc[0])
        counts = dict(zip(data.items["item"], data.items["count"], strict=True))
        rows = []
        for itemset, cnt in zip(pairs["itemset"], pairs["count"], strict=True):
            if product_id in itemset:
                other = itemset[0] if itemset[1] == product_id else itemset[1]
                rows.append((other, int(cnt), counts[other]))
        if not rows:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
        other, together, c_o = (np.asarray(x) for x in zip(*rows, strict=True))
        names = np.asarray([data.name_of(o) for o in other], dtype=object)
    else:  # the lines, or the store's BasketPairs for these settings (the same baskets)
        enc, name_of = _encode_any(
            data,
            basket=basket,
            level=level,
            include_non_product=include_non_product,
            func="frequently_bought_together",
        )
        n = enc.n_baskets
        pos = np.searchsorted(enc.items.astype(str), product_id)
        if pos >= len(enc.items) or str(enc.items[pos]) != product_id or n == 0:
            raise ParameterError(
                note(
                    N_(
                        "Product {product} is not in the {n} baskets analysed (after removing "
                        "returns, cancelled sales and non-product lines, and the global "
                        "filters). Pick a product from the list."
                    ),
                    product=repr(product_id),
                    n=f"{n:,}",
                )
            )
        has = np.zeros(n, dtype=bool)
        has[enc.b[enc.i == pos]] = True
        c_p = int(has.sum())
        if c_p == 0:
            raise ParameterError(
                note(
                    N_(
                        "Product {product} is not in the {n} baskets analysed. Pick a product "
                        "from the list."
                    ),
                    product=repr(product_id),
                    n=f"{n:,}",
                )
            )
        all_counts = np.bincount(enc.i, minlength=len(enc.items))
        co = np.bincount(enc.i[has[enc.b]], minlength=len(enc.items))
        co[pos] = 0
        idx = np.flatnonzero(co)
        if len(idx) == 0:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
        together = co[idx]
        c_o = all_counts[idx]
        other = np.asarray([str(x) for x in enc.items[idx]], dtype=object)
        names = name_of(idx)
    lift = (together / c_p) / (c_o / n)
    order = np.lexsort((other.astype(str), -lift, -together))[:k]
    return pd.DataFrame(
        {
            "item": other[order],
            "name": names[order],
            "together": together[order].astype(np.int64),
            "share": together[order] / c_p,
            "lift": lift[order],
        }
    ).reset_index(drop=True)


def bundle_whatif(
    lines: pd.DataFrame | BasketPairs,
    antecedent: Sequence[str] | str,
    consequent: Sequence[str] | str,
    *,
    share: float = 0.1,
    basket: str = "order",
    include_non_product: bool = False,
    item_lines: pd.DataFrame | None = None,
) -> BundleWhatIf:
    """Baskets with all of A but not all of B, and the extra revenue if ``share`` of them
    also took the missing B items (one unit each at B's average selling price:
    revenue / quantity over B's sale lines, or the mean unit price).

    ``lines``: the order lines, or the store's product-level :class:`BasketPairs` (built
    for ``basket`` and ``include_non_product``) with ``item_lines``, the lines of (at least)
    the B products in line order: the baskets come from the pairs, B's prices and units
    from those lines (every kept purchase line, not cancelled, is read, as from the whole
    lines), so the answer is the same without every line in memory (at 10 M lines the
    whole lines took the app server past 7.9 GB)."""
    func = "bundle_whatif"
    share = _check_range("share", share, 0.0, 1.0, func)
    a = (antecedent,) if isinstance(antecedent, str) else tuple(str(x) for x in antecedent)
    c = (consequent,) if isinstance(consequent, str) else tuple(str(x) for x in consequent)
    if not a or not c or set(a) & set(c):
        raise ParameterError(
            note(
                N_(
                    "A bundle needs a non-empty antecedent and consequent with no item in "
                    "common. Got {antecedent} ⇒ {consequent}."
                ),
                antecedent=str(a),
                consequent=str(c),
            )
        )
    from_pairs = isinstance(lines, BasketPairs)
    if from_pairs and item_lines is None:
        raise TypeError("bundle_whatif on basket pairs needs item_lines (the B products' lines)")
    priced = item_lines if from_pairs else lines
    if S.UNIT_PRICE not in priced.columns and S.REVENUE not in priced.columns:
        raise InsufficientDataError(
            note(
                N_(
                    "The bundle what-if needs prices: this dataset has neither a unit price nor "
                    "a revenue column. Map one of them when uploading."
                )
            )
        )
    enc, name_of = _encode_any(
        lines, basket=basket, level="product", include_non_product=include_non_product, func=func
    )
    n = enc.n_baskets
    ids = enc.items.astype(str)
    pos = {}
    for item in a + c:
        p = int(np.searchsorted(ids, item))
        if p >= len(ids) or ids[p] != item:
            raise ParameterError(
                note(
                    N_(
                        "Product {product} is not in the {n} baskets analysed. Pick products "
                        "from the rules table."
                    ),
                    product=repr(item),
                    n=f"{n:,}",
                )
            )
        pos[item] = p
    hold = {}
    for item, p in pos.items():
        h = np.zeros(n, dtype=bool)
        h[enc.b[enc.i == p]] = True
        hold[item] = h
    has_a = np.logical_and.reduce([hold[x] for x in a])
    has_c = np.logical_and.reduce([hold[x] for x in c])
    target = has_a & ~has_c

    sale = priced.iloc[_positions_kept(priced, include_non_product)]
    prices = []
    for item in c:
        rows = sale[sale[S.PRODUCT_ID] == item]
        sums = {
            "revenue": float(rows[S.REVENUE].sum()) if S.REVENUE in rows else math.nan,
            "units": float(rows[S.QUANTITY].sum()) if S.QUANTITY in rows else math.nan,
            "mean_unit_price": _mean(rows, S.UNIT_PRICE),
            "mean_revenue": _mean(rows, S.REVENUE),
        }
        prices.append((item, avg_price(**sums), sums["units"]))
    names = name_of(np.asarray([pos[x] for x in c]))
    price_df = pd.DataFrame(
        {
            "item": [p[0] for p in prices],
            "name": names,
            "avg_price": [p[1] for p in prices],
            "units_sold": [p[2] for p in prices],
        }
    )
    # each target basket buys the B items it is missing
    missing_value = np.zeros(n)
    for item, price, _units in prices:
        missing_value += np.where(~hold[item], price, 0.0)
    n_target = int(target.sum())
    extra_revenue = share * float(missing_value[target].sum()) if n_target else 0.0
    warnings = []
    if n_target < 30:
        warnings.append(
            note(
                N_("Only {n} baskets have A without B: the estimate rests on very few baskets."),
                n=f"{n_target:,}",
            )
        )
    if any(math.isnan(p[1]) for p in prices):
        warnings.append(
            note(N_("Some B items have no usable price; the extra revenue is unknown."))
        )
    return BundleWhatIf(
        antecedent=a,
        consequent=c,
        share=share,
        n_baskets=n,
        n_with_antecedent=int(has_a.sum()),
        n_with_both=int((has_a & has_c).sum()),
        n_antecedent_only=n_target,
        prices=price_df,
        extra_orders=share * n_target,
        extra_revenue=extra_revenue,
        warnings=tuple(warnings),
    )


def _mean(rows: pd.DataFrame, col: str) -> float:
    return float(rows[col].mean()) if col in rows and len(rows) else math.nan


def avg_price(revenue: float, units: float, mean_unit_price: float, mean_revenue: float) -> float:
    """A product's average selling price over its kept purchase lines, from their sums (NaN
    for a column the dataset lacks): revenue / units when both are known and units > 0, else
    the mean unit price, else the mean line revenue, else NaN. The one rule the bundle
    what-if prices B with, from the lines or from the store's ``product_prices`` (SQL).

    >>> avg_price(30.0, 4.0, 9.0, 10.0), avg_price(math.nan, math.nan, 9.0, math.nan)
    (7.5, 9.0)
    >>> avg_price(math.nan, 3.0, math.nan, 12.0), math.isnan(avg_price(0.0, 0.0, math.nan, math.nan))
    (12.0, True)
    """
    if math.isfinite(revenue) and math.isfinite(units) and units > 0:
        return revenue / units
    if math.isfinite(mean_unit_price):
        return float(mean_unit_price)
    if math.isfinite(mean_revenue):
        return float(mean_revenue)
    return math.nan


def avg_prices_dataset(
    store, dataset_id: str, filters, products: Sequence[str], *, include_non_product: bool = False
) -> dict[str, float]:
    """:func:`avg_price` of each of ``products`` in a stored dataset, from one SQL aggregate of
    those products' kept purchases (``Store.product_prices``, both engines), not their lines:
    the prices the Basket page, the Home's bundle finding and the report's digest rank
    bundles by."""
    sums = store.product_prices(
        dataset_id, filters, tuple(products), keep_non_product=include_non_product
    )
    cols = ["revenue", "units", "mean_unit_price", "mean_revenue"]
    return {
        str(p): avg_price(*vals)
        for p, *vals in zip(sums["product_id"], *(sums[c] for c in cols), strict=True)
    }


def bundle_whatif_dataset(
    store,
    dataset_id: str,
    filters,
    antecedent: Sequence[str] | str,
    consequent: Sequence[str] | str,
    *,
    share: float = 0.1,
    basket: str = "order",
    include_non_product: bool = False,
    pairs: BasketPairs | None = None,
) -> BundleWhatIf:
    """:func:`bundle_whatif` of a stored dataset without every line in memory: the baskets
    from the store's (basket, product) codes (``pairs``, when the caller has them cached, else
    ``Store.basket_pairs``) and B's price from B's lines alone (``Store.product_lines``); on
    the Spark engine, which has no basket pairs, from the columns the what-if reads. The same
    result as :func:`bundle_whatif` on the lines (at 10 M lines every line held the server
    past 7.9 GB while the Home ran this)."""
    from ecomdash.basket.results import line_columns
    from ecomdash.engine import on_spark

    kw = {"share": share, "basket": basket, "include_non_product": include_non_product}
    cols = line_columns(basket, "product")
    if on_spark(store):
        return bundle_whatif(
            store.load_columns(dataset_id, filters, cols), antecedent, consequent, **kw
        )
    cons = (consequent,) if isinstance(consequent, str) else tuple(consequent)
    if pairs is None:
        pairs = store.basket_pairs(
            dataset_id,
            filters,
            basket=basket,
            level="product",
            include_non_product=include_non_product,
        )
    items = store.product_lines(dataset_id, filters, cols, products=cons)
    return bundle_whatif(pairs, antecedent, consequent, item_lines=items, **kw)


def whatif_figures(w: BundleWhatIf) -> dict[str, str]:
    """A bundle what-if's figures as a merchant reads them, in this run's language and the
    currency of :func:`ecomdash.i18n.fmt.use_currency`: the one rounding the Basket page's
    what-if and the Home's bundle finding both write (build per run, never cache: it
    translates). Orders come whole and an estimate is no more precise than it is, so:

    * ``share``: the share assumed to take B ("10 %"); ``n``: the orders with A but not B
      ("929");
    * ``sales``: the extra sales of B, ``share`` × ``n`` in whole orders, rounded half up
      (:func:`fmt.whole`): "about 93 more sales" (92.9), "about 1 more sale", "less than one
      more sale" (below one half but above none), "no more sales";
    * ``revenue``: the extra revenue as sentences write an estimate (:func:`fmt.money_about`:
      "£1,200", "£18.3k"), "" when a B item has no usable price;
    * ``price``: B's average selling price, exact ("£12.99"), when B is one item with a price;
      else "".

    The :class:`BundleWhatIf` itself keeps the exact ``extra_orders`` and ``extra_revenue``.
    """
    exact = float(w.extra_orders)
    k = fmt.whole(exact)
    if k >= 1:
        sales = _n("about {n} more sale", "about {n} more sales", k, n=f"{k:,}")
    elif exact > 0:
        sales = _("less than one more sale")
    else:
        sales = _("no more sales")
    known = math.isfinite(w.extra_revenue)
    prices = w.prices["avg_price"].tolist() if len(w.prices) else []
    one_price = len(w.consequent) == 1 and len(prices) == 1 and math.isfinite(prices[0])
    return {
        "share": fmt.pct(w.share, 0),
        "n": f"{w.n_antecedent_only:,}",
        "sales": sales,
        "revenue": fmt.money_about(w.extra_revenue) if known else "",
        "price": fmt.money(float(prices[0])) if one_price else "",
    }
