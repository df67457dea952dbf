"""``ecomdash clv`` and ``ecomdash churn``: customer lifetime value and churn risk."""

from __future__ import annotations

import argparse

import numpy as np

from ecomdash import labels as L
from ecomdash.cli.common import (
    add_dataset_arg,
    add_json_arg,
    add_lang_arg,
    display_of,
    emit,
    load_columns,
    load_history,
    parse_date,
    text_lang,
    text_table,
)
from ecomdash.i18n import N_, _, use_lang


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "clv",
        help=_(
            "lifetime value per customer (BG/NBD + Gamma-Gamma) with a holdout calibration check"
        ),
        description=_(
            "Lifetime value per customer, in the words of the Customer value page's "
            "lifetime-value tab: the method, the expected value and purchases, the calibration "
            "check on held-out time and the purchase model in plain words (the BG/NBD and "
            "Gamma-Gamma parameters after them)."
        ),
    )
    add_dataset_arg(p)
    p.add_argument(
        "--cutoff",
        type=parse_date,
        help=_(
            "fit on purchases up to and including this day (YYYY-MM-DD); the holdout is after it"
        ),
    )
    p.add_argument(
        "--horizon-months", type=float, default=12, help=_("value horizon in months (default 12)")
    )
    p.add_argument("--top", type=int, default=20, help=_("customers listed in the text output"))
    add_lang_arg(p, page=N_("Customer value page"))
    add_json_arg(p)
    p.set_defaults(func=run_clv)

    p = sub.add_parser(
        "churn",
        help=_("churn risk / propensity models evaluated on held-out time against baselines"),
        description=_(
            "The churn models in the words of the Customer value page's churn tab: "
            "how often the best model ranks customers who left above those who stayed (its "
            "holdout ROC AUC), against guessing and days since the last order alone, the table "
            "of models and what drives the prediction (permutation importance: the drop in the "
            "holdout ROC AUC, in percentage points)."
        ),
    )
    add_dataset_arg(p)
    p.add_argument(
        "--cutoff",
        type=parse_date,
        help=_("evaluation cut-off (default: the end of the data minus the window)"),
    )
    p.add_argument(
        "--window-days", type=int, default=90, help=_("buy-again window N in days (default 90)")
    )
    add_lang_arg(p, page=N_("Customer value page"))
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
    # in the language asked for: the notices are built in the run's language, as the page's
    # (--json keeps English notices whatever --lang says)
    with use_lang(text_lang(args)):
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
    with use_lang(args.lang):
        text = clv_text(res, display_of(args), top=args.top)
    emit(args, obj, "\n".join(text))
    return 0


def run_churn(args: argparse.Namespace) -> int:
    import pandas as pd

    from ecomdash.churn import churn

    # the per-order customer history, aggregated in SQL (churn reads nothing else)
    # in the language asked for: the notices and model labels are built in the run's
    # language, as the page's
    history = load_history(args)
    with use_lang(text_lang(args)):
        res = churn(
            pd.DataFrame(),
            cutoff=args.cutoff.isoformat() if args.cutoff else None,
            window_days=args.window_days,
            history=history,
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
    with use_lang(args.lang):
        text = churn_text(res, display_of(args))
    emit(args, obj, "\n".join(text))
    return 0


def _line(label: str, value: str) -> str:
    return _("{label}: {value}", label=label, value=value)


def clv_text(res, display: L.Display, *, top: int = 20) -> list[str]:
    """The lifetime-value result as the page's lifetime-value tab says it, in the current
    language: method, tiles, plain warnings, calibration check, parameters (in plain words
    after the figures), the technical notices, and the top customers."""
    from ecomdash.clv import words as W

    c = res.customers
    months = f"{res.horizon_months:g}"
    text = [
        W.method_sentence(res),
        _line(_("Customers scored"), W.whole(len(c))),
        _line(
            _("Expected value, {months} months", months=months),
            L.money(c["expected_value"].sum(), display),
        ),
        _line(
            _("Expected purchases, {months} months", months=months),
            W.whole(c["expected_purchases"].sum()),
        ),
        *res.plain_notices,
        "",
        _("Calibration check on held-out time"),
    ]
    cal = res.calibration
    if cal is None:
        text.append(_("No calibration check: see the notice above for why."))
    else:
        text += [
            W.holdout_sentence(cal),
            _line(_("Repeat purchases before cut-off"), W.whole(cal.calibration_repeat_purchases)),
            _line(_("Holdout purchases (actual)"), W.whole(cal.actual_holdout_purchases)),
            _(
                "{label}: {value}, {delta}",
                label=_("Holdout purchases (predicted)"),
                value=W.whole(cal.predicted_holdout_purchases),
                delta=W.versus_actual(cal),
            ),
        ]
        miss = cal.largest_miss()
        if miss is not None:
            text.append(W.largest_miss_text(miss))
    text += ["", _("Model parameters")]
    if res.params is not None:
        p = res.params
        figures = ", ".join(
            f"{k}={W.parameter_text(getattr(p, k))}" for k in ("r", "alpha", "a", "b")
        )
        text += [f"BG/NBD: {figures}", W.parameters_in_words(p)]
    if res.gamma_gamma is not None:
        g = res.gamma_gamma
        figures = ", ".join(f"{k}={W.parameter_text(getattr(g, k))}" for k in ("p", "q", "v"))
        text.append(f"Gamma-Gamma: {figures}")
    if res.notices:
        text += ["", _("Technical details of the warnings above"), *res.notices]
    cols = ["customer_id", "expected_value", "expected_purchases", "p_alive"]
    text += [
        "",
        _("Customers by expected value"),
        text_table(c[cols].head(top), "value.clv", display),
    ]
    return text


def churn_text(res, display: L.Display) -> list[str]:
    """The churn result as the page's churn tab says it, in the current language: plain
    words first (the best model against guessing and days since the last order alone), what
    it was checked on, its notices, the table of models and what drives the prediction."""
    from ecomdash import churn as churn_mod
    from ecomdash import churn_words

    text = [
        churn_words.verdict_sentence(res),
        churn_words.checked_sentence(res),
        *res.notices,
        "",
        text_table(churn_mod.models_table(res).round(3), "value", display),
    ]
    if res.importance is not None and len(res.importance):
        text += [
            "",
            _("What drives the prediction, all models"),
            text_table(churn_mod.drivers_table(res).round(2), "value.importance", display),
            _(churn_words.DRIVERS_CAPTION),
        ]
    return text
