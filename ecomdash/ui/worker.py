"""A heavy step that really stops when its page run is over budget: a killable worker process.

``run_with_budget`` (ecomdash.ui.common) stops *waiting* after its budget, but Python cannot
stop a thread, so abandoned work kept a core busy until it finished. The pages therefore run
their CPU-heavy step (a model fit, a k sweep, rule mining) through ``run_in_worker``: the parent
asks the store for the aggregate frame (DuckDB stays in the server process, which holds the
file), and a child process gets that frame and the parameters, computes the Result and sends it
back pickled. When the time is up the child is killed: the CPU is free again as soon as the
merchant is told the run was refused, and nothing is cached.

The child is forked from a warm *fork server* (multiprocessing's ``forkserver`` method), a
clean single-threaded process started once per server process that has already imported the
analysis modules (``PRELOAD``), so a run pays a fork (tens of ms), not an interpreter start and
the imports (about 2 s; ``bench/bench_worker.py`` measures both). Every run gets a fresh child,
so a killed one needs no replacing and no merchant's data stays in a worker between runs.
``warm()`` starts the fork server early (the frame calls it), so a first run does not wait for
it.

Inside ``run_with_budget`` the worker inherits what is left of that budget, so the refusal and
the kill happen together. The function, its arguments and its result must be picklable (core
functions, plain frames and the frozen ``...Result`` dataclasses are). The run's language goes
with it, so sentences built in the child are in the merchant's language.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import pickle
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing import context as mp_context
from multiprocessing import forkserver, popen_forkserver, reduction, spawn, util

from ecomdash.errors import EcomdashError, TimeBudgetError
from ecomdash.i18n import _, fmt, get_lang, use_lang

#: Budget of a worker run outside any ``run_with_budget`` (seconds); None: no deadline, the
#: step runs to its end as it did in the page's thread (a page's un-budgeted step, such as the
#: Alerts page's own run, must not start being refused at 10 M lines).
DEFAULT_WORKER_BUDGET_S: float | None = None

#: Modules the fork server imports once, so a worker starts with them loaded (core only: the
#: worker never imports streamlit and never opens the store).
PRELOAD = (
    "numpy",
    "pandas",
    "scipy.optimize",
    "sklearn.cluster",
    "sklearn.tree",
    "statsmodels.api",
    "ecomdash.alerts",
    "ecomdash.basket",
    "ecomdash.churn",
    "ecomdash.clv",
    "ecomdash.forecast",
    "holidays.countries",  # every country's calendar: the whole-shop series is built here
    "ecomdash.forecast_groups",
    "ecomdash.inventory",
    "ecomdash.pricing",
    "ecomdash.recommend",
    "ecomdash.segment",
)

_local = threading.local()


def max_workers() -> int:
    """How many worker processes run at once in this server: ``ECOMDASH_MAX_WORKERS`` when set
    to a whole number >= 1, else the number of CPUs (more busy workers than cores only makes
    every run slower, and each holds its data in memory)."""
    raw = os.environ.get("ECOMDASH_MAX_WORKERS", "").strip()
    try:
        n = int(raw) if raw else 0
    except ValueError:
        n = 0
    return n if n >= 1 else max(1, os.cpu_count() or 1)


class _Slots:
    """At most ``max_workers()`` worker processes at once, first come first served.

    One per server process, on purpose: the slots stand for the machine's cores, which every
    session shares (like the fork server itself); it holds no merchant data, only a count and
    the queue of waiting runs. A run waiting for a slot is told how many runs are ahead of it
    (``on_wait``), and the wait counts against its budget."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._busy = 0
        self._queue: deque[object] = deque()

    def acquire(self, deadline: float | None, on_wait: Callable[[int | None], None] | None) -> bool:
        """Take a slot (True), or False when ``deadline`` passes first. ``on_wait(ahead)``
        is called (quick: the lock is held) when the run starts waiting, when the number of
        runs ahead changes, and with None once it has its slot."""
        me = object()
        said = None
        with self._cond:
            self._queue.append(me)
            try:
                while True:
                    if self._queue[0] is me and self._busy < max_workers():
                        self._queue.popleft()
                        self._busy += 1
                        if on_wait is not None and said is not None:
                            on_wait(None)  # no longer waiting
                        return True
                    ahead = self._queue.index(me)
                    if on_wait is not None and ahead != said:
                        said = ahead
                        on_wait(ahead)
                    wait = None if deadline is None else deadline - time.monotonic()
                    if wait is not None and wait <= 0:
                        return False
                    # woken by a release or a leaving run; also looks again every second in
                    # case the limit was raised
                    self._cond.wait(1.0 if wait is None else min(wait, 1.0))
            finally:
                if me in self._queue:  # refused, or interrupted: leave the queue
                    self._queue.remove(me)
                self._cond.notify_all()

    def release(self) -> None:
        with self._cond:
            self._busy -= 1
            self._cond.notify_all()

    def state(self) -> tuple[int, int]:
        """(worker processes running, runs waiting for one)."""
        with self._cond:
            return self._busy, len(self._queue)


