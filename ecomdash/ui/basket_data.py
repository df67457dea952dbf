"""Basket analysis page, its cached adapters: the (basket, item) pairs from the store's SQL,
the mining, the check on later orders, frequently bought together and the bundle what-if,
keyed by ``ctx.key`` and small tuples (never by a frame). The form and the page are in
:mod:`ecomdash.ui.basket`, the result tabs in :mod:`ecomdash.ui.basket_views`."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ecomdash import basket as B
from ecomdash.engine import on_spark
from ecomdash.filters import Filters
from ecomdash.i18n import _
from ecomdash.ui.common import cached_columns, get_store
from ecomdash.ui.worker import run_in_worker

#: the form's settings on arrival (the home's bundle finding reads the same result)
DEFAULTS = (0.01, 0.0, 1.0, None, "order", "product", False)


# --- cached adapters (keyed by ctx.key + small tuples, never by a frame) ---------------------


def basket_lines(key: tuple, basket: str = "order", level: str = "product") -> pd.DataFrame:
    """Only the columns basket analysis reads for ``basket``/``level`` (Arrow-backed text)."""
    return cached_columns(key, B.line_columns(basket, level))


@st.cache_data(max_entries=8, ttl=3600, show_spinner=False)
def basket_pairs(key: tuple, basket: str, level: str, include_non_product: bool) -> B.BasketPairs:
    """The (basket, item) codes mining counts, computed in SQL (int32; no lines loaded)."""
    workspace, dataset_id, _version, fkey = key
    return get_store(workspace).basket_pairs(
        dataset_id,
        Filters.from_key(fkey),
        basket=basket,
        level=level,
        include_non_product=include_non_product,
    )


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def n_baskets(key: tuple, basket: str, level: str, include_non_product: bool) -> int:
    return B.count_baskets(
        basket_pairs(key, basket, level, include_non_product),
        basket=basket,
        level=level,
        include_non_product=include_non_product,
    )


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def mine(key: tuple, params: tuple) -> B.BasketResult:
    kw = mining_kwargs(params)
    workspace, dataset_id, _version, fkey = key
    store = get_store(workspace)
    if on_spark(store):  # FP-Growth on the cluster
        return B.mine_dataset(store, dataset_id, Filters.from_key(fkey), **kw)
    pairs = basket_pairs(key, kw["basket"], kw["level"], kw["include_non_product"])
    # mining runs in a worker process, killed if the page's budget runs out
    return run_in_worker(B.mine, pairs, **kw, what=_("Mining the rules"))


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def holdout(key: tuple, params: tuple) -> B.HoldoutResult:
    kw = mining_kwargs(params)
    workspace, dataset_id, _version, fkey = key
    store = get_store(workspace)
    # on DuckDB the lines per day and each side's basket pairs from the store's SQL: every line
    # with its earlier and later copies held the server at 7.6-7.8 GB on the 10 M walk (mem9,
    # mem10); on Spark the columns the check reads
    return B.holdout_check_dataset(store, dataset_id, Filters.from_key(fkey), **kw)


def mining_kwargs(params: tuple) -> dict:
    """The form's parameter tuple as keyword arguments of basket.mine / holdout_check."""
    s, c, lift, max_len, basket, level, incl = params
    return {
        "min_support": s,
        "min_confidence": c,
        "min_lift": lift,
        "max_len": max_len,
        "basket": basket,
        "level": level,
        "include_non_product": incl,
    }


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def fbt(key: tuple, basket: str, level: str, incl: bool, item: str, k: int) -> pd.DataFrame:
    workspace = key[0]
    if on_spark(get_store(workspace)):
        data = basket_lines(key, basket, level)
    else:  # the cached pairs mining reads: the same baskets, without every line in memory
        data = basket_pairs(key, basket, level, incl)
    return B.frequently_bought_together(
        data, item, k=k, basket=basket, level=level, include_non_product=incl
    )


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def whatif(
    key: tuple, basket: str, incl: bool, ante: tuple, cons: tuple, share: float
) -> B.BundleWhatIf:
    workspace, dataset_id, _version, fkey = key
    store = get_store(workspace)
    return B.bundle_whatif_dataset(
        store,
        dataset_id,
        Filters.from_key(fkey),
        ante,
        cons,
        share=share,
        basket=basket,
        include_non_product=incl,
        # the baskets from the pairs mining reads (cached); on Spark the lines are read instead
        pairs=None if on_spark(store) else basket_pairs(key, basket, "product", incl),
    )


def default_result(key: tuple) -> B.BasketResult:
    """The basket analysis with the page's default settings (cached; shared with the home)."""
    return mine(key, DEFAULTS)


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def prices(key: tuple, incl: bool, products: tuple) -> dict[str, float]:
    """Each product's average selling price (``basket.avg_price``) over its kept purchases:
    one SQL aggregate over ``products`` (both engines), not their lines."""
    workspace, dataset_id, _version, fkey = key
    return B.avg_prices_dataset(
        get_store(workspace), dataset_id, Filters.from_key(fkey), products, include_non_product=incl
    )


def default_prices(key: tuple, products: tuple) -> dict[str, float]:
    """:func:`prices` at the default basket settings (the Home's bundle finding)."""
    return prices(key, DEFAULTS[6], products)


def default_whatif(key: tuple, antecedent: tuple, consequent: tuple, share: float):
    """The bundle what-if of one rule at the default basket settings (cached)."""
    return whatif(key, DEFAULTS[4], DEFAULTS[6], antecedent, consequent, share)
