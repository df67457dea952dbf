"""The merchant of any size (``ecomdash.demo_scale``): sizes, determinism, distributions,
planted truths at 50 k lines, the streamed store save, the CSV export through the real
ingest, and ``ecomdash demo``.

Statistics are computed here with pandas from the lines (never through the analysis
modules) and compared with the plan / ``DemoTruth`` or with values worked out by hand.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from scipy import sparse

from ecomdash import demo_scale
from ecomdash import schema as S
from ecomdash.demo_scale import ONE_TIME_SHARE, generate_scaled, plan
from ecomdash.errors import ParameterError, StoreError
from ecomdash.labels import display_for
from ecomdash.schema import sales_lines
from ecomdash.store import Store

N = 50_000


@pytest.fixture(scope="module")
def big():
    return generate_scaled(N, seed=11)


@pytest.fixture(scope="module")
def lines(big) -> pd.DataFrame:
    return big.to_pandas()


@pytest.fixture(scope="module")
def sales(lines) -> pd.DataFrame:
    return sales_lines(lines)


# --------------------------------------------------------------------------------------
# Sizes and shape
# --------------------------------------------------------------------------------------


def test_schema_order_and_line_numbers(big, lines):
    assert {c: str(t) for c, t in lines.dtypes.items()} == {
        c: str(pd.Series(dtype=t).dtype) for c, t in S.DTYPES.items()
    }
    assert (lines["line_no"].to_numpy() == np.arange(1, len(lines) + 1)).all()
    assert lines["order_date"].is_monotonic_increasing
    assert lines["order_date"].min() >= pd.Timestamp(big.truth.start)
    assert lines["order_date"].max() < pd.Timestamp(big.truth.end) + pd.Timedelta(days=1)
    np.testing.assert_allclose(
        lines["revenue"], (lines["quantity"] * lines["unit_price"]).round(2), atol=1e-9
    )
    assert lines["order_id"].str.fullmatch(r"C?\d{6,}").all()
    assert lines["customer_id"].dropna().str.fullmatch(r"\d{6,}").all()
    # no product twice in an order (a real basket has one line per product)
    assert not lines.duplicated(["order_id", "product_id"]).any()


@pytest.mark.parametrize("n", [5_000, 20_000, N])
def test_size_within_two_percent(n, big, lines):
    got = len(lines) if n == N else sum(b.num_rows for b in generate_scaled(n).batches())
    assert abs(got / n - 1) < 0.02, (n, got)


def test_deterministic_for_a_seed_and_size():
    a = pa.Table.from_batches(list(generate_scaled(20_000, seed=3).batches()))
    b = pa.Table.from_batches(list(generate_scaled(20_000, seed=3).batches()))
    c = pa.Table.from_batches(list(generate_scaled(20_000, seed=4).batches()))
    assert a.equals(b)
    assert not a.equals(c)


def test_plan_grows_like_a_shop():
    """The issue's guide: 10 M lines ≈ 1 M customers, 30 k products, 3 years."""
    p10 = plan(10_000_000)
    assert p10.customers == pytest.approx(1_000_000, rel=0.1)
    assert p10.products == 30_000
    assert p10.days == 1095 and str(p10.start) == "2023-11-02"  # 3 years to 2026-10-31
    p1, p01 = plan(1_000_000), plan(100_000)
    assert p1.days == 730 and p01.days == 365
    # customers grow with the lines, products more slowly (30 k × 10 ** -0.6 at 1 M)
    assert p1.customers == pytest.approx(p10.customers / 10, rel=0.05)
    assert p1.products == round(30_000 * 0.1**0.6)
    assert p01.products < p1.products < p10.products
    assert p01.categories < p1.categories < p10.categories
    assert p10.one_time_customers / p10.customers == pytest.approx(ONE_TIME_SHARE, abs=0.01)


def test_bad_sizes_explained():
    with pytest.raises(ParameterError, match="between 5,000 and"):
        plan(100)