_slots = _Slots()


def worker_load() -> tuple[int, int]:
    """(worker processes running now, runs waiting for a free one) in this server."""
    return _slots.state()


def budget_left() -> float | None:
    """Seconds left of the enclosing ``budget_scope`` on this thread, or None outside one."""
    at = getattr(_local, "deadline", None)
    return None if at is None else at - time.monotonic()


@contextmanager
def budget_scope(
    seconds: float, *, on_wait: Callable[[int | None], None] | None = None
) -> Iterator[None]:
    """Run the body with a deadline ``seconds`` from now that ``run_in_worker`` obeys.

    ``on_wait(ahead)``: called (on this thread) when a worker run in the body waits for a free
    worker, with how many runs are ahead of it, and again whenever that number changes."""
    previous = (
        getattr(_local, "deadline", None),
        getattr(_local, "seconds", None),
        getattr(_local, "on_wait", None),
    )
    _local.deadline, _local.seconds = time.monotonic() + seconds, seconds
    _local.on_wait = on_wait
    try:
        yield
    finally:
        _local.deadline, _local.seconds, _local.on_wait = previous


def refused(what: str, seconds: float) -> TimeBudgetError:
    return TimeBudgetError(
        _(
            "{what} took longer than its time budget of {budget}, so it was stopped. "
            "Narrow the period or filters in the sidebar, or choose stricter settings, and run "
            "it again.",
            what=what,
            budget=fmt.duration(seconds),
        )
    )


class WorkerCrashError(EcomdashError):
    """The worker process died before it answered (most often: out of memory)."""


# --- the fork server's child --------------------------------------------------------------------


class _Popen(popen_forkserver.Popen):
    """A fork-server child that does not re-run the parent's ``__main__``.

    multiprocessing re-imports the parent's main script in every child. In a Streamlit run
    ``sys.modules["__main__"]`` is the page script itself, so the child would run the page (and
    open the store, which DuckDB forbids). The child needs nothing from it: the function it runs
    is imported by name. This is ``popen_forkserver.Popen._launch`` without the main entries.
    """

    def _launch(self, process_obj):
        prep_data = spawn.get_preparation_data(process_obj._name)
        prep_data.pop("init_main_from_path", None)
        prep_data.pop("init_main_from_name", None)
        buf = io.BytesIO()
        mp_context.set_spawning_popen(self)
        try:
            reduction.dump(prep_data, buf)
            reduction.dump(process_obj, buf)
        finally:
            mp_context.set_spawning_popen(None)
        self.sentinel, w = forkserver.connect_to_new_process(self._fds)
        _parent_w = os.dup(w)
        self.finalizer = util.Finalize(self, util.close_fds, (_parent_w, self.sentinel))
        with open(w, "wb", closefd=True) as f:
            f.write(buf.getbuffer())
        self.pid = forkserver.read_signed(self.sentinel)


class _Process(mp_context.ForkServerProcess):
    @staticmethod
    def _Popen(process_obj):
        return _Popen(process_obj)


def _context():
    ctx = multiprocessing.get_context("forkserver")
    # only read when the fork server starts (once per server process, or after it died)
    ctx.set_forkserver_preload(list(PRELOAD))
    return ctx


def warm() -> None:
    """Start the fork server now (it imports ``PRELOAD`` in the background) if not running."""
    _context()
    forkserver.ensure_running()


class _StoreSeat:
    """Where the store goes in the arguments of a worker run (see ``run_in_worker(serve=)``)."""


class _StoreProxy:
    """The store, seen from a worker: every method call is run by the server process (which
    holds the DuckDB file) and its answer (a small aggregate frame) sent back."""

    def __init__(self, conn) -> None:
        self._conn = conn

    def _ask(self, kind: str, name: str, args=(), kw=None):
        self._conn.send((kind, name, args, kw or {}))
        status, value = self._conn.recv()
        if status == "error":
            raise value
        return status, value

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        status, value = self._ask("attr", name)
        if status == "value":
            return value

        def call(*args, **kw):
            return self._ask("call", name, args, kw)[1]

        return call


def _seat(x, conn):
    return _StoreProxy(conn) if isinstance(x, _StoreSeat) else x


def _send_call(conn, call) -> None:
    """Send ``call`` (the function, its arguments) to the worker with its large buffers out of
    band (pickle protocol 5): the frames' numpy and Arrow memory is written from where it
    lies, so the server does not hold a pickled copy of, say, the top products' lines (in the
    start message, the restock's 625 MB of them at 10 M lines took the server 1.7-2.1 GB over
    its RSS; sent so, 0.1-0.5 GB)."""
    buffers: list[pickle.PickleBuffer] = []
    head = io.BytesIO()
    # (positional: ForkingPickler takes no keywords before Python 3.12; True: fix_imports)
    reduction.ForkingPickler(head, 5, True, buffers.append).dump(call)
    views = [b.raw() for b in buffers]
    conn.send((head.getbuffer().nbytes, [v.nbytes for v in views]))
    conn.send_bytes(head.getbuffer())
    for v in views:
        conn.send_bytes(v)


