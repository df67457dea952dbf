"""Streamlit glue shared by every page: the store handle, page context, cached lines, widgets.

Nothing durable lives here: datasets are in the store; caches hold only what can be recomputed
and are keyed by ``(workspace, dataset_id, version, filters)``, never by a file name or a frame.
"""

from __future__ import annotations

import contextvars
import importlib
import re
import secrets
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from contextlib import contextmanager
from dataclasses import dataclass, field

import duckdb
import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from ecomdash import labels as L
from ecomdash import schema as S
from ecomdash.errors import (
    EcomdashError,
    InsufficientDataError,
    ParameterError,
    StoreError,
    TimeBudgetError,
)
from ecomdash.exports import to_safe_csv_bytes
from ecomdash.filters import Filters
from ecomdash.i18n import _, fmt, get_lang
from ecomdash.i18n.fmt import compact, pct
from ecomdash.i18n.note import translated
from ecomdash.ingest.platforms_cn import saved_layout
from ecomdash.store import DatasetInfo, Store, connect, default_home
from ecomdash.ui.tables import K_DISPLAY, current_display, download_headers
from ecomdash.ui.worker import budget_scope, worker_load

# session_state keys (set by the frame's sidebar, read by pages)
K_DATASET = "dataset_id"
K_FILTERS = "filters"
K_WORKSPACE = "workspace"
K_PENDING = "pending_dataset"


@st.cache_resource(show_spinner=False)
def _database(home: str) -> duckdb.DuckDBPyConnection:
    """One DuckDB connection per store directory, shared by sessions (each query uses a cursor)."""
    return connect(home)


def current_workspace() -> str:
    """The signed-in merchant's workspace, or ``local`` when the app runs single-merchant."""
    from ecomdash.ui.auth import workspace_for_session

    return workspace_for_session()


def get_store(workspace: str | None = None) -> Store:
    """The store restricted to the current session's workspace."""
    from ecomdash.engine import on_spark, open_store

    ws = workspace or current_workspace()
    try:
        if on_spark():  # the Spark session is the process's; the store is cheap
            return open_store(workspace=ws)
        con = _database(str(default_home()))
    except (StoreError, ParameterError) as exc:
        show_error(exc)  # translated: the store's and the engine setting's errors are Notes
        st.stop()
    return open_store(workspace=ws, con=con)


@dataclass(frozen=True)
class PageContext:
    """What a page works on: the workspace, the dataset (and its version) and the global filters."""

    workspace: str
    dataset_id: str
    dataset_name: str
    version: int
    filters: Filters
    columns: tuple[str, ...] = field(default_factory=tuple)
    kind: str = S.KIND_LINES  # S.KIND_SUMMED for already summed sales
    #: the dataset's currency and date style (tables, downloads, report)
    display: L.Display = field(default_factory=L.Display)

    @property
    def key(self) -> tuple:
        """The small hashable key every cached call of this page is keyed by."""
        return (self.workspace, self.dataset_id, self.version, self.filters.as_key())


_MEMO_ATTR = "_ecomdash_run_memo"


def _run_memo() -> dict | None:
    """A dict that lives for one script run of this session (None outside a run).

    Held on the run's context next to that run's ``cursors`` dict, which Streamlit replaces at
    the start of every run (``ScriptRunContext.reset``): a memo whose cursors are no longer
    the run's is from an earlier run and is dropped."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return None
    held = getattr(ctx, _MEMO_ATTR, None)
    if held is None or held[0] is not ctx.cursors:
        held = (ctx.cursors, {})
        try:
            setattr(ctx, _MEMO_ATTR, held)
        except AttributeError:  # a context that takes no attributes: no memo
            return None
    return held[1]


def _forget_catalogue() -> None:
    memo = _run_memo()
    if memo is not None:
        memo.pop("catalogue", None)


def dataset_list(store: Store) -> list[DatasetInfo]:
    """``store.list_datasets()``, asked once per script run: the sidebar and the page both
    read the catalogue (the dataset picker, the chosen dataset's version, its filters), and
    those five queries were a tenth of a cached page run's CPU (bench/bench_load.py). A
    dataset saved, renamed or deleted shows from the next run (every such action reruns)."""
    memo = _run_memo()
    if memo is None:
        return store.list_datasets()
    got = memo.get("catalogue")
    if got is None or got[0] != store.workspace:
        got = memo["catalogue"] = (store.workspace, store.list_datasets())
    return got[1]


def dataset_info(store: Store, dataset_id: str) -> DatasetInfo:
    """``store.info(dataset_id)`` from this run's :func:`dataset_list` (the store's own
    error, which says what to do, when there is no such dataset)."""
    for d in dataset_list(store):
        if d.id == str(dataset_id):
            return d
    return store.info(str(dataset_id))


def resolve_dataset(store: Store) -> DatasetInfo | None:
    """The session's dataset: session state, else ``?dataset=`` in the URL, else the demo."""
    wanted = st.session_state.get(K_DATASET) or st.query_params.get("dataset")
    if wanted:
        try:
            return dataset_info(store, str(wanted))
        except StoreError:
            st.session_state.pop(K_DATASET, None)
    datasets = dataset_list(store)
    if datasets:
        demo = [d for d in datasets if d.is_demo]
        return demo[0] if demo else datasets[0]
    try:
        info = ensure_demo_for_language(store)
    except EcomdashError as exc:
        show_error(exc)
        return None
    _forget_catalogue()  # the demo was just saved: the next read sees it
    return info


