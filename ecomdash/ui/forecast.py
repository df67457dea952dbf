"""Forecast & restock page: one series with every model's backtest and many products at once;
the restock planner tab is :mod:`ecomdash.ui.restock`.

Merchant text (product ids/names, categories, countries, event names) is shown only through
``st.dataframe``, widget option labels, plotly figures and formula-safe downloads; any text
of ours that may quote it goes through ``inert``.
"""

from __future__ import annotations

import functools

import pandas as pd
import streamlit as st

from ecomdash import calendar_cn as CN
from ecomdash import forecast as F
from ecomdash import labels as L
from ecomdash import schema as S
from ecomdash.charts import forecast as charts
from ecomdash.errors import EcomdashError, ParameterError
from ecomdash.filters import Filters
from ecomdash.findings.links import LinkTab
from ecomdash.forecast import from_store as FS
from ecomdash.i18n import N_, _, fmt, get_lang
from ecomdash.i18n.note import tr_note, translated
from ecomdash.ui.common import (
    PageContext,
    cached_columns,
    cached_date_span,
    download_table,
    fmt_compact,
    fmt_money,
    get_store,
    inert,
    refusable_step,
    run_with_budget,
    show_chart,
    show_error,
    timed_status,
)
from ecomdash.ui.table_layout import tile_weights
from ecomdash.ui.tables import EXPANDER_PX, current_display, show_table
from ecomdash.ui.worker import run_in_worker

K_PARAMS = "forecast_params"
K_MANY = "forecast_many_params"
K_SCOPE = "forecast_scope_kind"
SCOPES = {
    "shop": N_("Whole shop"),
    # the others by the column catalogue's names (ecomdash.labels; the frame translates them)
    "category": None,
    "country": None,
    "product": None,
}
#: the scope's picker label (one sentence per scope)
SCOPE_PICKS = {
    "category": N_("Category (by revenue)"),
    "country": N_("Country (by revenue)"),
    "product": N_("Product (by revenue)"),
    # the country scope of a dataset whose country field holds provinces
    "province": N_("Province (by revenue)"),
}
FREQ_LABELS = {"D": N_("Daily"), "W": N_("Weekly"), "M": N_("Monthly")}
METRIC_LABELS = charts.METRIC_LABELS
#: Columns of the forecast tables in the metric's own unit (forecasts, actuals and backtest
#: errors): money in the dataset's currency for a revenue forecast, plain numbers for units
#: and orders. MASE, MAPE, coverage and ratios have no unit.
IN_METRIC_UNIT = (
    "mean", "lo80", "hi80", "lo95", "hi95", "actual", "value", "forecast", "history",
    "mae", "bias", "rmse", "baseline_mae", "auto_mae", "error_sd",
    "forecast_total", "forecast_per_period",
)  # fmt: skip
#: the "Next total" tile's help, the horizon in the grain's own unit
NEXT_TOTAL_HELP = {
    "D": N_("Sum of the forecast over the next {n} days."),
    "W": N_("Sum of the forecast over the next {n} weeks."),
    "M": N_("Sum of the forecast over the next {n} months."),
}
RETURNS = {"net": N_("Subtract returns"), "exclude": N_("Ignore returns")}
PRESETS = {
    "Black Friday": N_("Black Friday"),
    "Cyber Monday": N_("Cyber Monday"),
    "Singles' Day (11.11)": N_("Singles' Day (11.11)"),
}
TABS = (N_("Forecast"), N_("Many products"), N_("Restock planner"))


def metric_kinds(metric: str) -> dict[str, str] | None:
    """``show_table``/``download_table`` kinds of a forecast of ``metric``: its amounts are
    money when it is revenue."""
    return {c: "money" for c in IN_METRIC_UNIT} if metric == "revenue" else None


def in_metric_unit(value: float, metric: str) -> str:
    """An amount of ``metric`` in a sentence (a backtest error): ``£1,234.50`` for revenue,
    ``1,234.5`` units or orders."""
    return fmt_money(value) if metric == "revenue" else f"{value:,.1f}"


