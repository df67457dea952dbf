"""``ecomdash pricing``: elasticities, promotions, held-out validation and a what-if."""

from __future__ import annotations

import argparse

import numpy as np

from ecomdash.cli.common import (
    add_dataset_arg,
    add_date_args,
    add_json_arg,
    add_lang_arg,
    as_pct,
    emit,
    filters_from,
    note_lines,
    open_store,
    pad,
    parse_date,
    text_lang,
)
from ecomdash.errors import ParameterError
from ecomdash.i18n import N_, _, _n, use_lang
from ecomdash.i18n.fmt import date_range, long_date, pct, pct_sign
from ecomdash.i18n.note import note, note_n, tr_note
from ecomdash.text_width import text_width

_PRODUCT_KEYS = (
    "product_id",
    "product_name",
    "category",
    "elasticity",
    "ci_low",
    "ci_high",
    "n_price_levels",
    "weeks",
    "status",
    "reason",
    "source",
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "pricing",
        help=_("price elasticity per product/category, promotions, held-out check, what-if"),
    )
    add_dataset_arg(p)
    add_date_args(p)
    p.add_argument("--product", action="append", help=_("product id for the what-if (repeatable)"))
    p.add_argument("--category", help=_("what-if for every product of this category"))
    p.add_argument(
        "--change", type=float, default=None, help=_("price change in %% for the what-if, e.g. -10")
    )
    p.add_argument("--cutoff", type=parse_date, help=_("first held-out week (YYYY-MM-DD)"))
    p.add_argument(
        "--margin", type=float, help=_("profit margin in %% of the current price (for profit)")
    )
    p.add_argument(
        "--events",
        help=_(
            "CSV or Excel (.xlsx) file of promotions you ran: product_id, start, end (SKU, "
            "from, to and their Chinese names are read too)"
        ),
    )
    p.add_argument(
        "--stock",
        help=_("CSV or Excel (.xlsx) file of units on hand (product id, units) for markdowns"),
    )
    p.add_argument(
        "--clear-weeks", type=int, default=8, help=_("markdowns clear stock within these weeks")
    )
    p.add_argument("--min-weeks", type=int, default=12, help=_("weeks of sales a model needs"))
    p.add_argument("--top", type=int, default=500, help=_("products by revenue that get a model"))
    add_lang_arg(p, page=N_("Pricing page"))
    add_json_arg(p)
    p.set_defaults(func=run_pricing)


def run_pricing(args: argparse.Namespace) -> int:
    # the reasons, sources and warnings are built in the run's language, as the page's
    # (--json keeps them English whatever --lang says)
    with use_lang(text_lang(args)):
        return _run_pricing(args)