def test_customers_are_a_tenth_of_lines_and_most_buy_once(big, sales):
    buyers = sales[sales["customer_id"].notna()]
    orders_per = buyers.groupby("customer_id")["order_id"].nunique()
    assert len(orders_per) / N == pytest.approx(0.1, rel=0.1)
    # every planned one-time buyer has exactly one order; repeat customers have two or more
    once = orders_per.eq(1).mean()
    assert once == pytest.approx(ONE_TIME_SHARE, abs=0.03)
    in_group = orders_per.index.isin(big.truth.customer_groups.index)
    assert (orders_per[in_group] >= 2).all()
    assert (orders_per[~in_group] == 1).all()


def test_new_customers_keep_arriving(sales):
    """One-time buyers are spread over the period: every quarter has first orders."""
    first = sales.dropna(subset=["customer_id"]).groupby("customer_id")["order_date"].min()
    per_quarter = first.dt.to_period("Q").value_counts().sort_index()
    assert (per_quarter.iloc[1:] > 0.05 * len(first)).all()


def test_long_tail_of_products(big, sales):
    """Top 1 % of catalogue products carry far more than 1 % of catalogue lines — at least
    a fifth — and about the Zipf popularity share they were given (0.9 exponent)."""
    prods = big.truth.products
    cat = prods.loc[prods["kind"] == "catalogue"]
    counts = sales.loc[sales["product_id"].isin(cat["product_id"]), "product_id"].value_counts()
    top = max(1, round(0.01 * len(cat)))
    share = counts.iloc[:top].sum() / counts.sum()
    ranks = np.arange(1, len(cat) + 1)
    zipf_share = (1 / ranks[:top] ** 0.9).sum() / (1 / ranks**0.9).sum()  # by hand
    assert share > 0.2
    assert share == pytest.approx(zipf_share, rel=0.35)
    # and the bottom half of the catalogue still sells, a little
    bottom = (
        counts.reindex(cat["product_id"], fill_value=0).sort_values().iloc[: len(cat) // 2].sum()
        / counts.sum()
    )
    assert 0.05 < bottom < 0.25


def test_products_grow_with_lines(lines):
    small = generate_scaled(10_000).to_pandas()
    assert small["product_id"].nunique() < lines["product_id"].nunique()


# --------------------------------------------------------------------------------------
# Planted truths at 50 k lines
# --------------------------------------------------------------------------------------


def test_bundles_keep_their_lift(big, sales):
    n_orders = sales["order_id"].nunique()
    orders_of = sales.groupby("product_id")["order_id"].agg(set)
    for b in big.truth.bundles:
        a, c = set(orders_of[b.antecedent]), set(orders_of[b.consequent])
        both = len(a & c)
        lift = both / n_orders / ((len(a) / n_orders) * (len(c) / n_orders))
        tol = 3.5 / np.sqrt(both)  # relative SE of the lift ≈ 1/sqrt(co-occurrences)
        assert lift == pytest.approx(b.lift, rel=tol), b
        assert both / n_orders == pytest.approx(b.support, rel=tol), b


def test_bundles_are_the_only_strong_pairs(big, sales):
    pairs = sales[["order_id", "product_id"]].drop_duplicates()
    n_orders = pairs["order_id"].nunique()
    share = pairs["product_id"].value_counts() / n_orders
    frequent = share[share >= 0.005].index
    pairs = pairs[pairs["product_id"].isin(frequent)]
    rows, _ = pd.factorize(pairs["order_id"])
    cols = pd.Index(frequent).get_indexer(pairs["product_id"])
    onehot = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)))
    together = (onehot.T @ onehot).toarray() / n_orders
    p = np.diag(together)
    lift = together / np.outer(p, p)
    ids = np.asarray(frequent)
    strong = {
        frozenset((ids[i], ids[j]))
        for i, j in zip(*np.nonzero((together >= 0.005) & (lift > 2.5)), strict=True)
        if i < j
    }
    assert strong == {frozenset((b.antecedent, b.consequent)) for b in big.truth.bundles}