#: The Chinese demo merchant's dataset name and currency (created on a first start in Chinese).
DEMO_NAME_ZH = "示例商家"
DEMO_CURRENCY_ZH = "CNY"


def ensure_demo_for_language(store: Store) -> DatasetInfo:
    """The workspace's demo dataset, created on first start in the UI's language: the
    English demo shop (prices in £), or in the Chinese UI the Chinese demo merchant
    (``ecomdash.demo_zh``: Chinese product names, provinces, prices in ¥, the Chinese
    calendar), so a Chinese merchant's first look is a shop like theirs."""
    if get_lang() != "zh" or any(d.is_demo for d in store.list_datasets()):
        return store.ensure_demo()
    from ecomdash import demo_zh
    from ecomdash.ingest.cleaning_report import generated_report
    from ecomdash.store import DEMO_SOURCE

    lines = demo_zh.generate(7).lines
    return store.save_dataset(
        DEMO_NAME_ZH,
        lines,
        report=generated_report(lines, currency=DEMO_CURRENCY_ZH, places=L.PROVINCES),
        mapping={c: c for c in S.CANONICAL if c in lines.columns},
        source=DEMO_SOURCE,
    )


def create_demo_on_first_start(store: Store) -> None:
    """On a workspace with no dataset (the app's first start), create the demo merchant
    under a status in the main area. Generating and saving it takes seconds (about five on
    this machine with other work beside it), and the page stayed blank meanwhile: the frame
    calls this before it draws the sidebar, whose dataset picker needs a dataset. A failure
    is left to :func:`resolve_dataset`, which says what to do."""
    if dataset_list(store):
        return
    t0 = time.perf_counter()
    with st.status(_("Creating a demo merchant to explore (first start only)…")) as status:
        try:
            ensure_demo_for_language(store)
        except EcomdashError:
            status.update(label=_("The demo merchant could not be created."), state="error")
            return
        _forget_catalogue()  # the demo was just saved: the next read sees it
        status.update(
            label=_(
                "Demo merchant created in {took} (first start only): generated orders to "
                "explore. Upload your own on the Data page.",
                took=fmt.duration(time.perf_counter() - t0),
            ),
            state="complete",
        )


def _sentences(*parts: str) -> str:
    """Translated sentences one after another (a space between them in English only)."""
    return fmt.sentences(parts)


def select_dataset(dataset_id: str) -> None:
    """Make ``dataset_id`` the session's dataset (sidebar included) and rerun."""
    st.session_state[K_PENDING] = dataset_id
    st.session_state[K_DATASET] = dataset_id
    st.rerun()


