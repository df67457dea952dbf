"""``ecomdash forecast`` and ``ecomdash restock``."""

from __future__ import annotations

import argparse

import pandas as pd

from ecomdash import labels as L
from ecomdash.cli.common import (
    add_dataset_arg,
    add_json_arg,
    add_lang_arg,
    as_pct,
    display_of,
    emit,
    filters_from,
    load_columns,
    note_lines,
    open_store,
    pad,
    text_lang,
    text_table,
)
from ecomdash.errors import ParameterError
from ecomdash.i18n import N_, _, use_lang
from ecomdash.i18n.fmt import duration, long_date, pct_sign
from ecomdash.i18n.note import note, tr_note
from ecomdash.text_width import text_width


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "forecast",
        help=_("forecast revenue/orders/units with a rolling-origin backtest of every model"),
    )
    add_dataset_arg(p)
    p.add_argument(
        "--metric",
        choices=("revenue", "orders", "units"),
        default="revenue",
        help=_("revenue (net of returns, the default), orders or units"),
    )
    p.add_argument("--freq", choices=("D", "W", "M"), default="D", help=_("day, week or month"))
    p.add_argument(
        "--horizon", type=int, help=_("periods ahead (default: two seasonal cycles, e.g. 14 days)")
    )
    p.add_argument(
        "--folds", type=int, help=_("backtest origins (default 8; 4 with --by, to keep a season)")
    )
    p.add_argument(
        "--by",
        help=_(
            "forecast every series of a group: location (store), category (department), "
            "product (sku), channel, country, or several joined by commas (location,category)"
        ),
    )
    p.add_argument("--product", help=_("forecast one product id only"))
    p.add_argument("--category", help=_("forecast one category only"))
    p.add_argument("--country", help=_("forecast one country only"))
    p.add_argument(
        "--returns", choices=("net", "exclude"), default="net", help=_("subtract returns (net)")
    )
    p.add_argument(
        "--calendar",
        help=_(
            "Chinese calendar regressors: 'cn' for all (holidays, 调休, 618, Double 11, Double "
            "12, 年货节) or feature keys joined by commas (spring_festival,double_11); the backtest "
            "compares every model with and without them"
        ),
    )
    p.add_argument(
        "--reconciliation",
        choices=("mint_diag", "bottom_up"),
        default="mint_diag",
        help=_("with --by: how the series are made to add up to the total (default mint_diag)"),
    )
    add_lang_arg(p, page=N_("Forecast & restock page"))
    add_json_arg(p)
    p.set_defaults(func=run_forecast)

    p = sub.add_parser(
        "restock", help=_("reorder points and order quantities for the top products")
    )
    add_dataset_arg(p)
    p.add_argument("--lead-time-days", type=float, default=14, help=_("supplier lead time (days)"))
    p.add_argument("--service-level", type=float, default=0.95, help=_("e.g. 0.95"))
    p.add_argument("--review-days", type=float, default=7, help=_("days between orders"))
    p.add_argument("--top", type=int, default=100, help=_("products by revenue (max 500)"))
    p.add_argument(
        "--stock",
        help=_("CSV or Excel (.xlsx) file of current stock: product id and units on hand"),
    )
    add_lang_arg(p, page=N_("Forecast & restock page"))
    add_json_arg(p)
    p.set_defaults(func=run_restock)


def _fmt(x: float) -> str:
    return "-" if pd.isna(x) else f"{x:,.2f}"


def _in_lang(run):
    """``run(args)`` in the language of ``--lang`` (English with ``--json``): the verdicts,
    warnings and notes are built in the run's language, as the page's."""

    def wrapped(args: argparse.Namespace) -> int:
        with use_lang(text_lang(args)):
            return run(args)

    wrapped.__doc__ = run.__doc__
    return wrapped


def _cov(level: int) -> str:
    return _("cov{level}", level=level)


def _band(level: int) -> str:
    return _("{level} band", level=f"{level}{pct_sign()}")