# --- cached adapters (keyed by ctx.key + small tuples, never by a frame) ---------------------


def _lines(key: tuple) -> pd.DataFrame:
    """Only the columns forecasting and restock read (Arrow-backed text): no customer ids."""
    return cached_columns(key, F.LINE_COLUMNS)


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def _choices(key: tuple, column: str, limit: int = 500) -> list[str]:
    """Values of ``column`` by revenue (largest first) for the scope picker (SQL)."""
    workspace, dataset_id, _version, fkey = key
    top = get_store(workspace).sales_by(dataset_id, Filters.from_key(fkey), column, limit=limit)
    return [str(v) for v in top["value"]]


@st.cache_data(max_entries=8, ttl=3600, show_spinner=False)
def _shop_groups(key: tuple, with_orders: bool) -> pd.DataFrame | None:
    """The whole shop reduced in SQL to day x country groups (see Store.shop_day_groups)."""
    workspace, dataset_id, _version, fkey = key
    return get_store(workspace).shop_day_groups(
        dataset_id, Filters.from_key(fkey), with_orders=with_orders
    )


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def _series(key: tuple, sparams: tuple) -> F.SeriesResult:
    metric, freq, kind, value, returns, events, presets, horizon = sparams
    scope = {kind: value} if kind != "shop" and value else {}
    lines = None
    if not scope:
        # the whole shop needs no line: the SQL day groups give the same series (units and
        # orders exactly; revenue to ~1e-12 relative, as DuckDB adds in another order than
        # pandas — see shop_day_groups). 0.46 s instead of ~6.5 s at 1 M lines.
        lines = _shop_groups(key, metric == "orders")
    in_worker = lines is not None
    if lines is None:
        lines = _lines(key)
    evs = tuple(F.Event(n, s, e) for n, s, e in events)
    if presets:
        lo, hi = cached_date_span(key)
        first = pd.Timestamp(lo).date()
        last = (pd.Timestamp(hi) + pd.Timedelta(days=400)).date()
        evs += F.preset_events(presets, start=first, end=last)
    kw = dict(metric=metric, freq=freq, returns=returns, events=evs, future_periods=horizon)
    if in_worker:
        # The day groups (a few thousand rows) go to a worker, whose fork server has the
        # holiday calendars loaded (ecomdash.ui.worker.PRELOAD): the `holidays` package
        # imports every country's module on first use (0.5 s of CPU once per process), which
        # this server process then never pays on a first visit. A scope's lines stay here
        # (too big to send).
        return run_in_worker(
            F.build_series, lines, what=_("Building the whole shop's series"), **kw
        )
    return F.build_series(lines, **kw, **scope)


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def _forecast(key: tuple, sparams: tuple, fparams: tuple) -> F.ForecastResult:
    horizon, folds, calendar = fparams
    # the backtest runs in a worker process, killed if the page's budget runs out
    return run_in_worker(
        F.forecast,
        _series(key, sparams),
        horizon=horizon,
        folds=folds,
        calendar=calendar,
        what=_("The forecast and its backtest"),
    )


@st.cache_data(max_entries=8, ttl=3600, show_spinner=False)
def many_forecasts(key: tuple, params: tuple) -> tuple[F.ManyForecastResult, dict[str, float]]:
    """The top products' forecasts from their lines only (the whole-shop calendar from the
    SQL day groups), and the cut: products and revenue in all (see ``from_store``)."""
    top, metric, horizon, folds = params
    workspace, dataset_id, _version, fkey = key
    return FS.top_products(
        get_store(workspace),
        dataset_id,
        Filters.from_key(fkey),
        top=top,
        metric=metric,
        horizon=horizon,
        folds=folds,
        shop=_shop_groups(key, metric == "orders"),
        # the backtests run in a worker process, killed if the page's budget runs out
        run=functools.partial(run_in_worker, what=_("Forecasting the top {n} products", n=top)),
    )


# --- defaults: what the page shows on arrival (and the home's findings read) -----------------