def _run_pricing(args: argparse.Namespace) -> int:
    from ecomdash import pricing as P

    margin = None
    if args.margin is not None:
        if not 0 < args.margin < 100:
            raise ParameterError(
                note(
                    N_("--margin is a percentage in (0, 100); got {margin}."),
                    margin=f"{args.margin:g}",
                )
            )
        margin = args.margin / 100
    stock = None
    if args.stock:
        from pathlib import Path

        from ecomdash.stock_file import read_stock

        path = Path(args.stock)
        if not path.is_file():
            raise ParameterError(
                note(N_("There is no stock file at {path}. Check the path."), path=args.stock)
            )
        stock = read_stock(path.read_bytes())
    events = None
    if args.events:
        from pathlib import Path

        path = Path(args.events)
        if not path.is_file():
            raise ParameterError(
                note(N_("There is no events file at {path}. Check the path."), path=args.events)
            )
        from ecomdash.pricing import promotions as PR

        events = PR.read_events(path.read_bytes())
    store = open_store(args)
    try:
        info = store.resolve(args.dataset)
        # the columns the models read (the page asks the same)
        pw = store.product_week_prices(info.id, filters_from(args), lean=True)
    finally:
        store.close()
    dayfirst = None
    if events is not None:
        from ecomdash.labels import display_for

        # a date typed 11/03/2024 is read in the order the shop's orders proved, by the
        # analysis, which reads the file's rows once
        style = display_for(info.report, is_demo=info.is_demo).date_style
        dayfirst = {"dmy": True, "mdy": False}.get(style)
    res = P.analyze(
        pw,
        cutoff=args.cutoff,
        min_weeks=args.min_weeks,
        max_products=args.top,
        margin=margin,
        events=events,
        events_dayfirst=dayfirst,
    )
    products = res.products
    if args.product:
        wanted = set(args.product)
        unknown = wanted - set(products["product_id"])
        if unknown:
            raise ParameterError(
                note_n(
                    "Product {ids} has no sales in this dataset.",
                    "Products {ids} have no sales in this dataset.",
                    len(unknown),
                    ids=tuple(sorted(unknown)),
                )
            )
        products = products[products["product_id"].isin(wanted)]
    elif args.category:
        products = products[products["category"] == args.category]
    whatif = None
    if args.change is not None or args.product or args.category:
        whatif = P.what_if(
            res,
            products=args.product,
            category=args.category,
            change_pct=args.change if args.change is not None else 0.0,
            margin=margin,
        )
    stock_notes: list[str] = []
    if stock is not None:
        from ecomdash.stock_file import match_stock, stock_not_priced

        # the file's ids as the sales data writes them ("tex-271" is TEX-271's stock), as the
        # restock planner reads the same file
        matched = match_stock(stock, res.products["product_id"])
        stock = matched.stock
        unknown = stock_not_priced(stock, res.products["product_id"])
        stock_notes = [*matched.notes, *matched.warnings, *unknown]
    markdowns = P.markdown_candidates(res, weeks_to_clear=args.clear_weeks, stock=stock)
    v = res.validation_summary
    obj = {
        "dataset": info.id,
        "products": products[list(_PRODUCT_KEYS)],
        "categories": res.categories,
        "promotions": res.promotions,
        "validation": {**v, "per_product": res.validation},
        "whatif": None
        if whatif is None
        else {
            "change_pct": whatif.change_pct,
            "products": whatif.table,
            "warnings": [_whatif_warning(w) for w in whatif.warnings],
        },
        "markdowns": markdowns,
        "warnings": [*res.warnings, *stock_notes],
        "seconds": res.seconds,
    }
    emit(args, obj, _text(res, products, whatif, stock_notes))
    return 0


def _whatif_warning(w: str) -> str:
    """A what-if warning as the CLI says it: the missing margin names --margin."""
    from ecomdash.pricing.whatif import NO_MARGIN

    if getattr(w, "msgid", None) == NO_MARGIN:
        return _(
            "Profit needs a cost: pass --margin (a {sign} of the current price). Until then the "
            "best price shown maximises revenue.",
            sign="%",
        )
    return tr_note(w)


def _cells(text: str) -> int:
    """How many terminal columns ``text`` takes (a Chinese character takes two)."""
    return int(text_width(text))


def _f(x, fmt="{:.2f}") -> str:
    return "-" if x is None or (isinstance(x, float) and np.isnan(x)) else fmt.format(x)


def _pct(x) -> str:
    """A change in a promotion line as the Pricing page writes it: ``-12 %`` / ``+3 %``
    (:func:`ecomdash.i18n.fmt.pct`, signed; "-" when not known)."""
    return "-" if x is None or (isinstance(x, float) and np.isnan(x)) else pct(x, 0, signed=True)


