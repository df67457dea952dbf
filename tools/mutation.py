"""Mutation testing of one core module with only that module's tests (mutmut 3), bounded in time.

    uv run python tools/mutation.py exports            # run (or resume) and print the score
    uv run python tools/mutation.py exports --survivors  # list the surviving mutants' diffs
    uv run python tools/mutation.py --list             # the modules and their tests
    uv run python tools/mutation.py alerts/series --in-process  # fixture-free tests, in-process

Each module gets its own scratch copy of the project under ``.mutmut/<module>/`` (git-ignored,
never collected by pytest) holding a pyproject.toml whose ``[tool.mutmut]`` mutates that one
module and selects its test files; mutmut's ``mutants/`` folder and caches live there.
Outside CI: it is slow by design.

Resuming: a plain run passes mutmut the module's pattern, and mutmut 3.8.1 re-runs every
mutant a name or pattern matches, whatever its recorded result (a full rerun). ``--retest``
names only the survivors and the mutants not run yet, so it is the resume; mutants of a
function changed since the last run are reset to "not run" while mutmut generates them, i.e.
after ``--retest`` picked its names: a second ``--retest`` runs them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRATCH = ROOT / ".mutmut"

#: module (under ecomdash/) -> the test files that check it (fast ones; slow UCI tests left out).
#: Packages are listed file by file: the files that carry the money / model logic, each run
#: with its package's own unit tests.
_BASKET = [
    "tests/unit/test_basket.py",
    "tests/unit/test_basket_properties.py",
    "tests/unit/test_basket_mlxtend.py",
    "tests/unit/test_basket_by_hand.py",
    "tests/unit/test_zh_errors_basket.py",
]
#: clv's hand-computed / published small cases first (fast: mutmut runs the fastest test
#: first and stops at the first failure), then the CDNOW and simulation tests
#: (changing a module's list resets its results in mutmut: the models keep theirs)
_CLV_MODELS = ["tests/unit/test_clv_models.py", "tests/unit/test_clv.py"]
_CLV = ["tests/unit/test_clv_models.py", "tests/unit/test_clv_value.py", "tests/unit/test_clv.py"]
#: the data side and the holdout check: their own by-hand file first
_CLV_DATA = ["tests/unit/test_clv_data.py", *_CLV]
_RECOMMEND = ["tests/unit/test_recommend.py", "tests/unit/test_recommend_evaluation.py"]
#: the fast hand-computed files each measured score in docs/MUTATION.md was taken with (the
#: slower end-to-end files also cover these modules, but make a full run take hours)
_BASKET_FAST = ["tests/unit/test_basket_by_hand.py", "tests/unit/test_zh_errors_basket.py"]
_PRICING = ["tests/unit/test_pricing_hand.py", "tests/unit/test_pricing.py"]
MODULES: dict[str, list[str]] = {
    "exports": ["tests/unit/test_exports.py"],
    "kpis": ["tests/unit/test_kpis.py"],
    "ingest/clean": ["tests/unit/test_ingest_clean.py", "tests/unit/test_ingest_clean_report.py"],
    "ingest/clean_text": [
        "tests/unit/test_ingest_clean_text.py",
        "tests/unit/test_ingest_clean.py",
    ],
    "churn": ["tests/unit/test_churn_small.py", "tests/unit/test_churn_run.py"],
    "segment/rfm": ["tests/unit/test_segment.py"],
    # the hand-computed unit file, then the choice of k / names / tree and the sample fit
    # (the functions added since the 2026-12-03 row: k_choice, choose_k, _sweep, _words_apart)
    "segment/clusters": [
        "tests/unit/test_segment_clusters.py",
        "tests/unit/test_segment_choice.py",
        "tests/unit/test_segment_sample.py",
    ],
    "clv/bgnbd": _CLV_MODELS,
    "clv/gamma_gamma": _CLV_MODELS,
    #: the fits' convergence rule: its own case-by-case file, then the fits that use it
    "clv/_optim": ["tests/unit/test_clv_optim.py", "tests/unit/test_clv_models.py"],
    # its rules at their boundaries, by hand (2026-12-04: the selection changed)
    "clv/value": ["tests/unit/test_clv_value_rules.py", *_CLV],
    "clv/data": _CLV_DATA,
    "clv/calibration": _CLV_DATA,
    "basket/mining": [
        *_BASKET_FAST,
        "tests/unit/test_basket_encode.py",
        "tests/unit/test_basket_miner.py",
        "tests/unit/test_basket_mining.py",
    ],
    "basket/miner": ["tests/unit/test_basket_miner.py", *_BASKET_FAST],
    "basket/bundles": [
        "tests/unit/test_basket_by_hand.py",
        "tests/unit/test_basket.py",
        "tests/unit/test_zh_errors_basket.py",
        "tests/unit/test_basket_bundles.py",
    ],
    "basket/encode": ["tests/unit/test_basket_encode.py", *_BASKET_FAST],
    "basket/holdout": _BASKET,
    "recommend/models": ["tests/unit/test_recommend_models.py"],
    # evaluate_split by hand first (2026-12-04: the selection changed)
    "recommend/evaluation": ["tests/unit/test_recommend_evaluate_split.py", *_RECOMMEND],
    "recommend/base": ["tests/unit/test_recommend_base.py"],
    "recommend/data": ["tests/unit/test_recommend_data.py"],
    "forecast/models": ["tests/unit/test_forecast_models.py"],
    "forecast/single": ["tests/unit/test_forecast_single.py"],
    "forecast/engine": ["tests/unit/test_forecast_engine.py", "tests/unit/test_forecast_models.py"],
    # its hand-computed small frames (a second a test) beside the files that build a merchant
    "alerts/series": [
        "tests/unit/test_alerts_series_hand.py",
        "tests/unit/test_alerts_weeks.py",
        "tests/unit/test_alerts.py",
        "tests/unit/test_alerts_cn.py",
    ],
    # pricing (2026-12-06): the by-hand file of small frames first, then test_pricing.py (its
    # small panels, and the demo merchant's planted truths through a module fixture);
    # test_pricing_routes.py (the demo again, route against route) left out to bound the runs
    "pricing/whatif": _PRICING,
    "pricing/models": [*_PRICING, "tests/unit/test_zh_pricing_alerts.py"],
    # 2026-12-07 (session 54): the events' reading, matching and unmeasured rows by hand
    # first, then the lift's frames; test_pricing.py left out (its demo fixture)
    "pricing/promotions": [
        "tests/unit/test_promotions_mutants.py",
        "tests/unit/test_pricing_events.py",
        "tests/unit/test_pricing_hand.py",
    ],
    # returns matched to their sales (one file, stacked files) and Chinese refund states
    "ingest/returns": [
        "tests/unit/test_returns_match_hand.py",
        "tests/unit/test_ingest_clean.py",
        "tests/unit/test_ingest_stack.py",
        "tests/unit/test_ingest_clean_report.py",
    ],
    # the stock file's reading and id matching: the by-hand files, then its Chinese refusals
    "stock_file": [
        "tests/unit/test_stock_file_mutants.py",
        "tests/unit/test_stock_file.py",
        "tests/unit/test_zh_errors_forecast.py",
    ],
}


# pytest options for every mutant run: no slow shared-data tests, fixed order, stop at the
# first failure (one failing test is enough to kill a mutant), in one process ("-n 0" undoes
# the project's xdist addopts: mutmut maps tests to mutants from inside the pytest process,
# so with xdist workers it finds no test for any mutant and checks nothing); "-p mutation"
# loads this file's fixture hooks below (tools/ is put on PYTHONPATH for it)
PYTEST_ARGS = [
    *("-p", "no:randomly", "-n", "0", "-x", "-q", "-m", "not slow and not e2e"),
    *("-p", "mutation"),
]

#: pytest's stash key: (fixture name, where it is defined) -> the mutated functions its setup ran
_FIXTURE_HITS = pytest.StashKey[dict[tuple[str, str], set[str]]]()


# mutmut maps a test to the functions its trampolines saw run from the test's start to its
# teardown. A module- or session-scoped fixture (tests/conftest.py's demo_alerts: the demo
# merchant's alerts, once per test module) runs them while setting up the first test that asks
# for it, so only that test was mapped, and the module's other tests that read the same result
# were never run against a mutant (alerts/series, 2026-12-06: 16 of its 71 tests mapped to
# score_series). These two hooks remember which functions each fixture's setup ran and credit
# them to every test that uses the fixture. Outside mutmut's stats run nothing is recorded.
@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef, request):
    from mutmut.state import state

    hits = state()._stats
    before = set(hits)
    hits.clear()
    try:
        return (yield)
    finally:
        if hits:
            table = request.config.stash.setdefault(_FIXTURE_HITS, {})
            table.setdefault((fixturedef.argname, fixturedef.baseid), set()).update(hits)
        hits.update(before)


@pytest.hookimpl(tryfirst=True)  # before mutmut's own teardown hook reads the hits
def pytest_runtest_teardown(item):
    table = item.config.stash.get(_FIXTURE_HITS, {})
    if not table:
        return
    from mutmut.state import state

    for name in item.fixturenames:
        for fixturedef in item._fixtureinfo.name2fixturedefs.get(name, ()):
            state()._stats.update(table.get((fixturedef.argname, fixturedef.baseid), ()))


def _config(module: str, tests: list[str]) -> str:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    if "mutmut" in data.get("tool", {}):
        text = text.split("[tool.mutmut]")[0]
    selection = ", ".join(json.dumps(t) for t in tests)
    return (
        text
        + "\n[tool.mutmut]\n"
        + 'source_paths = ["ecomdash"]\n'
        + f'only_mutate = ["ecomdash/{module}.py"]\n'
        + f"pytest_add_cli_args_test_selection = [{selection}]\n"
        + f"pytest_add_cli_args = {json.dumps(PYTEST_ARGS)}\n"
    )


def _sync(module: str, tests: list[str]) -> Path:
    """Lay (or refresh) the scratch copy for ``module``; returns its directory."""
    work = SCRATCH / module.replace("/", "__")
    work.mkdir(parents=True, exist_ok=True)
    for name in ("ecomdash", "tests", "pages", ".streamlit"):
        src, dst = ROOT / name, work / name
        if dst.exists():
            shutil.rmtree(dst)
        if src.exists():
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy2(ROOT / "app.py", work / "app.py")
    # tests/conftest.py finds the shared datasets at <its project root>/../shared/data; pytest
    # runs in work/mutants/, so that is work/shared: link it, or every test on a published
    # dataset (CDNOW, UCI, ...) skips and checks nothing during mutation runs
    link = work / "shared"
    if (ROOT.parent / "shared").is_dir() and not link.exists():
        link.symlink_to(ROOT.parent / "shared", target_is_directory=True)
    (work / "pyproject.toml").write_text(_config(module, tests), encoding="utf-8")
    return work


def _mutmut(work: Path, *args: str, timeout: float | None = None) -> int:
    exe = Path(sys.executable).with_name("mutmut")
    # mutants/ must exist before mutmut starts. A PYTHONPATH entry that is not a directory
    # when Python starts is cached as "nothing to import here" (sys.path_importer_cache holds
    # None for it) and never looked at again, even once mutmut has filled it and put it first
    # on sys.path; so in the run that first generated the mutants, ``ecomdash`` and ``tests``
    # were imported from the editable install, i.e. the unmutated worktree (mutmut sets
    # PY_IGNORE_IMPORTMISMATCH, so pytest does not object), no trampoline ran, and mutmut
    # stopped with "could not find any test case for any mutant" (alerts/series, 2026-12-06)
    (work / "mutants").mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(work / "mutants"), str(ROOT / "tools")]),
    }
    # one thread per native pool: mutmut forks a child per mutant from a parent whose OpenMP /
    # BLAS pools already started (the stats run), and a forked child that then fits a threaded
    # model (sklearn's HistGradientBoosting) can hang until mutmut kills it, which it counts as
    # a "timeout" (caught): churn's surviving make_model mutants all did (2026-12-04)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")
    try:
        return subprocess.run([str(exe), *args], cwd=work, env=env, timeout=timeout).returncode
    except subprocess.TimeoutExpired:
        print(f"stopped after {timeout:.0f} s; rerun to resume where it left off")
        return 124


def _score(work: Path, module: str) -> dict:
    """Counts by mutmut's own status names; score = (killed + timeout) / (mutants checked)."""
    from mutmut.stats import status_by_exit_code

    meta = work / "mutants" / "ecomdash" / f"{module}.py.meta"
    if not meta.exists():
        return {}
    codes = json.loads(meta.read_text())["exit_code_by_key"]
    out: dict = {"total": len(codes)}
    for code in codes.values():
        status = status_by_exit_code[code]
        out[status] = out.get(status, 0) + 1
    checked = out["total"] - out.get("not checked", 0)
    caught = out.get("killed", 0) + out.get("timeout", 0)
    out["score"] = round(caught / checked * 100, 1) if checked else None
    return out