def default_params(ctx: PageContext) -> tuple[tuple, tuple]:
    """The one-series form's defaults: the whole shop's first measure, daily, net of returns,
    with the Chinese calendar when the shop sells in China."""
    h = F.default_horizon("D")
    calendar = tuple(CN.FEATURES) if _chinese_shop(ctx) else ()
    return (_metrics_for(ctx)[0], "D", "shop", None, "net", (), (), h), (h, 8, calendar)


def default_forecast(ctx: PageContext) -> F.ForecastResult:
    """The forecast of :func:`default_params` (cached; shared with the home)."""
    return _forecast(ctx.key, *default_params(ctx))


def _many_defaults(ctx: PageContext) -> tuple:
    metrics = [m for m in ("units", "revenue", "orders") if m in _metrics_for(ctx)]
    return (100, metrics[0] if metrics else "units", 8, 4)


# --- helpers -----------------------------------------------------------------------------------


def stored_params(name: str, ctx: PageContext):
    v = st.session_state.get(name)
    if isinstance(v, tuple) and len(v) == 2 and v[0] == ctx.key:
        return v[1]
    return None


def _metrics_for(ctx: PageContext) -> list[str]:
    cols = set(ctx.columns)
    out = []
    if S.REVENUE in cols or {S.QUANTITY, S.UNIT_PRICE} <= cols:
        out.append("revenue")
    if S.ORDER_ID in cols:
        out.append("orders")
    if S.QUANTITY in cols:
        out.append("units")
    return out


def _chinese_shop(ctx: PageContext) -> bool:
    """The shop sells mostly in China (its top country by revenue): the Chinese calendar is on
    by default."""
    if S.COUNTRY not in ctx.columns:
        return False
    top = _choices(ctx.key, S.COUNTRY)
    return FS.sells_in_china(top[0] if top else None)


def _sells_in_yuan(ctx: PageContext) -> bool:
    """The dataset's amounts are in yuan: the Chinese calendar is offered (off unless the
    shop sells mostly in China). It is not offered elsewhere: a UK shop's page listed 调休
    and Double 11, whatever the UI's language (a merchant reading Chinese may sell in the
    UK; where the shop sells and its currency say which calendar applies)."""
    return (ctx.display.currency or "").upper() == "CNY"


def _events_from_editor(df: pd.DataFrame) -> tuple:
    out = []
    for row in df.itertuples(index=False):
        name = str(row.name).strip() if isinstance(row.name, str) else ""
        if not name or pd.isna(row.start):
            continue
        start = pd.Timestamp(row.start).date()
        end = pd.Timestamp(row.end).date() if not pd.isna(row.end) else start
        if end < start:
            raise ParameterError(
                _(
                    "An event ends before it starts ({start} to {end}). Fix its dates in the "
                    "table.",
                    start=fmt.long_date(start),
                    end=fmt.long_date(end),
                )
            )
        out.append((name[:80], start, end))
    return tuple(out)


# --- section 1: one series ---------------------------------------------------------------------