def into_the_frame() -> None:
    """Run the page inside the app's frame (``app.py``: navigation, sidebar) when Streamlit ran
    it alone. Until some session has called ``st.navigation``, Streamlit routes by the legacy
    ``pages/`` folder, so the very first visit after the server starts, when it opens a page's
    address (``/segments``, a bookmark or a link from the report), ran that page's script
    without the frame: file names as the menu, no dataset or language picker. Streamlit keeps
    that routing in ``PagesManager.uses_pages_directory`` until ``st.navigation`` clears it;
    this clears it and reruns, so the frame runs and opens the same page. Tested in a real
    browser (tests/e2e/test_deep_link.py) against Streamlit's internals."""
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def page_module(name: str):
    """The page's own module ``ecomdash.ui.<name>``, imported after :func:`page_setup` has
    drawn the title (a page script calls that first). A first visit to a page since the server
    started waits for the imports of its analyses (scikit-learn, statsmodels: 1–6 s here): the
    merchant sees the page's title and a spinner saying so, where the page stayed blank (the
    last page greyed) until the import had finished. Later visits find it imported."""
    full = f"ecomdash.ui.{name}"
    module = sys.modules.get(full)
    if module is not None:
        return module
    with st.spinner(
        _("Opening the page: its first visit since the app started takes a few seconds…")
    ):
        return importlib.import_module(full)


def page_setup(title: str, *, needs: str | None = None, caption: str | None = None) -> PageContext:
    """Header, context and requirements check for a page; stops the page with a message if unmet.

    ``title`` and ``caption`` are message ids (mark them ``N_("...")`` in the page): they are
    translated here, after this run's language is set."""
    from ecomdash.ui import lang

    into_the_frame()
    lang.resolve()
    st.title(_(title))
    if caption:
        st.caption(_(caption))
    store = get_store()
    info = resolve_dataset(store)
    if info is None:
        st.info(_("No dataset yet. Open the Data page to upload an order export."))
        st.stop()
    filters = st.session_state.get(K_FILTERS)
    if not isinstance(filters, Filters):
        filters = Filters()
    ctx = PageContext(
        workspace=store.workspace,
        dataset_id=info.id,
        dataset_name=info.name,
        version=info.version,
        filters=filters,
        columns=info.columns,
        kind=info.kind,
        display=L.display_for(info.report, is_demo=info.is_demo, mapping=info.mapping),
    )
    st.session_state[K_DISPLAY] = ctx.display
    if needs is not None and info.kind == S.KIND_SUMMED and needs in S.NEEDS_LINES:
        st.info(
            _(
                "This dataset holds summed sales (totals per date and store, department or "
                "product), so {analysis} cannot run on it: it needs {file}. Upload such a file "
                "on the Data page, or pick another dataset in the sidebar. The Overview and "
                "Forecast pages work on summed sales.",
                analysis=_(S.ANALYSIS_LABELS.get(needs, needs)),
                file=_(S.NEEDS_LINES[needs]),
            )
        )
        st.stop()
    if needs is not None:
        missing = S.missing_for(needs, info.columns)
        layout = saved_layout(info.mapping) if missing == {S.CUSTOMER_ID} else None
        if layout is not None and S.CUSTOMER_ID not in layout.mapping:
            # a marketplace export that names no buyer (Pinduoduo, Douyin): no column to map
            # and no customers table to join, as the advice below would have it
            st.info(
                _(
                    "This dataset is a {layout}, which names no buyer, so {analysis} cannot "
                    "run on it: it needs a customer id on each order. Upload an order export "
                    "that names the buyer of each order on the Data page, or pick another "
                    "dataset in the sidebar.",
                    layout=_(layout.label),
                    analysis=_(S.ANALYSIS_LABELS.get(needs, needs)),
                )
            )
            st.stop()
        if missing:
            fields = sorted(missing)
            unlocks = ("；" if get_lang() == "zh" else "; ").join(
                _(
                    "{field} would unlock {unlocks} (it needs {how})",
                    field=S.field_name(f),
                    unlocks=_(S.FIELD_UNLOCKS[f]),
                    how=_(S.FIELD_HOW[f]),
                )
                for f in fields
                if f in S.FIELD_UNLOCKS
            )
            st.info(
                _sentences(
                    _(
                        "This dataset has no {fields} column, which {analysis} needs.",
                        fields=fmt.join(S.field_name(f) for f in fields),
                        analysis=_(S.ANALYSIS_LABELS.get(needs, needs)),
                    ),
                    (
                        _("With it: {unlocks}.", unlocks=unlocks)
                        if len(fields) == 1
                        else _("With them: {unlocks}.", unlocks=unlocks)
                    )
                    if unlocks
                    else "",
                    _(
                        "On the Data page, re-upload the export and map that column (or upload "
                        "the tables that hold it together), or pick another dataset in the sidebar."
                    ),
                )
            )
            st.stop()
    return ctx


