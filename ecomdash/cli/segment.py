"""``ecomdash segment``: RFM segments, clusters and their explanation for a saved dataset."""

from __future__ import annotations

import argparse

from ecomdash.cli.common import (
    add_dataset_arg,
    add_json_arg,
    add_lang_arg,
    emit,
    load_history,
    note_lines,
    pad,
    parse_date,
    text_lang,
)
from ecomdash.features import FEATURES
from ecomdash.i18n import N_, _, _n, use_lang
from ecomdash.i18n.fmt import long_date, pct
from ecomdash.i18n.note import tr_note
from ecomdash.segment.clusters import SUMMARY_IDS, k_choice


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "segment",
        help=_("RFM segments and k-means clusters of a dataset's customers"),
        description=_(
            "RFM segments (Champions ... Lost) and k-means clusters with readable "
            "rules, as of a date. Guest orders (no customer id) are left out and counted."
        ),
    )
    add_dataset_arg(p)
    p.add_argument("--as-of", type=parse_date, help=_("cut-off day (inclusive), YYYY-MM-DD"))
    p.add_argument(
        "--k",
        type=int,
        help=_(
            "number of clusters (default: the fewest whose silhouette is within sampling "
            "noise of the best for 2 to 10 clusters)"
        ),
    )
    add_lang_arg(p, page=N_("Segments page"))
    add_json_arg(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ecomdash.segment import segment_history, short_history_note

    history = load_history(args)
    # cluster names, rules and warnings are built in the run's language, as the page's
    # (--json keeps them English whatever --lang says)
    with use_lang(text_lang(args)):
        res = segment_history(history, as_of=args.as_of, k=args.k)
        text = _text(res, short_history_note(res.rfm))
    obj = _json(args, res, short_history_note)
    emit(args, obj, "\n".join(text))
    return 0


def _json(args: argparse.Namespace, res, short_history_note) -> dict:
    """What ``--json`` prints (raw ids and figures; its sentences English)."""
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
    return obj


def _text(res, short_note) -> list[str]:
    """The human lines, in the current language (the Segments page's words)."""
    segs = res.rfm.segments
    text = [
        # a date in a sentence, as every human line writes it (the JSON keeps ISO)
        _(
            "As of {date}: {n} customers ({guests} guest orders left out).",
            date=long_date(res.params["as_of"]),
            n=f"{res.n_customers:,}",
            guests=f"{res.n_guest_orders:,}",
        ),
        "",
        pad(_("segment"), 20) + pad(_("customers"), 10, ">") + pad(_("revenue"), 9, ">"),
        *[
            # an RFM segment's name is an id the data keeps, translated where shown
            pad(_(row.segment), 20)
            + pad(f"{row.customers:,}", 10, ">")
            + pad(pct(row.revenue_share, 1), 9, ">")
            for row in segs.itertuples()
        ],
    ]
    if res.clusters is not None:
        cl, ex = res.clusters, res.explanation
        prof = cl.profile.loc[~cl.profile["cluster"].isin(SUMMARY_IDS)]
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
                "  "
                + _(
                    "{cluster}: {name} — {n} customers, {share} of revenue",
                    cluster=row["cluster"],
                    name=row["name"],
                    n=f"{int(row['customers']):,}",
                    share=pct(row["revenue_share"], 1),
                )
                for _i, row in prof.iterrows()
            ],
            (
                _(
                    "Decision-tree rules reproduce {share} of the clusters (meets the {target} "
                    "target):",
                    share=pct(ex.fidelity, 1),
                    target=pct(ex.target, 0),
                )
                if ex.good_enough
                else _(
                    "Decision-tree rules reproduce {share} of the clusters (below the {target} "
                    "target):",
                    share=pct(ex.fidelity, 1),
                    target=pct(ex.target, 0),
                )
            ),
            *[f"  {r.cluster} <- {r.rule}  ({r.customers:,})" for r in ex.rules.itertuples()],
        ]
    else:
        text += ["", _("No clusters: {reason}", reason=tr_note(res.cluster_error))]
    warnings = [*res.features.warnings, *filter(None, [short_note])]
    text += ["", *note_lines(warnings)] if warnings else []
    return text
