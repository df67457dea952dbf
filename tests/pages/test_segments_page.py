"""Segments page in AppTest: numbers on the page match the core run on the stored lines."""

from __future__ import annotations

import pytest

from ecomdash.i18n import fmt
from ecomdash.segment import segment_customers
from ecomdash.store import Store
from ecomdash.ui.segment import DL_KEY, TAB_KEY
from ecomdash.ui.tables import MAX_ROWS_SHOWN
from tests.pages.conftest import run_page
from tests.pages.test_table_headers import displayed_headers

TABS = ("RFM segments", "Clusters by behaviour", "Why this cluster?", "Movement", "Download")


def open_tab(at, label: str):
    """Switch the page's tabs to ``label``, as a click on it does (only the open tab runs)."""
    at.session_state[TAB_KEY] = label
    at.run()
    assert not at.exception, at.exception
    return at


def _metric(at, label):
    found = [m for m in at.metric if m.label == label]
    assert found, f"no metric {label!r}; have {[m.label for m in at.metric]}"
    return found[0].value


@pytest.fixture
def core(demo_dataset, _isolated_home):
    store = Store.open(_isolated_home)
    try:
        lines = store.load_lines(demo_dataset.id)
    finally:
        store.close()
    return segment_customers(lines)


def _frames_with(at, column):
    return [df.value for df in at.dataframe if column in df.value.columns]


def test_segments_page_shows_core_results(demo_dataset, core):
    at = run_page("segments.py", dataset_id=demo_dataset.id, timeout=120)
    assert not at.exception, at.exception
    assert [t.label for t in at.tabs] == list(TABS)
    assert _metric(at, "Customers") == f"{core.n_customers:,}"
    assert _metric(at, "Guest orders left out") == f"{core.n_guest_orders:,}"
    assert _metric(at, "Clusters (k)") == str(core.clusters.k)
    assert _metric(at, "Tree fidelity") == fmt.pct(core.explanation.fidelity, 0, lang="en")
    seg_tables = _frames_with(at, "action")
    assert seg_tables, "segment table with actions not shown"
    shown = seg_tables[0].set_index("segment")["customers"]
    assert shown.to_dict() == core.rfm.segments.set_index("segment")["customers"].to_dict()
    charts = len(at.get("plotly_chart"))
    assert charts == 2  # treemap and R x FM grid: the other tabs' content is not sent
    assert not _frames_with(at, "rule") and not _frames_with(at, "customer_id")
    assert any(s.label.startswith("Segmenting customers done in") for s in at.status)
    # the demo is a UK shop: its date pickers read day first, as its tables do (were ISO)
    assert [d.proto.format for d in at.date_input] == ["DD/MM/YYYY", "DD/MM/YYYY"]

    open_tab(at, "Why this cluster?")
    rules = _frames_with(at, "rule")
    assert rules and len(rules[0]) == len(core.explanation.rules)
    # the fidelity is of the clustered customers, and the tree is depth 4 for the demo's k = 7
    ex = core.explanation
    assert [s.value for s in at.success] == [
        f"These rules put {fmt.pct(ex.fidelity, 0, lang='en')} of the customers who ordered at least twice "
        "in the same cluster as k-means (target 85\u00a0%), with a tree of depth 4."
    ]
    assert not _frames_with(at, "action")  # the first tab is not drawn now
    # a cluster's name is headed "Cluster name": "Segment" is the RFM tab's word
    named = [d for d in at.dataframe if "name" in d.value.columns]
    assert named and all(displayed_headers(d)[:2] == ["Cluster", "Cluster name"] for d in named), [
        displayed_headers(d) for d in named
    ]
    charts += len(at.get("plotly_chart"))
    open_tab(at, "Clusters by behaviour")
    profile = [d for d in at.dataframe if "name" in d.value.columns]
    assert [displayed_headers(d)[:2] for d in profile] == [["Cluster", "Cluster name"]]
    charts += len(at.get("plotly_chart"))
    open_tab(at, "Movement")
    charts += len(at.get("plotly_chart"))
    assert charts == 6  # treemap, grid, silhouette curve, profile heatmap, scatter, sankey

    open_tab(at, "Download")
    customers = _frames_with(at, "customer_id")
    # at most MAX_ROWS_SHOWN customers go to the browser, and the page says so
    assert core.n_customers > MAX_ROWS_SHOWN  # the demo is long enough to exercise the cap
    assert customers and len(customers[0]) == MAX_ROWS_SHOWN
    assert list(customers[0]["customer_id"]) == list(
        core.customers["customer_id"].head(MAX_ROWS_SHOWN)
    )
    note = f"Showing the first {MAX_ROWS_SHOWN:,} of {core.n_customers:,} rows"
    assert any(c.value.startswith(note) for c in at.caption), [c.value for c in at.caption]