@st.cache_data(max_entries=8, ttl=3600, show_spinner=False)
def cached_lines(key: tuple) -> pd.DataFrame:
    """The canonical lines of ``key`` = PageContext.key, after the global filters."""
    workspace, dataset_id, _version, fkey = key
    return get_store(workspace).load_lines(dataset_id, Filters.from_key(fkey))


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def cached_columns(
    key: tuple,
    columns: tuple[str, ...],
    sales_only: bool = False,
    keep_non_product: bool = False,
) -> pd.DataFrame:
    """Only ``columns`` of the lines of ``key`` (plus the flags and the numbers the standard
    cleaning reads), text as Arrow-backed strings: see ``Store.load_columns``. Pages use this
    or a store aggregate instead of :func:`cached_lines`, so no page holds (or pickles into
    the cache) every column of every line."""
    workspace, dataset_id, _version, fkey = key
    return get_store(workspace).load_columns(
        dataset_id,
        Filters.from_key(fkey),
        columns,
        sales_only=sales_only,
        keep_non_product=keep_non_product,
    )


@st.cache_data(max_entries=8, ttl=3600, show_spinner=False)
def cached_history(key: tuple):
    """The per-order customer history of ``key``, aggregated in SQL (segments, churn)."""
    workspace, dataset_id, _version, fkey = key
    return get_store(workspace).customer_history(dataset_id, Filters.from_key(fkey))


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def cached_date_span(key: tuple) -> tuple:
    """(first, last) order timestamp of the lines of ``key`` (None, None when undated)."""
    workspace, dataset_id, _version, fkey = key
    return get_store(workspace).date_span(dataset_id, Filters.from_key(fkey))


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>$~:=])")


def inert(text: str) -> str:
    """Escape markdown/HTML so text can go into st.error/st.info/st.caption without rendering."""
    return _MD_SPECIAL.sub(r"\\\1", str(text)).replace("\n", "  \n")


def show_error(err: EcomdashError) -> None:
    """Show a core error in the merchant's language (a message built with
    ``ecomdash.i18n.note.note`` is translated here): a warning when the data is simply not
    enough, else an error."""
    err = translated(err)
    if isinstance(err, InsufficientDataError):
        st.warning(inert(str(err)), icon="⚠️")
    else:
        st.error(inert(str(err)), icon="🚫")