def test_customer_groups_recoverable_by_kmeans(big, lines, sales):
    """As in test_demo: k-means (k = 5) on log1p-standardised RFM-style features of the
    repeat customers recovers the planted groups (one-time buyers are in no group)."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score

    groups = big.truth.customer_groups
    end = pd.Timestamp(big.truth.end) + pd.Timedelta(days=1)
    reg = sales[sales["customer_id"].isin(groups.index)]
    per_order = (
        reg.groupby(["customer_id", "order_id"])
        .agg(date=("order_date", "min"), value=("revenue", "sum"))
        .reset_index()
    )
    g = per_order.groupby("customer_id")
    f = pd.DataFrame(
        {
            "recency": (end - g["date"].max()).dt.days,
            "frequency": g.size(),
            "monetary": g["value"].sum(),
            "aov": g["value"].mean(),
            "tenure": (end - g["date"].min()).dt.days,
        }
    )
    f["inter_purchase"] = (f["tenure"] - f["recency"]) / (f["frequency"] - 1).clip(lower=1)
    f["breadth"] = reg.groupby("customer_id")["category"].nunique()
    returned = lines[lines["is_return"] & lines["customer_id"].isin(groups.index)]
    f["return_rate"] = returned.groupby("customer_id").size().reindex(f.index).fillna(
        0
    ) / reg.groupby("customer_id").size().reindex(f.index)
    f = f.astype(float)
    assert set(f.index) == set(groups.index)
    x = np.log1p(f.to_numpy())
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    labels = KMeans(n_clusters=5, n_init=10, random_state=0).fit_predict(x)
    assert adjusted_rand_score(groups.reindex(f.index).to_numpy(), labels) >= 0.8
    med = f.groupby(groups.reindex(f.index)).median()
    assert med["frequency"].idxmax() == "frequent small"
    assert med["aov"].idxmax() == "bulk buyers"
    assert med["recency"].idxmax() == "lapsed regulars"


def test_churners_stop_buying(big, lines):
    churn = big.truth.churners
    assert len(churn) > 0
    assert set(churn.index) <= set(big.truth.customer_groups.index)
    reg = lines.dropna(subset=["customer_id"])
    last = reg.groupby("customer_id")["order_date"].max()
    assert (last.reindex(churn.index) < churn).all()


def test_premium_returns_most(big, sales, lines):
    groups = big.truth.customer_groups
    sold = sales.dropna(subset=["customer_id"])
    rate = (
        sold.assign(g=sold["customer_id"].map(groups))
        .groupby("g")["is_cancelled"]
        .mean()
        .sort_values()
    )
    assert rate.index[-1] == "premium"
    assert rate["premium"] == pytest.approx(0.12, abs=0.03)


def test_price_changes_and_elasticity(big, sales):
    """Units of an elastic product per order before/after its change ≈ (new/old) ** e."""
    n_per_day = sales.groupby(sales["order_date"].dt.normalize())["order_id"].nunique()
    for row in big.truth.price_changes.itertuples():
        e = big.truth.elasticity[row.product_id]
        mine = sales[sales["product_id"] == row.product_id]
        before = mine["order_date"] < row.date
        # per-order probability before and after (orders with the product / all orders)
        p_before = (
            mine.loc[before, "order_id"].nunique() / n_per_day[n_per_day.index < row.date].sum()
        )
        p_after = (
            mine.loc[~before, "order_id"].nunique() / n_per_day[n_per_day.index >= row.date].sum()
        )
        expected = (row.new_price / row.old_price) ** e
        n_small = min(before.sum(), (~before).sum())
        assert p_after / p_before == pytest.approx(expected, rel=4 / np.sqrt(n_small)), row
        assert set(mine.loc[~before, "unit_price"]) == {row.new_price}


def test_seasonality_black_friday_and_weekends(big, sales):
    per_day = sales.groupby(sales["order_date"].dt.normalize())["order_id"].nunique()
    expected = big.truth.expected_orders
    # orders per day follow the planted expectation (correlation over the year)
    assert np.corrcoef(per_day.reindex(expected.index, fill_value=0), expected)[0, 1] > 0.6
    bf = [d for h in big.truth.holiday_peak if h.name == "Black Friday" for d in h.dates]
    assert bf
    assert per_day.loc[pd.Timestamp(bf[0])] > 2 * per_day.median()
    by_dow = per_day.groupby(per_day.index.day_of_week).mean()
    assert by_dow.idxmax() == 5  # Saturday, the largest weekly multiplier (1.25)


def test_favourite_categories_dominate_their_buyers_baskets(big, sales):
    """The demo's favourite boost exp(3) ≈ 20: with 2 of 10 equal categories favoured a
    draw lands in them with probability 20·0.2 / (20·0.2 + 0.8) ≈ 0.83 (by hand), far above
    the 0.2 their size gives; customers without favourites show no such pull."""
    favs = big.truth.favourite_categories
    cat_products = big.truth.products.query("kind == 'catalogue'")["product_id"]
    reg = sales[sales["customer_id"].isin(favs.index) & sales["product_id"].isin(cat_products)]
    fav_of = reg["customer_id"].map(favs)
    in_fav = np.array([c in f for c, f in zip(reg["category"], fav_of, strict=True)])
    has = fav_of.map(len).to_numpy() > 0
    assert in_fav[has].mean() > 0.7
    # a customer without favourites: lines in two random categories ≈ their share (≈ 0.2)
    rng = np.random.default_rng(0)
    cats = np.array(sorted(sales["category"].dropna().unique()))
    pair = {c: set(rng.choice(cats, 2, replace=False)) for c in reg.loc[~has, "customer_id"]}
    chance = np.mean(
        [c in pair[k] for c, k in zip(reg["category"][~has], reg["customer_id"][~has], strict=True)]
    )
    assert chance < 0.35


def test_categories_are_named_like_the_demo(big, lines):
    cats = set(lines["category"].dropna())
    assert len(cats) == big.plan.categories
    assert {"Kitchen", "Home Decor"} <= cats


# --------------------------------------------------------------------------------------
# Streaming: several chunks, returns held until their date
# --------------------------------------------------------------------------------------


def test_chunks_stream_in_time_order_with_returns_after_sales(monkeypatch):
    monkeypatch.setattr(demo_scale, "_CHUNK_ORDERS", 500)
    batches = list(generate_scaled(20_000, seed=5).batches())
    assert len(batches) > 5
    df = pa.Table.from_batches(batches).to_pandas()
    assert df["order_date"].is_monotonic_increasing
    assert (df["line_no"].to_numpy() == np.arange(1, len(df) + 1)).all()
    ret = df[df["is_return"]]
    sale = df[~df["is_return"]].set_index(["order_id", "product_id"])
    orig = sale.loc[list(zip(ret["order_id"].str[1:], ret["product_id"], strict=True))]
    assert orig["is_cancelled"].all()
    assert (orig["order_date"].to_numpy() < ret["order_date"].to_numpy()).all()
    assert (orig["quantity"].to_numpy() == -ret["quantity"].to_numpy()).all()
    assert df["is_cancelled"].sum() == len(ret)


# --------------------------------------------------------------------------------------
# Sinks: store and CSV export
# --------------------------------------------------------------------------------------


def test_store_save_streams_the_same_lines(tmp_path):
    small = generate_scaled(10_000, seed=2)
    store = Store.open(tmp_path)
    try:
        info = demo_scale.save(small, store, "Big shop")
        back = store.load_lines(info.id)
    finally:
        store.close()
    want = small.to_pandas()
    assert info.rows == len(want) and info.source == "generated"
    assert info.report["rows_kept"] == len(want)
    # a pound shop like the demo: its tables, charts and report write £
    assert display_for(info.report).currency == "GBP"
    pd.testing.assert_frame_equal(
        back.sort_values("line_no").reset_index(drop=True)[list(want.columns)], want
    )


def test_store_save_is_all_or_nothing_when_the_stream_fails(tmp_path, monkeypatch):
    """A stream that breaks after some batches leaves no dataset and no lines behind."""
    monkeypatch.setattr(demo_scale, "_CHUNK_ORDERS", 500)
    small = generate_scaled(10_000, seed=2)
    seen = []

    def progress(done: int) -> None:
        seen.append(done)
        if len(seen) == 3:
            raise RuntimeError("disk unplugged")

    store = Store.open(tmp_path)
    try:
        with pytest.raises(StoreError, match="disk unplugged"):
            demo_scale.save(small, store, "Broken", progress=progress)
        assert store.list_datasets() == []
        assert store._cur().execute("SELECT count(*) FROM lines").fetchone()[0] == 0
        counts: list[int] = []
        info = demo_scale.save(small, store, "Whole", progress=counts.append)
    finally:
        store.close()
    assert len(counts) > 3 and counts[-1] == info.rows and counts == sorted(counts)


def test_store_rejects_batches_of_another_shape(tmp_path):
    store = Store.open(tmp_path)
    try:
        reader = pa.RecordBatchReader.from_batches(pa.schema([("order_id", pa.string())]), iter([]))
        with pytest.raises(ParameterError, match="store's columns"):
            store.save_batches("x", reader, columns=("order_id",))
        assert store.list_datasets() == []
    finally:
        store.close()


def test_csv_export_round_trips_through_ingest(tmp_path):
    from ecomdash.ingest import load_path

    small = generate_scaled(20_000, seed=9)
    path = tmp_path / "shop.csv.gz"
    n = demo_scale.write_csv(small, path)
    want = small.to_pandas()
    assert n == len(want)
    got = load_path(path)
    assert got.mapping.as_dict() == {c: c for c in demo_scale.CSV_COLUMNS}
    lines = got.lines
    assert len(lines) == len(want)
    for col in ("order_id", "customer_id", "product_id", "product_name", "category", "country"):
        pd.testing.assert_series_equal(lines[col], want[col], check_names=False)
    # dates are written to the second (the generator draws whole seconds)
    assert (lines["order_date"].to_numpy() == want["order_date"].to_numpy()).all()
    np.testing.assert_allclose(lines["revenue"], want["revenue"])
    for flag in ("is_return", "is_non_product"):
        assert (lines[flag].to_numpy() == want[flag].to_numpy()).all(), flag
    # the ingest matches each registered customer's return to the sale it cancels
    reg = want["customer_id"].notna().to_numpy()
    assert lines["is_cancelled"].to_numpy()[reg].sum() == want["is_cancelled"].to_numpy()[reg].sum()


# --------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------


def test_cli_demo_then_datasets(capsys):
    from ecomdash.cli import main

    assert main(["demo", "--lines", "20000", "--name", "Big X", "--json"]) == 0
    made = json.loads(capsys.readouterr().out)
    assert made["name"] == "Big X" and abs(made["lines"] / 20_000 - 1) < 0.02
    assert main(["datasets", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["datasets"]
    assert [(d["name"], d["rows"], d["source"]) for d in listed] == [
        ("Big X", made["lines"], "generated")
    ]


def test_cli_demo_csv_and_errors(tmp_path, capsys):
    from ecomdash.cli import main

    path = tmp_path / "x.csv.gz"
    assert main(["demo", "--lines", "1e4", "--csv", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert path.exists() and out["lines"] > 9_000
    assert main(["demo", "--lines", "1e4"]) != 0
    assert "--name" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["demo", "--lines", "lots", "--name", "x"])
