"""What the churn result says in words, the same sentences on the Customer value page's churn
tab (:mod:`ecomdash.ui.value_views`), in ``ecomdash churn`` and in the report's churn section:
the verdict against guessing and recency alone, what the models learned from and were checked
on, the caption under the drivers table, and why a churn risk and a chance still active can
both be high. Built with ``_()`` in the current language; no Streamlit here. The models and
their evaluation stay in :mod:`ecomdash.churn` (its tables too: ``models_table``,
``drivers_table``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from ecomdash import labels as L
from ecomdash.churn import MODEL_LABELS
from ecomdash.i18n import N_, _, fmt

if TYPE_CHECKING:
    from ecomdash.churn import ChurnResult


def _pct(x) -> str:
    return _("n/a") if x is None or pd.isna(x) else fmt.pct(x)


def verdict_sentence(res: ChurnResult) -> str:
    """The churn result in plain words, first on the Customer value page's churn tab and in
    ``ecomdash churn``: what the best model gets right against guessing and days since the
    last order alone (the analyst's ROC AUC and precision are named in helps only)."""
    m = res.metrics
    best = res.best_model
    # no order id (CDNOW): a customer's orders are purchase days, the tiles under it say so
    text = (
        N_(
            "{model}, the best of the models, ranks customers who left above those who "
            "stayed {auc} of the time (guessing does it 50\u00a0% of the time; ranking by days "
            "since the last purchase alone, {base}). Of the 10\u00a0% of customers it rates most "
            "at risk, {top} bought nothing in the next {days}\u00a0days, against {all} of all "
            "customers."
        )
        if res.purchase_days
        else N_(
            "{model}, the best of the models, ranks customers who left above those who "
            "stayed {auc} of the time (guessing does it 50\u00a0% of the time; ranking by days "
            "since the last order alone, {base}). Of the 10\u00a0% of customers it rates most at "
            "risk, {top} placed no order in the next {days}\u00a0days, against {all} of all "
            "customers."
        )
    )
    return _(
        text,
        model=_(MODEL_LABELS[best]),
        auc=_pct(m.loc[best, "auc"]),
        base=_pct(m.loc["recency", "auc"]),
        top=_pct(m.loc[best, "precision_at_10pct"]),
        days=res.window_days,
        all=_pct(1 - res.test_positive_rate),
    )


def checked_sentence(res: ChurnResult) -> str:
    """What the churn models learned from and were checked on, in plain words."""
    text = (
        N_(
            "Learned from each customer's purchases up to {train} and whether they bought in "
            "the {days}\u00a0days after ({n_train}\u00a0customers); checked on purchases up to "
            "{test} and the {days}\u00a0days after, which it had not seen ({n_test}\u00a0customers, "
            "{share} bought again)."
        )
        if res.purchase_days
        else N_(
            "Learned from each customer's orders up to {train} and whether they ordered in the "
            "{days}\u00a0days after ({n_train}\u00a0customers); checked on orders up to {test} and "
            "the {days}\u00a0days after, which it had not seen ({n_test}\u00a0customers, {share} "
            "bought again)."
        )
    )
    return _(
        text,
        train=fmt.long_date(res.train_cutoff),
        days=res.window_days,
        n_train=f"{res.n_train:,}",
        test=fmt.long_date(res.test_cutoff),
        n_test=f"{res.n_test:,}",
        share=_pct(res.test_positive_rate),
    )


#: the caption under :func:`drivers_table`, on the page and in ``ecomdash churn``
DRIVERS_CAPTION = N_(
    "Each value is how many percentage points the model loses in how often it "
    "ranks customers who left above those who stayed, when that feature's values "
    "are shuffled between customers: the larger, the more the model relies on it; "
    "near 0 or below, it does not use it."
)


def risk_and_alive_sentence(window_days: int) -> str:
    """Why one customer can have a 38.9 % churn risk and a 100 % chance still active (the
    demo's 14560): the two figures answer different questions. Said where both are shown (the
    Customer value page's lifetime-value and at-risk tabs, the report's churn section)."""
    return _(
        '"{churn}" and "{alive}" answer different questions: the churn model\'s risk is the '
        "chance of no order in the next {days} days, judged from the customer's recent orders; "
        "the lifetime-value model's chance still active is the chance that they are still a "
        "customer at all, so someone who orders twice a year can be 100\u00a0% still active and "
        "still at high churn risk.",
        churn=L.label("churn_probability", "value"),
        alive=L.label("p_alive", "value"),
        days=int(window_days),
    )
