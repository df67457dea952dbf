"""Churn risk and purchase propensity, validated on held-out time.

The target is *propensity*: did the customer buy again within ``window_days`` after a cut-off?
``churn_probability = 1 - propensity``. Features use only orders dated on or before the cut-off
day; labels use only orders strictly after it (from the next midnight), so no label is defined
from data a feature saw.

Validation is out-of-time: models are trained on the window whose cut-off is ``c1 = c2 - N``
(features up to c1, labels in (c1, c1+N]) and evaluated on the latest complete window (features
up to ``c2 = end - N``, labels in (c2, end]). Baselines: recency alone, and BG/NBD P(alive) fitted
on the data before c2. For the at-risk list the models are refitted on the evaluation window and
score every customer as of the last date.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.calibration import calibration_curve
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_curve
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.tree import DecisionTreeClassifier
from threadpoolctl import threadpool_limits

from ecomdash import clv, schema
from ecomdash import labels as L
from ecomdash.churn_metrics import auc_score as auc_score  # churn.auc_score, as before
from ecomdash.churn_metrics import holdout_metrics as _metrics
from ecomdash.churn_metrics import permutation_auc_drop, propensity
from ecomdash.churn_metrics import top_decile as top_decile  # churn.top_decile, as before

# the windows (features before a cut-off, labels after it) live in churn_windows; their names
# stay reachable here, as before the split
from ecomdash.churn_windows import (  # noqa: F401
    FEATURES,
    ChurnWindow,
    _bgnbd_scores,
    _labels,
    _windowed,
    churn_window,
)
from ecomdash.errors import InsufficientDataError, ParameterError
from ecomdash.features import CustomerHistory, customer_history, to_timestamp
from ecomdash.i18n import N_, _, _n, fmt
from ecomdash.i18n.note import Date, note
from ecomdash.tasks import Tasks as _Tasks

#: Threads churn's independent steps run on (the three windows, the fits, the scores, the
#: importances, the refit): numpy's and sklearn's compiled loops release the GIL, so two
#: threads use both cores of a small server. Each step still runs on one thread (one OpenMP
#: thread, one BLAS thread), as the whole analysis did, so every result is the same bits.
WORKERS = 2

#: What each feature means, in the merchant's words (translate where shown).
FEATURE_LABELS = {
    "recency_days": N_("days since last order"),
    "frequency": N_("orders"),
    "monetary": N_("spend"),
    "avg_order_value": N_("average order value"),
    "tenure_days": N_("days since first purchase"),
    "interpurchase_days": N_("days between orders"),
    "recency_over_interpurchase": N_("days since last order ÷ usual gap"),
    "category_breadth": N_("categories bought"),
    "return_rate": N_("return rate"),
    "orders_30d": N_("orders, last 30 days"),
    "orders_90d": N_("orders, last 90 days"),
    "orders_180d": N_("orders, last 180 days"),
    "revenue_90d": N_("spend, last 90 days"),
    "revenue_365d": N_("spend, last 365 days"),
}

#: The features that count orders, in purchase days where the data has no order id (CDNOW:
#: one line per customer and purchase day, :attr:`ChurnResult.purchase_days`): there each
#: "order" is a day the customer bought on.
DAY_FEATURE_LABELS = {
    "recency_days": N_("days since last purchase"),
    "frequency": N_("purchase days"),
    "avg_order_value": N_("average spend per purchase day"),
    "interpurchase_days": N_("days between purchases"),
    "recency_over_interpurchase": N_("days since last purchase ÷ usual gap"),
    "orders_30d": N_("purchase days, last 30 days"),
    "orders_90d": N_("purchase days, last 90 days"),
    "orders_180d": N_("purchase days, last 180 days"),
}


def feature_label(feature: str, *, purchase_days: bool = False) -> str:
    """A feature's plain name in the current language; ``purchase_days``: the data has no
    order id, so what counts orders counts purchase days (:data:`DAY_FEATURE_LABELS`)."""
    names = {**FEATURE_LABELS, **DAY_FEATURE_LABELS} if purchase_days else FEATURE_LABELS
    return _(names[feature]) if feature in names else feature


MODELS = ("logistic", "tree", "gbm")
#: The model names a merchant reads (one catalogue: ecomdash.labels).
MODEL_LABELS = {
    k: L.MODEL_LABELS[k] for k in ("logistic", "tree", "gbm", "recency", "p_alive", "bgnbd")
}

MIN_CUSTOMERS = 50
MIN_POSITIVES = 10

#: Above this many customers in a window the models are fitted on a seeded random sample of this
#: size (every customer is still evaluated and scored); the result says so.
TRAIN_SAMPLE = 200_000
#: Permutation importance is measured on at most this many evaluation customers (seeded sample).
IMPORTANCE_SAMPLE = 50_000


# --------------------------------------------------------------------------------------
# Models and metrics
# --------------------------------------------------------------------------------------


def _signed_log1p(x):
    return np.sign(x) * np.log1p(np.abs(x))


_signed_log1p.valuewise = True  # each value alone: permutation importance may shuffle after it


def make_model(name: str, *, n_train: int):
    """A fresh, seeded estimator for ``name`` (one of :data:`MODELS`)."""
    if name == "logistic":
        return make_pipeline(
            FunctionTransformer(_signed_log1p),
            StandardScaler(),
            LogisticRegression(C=1.0, max_iter=2000),
        )
    if name == "tree":
        return DecisionTreeClassifier(
            max_depth=5, min_samples_leaf=max(20, n_train // 100), random_state=0
        )
    if name == "gbm":
        # histogram boosting: binned features make the fit ~linear in customers (the exact-split
        # GradientBoostingClassifier took 33 of 42 s at 1 M lines); no early stopping, so the fit
        # is deterministic and uses every training row
        return HistGradientBoostingClassifier(
            max_iter=50,
            learning_rate=0.1,
            max_depth=3,
            min_samples_leaf=max(20, n_train // 100),
            early_stopping=False,
            random_state=0,
        )
    raise ParameterError(
        note(
            N_("The model must be one of {models}. Got {name} instead."),
            models=str(list(MODELS)),
            name=repr(name),
        )
    )


def sample_rows(n: int, size: int | None, *, seed: int = 0) -> np.ndarray | None:
    """Sorted positions of a seeded random sample of ``size`` of ``n`` rows; None to keep all.

    >>> sample_rows(10, None) is None, sample_rows(10, 20) is None, len(sample_rows(10, 4))
    (True, True, 4)
    """
    if size is None or n <= int(size):
        return None
    rng = np.random.default_rng([seed, 12])
    return np.sort(rng.choice(n, size=int(size), replace=False))


@dataclass(frozen=True)
class Evaluation:
    """Holdout scores of the models and baselines on one test window."""

    metrics: pd.DataFrame  # index model name; auc, precision_at_10pct, ... ; kind (model/baseline)
    scores: dict[str, np.ndarray]  # test-window propensity per model/baseline
    fitted: dict[str, object]
    #: the ROC curve (``roc_curve``'s fpr, tpr) per model/baseline, from the metrics' sort
    roc: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)


def _enough(w: ChurnWindow) -> bool:
    """At least MIN_CUSTOMERS customers and MIN_POSITIVES of each outcome (labels needed)."""
    pos = int(w.y.sum())
    return len(w.y) >= MIN_CUSTOMERS and pos >= MIN_POSITIVES and len(w.y) - pos >= MIN_POSITIVES


def _check_windows(train: ChurnWindow, test: ChurnWindow) -> None:
    """Both windows labelled, each with enough customers of each outcome (else the error)."""
    if train.y is None or test.y is None:
        raise ParameterError(note(N_("evaluate() needs labelled windows (labelled=True).")))
    for name, w in ((N_("training"), train), (N_("evaluation"), test)):
        pos = int(w.y.sum())
        if not _enough(w):
            raise InsufficientDataError(
                note(
                    N_(
                        "The {name} window (cut-off {date}) has {n} customers, of whom {pos} bought "
                        "again within {days} days; churn models need at least {need} customers and "
                        "{each} of each outcome. Use a longer history or a shorter window."
                    ),
                    name=note(name),
                    date=Date(w.cutoff),
                    n=f"{len(w.y):,}",
                    pos=f"{pos:,}",
                    days=w.window_days,
                    need=MIN_CUSTOMERS,
                    each=MIN_POSITIVES,
                )
            )


def evaluate(
    train: ChurnWindow,
    test: ChurnWindow,
    *,
    models: tuple[str, ...] = MODELS,
    train_sample: int | None = TRAIN_SAMPLE,
    tasks: _Tasks | None = None,
    fits: dict[str, Future] | None = None,
) -> Evaluation:
    """Fit ``models`` on ``train`` and score them and the baselines on ``test`` (labels needed).

    With more than ``train_sample`` training customers the models are fitted on a seeded random
    sample of that many (see :func:`sample_rows`); every test customer is scored. ``tasks``:
    where the fits and scores run (default: one after another, here); ``fits``: the fits
    already started by :func:`start_fits` on ``train`` (default: started here).
    """
    _check_windows(train, test)
    tasks = _Tasks(1) if tasks is None else tasks
    if fits is None:
        fits = start_fits(train, models=models, train_sample=train_sample, tasks=tasks)
    Xte, yte = test.X.to_numpy(), test.y
    # the baselines first: they need only the evaluation window, not the fits
    base: dict[str, tuple[np.ndarray, bool]] = {
        "recency": (-test.X["recency_days"].to_numpy(), False)
    }
    if np.isfinite(test.p_alive).all():
        base["p_alive"] = (test.p_alive, False)
        base["bgnbd"] = (test.p_buy, True)
    done = {
        name: tasks.submit(_score_row, yte, s, name, probabilistic=prob, kind="baseline")
        for name, (s, prob) in base.items()
    }
    for name in models:  # each model scored as soon as its fit is done
        done[name] = tasks.submit(_model_row, fits[name].result(), Xte, yte, name)
    scores: dict[str, np.ndarray] = {}
    fitted: dict[str, object] = {}
    roc: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    rows = {}
    for name in (*models, *base):  # the order of before: models, recency, p_alive, bgnbd
        s, row, curve = done[name].result()
        if name in fits:
            fitted[name] = fits[name].result()
        scores[name] = s
        rows[name] = row
        if curve is not None:
            roc[name] = curve
    metrics = pd.DataFrame.from_dict(rows, orient="index")
    metrics.index.name = "model"
    return Evaluation(metrics=metrics, scores=scores, fitted=fitted, roc=roc)


def start_fits(
    train: ChurnWindow, *, models: tuple[str, ...], train_sample: int | None, tasks: _Tasks
) -> dict[str, Future]:
    """The models' fits on ``train`` (a seeded sample of ``train_sample`` customers above that
    size), one task each: futures of the fitted estimators, by model name."""
    Xtr, ytr = train.X.to_numpy(), train.y
    keep = sample_rows(len(ytr), train_sample)
    if keep is not None:
        Xtr, ytr = Xtr[keep], ytr[keep]
    return {name: tasks.submit(_fit, name, Xtr, ytr) for name in models}


def _fit(name: str, X: np.ndarray, y: np.ndarray):
    return make_model(name, n_train=len(y)).fit(X, y)


def _score_row(y, s, name, *, probabilistic, kind):
    """``(score, metrics row, ROC points or None)`` of one model or baseline on the evaluation
    window (the ROC points only when every score is finite, as before)."""
    roc: dict = {}
    row = {**_metrics(y, s, probabilistic=probabilistic, roc=roc, name=name), "kind": kind}
    return s, row, roc.get(name)


def _model_row(est, X, y, name):
    return _score_row(y, propensity(est, X), name, probabilistic=True, kind="model")


# --------------------------------------------------------------------------------------
# The churn analysis
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChurnResult:
    """Out-of-time churn/propensity evaluation plus current scores.

    ``metrics``: per model/baseline ``auc, precision_at_10pct, recall_at_10pct,
    buyer_precision_at_10pct, buyer_recall_at_10pct, brier, kind, label`` (precision/recall
    count churners among the 10% highest churn risk; ``buyer_*`` count buyers among the 10%
    highest propensity). ``roc``: ``model, fpr, tpr``. ``calibration``: ``model, predicted,
    observed`` (deciles of predicted propensity). ``importance``: ``model, feature,
    importance`` (drop in holdout AUC when the feature is permuted). ``scores``: every customer
    as of ``score_date`` with ``propensity``, ``churn_probability`` (best model) and features.
    """

    metrics: pd.DataFrame
    best_model: str
    roc: pd.DataFrame
    calibration: pd.DataFrame
    importance: pd.DataFrame
    scores: pd.DataFrame
    train_cutoff: pd.Timestamp
    test_cutoff: pd.Timestamp
    score_date: pd.Timestamp
    window_days: int
    n_train: int
    n_test: int
    test_positive_rate: float
    notices: tuple[str, ...] = field(default_factory=tuple)
    n_fit: int = 0  # customers the models were fitted on (< n_train when sampled)
    n_importance: int = 0  # evaluation customers permutation importance was measured on
    #: no order id: the features count purchase days, not orders (their names say so)
    purchase_days: bool = False


def churn(
    lines: pd.DataFrame,
    *,
    cutoff: object = None,
    window_days: int = 90,
    models: tuple[str, ...] = MODELS,
    importance_repeats: int = 2,
    history: CustomerHistory | None = None,
    train_sample: int | None = TRAIN_SAMPLE,
) -> ChurnResult:
    """Train on (c1 = cutoff - N), evaluate on ``cutoff`` (default: end - N), score as of the end.

    ``lines``: canonical lines (return lines included give a return-rate feature; standard
    cleaning is applied inside).
    """
    if not (7 <= int(window_days) <= 365):
        raise ParameterError(
            note(
                N_(
                    "The 'window_days' parameter must be an int in the range [7, 365]. Got "
                    "{value} instead."
                ),
                value=repr(window_days),
            )
        )
    bad = [m for m in models if m not in MODELS]
    if bad or not models:
        raise ParameterError(
            note(
                N_("The 'models' parameter must be a non-empty subset of {allowed}. Got {models}."),
                allowed=str(list(MODELS)),
                models=repr(models),
            )
        )
    window_days = int(window_days)
    if history is None:
        cid = lines[schema.CUSTOMER_ID] if schema.CUSTOMER_ID in lines else None
        if cid is None or not (cid.notna() & (cid.astype("string").str.strip() != "")).any():
            raise InsufficientDataError(
                note(
                    N_(
                        "Churn models need customers with ids; none of the {n} lines has one. Map "
                        "the customer id column on the Data page (guest orders cannot be followed)."
                    ),
                    n=f"{len(lines):,}",
                )
            )
    hist = history if history is not None else customer_history(lines)
    end = hist.last_date.normalize()
    c2 = (
        end - pd.Timedelta(days=window_days)
        if cutoff is None
        else to_timestamp(cutoff, name="cutoff")
    )
    c1 = c2 - pd.Timedelta(days=window_days)
    first = hist.first_date.normalize()
    if c1 < first + pd.Timedelta(days=30):
        need = 2 * window_days + 30
        raise InsufficientDataError(
            note(
                N_(
                    "Out-of-time churn validation with a {days}-day window needs at least {need} days "
                    "of history (30 days of features + a training window + an evaluation window); "
                    "the data covers {span} days ({first} to {end}). Use a shorter window."
                ),
                days=window_days,
                need=need,
                span=f"{(end - first).days:,}",
                first=Date(first),
                end=Date(end),
            )
        )
    with threadpool_limits(1, user_api="blas"), threadpool_limits(1, user_api="openmp"):
        return _churn(
            hist,
            c1=c1,
            c2=c2,
            end=end,
            window_days=window_days,
            models=models,
            repeats=importance_repeats,
            train_sample=train_sample,
        )


def _churn(hist, *, c1, c2, end, window_days, models, repeats, train_sample) -> ChurnResult:
    with _Tasks(WORKERS) as tasks:
        return _churn_steps(
            hist,
            tasks,
            c1=c1,
            c2=c2,
            end=end,
            window_days=window_days,
            models=models,
            repeats=repeats,
            train_sample=train_sample,
        )


def _churn_steps(
    hist, tasks: _Tasks, *, c1, c2, end, window_days, models, repeats, train_sample
) -> ChurnResult:
    # the baselines are scored on the evaluation window only: no BG/NBD fit for training
    train_f = tasks.submit(churn_window, hist, cutoff=c1, window_days=window_days, bgnbd=False)
    test_f = tasks.submit(churn_window, hist, cutoff=c2, window_days=window_days)
    train = train_f.result()
    # the fits start while the evaluation window is built (not when the training window is
    # too small: then its error comes after the evaluation window's own, as before)
    fits = (
        start_fits(train, models=models, train_sample=train_sample, tasks=tasks)
        if _enough(train)
        else None
    )
    now_f = tasks.submit(
        churn_window, hist, cutoff=end, window_days=window_days, labelled=False, bgnbd=False
    )
    test = test_f.result()
    ev = evaluate(train, test, models=models, train_sample=train_sample, tasks=tasks, fits=fits)
    notices: list[str] = []
    n_fit = min(len(train.y), int(train_sample)) if train_sample is not None else len(train.y)
    if n_fit < len(train.y):
        notices.append(
            _(
                "The models were fitted on a random sample of {n} of the {total} customers "
                "(seeded, so the result repeats); every one of the {tested} evaluation customers "
                "and every current customer is scored. The holdout figures below are those of "
                "the sampled fit, so they show what sampling costs.",
                n=f"{n_fit:,}",
                total=f"{len(train.y):,}",
                tested=f"{len(test.y):,}",
            )
        )
    model_rows = ev.metrics[ev.metrics["kind"] == "model"]
    best = str(model_rows["auc"].idxmax())
    base_auc = float(ev.metrics.loc["recency", "auc"])
    if float(model_rows.loc[best, "auc"]) <= base_auc:
        notices.append(
            _(
                "No model ranks customers better than days since the last order alone on the "
                "later period it was checked on (the best, {model}, ranks who left above who "
                "stayed {auc} of the time; days since the last order, {base}): use that here.",
                model=_(MODEL_LABELS[best]),
                auc=fmt.pct(float(model_rows.loc[best, "auc"])),
                base=fmt.pct(base_auc),
            )
        )
    if "p_alive" not in ev.metrics.index:
        notices.append(_("BG/NBD baselines skipped: too few repeat buyers before the cut-off."))
    elif float(ev.metrics.loc["p_alive", "auc"]) < 0.5:
        notices.append(
            _(
                "The lifetime-value model's chance still active ranks customers worse than "
                "guessing here: it gives every customer who bought once a 100\u00a0% chance, yet most "
                "of them never come back. Its chance to buy in the window does not have this "
                "problem."
            )
        )
    metrics = ev.metrics.assign(label=[_(MODEL_LABELS[m]) for m in ev.metrics.index])

    # Refit the best model on the evaluation window and score everyone as of the end (first:
    # the longest chain), the calibration curves and the permutation importances beside it
    yte = test.y
    Xte = test.X.to_numpy()
    refit = sample_rows(len(test.y), train_sample)
    Xfit, yfit = (Xte, yte) if refit is None else (Xte[refit], yte[refit])
    now_scored = tasks.submit(_refit_and_score, best, Xfit, yfit, now_f)
    cal_f = {
        name: tasks.submit(calibration_curve, yte, ev.scores[name], n_bins=10, strategy="quantile")
        for name in models
    }
    # Which features drive the prediction: permutation importance on the evaluation window
    imp = sample_rows(len(yte), IMPORTANCE_SAMPLE)
    Xim, yim = (Xte, yte) if imp is None else (Xte[imp], yte[imp])
    imp_f = {
        name: tasks.submit(permutation_auc_drop, ev.fitted[name], Xim, yim, n_repeats=repeats)
        for name in models
    }

    # ROC and calibration curves on the evaluation window
    roc_rows = []
    for name, s in ev.scores.items():
        fpr, tpr = ev.roc[name] if name in ev.roc else roc_curve(yte, s)[:2]
        if len(fpr) > 300:
            keep = np.unique(np.linspace(0, len(fpr) - 1, 300).astype(int))
            fpr, tpr = fpr[keep], tpr[keep]
        roc_rows.append(pd.DataFrame({"model": name, "fpr": fpr, "tpr": tpr}))
    roc = pd.concat(roc_rows, ignore_index=True)
    cal_rows = []
    for name in models:
        obs, pred = cal_f[name].result()
        cal_rows.append(pd.DataFrame({"model": name, "predicted": pred, "observed": obs}))
    calibration = pd.concat(cal_rows, ignore_index=True)
    imp_rows = []
    for name in models:
        drop = imp_f[name].result()
        imp_rows.append(
            pd.DataFrame({"model": name, "feature": list(FEATURES), "importance": drop})
        )
    importance = pd.concat(imp_rows, ignore_index=True)
    if imp is not None:
        notices.append(
            _(
                "Feature importance was measured on a random sample of {n} of the {total} "
                "evaluation customers.",
                n=f"{len(yim):,}",
                total=f"{len(yte):,}",
            )
        )

    now, prop = now_scored.result()
    scores = now.X.assign(propensity=prop, churn_probability=1.0 - prop).reset_index()
    scores[schema.CUSTOMER_ID] = scores[schema.CUSTOMER_ID].astype(str)
    return ChurnResult(
        metrics=metrics,
        best_model=best,
        roc=roc,
        calibration=calibration,
        importance=importance,
        scores=scores,
        train_cutoff=c1,
        test_cutoff=c2,
        score_date=end,
        window_days=window_days,
        n_train=len(train.y),
        n_test=len(test.y),
        test_positive_rate=float(np.mean(test.y)),
        notices=tuple(notices),
        n_fit=n_fit,
        n_importance=len(yim),
        purchase_days=hist.purchase_days,
    )


def _refit_and_score(best: str, X: np.ndarray, y: np.ndarray, now_f: Future):
    """The best model fitted on ``X, y``, then every customer of the scoring window (``now_f``,
    submitted before this step, so it has started or finished) scored: ``(window, propensity)``."""
    est = make_model(best, n_train=len(y)).fit(X, y)
    now = now_f.result()
    return now, propensity(est, now.X.to_numpy())


# --------------------------------------------------------------------------------------
# Acting on it
# --------------------------------------------------------------------------------------


def at_risk(
    result: ChurnResult,
    *,
    expected_value: pd.Series | None = None,
    top: int | None = 200,
) -> pd.DataFrame:
    """High-value customers at risk, ranked by ``value_at_risk = revenue_365d × churn_probability``.

    ``revenue_365d`` is the customer's spend in the year before the score date (the value the
    shop stands to lose); ``expected_value`` (e.g. CLV, indexed by customer id) is added as a
    column when given. Columns: ``customer_id, value_at_risk, churn_probability, revenue_365d,
    recency_days, interpurchase_days, frequency, monetary`` (+ ``expected_value``).

    ``interpurchase_days`` is the customer's mean days between orders (first to last order
    over the gaps), NaN with a single order (the models' feature fills it with the tenure):
    next to ``recency_days`` it shows why a customer who just ordered can be at risk — one
    who orders every six months is unlikely to order in the next 90 days.
    """
    s = result.scores
    out = pd.DataFrame(
        {
            "customer_id": s[schema.CUSTOMER_ID].astype(str),
            "value_at_risk": s["revenue_365d"].clip(lower=0) * s["churn_probability"],
            "churn_probability": s["churn_probability"],
            "revenue_365d": s["revenue_365d"],
            "recency_days": s["recency_days"],
            "interpurchase_days": s["interpurchase_days"].where(s["frequency"] >= 2),
            "frequency": s["frequency"],
            "monetary": s["monetary"],
        }
    )
    if expected_value is not None:
        ev = pd.Series(expected_value)
        ev.index = ev.index.astype(str)
        out["expected_value"] = out["customer_id"].map(ev).to_numpy(dtype=float)
    out = out[out["value_at_risk"] > 0]
    out = out.sort_values(
        ["value_at_risk", "customer_id"], ascending=[False, True], kind="mergesort"
    )
    if top is not None:
        out = out.head(int(top))
    return out.reset_index(drop=True)


#: the churn models' table's columns (model by its label, then its held-out figures) as the
#: page shows them; the download adds ``recall_at_10pct``, the share of all leavers among the
#: 10 % most at risk (about the same for every model): within the page's width it ran off
#: the page in Chinese
MODEL_TABLE = ("label", "auc", "precision_at_10pct", "buyer_precision_at_10pct", "brier")


def models_table(res: ChurnResult, *, download: bool = False) -> pd.DataFrame:
    """The churn models and baselines with their held-out figures, as the page's table and
    ``ecomdash churn`` show them (``download``: with ``recall_at_10pct`` too)."""
    cols = list(MODEL_TABLE)
    if download:
        cols.insert(3, "recall_at_10pct")
    return res.metrics.reset_index()[cols]


def drivers_table(res: ChurnResult) -> pd.DataFrame:
    """What drives the prediction: for each feature (by its plain name, column ``feature``)
    the percentage points each model (a column per model id) loses in how often it ranks
    customers who left above those who stayed when that feature is shuffled (permutation
    importance: the drop in the holdout ROC AUC, × 100)."""
    imp = res.importance.pivot(index="feature", columns="model", values="importance") * 100
    imp.index = [feature_label(f, purchase_days=res.purchase_days) for f in imp.index]
    imp.columns.name = None
    return imp.rename_axis("feature").reset_index()


@dataclass(frozen=True)
class SufficiencyResult:
    """The data-sufficiency checklist: ``checks`` has ``check, found, needed, ok, affects, reason``."""

    checks: pd.DataFrame
    can_cohorts: bool
    can_clv: bool
    can_churn: bool


def sufficiency(
    lines: pd.DataFrame, *, window_days: int = 90, sales: pd.DataFrame | None = None
) -> SufficiencyResult:
    """What the data allows before anything runs: customers with ids, repeat buyers, months.

    ``sales`` (``schema.customer_sales(lines)``) may be passed when already computed.
    """
    sales = schema.customer_sales(lines) if sales is None else sales
    n_lines = len(sales)
    if schema.CUSTOMER_ID in sales and schema.ORDER_DATE in sales:
        cid = sales[schema.CUSTOMER_ID]
        has = (
            cid.notna().to_numpy()
            & (cid.astype("string").str.strip() != "").fillna(False).to_numpy()
        )
        days = clv.customer_days(sales)
    else:
        has = np.zeros(n_lines, dtype=bool)
        days = None
    return sufficiency_from_days(
        days, n_lines=n_lines, n_with_id=int(has.sum()), window_days=window_days
    )


#: From this many months of history the checklist writes whole months: the lines it checks
#: (2 and 3 months) are far below, so a decimal would only look precise.
WHOLE_MONTHS_FROM = 4


def months_found(months: float) -> str:
    """The checklist's months of history: whole months well above its 2- and 3-month lines
    (729 days is "24", not "24.0"); near them one decimal, rounded down, so that the figure
    never reads as reaching a line the check says it misses (59 days is "1.9", not "2.0")."""
    if months >= WHOLE_MONTHS_FROM:
        return f"{int(months + 0.5):,}"
    return f"{np.floor(months * 10 + 1e-9) / 10:.1f}"


def history_found(span_days: int) -> str:
    """The checklist's history found: in months (:func:`months_found`) from one month on;
    under a month in days ("3 days" / "3 天"): a three-day export read "0.0" months."""
    months = span_days / clv.DAYS_PER_MONTH
    if months >= 1:
        return months_found(months)
    return _n("{n} day", "{n} days", span_days, n=f"{span_days:,}")


def sufficiency_from_days(
    days: pd.DataFrame | None, *, n_lines: int, n_with_id: int, window_days: int = 90
) -> SufficiencyResult:
    """:func:`sufficiency` from purchases per customer-day (``clv.customer_days`` of the
    sales lines, or the store's SQL ``Store.customer_days``; None without a customer id or
    order date column), the number of sales lines and how many have a customer id."""
    if days is not None:
        codes = pd.factorize(days["customer_id"])[0]
        n_days = np.bincount(codes) if len(codes) else np.zeros(0, dtype=np.int64)
        n_customers = int(len(n_days))
        n_repeat = int((n_days > 1).sum())
        span_days = int((days["date"].max() - days["date"].min()).days) if len(days) else 0
    else:
        n_customers = n_repeat = span_days = 0
    has_any = n_with_id > 0
    share = n_with_id / n_lines * 100 if n_lines else 0
    months = span_days / clv.DAYS_PER_MONTH
    need_churn_days = 2 * int(window_days) + 30
    rows = [
        (
            _("Sale lines with a customer id"),
            _(
                "{n} of {total} ({share})",
                n=f"{n_with_id:,}",
                total=f"{n_lines:,}",
                share=fmt.pct(share / 100, 0),
            ),
            _("some"),
            has_any,
            _("everything on this page"),
            "" if has_any else _("No customer ids: map the customer id column on the Data page."),
        ),
        (
            _("Customers with ids"),
            f"{n_customers:,}",
            f"≥{fmt.NBSP}{MIN_CUSTOMERS}",
            n_customers >= MIN_CUSTOMERS,
            _("lifetime value, churn"),
            ""
            if n_customers >= MIN_CUSTOMERS
            else _("Too few identified customers for any model."),
        ),
        (
            _("Repeat buyers (2+ purchase days)"),
            f"{n_repeat:,}",
            f"≥{fmt.NBSP}{clv.MIN_REPEAT_BUYERS}",
            n_repeat >= clv.MIN_REPEAT_BUYERS,
            _("lifetime-value models"),
            ""
            if n_repeat >= clv.MIN_REPEAT_BUYERS
            else _("Too few repeat buyers: lifetime value falls back to historical averages."),
        ),
        (
            _("Months of history"),
            history_found(span_days),
            _("≥\u00a02 (cohorts); ≥\u00a03 (calibration check)"),
            months >= 2,
            _("cohorts, calibration"),
            "" if months >= 2 else _("Less than two months: no retention to show yet."),
        ),
        (
            _("Days of history for a {days}-day churn window", days=window_days),
            f"{span_days:,}",
            _("≥\u00a0{need} (2 × window +\u00a030)", need=need_churn_days),
            span_days >= need_churn_days,
            _("churn models"),
            ""
            if span_days >= need_churn_days
            else _(
                "Not enough history to train on one window and test on a later one; shorten "
                "the window."
            ),
        ),
    ]
    checks = pd.DataFrame(rows, columns=["check", "found", "needed", "ok", "affects", "reason"])
    return SufficiencyResult(
        checks=checks,
        can_cohorts=has_any and months >= 1,
        can_clv=n_customers >= MIN_CUSTOMERS,
        can_churn=n_customers >= MIN_CUSTOMERS and span_days >= need_churn_days,
    )
