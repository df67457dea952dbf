"""``ecomdash recommend``: top products for a customer, also-bought / who-to-target for a
product, or the offline evaluation of every model against the popularity baseline."""

from __future__ import annotations

import argparse

from ecomdash import recommend as R
from ecomdash.cli.common import (
    add_dataset_arg,
    add_json_arg,
    add_lang_arg,
    display_of,
    emit,
    filters_from,
    load_interactions,
    note_lines,
    open_store,
    parse_date,
    text_lang,
    text_table,
)
from ecomdash.i18n import N_, _, use_lang
from ecomdash.i18n.fmt import long_date
from ecomdash.i18n.note import tr_note


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "recommend",
        help=_("product recommendations: for a customer, for a product, or --evaluate the models"),
    )
    add_dataset_arg(p)
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--customer", help=_("customer id: their top products with reasons"))
    what.add_argument(
        "--product", help=_("product id: customers who bought it also bought / who to target")
    )
    what.add_argument(
        "--evaluate",
        action="store_true",
        help=_("train before --cutoff, test on the rest; every model vs popularity"),
    )
    p.add_argument("--k", type=int, default=10, help=_("how many products/customers (default 10)"))
    p.add_argument(
        "--model",
        choices=R.MODEL_NAMES,
        help=_(
            "model (default: ease, or item_knn for catalogues too large for ease); "
            "with --evaluate, compare only this model with popularity"
        ),
    )
    p.add_argument(
        "--cutoff",
        type=parse_date,
        help=_("evaluation cut-off YYYY-MM-DD (default: 30 days before the last date)"),
    )
    add_lang_arg(p, page=N_("Recommendations page"))
    add_json_arg(p)
    p.set_defaults(func=run)


def _table(df, args: argparse.Namespace) -> str:
    """A result table as the Recommendations page shows it: its headers and cells, the
    sources in words (the JSON keeps the ids)."""
    return text_table(R.shown_sources(df), "recommend", display_of(args))


def run(args: argparse.Namespace) -> int:
    # the reasons, verdicts and notes are built in the run's language, as the page's (English
    # with --json: the JSON is the same whatever --lang says)
    with use_lang(text_lang(args)):
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    if args.evaluate:
        return _evaluate(args)
    inter = load_interactions(args)  # customer x product counts aggregated in SQL
    name = args.model or R.default_model_name(inter.shape[1])
    model = R.make_model(name).fit_interactions(inter)
    if args.customer is not None:
        recs = model.recommend([args.customer], k=args.k)
        cols = ["rank", "product_id", "product_name", "score", "reason", "source"]
        obj = {"customer_id": args.customer, "model": name, "recommendations": recs[cols]}
        text = _(
            "Top {k} for customer {customer} ({model}):",
            k=args.k,
            customer=args.customer,
            model=_(R.MODEL_LABELS[name]),
        )
        text += "\n" + (_table(recs[cols], args) if len(recs) else _("(nothing to recommend)"))
        emit(args, obj, text)
        return 0
    also = model.similar_products(args.product, k=args.k)
    target = model.target_customers(args.product, k=args.k)
    obj = {
        "product_id": args.product,
        "model": name,
        "also_bought": also,
        "target_customers": target,
    }
    text = (
        _(
            "Customers who bought {product} also bought ({model}):",
            product=args.product,
            model=_(R.MODEL_LABELS[name]),
        )
        + "\n"
        + (_table(also, args) if len(also) else _("(no co-purchases)"))
        + "\n\n"
        + _("Who to target for {product} (not buyers yet):", product=args.product)
        + "\n"
        + (_table(target, args) if len(target) else _("(no likely buyers found)"))
    )
    emit(args, obj, text)
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    """The page's offline test: the store's split (training interactions and each returning
    customer's new purchases, reduced in SQL: no line is loaded), then ``evaluate_split``
    with the page's limits (a seeded sample above ``MAX_TEST_CUSTOMERS``, said in a note)."""
    models = None
    keep: tuple[str, ...] = ()
    if args.model is not None:
        models = {args.model: R.make_model(args.model)}
        keep = (args.model,)
    store = open_store(args)
    try:
        info = store.resolve(args.dataset)
        inter, truth, cutoff, end = store.recommend_split(
            info.id, filters_from(args), cutoff=args.cutoff
        )
    finally:
        store.close()
    res = R.evaluate_split(inter, truth, cutoff=cutoff, end=end, k=args.k, models=models, keep=keep)
    per_model = {
        row["model"]: {
            c: float(row[c]) for c in (*R.METRIC_COLUMNS, "fit_seconds", "hit_rate_vs_popularity")
        }
        for row in res.table.to_dict("records")
    }
    obj = {
        "k": res.k,
        "cutoff": res.cutoff.date(),
        "n_test_customers": res.n_test_customers,
        "n_train_customers": res.n_train_customers,
        "n_products": res.n_products,
        "best_model": res.best_model,
        "models": per_model,
        "verdict": res.verdict,
        "warnings": list(res.warnings),
    }
    show = res.table[["model", *R.METRIC_COLUMNS, "hit_rate_vs_popularity", "fit_seconds"]]
    text = "\n".join(
        [
            _(
                "Trained before {date}; tested on {n} returning customers (k = {k}).",
                date=long_date(res.cutoff),
                n=f"{res.n_test_customers:,}",
                k=res.k,
            ),
            _table(show, args),  # the page's table: its model names, headers and percentages
            "",
            tr_note(res.verdict),
            *note_lines(res.warnings),
        ]
    )
    emit(args, obj, text)
    return 0