def _form(ctx: PageContext) -> tuple | None:
    metrics = _metrics_for(ctx)
    kinds = ["shop"] + [
        k
        for k in ("category", "country", "product")
        if k in ctx.columns or f"{k}_id" in ctx.columns
    ]
    kind = (
        st.segmented_control(
            _("Forecast for"),
            kinds,
            default="shop",
            format_func=lambda k: (
                _(SCOPES[k]) if SCOPES[k] else L.label(L.place_column(k, ctx.display))
            ),
            key=K_SCOPE,
        )
        or "shop"
    )
    col = {"category": S.CATEGORY, "country": S.COUNTRY, "product": S.PRODUCT_ID}.get(kind)
    stored = stored_params(K_PARAMS, ctx)
    with st.form("forecast_form"):
        c1, c2, c3, c4 = st.columns(4)
        metric = c1.selectbox(
            _("Measure"),
            metrics,
            format_func=lambda m: _(METRIC_LABELS[m]),
            key="fc_metric",
        )
        freq = c2.selectbox(
            _("Grain"),
            list(FREQ_LABELS),
            format_func=lambda f: _(FREQ_LABELS[f]),
            help=_("Daily, weekly (Monday to Sunday) or monthly totals."),
        )
        horizon = c3.number_input(
            _("Horizon (periods, 0 = two seasonal cycles)"),
            min_value=0,
            max_value=400,
            value=0,
            help=_("Default: 14 days, 8 weeks or 12 months."),
        )
        folds = c4.number_input(
            _("Backtest folds"),
            min_value=1,
            max_value=20,
            value=8,
            help=_("The backtest forecasts from this many past points, each over the horizon."),
        )
        value = None
        if col is not None:
            opts = _choices(ctx.key, col)
            pick = L.place_column(kind, ctx.display)  # "province" for provinces
            value = st.selectbox(_(SCOPE_PICKS[pick]), opts, index=0 if opts else None)
        returns = st.radio(
            _("Returns"),
            list(RETURNS),
            format_func=lambda r: _(RETURNS[r]),
            horizontal=True,
        )
        presets = st.multiselect(
            _("Sale days to mark (the Seasonal ARIMA model learns how much they add)"),
            list(F.PRESET_EVENTS),
            format_func=lambda e: _(PRESETS[e]) if e in PRESETS else e,
            placeholder=_("No sale day"),
        )
        calendar = []
        chinese = _chinese_shop(ctx)
        if chinese or _sells_in_yuan(ctx):
            calendar = st.multiselect(
                _("Chinese calendar: holidays, make-up working days 调休, shopping festivals"),
                list(CN.FEATURES),
                default=list(CN.FEATURES) if chinese else [],
                format_func=lambda f: _(CN.LABELS[f]),
                key="fc_calendar",
                placeholder=_("No calendar feature"),
                help=_(
                    "Each chosen feature becomes a regressor of twins of the models (ETS + "
                    "Chinese calendar, ...). The backtest compares them with the same models "
                    "without it and the automatic choice keeps whichever forecast better."
                ),
            )
        st.caption(_("Your own events (promotions, sales): a name and dates."))
        ev_df = st.data_editor(
            pd.DataFrame(
                {
                    "name": pd.Series([], dtype="str"),
                    "start": pd.Series([], dtype="datetime64[s]"),
                    "end": pd.Series([], dtype="datetime64[s]"),
                }
            ),
            num_rows="dynamic",
            column_config={
                "name": st.column_config.TextColumn(L.label("event"), max_chars=80),
                "start": st.column_config.DateColumn(_("Start"), format=ctx.display.date_format),
                "end": st.column_config.DateColumn(
                    _("End (optional)"), format=ctx.display.date_format
                ),
            },
            key="forecast_events",
            placeholder="",  # "End (optional)" left empty reads empty, not "None"
            width="stretch",
        )
        run = st.form_submit_button(_("Run"), type="primary")
    if run:
        h = int(horizon) or F.default_horizon(freq)
        events = _events_from_editor(ev_df)
        sparams = (metric, freq, kind, value, returns, events, tuple(presets), h)
        fparams = (h, int(folds), tuple(calendar))
        st.session_state[K_PARAMS] = (ctx.key, (sparams, fparams))
        return sparams, fparams
    return stored or default_params(ctx)