def test_download_choice_survives_a_tab_switch(demo_dataset, core):
    """Only the open tab is drawn, and a widget not drawn loses its state: the Download tab's
    "Customers of" choice is kept while the merchant looks at another tab."""
    at = run_page("segments.py", dataset_id=demo_dataset.id, timeout=120)
    assert not at.exception, at.exception
    open_tab(at, "Download")
    assert any(o.startswith("Cluster 1") for o in at.selectbox(key=DL_KEY).options)
    at.session_state[DL_KEY] = "cluster:1"  # as a pick does (AppTest cannot select through
    at.run()  # a format_func that maps ids to labels)
    assert at.selectbox(key=DL_KEY).value == "cluster:1"
    n = int((core.clusters.labels == 1).sum())
    assert any(c.value.startswith(f"{n:,} customers") for c in at.caption)
    open_tab(at, "Movement")
    open_tab(at, "Download")
    assert at.selectbox(key=DL_KEY).value == "cluster:1"
    assert any(c.value.startswith(f"{n:,} customers") for c in at.caption)
    # the one-time buyers: the last choice, by their name (a group, not a k-means cluster)
    k = core.clusters.k
    picker = at.selectbox(key=DL_KEY)
    assert picker.options[-1] == "One-time buyers"
    assert picker.options[-2].startswith(f"Cluster {k - 1}: ")
    at.session_state[DL_KEY] = f"cluster:{k}"
    at.run()
    assert not at.exception, at.exception
    n_one = core.clusters.n_one_time
    assert n_one == int((core.customers["cluster"] == k).sum()) > 0
    assert any(c.value.startswith(f"{n_one:,} customers") for c in at.caption)
    shown = _frames_with(at, "customer_id")[0]
    assert set(shown["cluster"]) == {k} and set(shown["cluster_name"]) == {"One-time buyers"}


def test_segments_page_k_override_in_form(demo_dataset):
    at = run_page("segments.py", dataset_id=demo_dataset.id, timeout=120)
    assert not at.exception, at.exception
    at.selectbox[0].set_value(3)
    at.button[0].click()
    at.run()
    assert not at.exception, at.exception
    assert _metric(at, "Clusters (k)") == "3"
    open_tab(at, "Clusters by behaviour")
    assert _metric(at, "Clusters (k)") == "3"  # the tab switch keeps the submitted k
    profiles = _frames_with(at, "revenue_share")
    # 3 clusters of the repeat customers + the one-time buyers + the customers who ordered
    # at least twice (the heatmap's reference) + "All customers"
    assert any(len(p) == 6 for p in profiles)
    prof = next(p for p in profiles if len(p) == 6)
    assert prof["cluster"].tolist()[-2:] == ["2+ orders", "all"]
    assert prof["name"].iloc[-2] == "Customers who ordered at least twice"


def test_cluster_profile_table_gives_its_text_columns_room(demo_dataset):
    """The profile's Cluster column holds "2+ orders" (至少两单) and "all", its name column the
    long cluster names: Streamlit's default width cut them off ("2+ ord…"), so the page sets
    the widths in the table's column config: the cluster whole on one line, the names
    wrapping within the page (``show_cached_table(fit=True)``; tests/pages/test_tables_fit.py)."""
    import json

    from ecomdash.ui import tables as T

    at = run_page("segments.py", dataset_id=demo_dataset.id, timeout=120)
    assert not at.exception, at.exception
    open_tab(at, "Clusters by behaviour")
    profile = [d for d in at.dataframe if "revenue_share" in d.value.columns]
    assert len(profile) == 1
    assert "2+ orders" in profile[0].value["cluster"].tolist()
    config = json.loads(profile[0].proto.columns)
    # "2+ orders" wraps at its space, no word cut: "orders" is drawn 8 + 5 + 8 + 7 + 5 + 6 =
    # 39 px, 57 with the cell's padding (tables._DRAWN_PX)
    assert config["cluster"]["width"] >= 57 == T.drawn_px("orders"), config["cluster"]
    assert "orders" in T.cell_wrap("2+ orders", config["cluster"]["width"])[-1]
    for name in profile[0].value["name"]:
        assert T.cell_lines(name, config["name"]["width"]) <= T.WRAP_LINES, (name, config["name"])
    assert profile[0].proto.row_height == T.WRAP_ROW_PX
    # the catalogue's headers stay
    assert displayed_headers(profile[0])[:2] == ["Cluster", "Cluster name"]