def _safe_stem(stem: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-")[:60] or "export"


def download_table(
    df: pd.DataFrame,
    stem: str,
    *,
    label: str | None = None,
    key: str | None = None,
    area: str | None = None,
    prepare: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
    kinds: Mapping[str, str] | None = None,
) -> None:
    """A formula-safe CSV download; the random token keeps each export's /media id unique.
    ``label``: the button's text, already translated (default: "Download CSV" translated).
    ``prepare``: applied to ``df`` when the file is built (work a rerun should not pay for;
    it runs outside the script run, where no language is set: a ``prepare`` that writes
    words takes the language in when it is made, as the Pricing page's ``_csv_words(lang)``).
    ``kinds``: a column's kind for its header, as in ``show_table`` (numbers stay numbers).

    Two header rows: the merchant's headers (from ``ecomdash.labels``, money with the
    currency) and under them the raw column ids (README, after the table of pages, says why).
    The CSV is built only when the button is clicked (deferred data, on Streamlit's own
    thread): a page with several tables no longer writes every CSV on every rerun.

    An empty table has no button: its table says it is empty, and a file of headers alone
    was offered beside that sentence.
    """
    if not len(df):
        return
    headers = download_headers(df, area=area, kinds=kinds)
    st.download_button(
        _("Download CSV") if label is None else label,
        data=lambda: to_safe_csv_bytes(prepare(df) if prepare else df, headers=headers),
        file_name=f"{_safe_stem(stem)}-{secrets.token_hex(6)}.csv",
        mime="text/csv",
        key=key,
        on_click="ignore",
        icon=":material/download:",
    )


@contextmanager
def timed_status(label: str, *, expanded: bool = False) -> Iterator:
    """``st.status`` that ends with how long the work took (or the error it hit). Work refused
    for too little data was never run: the label says so and why ("Not run: too little
    data"), where "Forecasting: stopped" read as if it had broken off; the refusal's own
    message says what to do."""
    t0 = time.perf_counter()
    with st.status(label, expanded=expanded) as status:
        try:
            yield status
        except InsufficientDataError:
            status.update(label=_("Not run: too little data"), state="error")
            raise
        except EcomdashError:
            status.update(label=_("{label} stopped", label=label), state="error")
            raise
        status.update(
            label=_(
                "{label} done in {took}", label=label, took=fmt.duration(time.perf_counter() - t0)
            ),
            state="complete",
        )


@contextmanager
def refusable_step(status, text: str) -> Iterator[None]:
    """A step of a :func:`timed_status` that the work may refuse for too little data: its
    line is shown while it runs and taken back when it is refused, so the status lists only
    the steps that ran. On a three-day marketplace export the Forecast page's status read
    "Not run: too little data" over "Backtesting the models over 8 folds and forecasting…"
    (Chromium), as if the backtest had run."""
    line = status.empty()
    line.write(text)
    try:
        yield
    except InsufficientDataError:
        line.empty()
        raise


#: Default time budget of one analysis run in a page (seconds).
DEFAULT_BUDGET_S = 60.0
#: How long past its budget a page waits for the refusal of a worker killed at that budget.
KILL_GRACE_S = 2.0
#: On Spark every step is a cluster job with its own start-up (a k-means sweep is dozens of
#: them), so a page's budgets are this many times longer.
SPARK_BUDGET_FACTOR = 5.0


def _engine_budget(seconds: float) -> float:
    from ecomdash.engine import on_spark

    try:
        return seconds * SPARK_BUDGET_FACTOR if on_spark() else seconds
    except EcomdashError:  # a bad engine setting is reported where the store opens
        return seconds


def run_with_budget(
    fn,
    /,
    *args,
    seconds: float = DEFAULT_BUDGET_S,
    what: str | None = None,
    work_seconds: float | None = None,
    **kwargs,
):
    """Run ``fn(*args, **kwargs)`` but stop waiting after ``seconds``.

    The page gets a ``TimeBudgetError`` that says what to change, instead of a session that
    hangs. Python cannot stop a running thread, so every page's heavy step (model fit, sweep,
    mining) goes through ``ecomdash.ui.worker.run_in_worker``: that worker process gets what is
    left of this budget and is killed with the refusal, which says "so it was stopped" (this
    waits up to :data:`KILL_GRACE_S` more for it). Nothing is cached for a refused run, so a
    retry starts again. Other work abandoned here (the store's SQL) finishes in the background,
    but the merchant is never left waiting. On the Spark engine the budget is
    :data:`SPARK_BUDGET_FACTOR` times longer.

    ``work_seconds``: a longer budget for the work than for the wait (the Overview's alerts
    strip waits 2 s and lets the check go on to fill the cache): the worker is then killed at
    ``work_seconds``, and the page is told at ``seconds`` that it stopped waiting.
    """
    seconds = _engine_budget(seconds)
    work = seconds if work_seconds is None else max(seconds, _engine_budget(work_seconds))
    what = what or _("This analysis")
    ex = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ecomdash-budget")
    ctx = get_script_run_ctx()
    queue = _QueueNote()
    # the worker thread runs in a copy of this run's context: its language (and any other
    # context variable) stays this session's, so messages built inside fn are translated
    fut = ex.submit(
        contextvars.copy_context().run, _with_ctx, ctx, fn, args, kwargs, work, queue.set
    )
    try:
        return _wait_showing_queue(fut, seconds, queue, show=ctx is not None)
    except FuturesTimeout:
        pass
    try:
        # a heavy step inside fn runs in a worker process killed at this same deadline: its
        # own refusal ("so it was stopped") comes back within moments, and the CPU is free
        return fut.result(timeout=KILL_GRACE_S if work <= seconds else 0)
    except FuturesTimeout:
        raise TimeBudgetError(
            _(
                "{what} took longer than its time budget of {budget}, so the page stopped "
                "waiting for it. Narrow the period or filters in the sidebar, or choose "
                "stricter settings, and run it again.",
                what=what,
                budget=fmt.duration(seconds),
            )
        ) from None
    finally:
        ex.shutdown(wait=False, cancel_futures=True)


class _QueueNote:
    """How many runs are ahead of this one for a free worker process (None: not waiting),
    set by the budget thread (``ecomdash.ui.worker``'s ``on_wait``), shown by the page's."""

    def __init__(self) -> None:
        self.ahead: int | None = None

    def set(self, ahead: int | None) -> None:
        self.ahead = ahead


#: How often a page waiting for its step looks whether it queues for a free worker (s).
QUEUE_POLL_S = 0.25


def _say_waited(note, since: float) -> None:
    note.caption(_("Waited {took} for a free worker.", took=fmt.duration(time.monotonic() - since)))


def _wait_showing_queue(fut, seconds: float, queue: _QueueNote, *, show: bool):
    """``fut.result(timeout=seconds)``; while the step waits for a free worker process, the
    page says so where it is (in the page's ``st.status`` when called inside one): "Waiting
    for a free worker: N ahead". Raises ``FuturesTimeout`` at ``seconds``."""
    end = time.monotonic() + seconds
    note = None
    shown = None
    since = None  # when the wait for a worker began
    try:
        while True:
            left = end - time.monotonic()
            try:
                result = fut.result(timeout=max(0.0, min(left, QUEUE_POLL_S)))
            except FuturesTimeout:
                if left <= QUEUE_POLL_S:
                    raise
            else:
                if note is not None and shown is not None:
                    # its turn came and the step ended between two looks: it did wait
                    _say_waited(note, since)
                    shown = None
                return result
            ahead = queue.ahead
            if show and ahead != shown:
                if note is None:
                    note = st.empty()
                    since = time.monotonic()
                if ahead is None:  # its turn came: say how long it waited
                    _say_waited(note, since)
                else:
                    busy, _waiting = worker_load()
                    note.caption(
                        _(
                            "Waiting for a free worker ({busy} busy): {n} ahead. The wait "
                            "counts against the time budget.",
                            busy=busy,
                            n=ahead,
                        )
                    )
                shown = ahead
    finally:
        if note is not None and shown is not None:  # still queued when the run ended
            note.empty()


def _with_ctx(ctx, fn, args, kwargs, seconds=None, on_wait=None):
    if ctx is not None:
        add_script_run_ctx(threading.current_thread(), ctx)
    if seconds is None:
        return fn(*args, **kwargs)
    # a heavy step run through ecomdash.ui.worker.run_in_worker inside fn is killed when
    # this budget runs out, so the refused work really stops; while it waits for a free
    # worker process, on_wait(ahead) is told how many runs are ahead of it
    with budget_scope(seconds, on_wait=on_wait):
        return fn(*args, **kwargs)


def show_chart(fig, *, where=None, **kwargs) -> None:
    """``st.plotly_chart`` (in the container ``where``, default the page) with the figure's
    axes and plotly's toolbar in the page's language (:func:`ecomdash.charts.locale.localise`,
    :func:`~ecomdash.charts.locale.plotly_config`). Every chart goes through here
    (tests/unit/test_chart_locale.py checks that no page calls ``plotly_chart`` itself)."""
    from ecomdash.charts.locale import localise, plotly_config
    from ecomdash.charts.money import figure_currency
    from ecomdash.ui.figcache import PreparedFigure

    # the figure's money formats write the dataset's currency sign (charts.money)
    kwargs["config"] = plotly_config(config=kwargs.get("config"), currency=figure_currency(fig))
    if not isinstance(fig, PreparedFigure):  # a cached figure was localised when built
        fig = localise(fig)
    (where or st).plotly_chart(fig, **kwargs)


def fmt_money(x: float | None) -> str:
    """An amount with the dataset's currency sign and thousands (``£1,234.50``)."""
    return L.money(x, current_display())


def fmt_compact(x: float | None, *, money: bool = False) -> str:
    """Short figures for metric tiles (:func:`ecomdash.i18n.fmt.compact`): 3.25M, 339k (332万
    in Chinese); below ten thousand counts exact, money whole from a thousand."""
    if x is None or pd.isna(x):
        return _("n/a")
    return compact(float(x), money=money, symbol=current_display().symbol if money else "")


def fmt_int(x: float | None) -> str:
    return _("n/a") if x is None or pd.isna(x) else f"{int(round(x)):,}"


def fmt_pct(x: float | None, digits: int = 1) -> str:
    return _("n/a") if x is None or pd.isna(x) else pct(x, digits)