def _show_forecast(ctx: PageContext, sparams: tuple, fparams: tuple) -> None:
    with timed_status(_("Forecasting"), expanded=False) as status:
        status.write(_("Building the series (calendar, closed days, holidays, events)…"))
        series = _series(ctx.key, sparams)
        backtest = _("Backtesting the models over {folds} folds and forecasting…", folds=fparams[1])
        with refusable_step(status, backtest):
            res = run_with_budget(
                _forecast, ctx.key, sparams, fparams, what=_("The forecast and its backtest")
            )
        status.write(_("Chosen model: {model}", model=L.model_label(res.model, short=True)))
    for w in res.warnings:
        st.info(inert(tr_note(w)), icon="ℹ️")
    bt = res.backtest.set_index("model")
    row = bt.loc[res.model]
    base = bt.loc["seasonal_naive"]
    model, model_line = L.model_tile(res.model)
    mase = f"{row['mase']:.2f}"
    cover = fmt.pct(row["coverage80"], 0)
    total = fmt_compact(res.forecast["mean"].sum(), money=res.series.metric == "revenue")
    labels = [_("Chosen model"), _("Backtest MASE"), _("80\u00a0% band coverage"), _("Next total")]
    # each tile as wide as its label or value needs: the model's name whole at 1280 px
    c1, c2, c3, c4 = st.columns(tile_weights(labels, [model, mase, cover, total]))
    c1.metric(
        labels[0],
        model,
        delta=model_line,
        delta_color="off",
        delta_arrow="off",
        help=_("The model the backtest chose: {model}.", model=L.model_label(res.model)),
    )
    c2.metric(
        labels[1],
        mase,
        delta=_("{delta} vs baseline", delta=f"{row['mase'] - base['mase']:+.2f}"),
        delta_color="inverse",
        help=_(
            "MASE: the backtest's mean absolute error (MAE) divided by the average error of "
            "repeating the last cycle over the past data; lower is better. The figure under "
            "it is the difference from the baseline's MASE in the same backtest: below zero, "
            "the model beat repeating the last cycle."
        ),
    )
    c3.metric(
        labels[2],
        cover,
        help=_(
            "Share of backtest actuals inside the 80\u00a0% band. Near 80\u00a0%, the band can be "
            "trusted; well above, the band is wider than it needs to be; well below, the "
            "forecast is surer than it should be."
        ),
    )
    c4.metric(
        labels[3],
        total,
        help=_(NEXT_TOTAL_HELP[res.series.freq], n=res.horizon),
    )
    if row["mae"] < base["mae"]:
        st.success(tr_note(res.verdict))
    else:
        st.warning(tr_note(res.verdict))
    if res.params.get("calendar"):
        _calendar_gain(res)
    span = {"D": 180, "W": 104, "M": None}[res.series.freq]
    if span is not None:
        span = max(span, res.n_folds * res.horizon + 2 * res.series.season_length)
    # revenue in the dataset's currency on the value axis and in the hovers, as the report's
    symbol = current_display().symbol if res.series.metric == "revenue" else ""
    show_chart(charts.forecast_figure(res, history_periods=span, symbol=symbol), width="stretch")
    tab_fc, tab_bt, tab_hist = st.tabs(
        [_("Forecast table"), _("Backtest per model"), L.label("series")]
    )
    with tab_fc:
        out = res.forecast.assign(period=res.forecast["period"].dt.date).round(2)
        out["holiday"] = _holiday_names(out["holiday"], res.series.holiday_country, out["period"])
        kinds = metric_kinds(sparams[0])
        show_table(
            out,
            area="forecast",
            kinds=kinds,
            hide_index=True,
            width="stretch",
            on_screen=[c for c in out.columns if c not in FORECAST_CSV_ONLY],
        )
        download_table(out, "forecast", key="dl_forecast", area="forecast", kinds=kinds)
    with tab_bt:
        st.caption(
            _(
                "Each model forecast the last folds × horizon periods from past data only. "
                "The automatic choice picks, at each fold, the model that was best on the "
                "earlier folds — the honest score of choosing automatically."
            )
        )
        for m in bt.index:
            if m in ("seasonal_naive",):
                continue
            st.text(
                tr_note(
                    F.verdict(
                        m,
                        bt.loc[m, "mae"],
                        base["mae"],
                        seasonal=res.seasonal,
                    )
                )
            )
        show = res.backtest[
            [
                "model",
                "mae",
                "mase",
                "mape",
                "bias",
                "coverage80",
                "coverage95",
                "vs_baseline",
                "seconds",
            ]
        ]
        # MAE and bias are in the metric's unit: money for revenue
        show_table(
            show,
            area="forecast",
            kinds=kinds,
            hide_index=True,
            width="stretch",
            on_screen=BACKTEST_SCREEN,
        )
        # two downloads in the tab, each saying which it is (both read "Download CSV")
        download_table(
            show,
            "forecast-backtest-models",
            label=_("Download the table"),
            key="dl_backtest_models",
            area="forecast",
            kinds=kinds,
        )
        show_chart(charts.backtest_figure(res), width="stretch")
        download_table(
            res.folds,
            "forecast-backtest",
            label=_("Download every fold's forecasts and actuals"),
            key="dl_backtest",
            area="forecast",
            kinds=kinds,
        )
    with tab_hist:
        hist = series.frame
        if "holiday" in hist.columns:
            hist = hist.assign(
                holiday=_holiday_names(hist["holiday"], res.series.holiday_country, hist["period"])
            )
        show_table(hist, area="forecast", kinds=kinds, hide_index=True, width="stretch")
        download_table(
            series.frame, "forecast-series", key="dl_series", area="forecast", kinds=kinds
        )