def _undecided(work: Path, module: str) -> list[str]:
    """Names of the mutants that survived, had no test or were not run yet."""
    from mutmut.stats import status_by_exit_code

    meta = work / "mutants" / "ecomdash" / f"{module}.py.meta"
    if not meta.exists():
        return []
    codes = json.loads(meta.read_text())["exit_code_by_key"]
    keep = {"survived", "no tests", "not checked"}
    return [k for k, c in codes.items() if status_by_exit_code[c] in keep]


def _in_process(module: str, tests: list[str]) -> int:
    """Each mutant switched on in turn (``MUTANT_UNDER_TEST``, as mutmut's children do) and
    the selection's test functions that take no fixture and carry no mark called one after
    the other in this process, the first failure (or 60 s) a kill. Runs in the scratch's
    ``mutants/`` (``--in-process``); writes ``in_process.json`` beside it, never mutmut's
    verdicts. Minutes where mutmut's children, each building the fixtures again, take hours;
    a mutant it leaves alive may still be killed by a test that needs a fixture."""
    import importlib
    import inspect
    import signal
    import tempfile
    import warnings

    warnings.simplefilter("ignore", RuntimeWarning)  # mutants' overflows and logs of 0
    os.environ["ECOMDASH_HOME"] = tempfile.mkdtemp(prefix="mutation-home-")
    os.environ["MUTANT_UNDER_TEST"] = ""
    funcs = []
    for t in tests:
        mod = importlib.import_module(t.removesuffix(".py").replace("/", "."))
        funcs += [
            (f"{Path(t).name}::{n}", f)
            for n, f in vars(mod).items()
            if n.startswith("test_")
            and inspect.isfunction(f)
            and f.__module__ == mod.__name__
            and not inspect.signature(f).parameters
            and not getattr(f, "pytestmark", None)
        ]

    def _alarm(*_):
        raise TimeoutError("60 s")

    signal.signal(signal.SIGALRM, _alarm)
    for _name, f in funcs:
        f()  # green without a mutant, or stop here
    meta = json.loads((Path("ecomdash") / f"{module}.py.meta").read_text())
    out: dict[str, str | None] = {}
    for name in meta["exit_code_by_key"]:
        os.environ["MUTANT_UNDER_TEST"] = name
        out[name] = None
        for test, f in funcs:
            signal.alarm(60)
            try:
                f()
            except pytest.skip.Exception:
                pass
            except (Exception, pytest.fail.Exception) as e:
                out[name] = f"{test}: {type(e).__name__}"
            finally:
                signal.alarm(0)
            if out[name]:
                break
    os.environ["MUTANT_UNDER_TEST"] = ""
    Path("../in_process.json").write_text(json.dumps(out, indent=1), encoding="utf-8")
    alive = [k for k, v in out.items() if v is None]
    print(
        json.dumps(
            {
                "module": module,
                "tests": len(funcs),
                "total": len(out),
                "killed": len(out) - len(alive),
                "alive": len(alive),
            }
        )
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("module", nargs="?", help="module under ecomdash/, e.g. exports or ingest/clean")
    p.add_argument("--list", action="store_true", help="list the modules and their tests")
    p.add_argument("--survivors", action="store_true", help="show the surviving mutants' diffs")
    p.add_argument("--timeout", type=float, default=1800, help="stop the run after this (s)")
    p.add_argument("--jobs", type=int, default=1, help="parallel mutant runs (default 1)")
    p.add_argument(
        "--tests",
        nargs="+",
        metavar="FILE",
        help="test files to use instead of the module's list (e.g. only its fast hand-computed\n"
        "unit tests, to bound a run); changing the selection makes mutmut re-check everything",
    )
    p.add_argument(
        "--retest",
        action="store_true",
        help="re-run only the survivors, the mutants without tests and those not run yet\n"
        "(after adding tests: mutmut keeps a verdict until the mutated function changes)",
    )
    p.add_argument(
        "--in-process",
        action="store_true",
        help="check every mutant in-process against the selection's tests that take no\n"
        "fixture (after a mutmut run generated the mutants); writes in_process.json",
    )
    p.add_argument("--in-process-child", action="store_true", help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.in_process_child:
        return _in_process(a.module, a.tests or MODULES[a.module])
    if a.list or not a.module:
        for m, tests in MODULES.items():
            print(f"{m:14} {' '.join(tests)}")
        return 0
    if a.module not in MODULES:
        p.error(f"unknown module {a.module!r}; one of: {', '.join(MODULES)}")
    work = SCRATCH / a.module.replace("/", "__")
    if a.survivors:
        lines = subprocess.run(
            [str(Path(sys.executable).with_name("mutmut")), "results"],
            cwd=work,
            capture_output=True,
            text=True,
        ).stdout.splitlines()
        # mutmut 3.x prints "    <name>: <status>" per undecided mutant
        for line in lines:
            name, _, status = line.strip().partition(": ")
            if name.startswith("ecomdash.") and status in ("survived", "no tests"):
                _mutmut(work, "show", name)
        return 0
    if a.in_process:
        mutants = work / "mutants"
        if not (mutants / "ecomdash" / f"{a.module}.py.meta").exists():
            p.error(f"no mutants of {a.module} yet: run it with mutmut first")
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
        shutil.copytree(ROOT / "tests", mutants / "tests", dirs_exist_ok=True, ignore=ignore)
        child = [sys.executable, __file__, a.module, "--in-process-child"]
        child += ["--tests", *(a.tests or MODULES[a.module])]
        env = {**os.environ, "PYTHONPATH": str(mutants)}
        return subprocess.run(child, cwd=mutants, env=env).returncode
    work = _sync(a.module, a.tests or MODULES[a.module])
    pattern = "ecomdash." + a.module.replace("/", ".") + ".*"
    targets = [pattern]
    if a.retest:
        targets = _undecided(work, a.module)
        if not targets:
            print(json.dumps({"module": a.module, **_score(work, a.module)}))
            return 0
    rc = _mutmut(work, "run", "--max-children", str(a.jobs), *targets, timeout=a.timeout)
    print(json.dumps({"module": a.module, **_score(work, a.module)}))
    return rc


if __name__ == "__main__":
    raise SystemExit(main())
