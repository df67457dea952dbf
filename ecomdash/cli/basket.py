"""``ecomdash basket``: frequent itemsets and association rules of a stored dataset."""

from __future__ import annotations

import argparse

from ecomdash import basket as B
from ecomdash.cli.common import (
    add_dataset_arg,
    add_date_args,
    add_json_arg,
    emit,
    filters_from,
    open_store,
)
from ecomdash.i18n.fmt import duration


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "basket",
        help="association rules: which products sell together",
        description=(
            "Frequent itemsets and association rules (the same as mlxtend apriori + "
            "association_rules). Returns and cancelled sales are always left out; postage, "
            "fees and other non-product lines too, unless --include-non-product. In JSON, a "
            "conviction of infinity (confidence 1) is null."
        ),
    )
    add_dataset_arg(p)
    p.add_argument("--min-support", type=float, default=0.01, help="share of baskets (0.01)")
    p.add_argument("--min-confidence", type=float, default=0.0, help="rule confidence (0)")
    p.add_argument("--min-lift", type=float, default=1.0, help="rule lift (1)")
    p.add_argument("--max-len", type=int, default=None, help="largest itemset (no limit)")
    p.add_argument("--level", choices=B.LEVELS, default="product")
    p.add_argument(
        "--basket",
        choices=B.BASKETS,
        default="order",
        help="order (one order, the default) or customer_day (a customer's orders of one day)",
    )
    p.add_argument(
        "--include-non-product",
        action="store_true",
        help="count postage, fees and other non-product lines as items (returns and cancelled "
        "sales stay out)",
    )
    p.add_argument("--top", type=int, default=20, help="rules to print in text mode (20)")
    add_date_args(p)
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
    word = "orders" if args.basket == "order" else "customer-days"
    out = [
        f"{res.n_baskets:,} {word}; min support {args.min_support:g} = in at least "
        f"{res.min_count:,} {word}.",
        f"{res.n_itemsets:,} frequent itemsets, {res.n_rules:,} rules "
        f"(confidence >= {args.min_confidence:g}, lift >= {args.min_lift:g}) "
        f"in {duration(res.elapsed)}.",
    ]
    out += [f"note: {w}" for w in res.warnings]
    if res.suggested_min_support is not None:  # the note writes it in percent
        out.append(f"to see them: --min-support {res.suggested_min_support:.4g}")
    if rules:
        out.append("")
        out.append(f"{'support':>8} {'conf':>6} {'lift':>7}  rule")
        for r in res.rules.head(max(0, args.top)).itertuples(index=False):
            out.append(f"{r.support:8.4f} {r.confidence:6.3f} {r.lift:7.2f}  {r.names}")
    emit(args, obj, "\n".join(out))
    return 0