def _calendar_gain(res: F.ForecastResult) -> None:
    """What the Chinese calendar gained in the backtest, and its days in the horizon."""
    from ecomdash.forecast_calendar import TWINS

    bt = res.backtest.set_index("model")["mae"]
    metric = res.series.metric
    for plain, twin in TWINS.items():
        if plain in bt and twin in bt and bt[plain] > 0:
            gain = 1 - bt[twin] / bt[plain]
            fields = {
                "model": L.model_label(plain, short=True),
                "without": in_metric_unit(bt[plain], metric),
                "with": in_metric_unit(bt[twin], metric),
                "change": fmt.pct(abs(gain), 0),
            }
            st.text(
                _(
                    "{model}: backtest MAE {without} without the Chinese calendar, {with} with "
                    "it ({change} lower).",
                    **fields,
                )
                if gain >= 0
                else _(
                    "{model}: backtest MAE {without} without the Chinese calendar, {with} with "
                    "it ({change} higher).",
                    **fields,
                )
            )
    fut = res.forecast["period"]
    last = fut.max() + pd.Timedelta(days=31)  # the month after the horizon too
    days = CN.calendar_days(fut.min().date(), last.date())
    feats = [f for f in res.params["calendar"] if f in days]
    marked = days[days[feats].any(axis=1)] if feats else days.iloc[:0]
    with st.expander(_("Chinese calendar days ahead ({n})", n=len(marked))):
        if len(marked):
            out = pd.DataFrame(
                {
                    "date": marked["date"].dt.date,
                    "days": marked[feats].apply(
                        lambda r: fmt.join(_(CN.LABELS[f]) for f in feats if r[f]), axis=1
                    ),
                    "official": marked["official"],
                }
            )
            show_table(out, area="forecast", hide_index=True, width="stretch")
        st.caption(
            _(
                "Public holidays and 调休 follow the State Council's published schedules; a "
                "year not yet published is an estimate from the lunar calendar, its Schedule "
                "published box not ticked."
            )
        )
        # the years of the days above: 元旦 listed ahead has its year's row (estimated or not)
        years = sorted({fut.min().year, last.year})
        hol = CN.holiday_table(years[0], years[-1])
        if get_lang() == "zh":  # "name" says which holiday: its Chinese name in Chinese
            hol["name"] = hol["name_zh"]
            hol = hol.drop(columns=["name_zh"])
        hol["year"] = hol["year"].astype(str)  # the CSV's year: "2026", never "2,026"
        hol["makeup_workdays"] = hol["makeup_workdays"].map(_days_with_weekday)
        hol["lunar_date"] = hol["lunar_date"].map(_)
        hol = hol.drop(columns=["holiday"])
        show_table(
            hol,
            area="forecast",
            hide_index=True,
            width="stretch",
            on_screen=HOLIDAYS_SCREEN,
            budget=EXPANDER_PX,  # inside an expander: its border and padding
        )
        download_table(hol, "chinese-holidays", key="dl_cn_holidays", area="forecast")