@_in_lang
def run_forecast(args: argparse.Namespace) -> int:
    from ecomdash import forecast as F

    if args.by:
        return run_forecast_groups(args)
    lines = load_columns(args, F.LINE_COLUMNS)  # no customer ids, channels, line numbers
    horizon = args.horizon if args.horizon is not None else F.default_horizon(args.freq)
    series = F.build_series(
        lines,
        metric=args.metric,
        freq=args.freq,
        product=args.product,
        category=args.category,
        country=args.country,
        returns=args.returns,
        future_periods=horizon,
    )
    calendar: tuple[str, ...] = ()
    if args.calendar:
        from ecomdash import calendar_cn

        text = args.calendar.strip()
        calendar = (
            calendar_cn.FEATURES
            if text.lower() == "cn"
            else calendar_cn.check_features([f.strip() for f in text.split(",") if f.strip()])
        )
    res = F.forecast(series, horizon=horizon, folds=args.folds or 8, calendar=calendar)
    bt = res.backtest.set_index("model")
    keys = ("mae", "mase", "mape", "bias", "coverage80", "coverage95")
    obj = {
        "model": res.model,
        "metric": args.metric,
        "freq": args.freq,
        "horizon": horizon,
        "folds": res.n_folds,
        "verdict": res.verdict,
        "auto_choices": list(res.auto_choices),
        "calendar": list(calendar),
        "backtest": {m: {k: bt.loc[m, k] for k in keys} for m in bt.index},
        "forecast": [
            {
                "period": r.period.date().isoformat(),
                **{k: float(getattr(r, k)) for k in ("mean", "lo80", "hi80", "lo95", "hi95")},
            }
            for r in res.forecast.itertuples()
        ],
        "warnings": list(res.warnings),
        "seconds": res.seconds,
    }
    # the coverage columns as wide as their header ("cov80", "覆盖率80"); the models by the
    # names the page shows (the JSON keeps the ids)
    cov = max(6, int(text_width(_cov(80))))
    names = {m: L.model_label(m, short=True) for m in bt.index}
    wide = max(18, *(int(text_width(x)) for x in (_("model"), *names.values())))
    lines_out = [
        _(
            "Forecast of {metric} per {freq}, {horizon} ahead; model: {model}",
            metric=_(args.metric),
            freq=_(F.FREQ_WORD[args.freq]),
            horizon=horizon,
            model=L.model_label(res.model, short=True),  # the page's name, not the id
        ),
        tr_note(res.verdict),
        "",
        f"{pad(_('model'), wide)} {'MAE':>12s} {'MASE':>7s} {'MAPE%':>7s} "
        f"{pad(_cov(80), cov, '>')} {pad(_cov(95), cov, '>')}",
    ]
    for m in bt.index:
        r = bt.loc[m]
        lines_out.append(
            f"{pad(names[m], wide)} {_fmt(r['mae']):>12s} {_fmt(r['mase']):>7s} {_fmt(r['mape']):>7s} "
            f"{pad(_fmt(r['coverage80']), cov, '>')} {pad(_fmt(r['coverage95']), cov, '>')}"
        )
    lines_out += [
        "",
        f"{pad(_('period'), 10)} {pad(_('mean'), 12, '>')} {pad(_band(80), 27, '>')} "
        f"{pad(_band(95), 27, '>')}",
    ]
    for r in res.forecast.itertuples():
        lines_out.append(
            f"{r.period.date()!s:10s} {_fmt(r.mean):>12s} "
            f"{_fmt(r.lo80):>12s} – {_fmt(r.hi80):>12s} {_fmt(r.lo95):>12s} – {_fmt(r.hi95):>12s}"
        )
    lines_out += note_lines(res.warnings)
    emit(args, obj, "\n".join(lines_out))
    return 0


def run_forecast_groups(args: argparse.Namespace) -> int:
    """``forecast --by GROUP``: every series of the group, backtest per series and total."""
    from ecomdash.charts.forecast_groups import RECONCILED
    from ecomdash.cli.common import filters_from, open_store
    from ecomdash.forecast_groups import forecast_groups

    if args.metric == "orders":
        raise ParameterError(
            note(N_("--by forecasts revenue or units; choose --metric revenue or units."))
        )
    store = open_store(args)
    try:
        info = store.resolve(args.dataset)
        res = forecast_groups(
            store,
            info.id,
            filters_from(args),
            by=args.by,
            metric=args.metric,
            freq=args.freq,
            horizon=args.horizon,
            folds=args.folds or 4,
            reconciliation=args.reconciliation,
        )
    finally:
        store.close()
    cols = ["series", *res.by, "model", "mae", "baseline_mae", "ratio", "forecast_total"]
    obj = {
        "dataset_id": info.id,
        "by": list(res.by),
        "metric": res.metric,
        "freq": res.freq,
        "horizon": res.horizon,
        "folds": res.n_folds,
        "reconciliation": res.reconciliation,
        "direct_model": res.direct_model,
        "backtest": res.backtest,
        "series": res.table[cols].to_dict(orient="records"),
        "total": [
            {
                "period": r.period.date().isoformat(),
                "forecast": float(r.forecast),
                "direct": float(r.direct),
            }
            for r in res.total[res.total["actual"].isna()].itertuples()
        ],
        "warnings": list(res.warnings),
        "seconds": res.seconds,
    }
    bt = res.backtest
    naive = max(12, int(text_width(_("naive MAE"))))  # as wide as its header
    names = {m: L.model_label(m, short=True) for m in res.table["model"].head(50).unique()}
    wide = max(15, *(int(text_width(x)) for x in (_("model"), *names.values())))
    out = [
        _(
            "{n} series of {metric} per {freq} by {by}, {horizon} ahead, {folds} backtest folds "
            "({took})",
            n=f"{bt['series']:,}",
            metric=_(res.metric),
            freq=_(F_WORD[res.freq]),
            # the groups by the page's column names, in a sentence ("by category × product ID")
            by=" × ".join(_in_sentence(L.label(c)) for c in res.by),
            horizon=res.horizon,
            folds=res.n_folds,
            took=duration(res.seconds),
        ),
        _(
            "backtest MAE summed over the series: auto {auto}, seasonal naive {naive} (ratio "
            "{ratio})",
            auto=_fmt(bt["auto"]),
            naive=_fmt(bt["seasonal_naive"]),
            ratio=f"{bt['ratio']:.3f}",
        ),
        _(
            "total: {how}, MAE {mae}; sum as forecast {bottom_up}; direct forecast of the "
            "total ({model}) {direct}",
            # the reconciliation as the page's legend names it
            how=_(RECONCILED[res.reconciliation]),
            mae=_fmt(bt["total_mae"]),
            bottom_up=_fmt(bt["total_bottom_up_mae"]),
            model=L.model_label(res.direct_model, short=True),
            direct=_fmt(bt["total_direct_mae"]),
        ),
        "",
        f"{pad(_('series'), 30)} {pad(_('model'), wide)} {'MAE':>12s} "
        f"{pad(_('naive MAE'), naive, '>')} {pad(_('forecast'), 14, '>')}",
    ]
    for r in res.table.head(50).itertuples():
        out.append(
            f"{_series_cell(r.series)} {pad(names[r.model], wide)} {_fmt(r.mae):>12s} "
            f"{pad(_fmt(r.baseline_mae), naive, '>')} {_fmt(r.forecast_total):>14s}"
        )
    if len(res.table) > 50:
        out.append(
            _(
                "... {n} more series (worst first; --json for all)",
                n=f"{len(res.table) - 50:,}",
            )
        )
    out += note_lines(res.warnings)
    emit(args, obj, "\n".join(out))
    return 0


