"""``ecomdash basket``: frequent itemsets and association rules of a stored dataset."""

from __future__ import annotations

import argparse

from ecomdash import basket as B
from ecomdash.cli.common import (
    add_dataset_arg,
    add_date_args,
    add_json_arg,
    add_lang_arg,
    emit,
    filters_from,
    note_lines,
    open_store,
    pad,
    text_lang,
)
from ecomdash.i18n import N_, _, use_lang
from ecomdash.i18n.fmt import duration
from ecomdash.text_width import text_width


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "basket",
        help=_("association rules: which products sell together"),
        description=(
            _(
                "Frequent itemsets and association rules (the same as mlxtend apriori + "
                "association_rules). Returns and cancelled sales are always left out; postage, "
                "fees and other non-product lines too, unless --include-non-product. In JSON, a "
                "conviction of infinity (confidence 1) is null."
            )
        ),
    )
    add_dataset_arg(p)
    p.add_argument("--min-support", type=float, default=0.01, help=_("share of baskets (0.01)"))
    p.add_argument("--min-confidence", type=float, default=0.0, help=_("rule confidence (0)"))
    p.add_argument("--min-lift", type=float, default=1.0, help=_("rule lift (1)"))
    p.add_argument("--max-len", type=int, default=None, help=_("largest itemset (no limit)"))
    p.add_argument(
        "--level",
        choices=B.LEVELS,
        default="product",
        help=_("product (each product an item, the default) or category (its category)"),
    )
    p.add_argument(
        "--basket",
        choices=B.BASKETS,
        default="order",
        help=_("order (one order, the default) or customer_day (a customer's orders of one day)"),
    )
    p.add_argument(
        "--include-non-product",
        action="store_true",
        help=_(
            "count postage, fees and other non-product lines as items (returns and cancelled "
            "sales stay out)"
        ),
    )
    p.add_argument("--top", type=int, default=20, help=_("rules to print in text mode (20)"))
    add_date_args(p)
    add_lang_arg(p, page=N_("Basket analysis page"))
    add_json_arg(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    store = open_store(args)  # on Spark, FP-Growth runs on the cluster (basket.mine_dataset)
    try:
        info = store.resolve(args.dataset)
        res = B.mine_dataset(
            store,
            info.id,
            filters_from(args),
            min_support=args.min_support,
            min_confidence=args.min_confidence,
            min_lift=args.min_lift,
            max_len=args.max_len,
            basket=args.basket,
            level=args.level,
            include_non_product=args.include_non_product,
        )
    finally:
        store.close()
    rules = [
        {
            "antecedents": list(r.antecedents),
            "consequents": list(r.consequents),
            "names": r.names,
            "support": r.support,
            "count": r.count,
            "confidence": r.confidence,
            "lift": r.lift,
            "leverage": r.leverage,
            "conviction": r.conviction,
        }
        for r in res.rules.itertuples(index=False)
    ]
    obj = {
        "dataset": args.dataset,
        "params": res.params,
        "n_baskets": res.n_baskets,
        "min_count": res.min_count,
        "n_itemsets": res.n_itemsets,
        "n_rules": res.n_rules,
        "suggested_min_support": res.suggested_min_support,
        "warnings": list(res.warnings),
        "elapsed_s": round(res.elapsed, 4),
        "rules": rules,
    }
    with use_lang(text_lang(args)):
        out = _text(args, res, bool(rules))
    emit(args, obj, "\n".join(out))
    return 0


def _text(args: argparse.Namespace, res, any_rules: bool) -> list[str]:
    """The human lines in the current language: the Basket analysis page's words (its
    column names, its notes); the figures as they are in both languages."""
    from ecomdash import labels as L

    fields = {
        "n": f"{res.n_baskets:,}",
        "support": f"{args.min_support:g}",
        "count": f"{res.min_count:,}",
    }
    out = [
        _("{n} orders; min support {support} = in at least {count} orders.", **fields)
        if args.basket == "order"
        else _(
            "{n} customer-days; min support {support} = in at least {count} customer-days.",
            **fields,
        ),
        _(
            "{itemsets} frequent itemsets, {rules} rules (confidence >= {confidence}, lift >= "
            "{lift}) in {took}.",
            itemsets=f"{res.n_itemsets:,}",
            rules=f"{res.n_rules:,}",
            confidence=f"{args.min_confidence:g}",
            lift=f"{args.min_lift:g}",
            took=duration(res.elapsed),
        ),
    ]
    out += note_lines(res.warnings)
    if res.suggested_min_support is not None:  # the note writes it in percent
        out.append(
            _(
                "to see them: --min-support {support}",
                support=f"{res.suggested_min_support:.4g}",
            )
        )
    if any_rules:
        # the rules table's column names on the page
        heads = [L.label(c) for c in ("support", "confidence", "lift", "rule")]
        wide = [max(w, int(text_width(h))) for w, h in zip((8, 6, 7), heads, strict=False)]
        out.append("")
        out.append(
            " ".join(pad(h, w, ">") for h, w in zip(heads, wide, strict=False)) + "  " + heads[3]
        )
        for r in res.rules.head(max(0, args.top)).itertuples(index=False):
            cells = (f"{r.support:.4f}", f"{r.confidence:.3f}", f"{r.lift:.2f}")
            out.append(
                " ".join(pad(c, w, ">") for c, w in zip(cells, wide, strict=True)) + f"  {r.names}"
            )
    return out