#: The year's holidays on screen: which, when the break starts and ends, how many days off,
#: the weekend days worked in exchange (what a merchant plans staff and shipping around) and
#: whether the dates are the State Council's. The year (in every date already), the festival's
#: own day (inside its break) and the rule it follows (农历正月初一) are in the CSV. With all
#: nine the table ran past the expander's edge at 1280 px in Chinese, the make-up days cut
#: off; with the festival's day as well they were still cut after the first.
HOLIDAYS_SCREEN = (
    "name",
    "break_start",
    "break_end",
    "days_off",
    "makeup_workdays",
    "official",
)


def _holiday_names(names: pd.Series, country: str | None, periods: pd.Series) -> list[str]:
    """A forecast or history table's ``holiday`` column as the page shows it: in Chinese,
    every name the ``holidays`` package has in Simplified Chinese (the others as they are),
    looked up over the table's periods and the month after the last (a monthly or weekly
    period's holidays fall after its first day); in English the package's names."""
    if get_lang() != "zh":
        return names.tolist()
    days = pd.to_datetime(periods)
    return F.localise_holidays(
        names.tolist(), country, days.min(), days.max() + pd.Timedelta(days=31)
    )


def _days_with_weekday(days) -> str:
    """Days listed in one table cell as the table's date columns write a date, each with its
    short weekday (a make-up working day is a weekend day worked): "2026-02-14 (Sat),
    2026-02-28 (Sat)" in the shop's date format, "2026年02月14日周六、2026年02月28日周六" in
    Chinese."""
    disp = current_display()
    return fmt.join(disp.day(d, weekday=True) for d in days)


# --- section 2: many products ------------------------------------------------------------------

#: the many-products form's count box, and its largest value (the cut's text names both)
TOP_BOX = N_("Top products by revenue")
TOP_MAX = 500


#: The many-products table's columns on screen: which product, how much it is forecast to
#: sell over the weeks ahead, how much better than seasonal naive its forecast did and the
#: model behind it; the id, revenue, demand pattern, the MASEs and errors, the forecast per
#: period and its error spread in the CSV. With all 14 the table ran past the page's edge
#: (1,948 px of content in a 938 px table in English, 1,701 in Chinese; Chromium at 1400 px).
MANY_SCREEN = ("product_name", "forecast_total", "improvement_pct", "model")
#: The backtest's columns on screen, a row per model: its errors (MASE, the error against
#: repeating the last cycle, which is a row of its own), its bias and its 80 % range's
#: coverage; the 95 % range's coverage, the error against the baseline and the seconds in
#: the CSV beside it. With all 9 the table ran 250 px past the page's edge (1,068 px of
#: content in its 818 in English, 1,058 in Chinese; Chromium at 1280 px).
BACKTEST_SCREEN = ("model", "mae", "mase", "mape", "bias", "coverage80")
#: The forecast table's columns left to its CSV download: the 95 % range (the chart draws
#: it). With both ranges the table ran 49 px past its edge in Chinese (867 px of content in
#: its 818, Chromium at 1280 px: four headers such as 下限（80 % 区间）of some 130 px each).
FORECAST_CSV_ONLY = ("lo95", "hi95")