def _receive_call(conn):
    """The call :func:`_send_call` sent, its buffers received into writable memory (so the
    arrays a worker gets can be changed in place, as the ones it was given before)."""
    n_head, sizes = conn.recv()
    head = bytearray(n_head)
    conn.recv_bytes_into(head)
    buffers = []
    for n in sizes:
        b = bytearray(n)
        conn.recv_bytes_into(b)
        buffers.append(b)
    return pickle.loads(head, buffers=buffers)


def _child(conn, lang: str) -> None:
    try:
        fn, args, kw = _receive_call(conn)
        args = tuple(_seat(a, conn) for a in args)
        kw = {k: _seat(v, conn) for k, v in kw.items()}
        with use_lang(lang):
            out = ("ok", fn(*args, **kw))
    except BaseException as exc:  # noqa: BLE001 - every error goes back to the caller
        out = ("error", exc)
    try:
        conn.send(out)
    except Exception as exc:  # noqa: BLE001 - an unpicklable result or error, said plainly
        conn.send(("error", RuntimeError(f"the worker's answer could not be sent back: {exc!r}")))
    finally:
        conn.close()


def _serve(store, msg) -> tuple:
    """Answer one store request of a worker, in the server process."""
    kind, name, args, kw = msg
    try:
        value = getattr(store, name)
        if kind == "attr":
            return ("method", None) if callable(value) else ("value", value)
        return ("ok", value(*args, **kw))
    except Exception as exc:  # noqa: BLE001 - the worker raises it where it asked
        return ("error", exc)


# --- the public call ----------------------------------------------------------------------------


def run_in_worker(
    fn, /, *args, seconds: float | None = None, what: str | None = None, serve=None, **kw
):
    """``fn(*args, **kw)`` in a worker process, killed if it runs past its budget.

    The budget is ``seconds``, else what is left of the enclosing ``budget_scope``, else
    ``DEFAULT_WORKER_BUDGET_S`` (None: no deadline). At most :func:`max_workers` worker
    processes run at once in this server: a call waits for a free one first (the enclosing
    ``budget_scope``'s ``on_wait`` is told how many runs are ahead), and that wait counts
    against its budget. Exceptions of ``fn`` reach the caller unchanged (without the
    child's traceback); a worker that dies without answering raises ``WorkerCrashError``.

    ``serve``: a store passed among the arguments (``fn(store, dataset_id, ...)``, for a core
    function that interleaves its SQL aggregates with its model). The worker gets a proxy in
    its place whose method calls this process runs on the real store (DuckDB forbids a second
    process opening the file) while it waits; the budget covers them too.
    """
    what = what or _("This analysis")
    left = budget_left()
    budget = seconds if seconds is not None else DEFAULT_WORKER_BUDGET_S
    said = budget  # the budget the refusal names: the page's whole budget, not what is left
    if seconds is None and left is not None:
        budget, said = left, getattr(_local, "seconds", left)
    if budget is not None and budget <= 0:
        raise refused(what, said)
    deadline = None if budget is None else time.monotonic() + budget
    if serve is not None:
        args = tuple(_StoreSeat() if a is serve else a for a in args)
        kw = {k: _StoreSeat() if v is serve else v for k, v in kw.items()}
    # at most max_workers() processes at once: a run waits here for a free one, and the wait
    # counts against its budget
    if not _slots.acquire(deadline, getattr(_local, "on_wait", None)):
        raise refused(what, said)
    try:
        return _run(fn, args, kw, deadline=deadline, what=what, said=said, serve=serve)
    finally:
        _slots.release()


def _run(fn, args, kw, *, deadline, what, said, serve):
    """The worker process of one :func:`run_in_worker` call (a slot is held)."""
    ctx = _context()
    mine, theirs = ctx.Pipe(duplex=True)
    proc = _Process(target=_child, args=(theirs, get_lang()), daemon=True)
    try:
        proc.start()
        theirs.close()  # the child holds its end: its exit is an end of file here
        try:
            _send_call(mine, (fn, args, kw))
        except OSError:  # the child died first: its end of file below says so
            pass
        while True:
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not mine.poll(wait):
                raise refused(what, said)
            try:
                msg = mine.recv()
            except EOFError:
                proc.join(5)
                raise WorkerCrashError(
                    _(
                        "{what} stopped unexpectedly (its worker process exited with code "
                        "{code}, most often for lack of memory). Narrow the period or filters "
                        "in the sidebar and run it again.",
                        what=what,
                        code=str(proc.exitcode),
                    )
                ) from None
            if msg[0] in ("ok", "error"):
                status, value = msg
                break
            mine.send(_serve(serve, msg))
    finally:
        mine.close()
        if not theirs.closed:
            theirs.close()
        if proc.is_alive():
            proc.kill()
        if proc.pid is not None:
            proc.join(5)  # reaped: no process outlives the call
    if status == "error":
        raise value
    return value
