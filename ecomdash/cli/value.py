"""``ecomdash clv`` and ``ecomdash churn``: customer lifetime value and churn risk."""

from __future__ import annotations

import argparse

import numpy as np

from ecomdash.cli.common import (
    add_dataset_arg,
    add_json_arg,
    emit,
    load_columns,
    load_history,
    parse_date,
)
from ecomdash.i18n.fmt import long_date
from ecomdash.labels import model_label


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "clv",
        help="lifetime value per customer (BG/NBD + Gamma-Gamma) with a holdout calibration check",
    )
    add_dataset_arg(p)
    p.add_argument(
        "--cutoff",
        type=parse_date,
        help="fit on purchases up to and including this day (YYYY-MM-DD); the holdout is after it",
    )
    p.add_argument(
        "--horizon-months", type=float, default=12, help="value horizon in months (default 12)"
    )
    p.add_argument("--top", type=int, default=20, help="customers listed in the text output")
    add_json_arg(p)
    p.set_defaults(func=run_clv)

    p = sub.add_parser(
        "churn",
        help="churn risk / propensity models evaluated on held-out time against baselines",
    )
    add_dataset_arg(p)
    p.add_argument(
        "--cutoff",
        type=parse_date,
        help="evaluation cut-off (default: the end of the data minus the window)",
    )
    p.add_argument(
        "--window-days", type=int, default=90, help="buy-again window N in days (default 90)"
    )
    add_json_arg(p)
    p.set_defaults(func=run_churn)


def run_clv(args: argparse.Namespace) -> int:
    from ecomdash import schema
    from ecomdash.clv import customer_value

    # the sales lines (cleaned in SQL), only the three columns lifetime value reads, less
    # the cancelled ones (a customer's purchases, as on the page)
    sales = schema.customer_sales(
        load_columns(args, (schema.CUSTOMER_ID, schema.ORDER_DATE, schema.REVENUE), sales_only=True)
    )
    res = customer_value(
        sales,
        cutoff=args.cutoff.isoformat() if args.cutoff else None,
        horizon_months=args.horizon_months,
    )
    c = res.customers
    cal = res.calibration
    params = None
    if res.params is not None:
        params = {k: getattr(res.params, k) for k in ("r", "alpha", "a", "b")}
        params.update(
            time_unit="week" if res.params.time_unit == "W" else "day",
            log_likelihood=res.params.log_likelihood,
            converged=res.params.converged,
        )
    obj = {
        "method": res.method,
        "cutoff": res.cutoff.date(),
        "horizon_months": res.horizon_months,
        "params": params,
        "gamma_gamma": None if res.gamma_gamma is None else res.gamma_gamma.as_dict(),
        "spend_frequency_corr": res.spend_frequency_corr,
        "repeat_buyers": res.repeat_buyers,
        "calibration": None
        if cal is None
        else {
            "cutoff": cal.cutoff.date(),
            "end": cal.end.date(),
            "calibration_repeat_purchases": cal.calibration_repeat_purchases,
            "predicted_holdout_purchases": cal.predicted_holdout_purchases,
            "actual_holdout_purchases": cal.actual_holdout_purchases,
            "by_frequency": cal.by_frequency,
        },
        "notices": list(res.notices),
        "customers": c[
            [
                "customer_id",
                "expected_purchases",
                "p_alive",
                "p_purchase_in_horizon",
                "expected_spend",
                "expected_value",
                "next_order_date",
            ]
        ].replace({np.nan: None}),
    }
    text = [
        f"Method: {res.method}; scored as of {long_date(res.cutoff)} over {res.horizon_months:g} months.",
    ]
    if params:
        p = res.params
        stop = "< 0.1" if p.dropout_per_purchase < 1e-3 else f"{100 * p.dropout_per_purchase:.1f}"
        text.append(
            f"Purchase model (BG/NBD): while still a customer, a customer buys about "
            f"{p.purchases_per_year:.1f} times a year on average, and after each purchase stops "
            f"buying with a chance of {stop} % (r={p.r:.4g}, alpha={p.alpha:.4g} "
            f"{params['time_unit']}s, a={p.a:.4g}, b={p.b:.4g})."
        )
    if res.gamma_gamma is not None:
        g = res.gamma_gamma
        text.append(f"Gamma-Gamma p={g.p:.4g} q={g.q:.4g} v={g.v:.4g}")
    if cal is not None:
        text.append(
            f"Calibration: fitted to {long_date(cal.cutoff)}, holdout to {long_date(cal.end)}: "
            f"predicted {cal.predicted_holdout_purchases:,.0f} vs actual "
            f"{cal.actual_holdout_purchases:,} purchases ({cal.error_pct:+.1f} %)."
        )
    text += [f"Notice: {n}" for n in res.notices]
    text.append(
        f"Total expected value: {c['expected_value'].sum():,.2f} over {len(c):,} customers."
    )
    text.append(
        c[["customer_id", "expected_value", "expected_purchases", "p_alive"]]
        .head(args.top)
        .to_string(index=False, float_format=lambda v: f"{v:,.3f}")
    )
    emit(args, obj, "\n".join(text))
    return 0


def run_churn(args: argparse.Namespace) -> int:
    import pandas as pd

    from ecomdash.churn import churn

    # the per-order customer history, aggregated in SQL (churn reads nothing else)
    res = churn(
        pd.DataFrame(),
        cutoff=args.cutoff.isoformat() if args.cutoff else None,
        window_days=args.window_days,
        history=load_history(args),
    )
    m = res.metrics
    keys = [
        "auc",
        "precision_at_10pct",
        "recall_at_10pct",
        "buyer_precision_at_10pct",
        "buyer_recall_at_10pct",
        "brier",
    ]
    models = {
        name: {k: m.loc[name, k] for k in keys}
        for name in m.index
        if m.loc[name, "kind"] == "model"
    }
    baselines = {
        name: {k: m.loc[name, k] for k in keys}
        for name in m.index
        if m.loc[name, "kind"] == "baseline"
    }
    obj = {
        "window_days": res.window_days,
        "train_cutoff": res.train_cutoff.date(),
        "test_cutoff": res.test_cutoff.date(),
        "n_train": res.n_train,
        "n_test": res.n_test,
        "test_positive_rate": res.test_positive_rate,
        "best_model": res.best_model,
        "models": models,
        "baselines": baselines,
        **{name: v for name, v in baselines.items()},
        "notices": list(res.notices),
    }
    text = [
        f"Trained on cut-off {long_date(res.train_cutoff)}, evaluated on "
        f"{long_date(res.test_cutoff)} "
        f"(+{res.window_days} days; {res.n_test:,} customers, "
        f"{res.test_positive_rate:.1%} bought again). "
        # the model by the page's name, its id (the table's row, --json's best_model) after it
        f"Best: {model_label(res.best_model)} ({res.best_model}).",
        m[["auc", "precision_at_10pct", "recall_at_10pct", "kind"]].to_string(
            float_format=lambda v: f"{v:.3f}"
        ),
    ]
    text += [f"Notice: {n}" for n in res.notices]
    emit(args, obj, "\n".join(text))
    return 0