def test_changing_k_twice_in_a_row_takes_effect(demo_dataset):
    from tests.pages.conftest import run_page as _run

    at = _run("segments.py", dataset_id=demo_dataset.id)
    assert not at.exception, at.exception
    for k in (2, 3):
        sb = [s for s in at.selectbox if s.label == "Number of clusters"][0]
        sb.set_value(k)
        [b for b in at.button if b.label == "Run"][0].click()
        at.run()
        assert not at.exception, at.exception
        assert [m.value for m in at.metric if m.label == "Clusters (k)"] == [str(k)]


def test_segments_charts_are_built_from_every_customer(demo_dataset, core):
    """Each run reads a slim result without the per-customer frames; the charts are built
    from the full one. The customer scatter draws 2,000 of them, a sample stratified by
    cluster, and the page says how many of how many."""
    import json

    from ecomdash.charts.segment import SCATTER_MAX_POINTS

    at = run_page("segments.py", dataset_id=demo_dataset.id, timeout=120)
    assert not at.exception, at.exception
    open_tab(at, "Clusters by behaviour")
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    scatter = [s for s in specs if any(t["type"] == "scattergl" for t in s["data"])]
    assert len(scatter) == 1
    # one trace per cluster: the one-time buyers (group k) are not clustered, not drawn
    assert len(scatter[0]["data"]) == core.clusters.k
    per_cluster = [len(t["customdata"]) for t in scatter[0]["data"]]
    labels = core.clusters.labels
    clustered = int((labels < core.clusters.one_time_id).sum())
    assert clustered + core.clusters.n_one_time == core.n_customers
    assert SCATTER_MAX_POINTS == 2000 and clustered > 2000
    assert sum(per_cluster) == 2000
    # each cluster's share of the points is its share of the clustered customers, to
    # within one point
    sizes = labels.value_counts().sort_index().tolist()[: core.clusters.k]
    for drawn, n in zip(per_cluster, sizes, strict=True):
        assert abs(drawn - n * 2000 / clustered) < 1, (per_cluster, sizes)
    # the points are the clusters' own customers
    for c, trace in enumerate(scatter[0]["data"]):
        members = set(labels.index[labels == c].astype(str))
        assert set(trace["customdata"]) <= members
    note = f"The chart draws 2,000 of {clustered:,} customers"
    assert any(c.value.startswith(note) for c in at.caption), [c.value for c in at.caption]
    # and the tab says what is clustered, in one sentence
    said = (
        f"Clusters are of the {clustered:,} customers who ordered at least twice; the "
        f"{core.clusters.n_one_time:,} one-time buyers are shown as a group of their own"
    )
    assert any(c.value.startswith(said) for c in at.caption), [c.value for c in at.caption]
    # how k was chosen: the demo's k = 7 is the fewest within the silhouette's sampling noise
    # of the best, k = 8 (test_segment_choice.py), and the silhouette is a mean of 10 samples
    cl = core.clusters
    assert (cl.k, cl.k_best) == (7, 8)
    said = (
        "k = 7 (the fewest clusters within sampling noise of the best silhouette, k = 8); "
        f"silhouette {cl.silhouette:.2f}: the clusters are reasonably separated. Silhouette: "
        "the mean over 10 samples of 1,500 customers, drawn with fixed seeds."
    )
    assert said in [c.value for c in at.caption], [c.value for c in at.caption]
    curve = next(s for s in specs if any(t.get("name") == "silhouette" for t in s["data"]))
    assert [t["name"] for t in curve["data"]] == [
        "silhouette",
        "k = 7 (fewest within noise of the best)",
    ]