F_WORD = {"D": "day", "W": "week", "M": "month"}


def _series_cell(series, width: int = 30) -> str:
    """A series' name in the ``forecast --by`` table: its first ``width`` terminal columns,
    padded to them (a Chinese category takes two a character: cut and lined up by
    :func:`ecomdash.text_width.text_width`, where ``[:30]`` and ``:30s`` counted one), a group
    without a value (``forecast_groups``' ``(none)``) in the current language."""
    from ecomdash.forecast_groups import series_name

    text = series_name(series)
    cut = ""
    for ch in text:
        if text_width(cut + ch) > width:
            break
        cut += ch
    return pad(cut, width)


def _in_sentence(label: str) -> str:
    """A column's label inside a sentence: ``Category`` → ``category``, an acronym kept
    (``SKU``), Chinese as it is."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


@_in_lang
def run_restock(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ecomdash.stock_file import read_stock

    if not 1 <= args.top <= 500:
        raise ParameterError(note(N_("--top must be between 1 and 500; got {top}."), top=args.top))
    stock = None
    if args.stock:
        path = Path(args.stock)
        if not path.is_file():
            raise ParameterError(
                note(N_("There is no stock file at {path}. Check the path."), path=args.stock)
            )
        stock = read_stock(path.read_bytes())
    from ecomdash.forecast import from_store as FS

    # from the store's aggregates: the top products' lines, sales per product and week
    store = open_store(args)
    try:
        res = FS.plan_restock(
            store,
            store.resolve(args.dataset).id,
            filters_from(args),
            lead_time_days=args.lead_time_days,
            service_level=args.service_level,
            review_days=args.review_days,
            stock=stock,
            top=args.top,
        )
    finally:
        store.close()
    cols = [
        "product_id",
        "product_name",
        "abc",
        "xyz",
        "demand_class",
        "model",
        "daily_demand",
        "safety_stock",
        "reorder_point",
        "on_hand",
        "days_of_cover",
        "stockout_date",
        "order_qty",
    ]
    plan = res.plan[cols]
    obj = {
        "as_of": res.as_of.date().isoformat(),
        "params": res.params,
        "matrix": {r: res.matrix.loc[r].to_dict() for r in res.matrix.index},
        "plan": plan,
        "warnings": list(res.warnings),
    }
    text = [
        _(
            "Restock plan as of {date} (lead time {days} days, service level {level}):",
            date=long_date(res.as_of),
            days=f"{args.lead_time_days:g}",
            level=as_pct(args.service_level),
        ),
        # the page's headers and cells (the JSON keeps the raw ids)
        # demand patterns in the page's words too (L.shown_classes)
        text_table(
            L.shown_classes(plan.drop(columns=["product_name"])), "forecast", display_of(args)
        ),
        "",
        _("ABC × XYZ (products):"),
        _abc_xyz(res.matrix),
    ]
    text += note_lines(res.warnings)
    emit(args, obj, "\n".join(text))
    return 0


def _abc_xyz(matrix) -> str:
    """The ABC × XYZ count of products as text: its axes named in the current language (the
    classes' ids ``abc`` / ``xyz`` in English, as before), lined up by terminal columns (a
    Chinese name takes two a character: pandas' ``east_asian_width``)."""
    # TRANSLATORS: the name of the ABC × XYZ table's rows / columns: the ABC / XYZ class
    named = matrix.rename_axis(index=_("abc"), columns=_("xyz"))
    with pd.option_context("display.unicode.east_asian_width", True):
        return named.to_string()
