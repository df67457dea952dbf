"""Alerts: what drove an unusual day. For each day alert of medium or high severity, the
products, countries and customers that moved it most, inside its series and in the direction
of its change, and one sentence that names the largest ("mostly …", "led by …", "broad: …")."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from ecomdash import labels as L
from ecomdash import schema as S
from ecomdash.alerts.days import is_region
from ecomdash.filters import Filters
from ecomdash.i18n import N_, _
from ecomdash.i18n.fmt import money, pct

#: what a driver is (the column it groups by) and the unit of its change, as sentences name them
_BY = {S.PRODUCT_ID: N_("product"), S.COUNTRY: N_("country"), S.CUSTOMER_ID: N_("customer")}
_UNITS = {"orders": N_("orders"), "net": N_("in net revenue"), "returns": N_("in returns")}


def find_drivers(
    store, ds_id, filters, alerts, members, day_signals, cols, *, provinces: bool = False
) -> pd.DataFrame:
    """For each day alert: the products, countries and customers that moved it most, inside
    the series the alert is about (a country's day by what moved in that country) and in the
    direction of its change (a fall by what fell). ``provinces``: the dataset's country
    field holds provinces (``labels.places_are_provinces``): the sentence says "province"."""
    empty = pd.DataFrame(
        columns=["alert_id", "by", "key", "actual", "usual", "change", "text", "metric"]
    )
    if alerts.empty or not day_signals:
        return empty
    rows = []
    day_alerts = alerts[alerts["kind"] == "unusual_day"]
    # drivers only for the alerts a merchant reads first: medium and high
    day_alerts = day_alerts[day_alerts["severity"] != "low"]
    for r in day_alerts.itertuples():
        top = members[r.alert_id][0]
        metric = {"orders": "orders", "new_customers": "orders", "return_rate": "returns"}.get(
            top.metric, "net"
        )
        if S.REVENUE not in cols:
            metric = "orders"
        inside = _inside(filters, top.dim, top.grp)
        direction = 1 if top.score > 0 else -1
        total_change = None
        texts = []
        for by in (S.PRODUCT_ID, S.COUNTRY, S.CUSTOMER_ID):
            if by not in cols or by == top.dim:
                continue
            d = store.alert_drivers(
                ds_id, inside, day=r.date, by=by, metric=metric, limit=3, direction=direction
            )
            if d.empty:
                continue
            if total_change is None:
                whole = store.alert_drivers(
                    ds_id, inside, day=r.date, by=by, metric=metric, limit=100000
                )
                total_change = float(whole["change"].sum())
            rows.append(d.assign(alert_id=r.alert_id, by=by, metric=metric))
            first = d.iloc[0]
            share = (
                first["change"] / total_change
                if total_change and np.sign(first["change"]) == np.sign(total_change)
                else 0.0
            )
            texts.append((share, by, first))
        if texts:
            share, by, first = max(texts, key=lambda t: t[0])
            # money with the currency sign, orders as a count
            signed = (
                (lambda x: f"{x:+,.0f}")
                if metric == "orders"
                else (lambda x: money(x, places=0, signed=True))
            )

            said = {
                "who": (
                    _(place_word(first["key"], provinces))
                    if by == S.COUNTRY
                    else _(_BY[by])
                    if by in _BY
                    else by.replace("_id", "")
                ),
                "key": first["key"],
                "change": signed(first["change"]),
                "unit": _(_UNITS[metric]),
                "share": pct(share, 0),
            }
            if share > 1:
                # it moved more than the whole day did: others moved the other way, so a share
                # of the day's change would read 102 %
                text = _(
                    "mostly {who} {key}: {change} {unit} against the same weekday of the 4 "
                    "weeks before, more than the day's whole change ({total}): others moved "
                    "the other way",
                    total=signed(total_change),
                    **said,
                )
            elif share >= 0.5:
                text = _(
                    "mostly {who} {key}: {change} {unit} against the same weekday of the 4 "
                    "weeks before ({share} of the day's change)",
                    **said,
                )
            elif share >= 0.3:  # the largest part, not most of it
                text = _(
                    "led by {who} {key}: {change} {unit} against the same weekday of the 4 "
                    "weeks before ({share} of the day's change)",
                    **said,
                )
            elif provinces:
                text = _(
                    "broad: no single product, province or customer explains much (largest "
                    "{who} {key} {change} {unit}, {share} of the day's change {total})",
                    total=signed(total_change),
                    **said,
                )
            else:
                text = _(
                    "broad: no single product, country or customer explains much (largest "
                    "{who} {key} {change} {unit}, {share} of the day's change {total})",
                    total=signed(total_change),
                    **said,
                )
            rows.append(
                pd.DataFrame([{"alert_id": r.alert_id, "by": "summary", "key": "", "text": text}])
            )
    if not rows:
        return empty
    out = pd.concat(rows, ignore_index=True)
    # the summary row first, so the alert table's "driver" takes it
    out["_o"] = (out["by"] != "summary").astype(int)
    return out.sort_values(["alert_id", "_o"]).drop(columns="_o").reset_index(drop=True)


def place_word(key, provinces: bool = False) -> str:
    """The message id a driver's sentence calls a value of the country column: "province" on
    a dataset whose country field holds provinces (``labels.places_are_provinces``: the
    sidebar says Provinces / 省份), else "region" for a Chinese province among countries
    (:func:`is_region`, by its value), else "country"."""
    if provinces:
        return N_("province")
    return N_("region") if is_region(key) else _BY[S.COUNTRY]


def driver_dimension(by: str, key, *, provinces: bool = False) -> str:
    """What a driver row groups by, as the drivers' "By" column names it: the column's name
    (Product, Country, Customer); for the country column, as the driver's sentence calls it
    (:func:`place_word`): "Province" on a dataset whose places are provinces (the tables'
    header, ``labels.place_column``), "Region" for a Chinese province among countries
    ("mostly region 天津")."""
    if by == S.COUNTRY and provinces:
        return L.label(L.place_column(by, L.Display(provinces=True)))
    if by == S.COUNTRY and is_region(key):
        return _("Region")
    return L.label(by)


def _inside(filters: Filters, dim: str, grp: str) -> Filters:
    """The page's filters narrowed to the series of a day alert (a country, a category)."""
    if dim == S.COUNTRY:
        return replace(filters, countries=(grp,))
    if dim == S.CATEGORY:
        return replace(filters, categories=(grp,))
    return filters