def test_customer_list_file_is_translated_when_built_outside_the_run(demo_dataset, core):
    """The customer list's file is built on click, on another thread (English there): the
    segment names looked up in the page's language are applied to every row."""
    import threading

    from ecomdash.i18n import _, use_lang
    from ecomdash.ui.segment import translate_later, translated

    table = core.customers
    with use_lang("zh"):
        prepare = translate_later(table, ("segment",))
        expected = translated(table, ("segment",))
        names = {_(s) for s in set(table["segment"])}
    out = {}
    th = threading.Thread(target=lambda: out.update(df=prepare(table)))
    th.start()
    th.join()
    assert out["df"].equals(expected)
    assert set(out["df"]["segment"]) == names
    assert "Champions" in set(table["segment"]) and "Champions" not in set(out["df"]["segment"])


def test_every_tile_says_how_to_read_it(demo_dataset):
    """Tree fidelity, Clusters (k) and Guest orders left out had no help: a merchant could not
    tell what "Tree fidelity 92 %" counts or from which share the rules can be trusted."""
    at = run_page("segments.py", dataset_id=demo_dataset.id, timeout=120)
    assert not at.exception, at.exception
    helps = {m.label: m.help for m in at.metric}
    assert all(helps.values()), helps
    fidelity = helps["Tree fidelity"]
    assert "customers who ordered at least twice" in fidelity
    assert "Why this cluster?" in fidelity and "From 85\u00a0%" in fidelity
    assert "rough guide" in fidelity
    assert "without a customer id" in helps["Guest orders left out"]
    assert "One-time buyers are a group of their own" in helps["Clusters (k)"]


def test_rules_say_the_currency_of_their_amounts(demo_dataset):
    """ "spend > 620 and average order > 212" said no unit: the Why this cluster? tab says the
    amounts are in the shop's currency (the demo is a UK shop) and what each word measures."""
    at = open_tab(run_page("segments.py", dataset_id=demo_dataset.id, timeout=120), TABS[2])
    said = [c.value for c in at.caption]
    assert (
        "Spend and average order are in £. Spend is all a customer bought up to the As of day, "
        "average order their spend per order; returns are the value they sent back as a share "
        "of what they bought."
    ) in said, said


def test_within_cluster_spread_reads_whole_and_says_what_it_is(demo_dataset):
    """The k table's "Within-cluster spread" read "18,133.08" with no help: a sum of squared
    distances with no unit, to two decimals, that a merchant took for a quality to maximise."""
    import json

    at = open_tab(run_page("segments.py", dataset_id=demo_dataset.id, timeout=120), TABS[1])
    curve = next(d for d in at.dataframe if "inertia" in d.value.columns)
    spread = json.loads(curve.proto.columns)["inertia"]
    assert spread["label"] == "Within-cluster spread"
    assert spread["type_config"]["format"] == "%,.0f", spread
    assert "no unit" in spread["help"] and "pick k by the silhouette" in spread["help"]


def test_a_short_history_says_the_recency_words_are_relative(demo_dataset):
    """As of three months after the demo's first day, R scores are still quintiles: the
    segments that say "have not bought for a long time" hold customers who bought weeks
    ago, and the RFM tab says so (branch fmtfix); on the whole history it says nothing."""
    from datetime import date

    at = run_page("segments.py", dataset_id=demo_dataset.id, timeout=120)
    assert not at.exception, at.exception
    assert not [i for i in at.info if "Recency scores" in i.value]
    at.date_input[0].set_value(date(2025, 1, 31))  # the demo starts on 1 November 2024
    at.date_input[1].set_value(date(2024, 12, 31))
    at.button[0].click()
    at.run()
    assert not at.exception, at.exception
    (said,) = [i.value for i in at.info if "Recency scores" in i.value]
    assert said.startswith(
        "Recency scores rank customers against each other, and this data covers a short time: "
        "the segments for customers who have not bought for a long time (At risk, Can't lose "
        "them, Hibernating, Lost) include some whose last order was only "
    ), said
    days = int(said.split("was only ")[1].split(" day")[0])
    assert days < 90