def _many_section(ctx: PageContext) -> None:
    if S.PRODUCT_ID not in ctx.columns:
        st.info(_("Forecasting products needs a product id column; this dataset has none."))
        return
    metrics = [m for m in ("units", "revenue", "orders") if m in _metrics_for(ctx)]
    with st.form("forecast_many_form"):
        c1, c2, c3 = st.columns(3)
        top = c1.number_input(_(TOP_BOX), min_value=1, max_value=TOP_MAX, value=100)
        metric = c2.selectbox(
            _("Measure"),
            metrics,
            format_func=lambda m: _(METRIC_LABELS[m]),
            key="many_metric",
        )
        horizon = c3.number_input(_("Weeks ahead"), min_value=1, max_value=52, value=8)
        run = st.form_submit_button(_("Run"), type="primary")
    if run:
        st.session_state[K_MANY] = (ctx.key, (int(top), metric, int(horizon), 4))
    params = stored_params(K_MANY, ctx) or _many_defaults(ctx)
    what = _("Forecasting the top {n} products", n=params[0])
    with timed_status(what) as status:
        steps = _("Weekly series per product, backtest of every model, automatic choice…")
        with refusable_step(status, steps):
            # a page budget: over it the backtests' worker is killed and the page says so
            many, cut = run_with_budget(many_forecasts, ctx.key, params, what=what)
    for w in many.warnings:
        st.info(inert(tr_note(w)), icon="ℹ️")
    t = many.table
    if cut and cut["products"] > len(t):
        share = cut["kept_revenue"] / cut["revenue"] if cut["revenue"] > 0 else float("nan")
        st.text(
            _(
                "Only the top {n} of {total} products by revenue are forecast here ({share} of "
                "sales revenue); the other {rest} are not. Raise “{box}” (up to {most}) or "
                "forecast one product or category in the section above.",
                # the box as it reads (it said 'Top products', a box the page does not have)
                box=_(TOP_BOX),
                most=f"{TOP_MAX:,}",
                n=f"{len(t):,}",
                total=f"{int(cut['products']):,}",
                share=fmt.pct(share, 0),
                rest=f"{int(cut['products']) - len(t):,}",
            )
        )
    better = int((t["auto_mae"] < t["baseline_mae"]).sum())
    st.text(
        _(
            "{n} products forecast in {took}. Choosing the model automatically (scored "
            "honestly, each fold chosen on earlier folds) beats the baseline for {better} of "
            "them: median MASE {auto} against {base} for the baseline. The table's MASE "
            "column is the final model's score on the same folds it was chosen on, so it is "
            "optimistic; its Automatic choice MASE is the honest score quoted here.",
            n=len(t),
            took=fmt.duration(many.seconds),
            better=better,
            auto=f"{t['auto_mase'].median():.2f}",
            base=f"{t['baseline_mase'].median():.2f}",
        )
    )
    shown = L.shown_classes(t)
    kinds = metric_kinds(params[1])  # a revenue forecast's errors and totals are money
    show_table(
        shown, area="forecast", kinds=kinds, hide_index=True, width="stretch", on_screen=MANY_SCREEN
    )
    download_table(shown, "forecast-products", key="dl_many", area="forecast", kinds=kinds)
    pick = st.selectbox(_("Show one product"), list(t["product_id"]), key="many_pick")
    if pick is not None:
        show_chart(charts.product_figure(many, pick), width="stretch")


# --- section 3: restock planner ----------------------------------------------------------------


# --- the page ------------------------------------------------------------------------------------


def render(ctx: PageContext) -> None:
    summed = ctx.kind == S.KIND_SUMMED
    names = [_("Every series")] * summed + [_(t) for t in TABS]
    # a home finding's link may name the tab to open (?tab=restock)
    wanted = {LinkTab.RESTOCK: _("Restock planner"), "forecast": _("Forecast")}.get(
        str(st.query_params.get("tab", ""))
    )
    tabs = st.tabs(names, default=wanted if wanted in names else None)
    if summed:  # summed sales: every store × department (or SKU) series first
        from ecomdash.ui import forecast_groups

        with tabs[0]:
            try:
                forecast_groups.render(ctx)
            except EcomdashError as err:
                show_error(translated(err))
        tabs = tabs[1:]
    from ecomdash.ui import restock  # imports this module: not at the top

    tab1, tab2, tab3 = tabs
    with tab1:
        try:
            _show_forecast(ctx, *_form(ctx))
        except EcomdashError as err:
            show_error(translated(err))
    with tab2:
        try:
            _many_section(ctx)
        except EcomdashError as err:
            show_error(translated(err))
    with tab3:
        try:
            restock.render(ctx)
        except EcomdashError as err:
            show_error(translated(err))
