"""``ecomdash segment``: RFM segments, clusters and their explanation for a saved dataset."""

from __future__ import annotations

import argparse

from ecomdash.cli.common import add_dataset_arg, add_json_arg, emit, load_history, parse_date
from ecomdash.features import FEATURES
from ecomdash.i18n import _, _n
from ecomdash.i18n.fmt import long_date, pct
from ecomdash.segment.clusters import SUMMARY_IDS, k_choice


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "segment",
        help="RFM segments and k-means clusters of a dataset's customers",
        description="RFM segments (Champions ... Lost) and k-means clusters with readable "
        "rules, as of a date. Guest orders (no customer id) are left out and counted.",
    )
    add_dataset_arg(p)
    p.add_argument("--as-of", type=parse_date, help="cut-off day (inclusive), YYYY-MM-DD")
    p.add_argument(
        "--k",
        type=int,
        help="number of clusters (default: the fewest whose silhouette is within sampling "
        "noise of the best for 2 to 10 clusters)",
    )
    add_json_arg(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ecomdash.segment import segment_history, short_history_note

    res = segment_history(load_history(args), as_of=args.as_of, k=args.k)
    segs = res.rfm.segments
    obj: dict = {
        "dataset": args.dataset,
        "as_of": res.params["as_of"],
        "n_customers": res.n_customers,
        "n_guest_orders": res.n_guest_orders,
        "segments": [
            {
                "name": row.segment,
                "customers": int(row.customers),
                "revenue_share": float(row.revenue_share),
                "definition": row.definition,
                "action": row.action,
            }
            for row in segs.itertuples()
        ],
        "clusters": None,
        "tree_fidelity": None,
        # the features' warnings, then, on a short history, that the "not for a long time"
        # segments hold recent buyers (the Segments page and the report say it too)
        "warnings": [*res.features.warnings, *filter(None, [short_history_note(res.rfm)])],
    }
    text = [
        # a date in a sentence, as every human line writes it (the JSON keeps ISO)
        f"As of {long_date(res.params['as_of'])}: {res.n_customers:,} customers "
        f"({res.n_guest_orders:,} guest orders left out).",
        "",
        f"{'segment':<20}{'customers':>10}{'revenue':>9}",
        *[
            f"{row.segment:<20}{row.customers:>10,}{pct(row.revenue_share, 1):>9}"
            for row in segs.itertuples()
        ],
    ]
    if res.clusters is not None:
        cl, ex = res.clusters, res.explanation
        prof = cl.profile.loc[~cl.profile["cluster"].isin(SUMMARY_IDS)]
        obj["clusters"] = {
            "k": cl.k,
            "chosen_by": cl.k_chosen_by,
            "k_best": cl.k_best,  # best silhouette; k: the fewest within its sampling noise
            "silhouette": cl.silhouette,
            "one_time_buyers": cl.n_one_time,  # profile row "cluster" k: not a k-means cluster
            "curve": cl.curve,
            "profile": [
                {
                    "cluster": int(row["cluster"]),
                    "name": row["name"],
                    "customers": int(row["customers"]),
                    "revenue_share": float(row["revenue_share"]),
                    "medians": {f: float(row[f"median_{f}"]) for f in FEATURES},
                }
                for _i, row in prof.iterrows()
            ],
            "rules": ex.rules,
        }
        obj["tree_fidelity"] = ex.fidelity
        # which k, and the best-scoring k it was compared with: the page's words
        how = {"k": cl.k, "chosen": k_choice(cl), "sil": f"{cl.silhouette:.2f}"}
        text += [
            "",
            _n(
                "k-means: k = {k} ({chosen}), silhouette {sil}, of the customers with at least "
                "two orders ({one} one-time buyer is group {group}, not clustered)",
                "k-means: k = {k} ({chosen}), silhouette {sil}, of the customers with at least "
                "two orders ({one} one-time buyers are group {group}, not clustered)",
                cl.n_one_time,
                **how,
                one=f"{cl.n_one_time:,}",
                group=cl.one_time_id,
            )
            if cl.n_one_time
            # no one-time buyers: no group k to point at
            else _(
                "k-means: k = {k} ({chosen}), silhouette {sil}, of every customer (each "
                "ordered at least twice)",
                **how,
            ),
            *[
                f"  {row['cluster']}: {row['name']} — {int(row['customers']):,} customers, "
                f"{pct(row['revenue_share'], 1)} of revenue"
                for _i, row in prof.iterrows()
            ],
            f"Decision-tree rules reproduce {pct(ex.fidelity, 1)} of the clusters "
            f"({'meets' if ex.good_enough else 'below'} the {pct(ex.target, 0)} target):",
            *[f"  {r.cluster} <- {r.rule}  ({r.customers:,})" for r in ex.rules.itertuples()],
        ]
    else:
        text += ["", f"No clusters: {res.cluster_error}"]
    text += ["", *(f"note: {w}" for w in obj["warnings"])] if obj["warnings"] else []
    emit(args, obj, "\n".join(text))
    return 0
