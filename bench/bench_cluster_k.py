"""How many customer clusters: the Segments page's rule (best mean silhouette over k = 2..10
on a fixed 1,500-customer sample) against the usual alternatives, on the demo and real data.

    uv run python bench/bench_cluster_k.py [--data demo,demo-regulars,demo-zh,uci,cdnow] [--all]

Per dataset and k, with the page's scaling (``clusters._scale``) and fits (k-means, n_init=3,
seed 0) on the customers the page clusters: those with at least two orders (``--all``: every
customer, as the page did before one-time buyers became a group of their own):

- ``sil_page``: the page's silhouette (sample seed 0, as ``cluster_features`` draws it);
- ``sil_mean``/``sil_sd``: mean and spread of the same fit's silhouette over ``--samples``
  other 1,500-customer samples; ``wins``: in how many of them this k has the best silhouette;
- ``diff_sd``: spread of (this k's silhouette - the best k's) over the same samples (paired:
  the sampling noise of the difference the rule decides on; "within noise" below: a mean
  silhouette less than two of these below the best);
- ``ch``/``db``: Calinski-Harabasz (higher better) and Davies-Bouldin (lower better) on every
  customer; ``stab``: mean ARI between the labels of two k-means fitted on independent
  bootstrap samples (``--boot`` pairs), every customer labelled by both;
- demo only: ``ari``: ARI of the clusters with the planted group of each regular customer
  (the generator's ``truth.customer_groups``; the new customers are left out), ``ari6``: the
  same with every new customer labelled ``new`` (a sixth group).

``demo-regulars`` clusters only the demo's 3,000 regular customers (the planted five groups
and nothing else): the case where the right answer is known to be k = 5.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # a shared machine: one core

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data"
KS = range(2, 11)


def _dataset(name: str, *, repeat: bool = True):
    """(scaled features, customer ids, planted group per id or None, new-customer ids) of the
    customers with at least two orders (``repeat``) or of every customer."""
    from ecomdash.features import customer_history
    from ecomdash.segment import clusters as C

    groups, new = None, frozenset()
    if name in ("demo", "demo-regulars"):
        from ecomdash.demo import generate

        demo = generate()
        lines = demo.lines
        groups = demo.truth.customer_groups.astype(str)
        new = frozenset(demo.truth.new_customers.index.astype(str))
        if name == "demo-regulars":
            keep = lines["customer_id"].isna() | lines["customer_id"].isin(groups.index)
            lines, new = lines[keep], frozenset()
    elif name == "demo-zh":
        from ecomdash import demo_zh

        lines = demo_zh.generate(7).lines  # its truth has no customer groups
    else:
        from ecomdash.ingest import load_path

        path = {"uci": "online_retail_ii_2009_2010.csv.gz", "cdnow": "cdnow_master.txt.gz"}[name]
        lines = load_path(DATA / path).lines
    x = C.feature_matrix(customer_history(lines).features().table)
    if repeat:
        x = x.loc[x["frequency"] >= 2]
    z, _ = C._scale(x)
    return z, x.index.astype(str).to_numpy(), groups, new


def measure(name: str, *, samples: int, boot: int, repeat: bool = True) -> pd.DataFrame:
    from sklearn.cluster import KMeans
    from sklearn.metrics import (
        adjusted_rand_score,
        calinski_harabasz_score,
        davies_bouldin_score,
        pairwise_distances,
    )

    from ecomdash.segment.clusters import _silhouette_precomputed

    z, ids, groups, new = _dataset(name, repeat=repeat)
    n = len(z)
    labels = {k: KMeans(n_clusters=k, n_init=3, random_state=0).fit(z).labels_ for k in KS}
    # sample 0 is the page's: cluster_features draws default_rng(seed).choice(n, 1500)
    sil = np.empty((samples + 1, len(KS)))
    for s in range(samples + 1):
        rows = np.sort(np.random.default_rng(s).choice(n, size=min(n, 1500), replace=False))
        d = pairwise_distances(z[rows])
        sil[s] = [_silhouette_precomputed(d, labels[k][rows]) for k in KS]
    others = sil[1:]
    best = int(np.argmax(others.mean(axis=0)))
    wins = np.bincount(others.argmax(axis=1), minlength=len(KS))
    out = pd.DataFrame(
        {
            "sil_page": sil[0],
            "sil_mean": others.mean(axis=0),
            "sil_sd": others.std(axis=0, ddof=1),
            "wins": wins,
            "diff_sd": (others - others[:, [best]]).std(axis=0, ddof=1),
            "ch": [calinski_harabasz_score(z, labels[k]) for k in KS],
            "db": [davies_bouldin_score(z, labels[k]) for k in KS],
        },
        index=pd.Index(list(KS), name="k"),
    )
    stab = []
    for k in KS:
        aris = []
        for b in range(boot):
            rng = np.random.default_rng([k, b])
            one, two = (
                KMeans(n_clusters=k, n_init=3, random_state=2 * b + j)
                .fit(z[rng.choice(n, n, replace=True)])
                .predict(z)
                for j in (0, 1)
            )
            aris.append(adjusted_rand_score(one, two))
        stab.append(np.mean(aris))
    out["stab"] = stab
    if groups is not None:
        planted = groups.reindex(ids).to_numpy(dtype=object)
        regular = pd.notna(planted)
        six = np.where(regular, planted, np.where(np.isin(ids, list(new)), "new", "other"))
        out["ari"] = [adjusted_rand_score(planted[regular], labels[k][regular]) for k in KS]
        if new:
            out["ari6"] = [adjusted_rand_score(six, labels[k]) for k in KS]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="demo,demo-regulars,demo-zh,uci,cdnow")
    ap.add_argument("--samples", type=int, default=20, help="extra silhouette samples")
    ap.add_argument("--boot", type=int, default=10, help="bootstrap pairs per k")
    ap.add_argument("--all", action="store_true", help="cluster every customer, not only repeat")
    args = ap.parse_args()
    pd.set_option("display.width", 200)
    for name in args.data.split(","):
        t0 = time.perf_counter()
        table = measure(name, samples=args.samples, boot=args.boot, repeat=not args.all)
        print(f"\n{name}: {time.perf_counter() - t0:.0f} s")
        print(table.round(4).to_string())
        # within the noise: less than two paired sds below the best mean silhouette
        near = table.index[table["sil_mean"] >= table["sil_mean"].max() - 2 * table["diff_sd"]]
        picks = {
            "silhouette (page)": int(table["sil_page"].idxmax()),
            "smallest k within noise": int(near.min()),
            "largest k within noise": int(near.max()),
            "silhouette (mean)": int(table["sil_mean"].idxmax()),
            "Calinski-Harabasz": int(table["ch"].idxmax()),
            "Davies-Bouldin": int(table["db"].idxmin()),
            "stability": int(table["stab"].idxmax()),
        }
        print("picks:", ", ".join(f"{rule} k={k}" for rule, k in picks.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