def _text(res, products, whatif, stock_notes=()) -> str:
    """The human lines, in the current language (the Pricing page's words)."""
    from ecomdash.labels import product_label

    own = int((products["status"] == "estimated").sum())
    shown = products.head(30)
    # products as the pages name them, "name (id)", never cut (the column is as wide as the
    # longest shown)
    names = [product_label(r.product_name, r.product_id) for r in shown.itertuples()]
    head_product = _("product")
    width = max([_cells(head_product), *map(_cells, names)])
    out = [
        _n(
            "Price elasticity: {n} product from its own price history, {category} from their "
            "category, {none} without an estimate.",
            "Price elasticity: {n} products from their own price history, {category} from "
            "their category, {none} without an estimate.",
            own,
            n=f"{own:,}",
            category=f"{int((products['status'] == 'category').sum()):,}",
            none=f"{int((products['status'] == 'no estimate').sum()):,}",
        ),
        "",
        f"{pad(head_product, width)} {pad(_('elasticity'), 10, '>')} "
        f"{pad(_('{level} interval', level='90' + pct_sign()), 18, '>')} "
        f"{pad(_('levels'), 6, '>')} {pad(_('weeks'), 5, '>')}  {_('source / reason')}",
    ]
    for name, r in zip(names, shown.itertuples(), strict=True):
        out.append(
            f"{pad(name, width)} {_f(r.elasticity):>10s} "
            f"{_f(r.ci_low) + ' – ' + _f(r.ci_high):>18s} {r.n_price_levels:>6d} {r.weeks:>5d}  "
            f"{tr_note(r.source or r.reason)}"
        )
    if len(products) > 30:
        out.append(_("... {n} more (use --json for all)", n=f"{len(products) - 30:,}"))
    v = res.validation_summary
    out.append("")
    if v["n_products"]:
        out.append(
            _(
                "Held-out check from {date}: model MAE {model} vs naive {naive} units a week "
                "(ratio {ratio}) on {products}, {weeks} product-weeks.",
                date=long_date(v["cutoff"]),
                model=f"{v['model_mae']:.2f}",
                naive=f"{v['baseline_mae']:.2f}",
                ratio=f"{v['ratio']:.2f}",
                products=res.checked_products(),
                weeks=v["n_weeks"],
            )
        )
    else:
        out.append(_("Held-out check: no product had enough price history before the cutoff."))
    out.append(_("Promotions found: {n}", n=f"{len(res.promotions):,}"))
    entered = int(res.params.get("events") or 0)
    if entered and res.promotions.empty:  # the notes below say why, row by row
        out.append(
            "  "
            + _n(
                "The {n} promotion you entered could not be measured; the notes below say why.",
                "None of the {n} promotions you entered could be measured; the notes below say "
                "why for each.",
                entered,
            )
        )
    for r in res.promotions.head(20).itertuples():
        out.append(
            "  "
            + _(
                "{product} {dates}, {discount} off: lift {lift} ({low}–{high}), dip {dip}, "
                "net revenue {net}",
                product=product_label(r.product_name, r.product_id),
                dates=date_range(r.start, r.end),
                discount=pct(r.discount, 0),
                lift=f"{r.lift:.2f}",
                low=f"{r.lift_low:.2f}",
                high=f"{r.lift_high:.2f}",
                dip=_pct(r.dip),
                net=f"{r.net_revenue:,.0f}",
            )
        )
    if whatif is not None:
        out += [
            "",
            _("What-if at {change}:", change=as_pct(whatif.change_pct, points=True, signed=True)),
        ]
        for r in whatif.table.itertuples():
            out.append(
                "  "
                + _(
                    "{product}: {price} → {new_price}: units/week {units} ({low}–{high}), "
                    "revenue {revenue}, profit {profit}; best price for {best_for}: {best}",
                    product=product_label(r.product_name, r.product_id),
                    price=f"{r.current_price:.2f}",
                    new_price=f"{r.new_price:.2f}",
                    units=_f(r.units, "{:.1f}"),
                    low=_f(r.units_low, "{:.1f}"),
                    high=_f(r.units_high, "{:.1f}"),
                    revenue=_f(r.revenue, "{:,.0f}"),
                    profit=_f(r.profit, "{:,.0f}"),
                    best_for=r.best_for,
                    best=f"{r.best_price:.2f}",
                )
                + (f" [{tr_note(r.note)}]" if r.note else "")
            )
        out += note_lines(_whatif_warning(w) for w in whatif.warnings)
    out += note_lines([*res.warnings, *stock_notes])
    return "\n".join(out)
