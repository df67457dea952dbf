"""A live Spark Connect round trip: ``ecomdash kpis`` through ``ECOMDASH_SPARK_REMOTE=sc://...``.

pyspark 4 ships the Spark Connect server (``jars/spark-connect_*.jar``). One child process
runs it (a local driver with the Spark Connect plugin, listening on a free port); a second
child is the client, as the app or the command line would be on another machine:
``ECOMDASH_ENGINE=spark``, ``ECOMDASH_SPARK_REMOTE=sc://localhost:PORT``. (A process with a
classic Spark session cannot also open a Connect one, so client and server are separate, and
the test run's own session is untouched.) The client saves the demo merchant through Connect
(Arrow up, Parquet on the lake) and runs ``ecomdash kpis --json``: Spark SQL over gRPC. The
figures must equal the default (DuckDB) engine's on the same lines, to the cent.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import subprocess
import sys
import textwrap
import time
from contextlib import redirect_stdout
from pathlib import Path

import pytest

SERVER = textwrap.dedent(
    """
    import sys
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[1]")
        .config("spark.plugins", "org.apache.spark.sql.connect.SparkConnectPlugin")
        .config("spark.connect.grpc.binding.port", sys.argv[1])
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    print("READY", flush=True)
    sys.stdin.read()  # serve until the test closes our stdin
    spark.stop()
    """
)

CLIENT = textwrap.dedent(
    """
    import io, json
    from contextlib import redirect_stdout
    from ecomdash.cli import main
    from ecomdash.demo import generate
    from ecomdash.engine import open_store

    store = open_store()  # ECOMDASH_ENGINE=spark, ECOMDASH_SPARK_REMOTE=sc://localhost:PORT
    session = type(store.spark).__module__
    ds = store.ensure_demo(generate().lines).id
    buf = io.StringIO()
    with redirect_stdout(buf):
        rc = main(["kpis", "--dataset", ds, "--json"])
    print("RESULT " + json.dumps({"session": session, "rc": rc, "kpis": json.loads(buf.getvalue())}))
    """
)


INGEST_CLIENT = textwrap.dedent(
    """
    import io, json, sys
    from contextlib import redirect_stdout

    import pyarrow as pa

    from ecomdash.cli import main
    from ecomdash.engine import open_store


    def run(argv):
        buf = io.StringIO()
        with redirect_stdout(buf):
            assert main(argv) == 0, argv
        return json.loads(buf.getvalue())


    first, second = sys.argv[1], sys.argv[2]
    saved = run(["ingest", first, "--on-cluster", "--json"])
    kpis = run(["kpis", "--dataset", saved["dataset_id"], "--json"])
    appended = run(
        ["ingest", second, "--on-cluster", "--append-to", saved["dataset_id"], "--json"]
    )
    after = run(["kpis", "--dataset", saved["dataset_id"], "--json"])


    def where(batches):
        import ecomdash

        for _ in batches:
            yield pa.RecordBatch.from_pydict({"f": [ecomdash.__file__]})


    spark = open_store().spark  # the same Connect session the commands used
    module = spark.range(1).mapInArrow(where, "f STRING").collect()[0][0]
    print("RESULT " + json.dumps({
        "session": type(spark).__module__, "saved": saved, "kpis": kpis,
        "appended": appended, "after": after, "executors_ecomdash": module,
    }))
    """
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(port: int, proc: subprocess.Popen, timeout: float = 600) -> None:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if proc.poll() is not None:
            raise AssertionError(f"the Spark Connect server exited: {proc.stderr.read()[-3000:]}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(1)
    raise AssertionError(f"the Spark Connect server did not listen on {port} in {timeout} s")


#: The executors' Python (``PYSPARK_PYTHON`` of the server): this test's interpreter with the
#: project's folder taken off ``sys.path``, so the executors can import ``ecomdash`` only from
#: the zip the client ships (``ecomdash.spark.ingest.ship_package``), as on a real cluster.
HIDE = textwrap.dedent(
    """
    import os, runpy, sys

    hidden = os.path.realpath(os.environ["ECOMDASH_TEST_HIDE"])
    sys.path[:] = [p for p in sys.path if os.path.realpath(p or ".") != hidden]
    args = sys.argv[1:]
    while args and args[0] != "-m":
        args = args[1:]  # interpreter flags (-u, ...)
    sys.argv = [args[1], *args[2:]]
    runpy.run_module(args[1], run_name="__main__", alter_sys=True)
    """
)


def _skip_without_connect() -> None:
    try:
        import pyspark
    except ImportError:
        pytest.skip("pyspark is not installed (uv sync --extra spark)")
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        pytest.skip("Spark needs Java 17+, and no java was found on PATH or in JAVA_HOME")
    jars = Path(pyspark.__file__).parent / "jars"
    if not any(p.name.startswith("spark-connect_") for p in jars.glob("*.jar")):
        pytest.skip(f"this pyspark ({pyspark.__version__}) ships no Spark Connect server jar")


@pytest.fixture(scope="module")
def connect_port(tmp_path_factory):
    """A Spark Connect server (a child process) for this module's tests; its port."""
    _skip_without_connect()
    import ecomdash

    tmp = tmp_path_factory.mktemp("connect-server")
    (tmp / "hide.py").write_text(HIDE)
    python = tmp / "python"
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{tmp / "hide.py"}" "$@"\n')
    python.chmod(0o755)
    env = {
        **os.environ,
        "PYSPARK_PYTHON": str(python),
        "ECOMDASH_TEST_HIDE": str(Path(ecomdash.__file__).parent.parent),
    }
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(port)],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp,
        env=env,
    )
    try:
        _wait_for(port, server)
        yield port
    finally:
        server.stdin.close()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _client(script: str, port: int, tmp_path: Path, *args: str) -> dict:
    env = {
        **os.environ,
        "ECOMDASH_HOME": str(tmp_path / "client-home"),
        "ECOMDASH_LAKE": str(tmp_path / "lake"),
        "ECOMDASH_ENGINE": "spark",
        "ECOMDASH_SPARK_REMOTE": f"sc://localhost:{port}",
    }
    env.pop("SPARK_CONNECT_AUTHENTICATE_TOKEN", None)
    client = subprocess.run(
        [sys.executable, "-c", script, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    line = [x for x in client.stdout.splitlines() if x.startswith("RESULT ")]
    assert client.returncode == 0 and line, client.stderr[-3000:]
    return json.loads(line[0][len("RESULT ") :])


def test_kpis_through_spark_connect(tmp_path: Path, demo, monkeypatch, connect_port):
    from ecomdash.cli import main
    from ecomdash.store import Store

    # the default engine's answer, in this process
    monkeypatch.delenv("ECOMDASH_ENGINE", raising=False)
    duck = Store.open(tmp_path / "home")
    try:
        d_id = duck.ensure_demo(demo.lines).id
    finally:
        duck.close()
    monkeypatch.setenv("ECOMDASH_HOME", str(tmp_path / "home"))
    buf = io.StringIO()
    with redirect_stdout(buf):
        assert main(["kpis", "--dataset", d_id, "--json"]) == 0
    d = json.loads(buf.getvalue())

    out = _client(CLIENT, connect_port, tmp_path)
    # the client really was a Spark Connect (gRPC) session, not a local Spark
    assert out["session"].startswith("pyspark.sql.connect"), out["session"]
    assert out["rc"] == 0
    s = out["kpis"]
    d.pop("dataset_id", None), s.pop("dataset_id", None)
    assert d["orders"] > 1000
    _same_kpis(s, d)


def _same_kpis(s: dict, d: dict) -> None:
    assert set(s) == set(d)
    for k, v in d.items():
        if k == "dataset_id":
            continue
        if isinstance(v, float):
            assert round(s[k], 2) == round(v, 2), k
        else:
            assert s[k] == v, k


def test_ingest_on_cluster_through_spark_connect(tmp_path: Path, demo, monkeypatch, connect_port):
    """``ecomdash ingest --on-cluster`` (then ``--append-to``) from a Spark Connect client:
    Spark reads the CSV, the executors clean it with the shipped ``ecomdash`` zip, the lines
    land on the lake; the report and the KPIs equal the in-app ingest on DuckDB's, to the
    cent, and the append skips the same duplicates."""
    from ecomdash import schema as S
    from ecomdash.cli import main

    cols = [c for c in S.CANONICAL if c in demo.lines]
    first, second = tmp_path / "orders_jan.csv", tmp_path / "orders_feb.csv"
    demo.lines[cols].iloc[:8000].to_csv(first, index=False)
    demo.lines[cols].iloc[5000:14000].to_csv(second, index=False)  # 3,000 lines again

    def run(argv):
        buf = io.StringIO()
        with redirect_stdout(buf):
            assert main(argv) == 0, argv
        return json.loads(buf.getvalue())

    monkeypatch.delenv("ECOMDASH_ENGINE", raising=False)
    monkeypatch.setenv("ECOMDASH_HOME", str(tmp_path / "home"))
    saved = run(["ingest", str(first), "--json"])
    kpis = run(["kpis", "--dataset", saved["dataset_id"], "--json"])
    appended = run(["ingest", str(second), "--append-to", saved["dataset_id"], "--json"])
    after = run(["kpis", "--dataset", saved["dataset_id"], "--json"])
    assert saved["route"] == "app"

    out = _client(INGEST_CLIENT, connect_port, tmp_path, str(first), str(second))
    assert out["session"].startswith("pyspark.sql.connect"), out["session"]
    # the executors ran the cleaner from the zip the client shipped, not from this checkout
    assert "ecomdash.zip" in out["executors_ecomdash"], out["executors_ecomdash"]
    c = out["saved"]
    assert c["route"] == "cluster"
    for k in ("rows_read", "rows_kept", "added_returns", "mapping", "kind"):
        assert c[k] == saved[k], k
    assert [(r["rule"], r["rows"]) for r in c["rules"]] == [
        (r["rule"], r["rows"]) for r in saved["rules"]
    ]
    assert saved["rows_kept"] == 8000
    _same_kpis(out["kpis"], kpis)
    assert out["appended"]["route"] == "cluster"
    for k in ("added", "duplicates_skipped", "version"):
        assert out["appended"][k] == appended[k], k
    assert appended["duplicates_skipped"] == 3000  # the lines both exports hold
    assert appended["added"] == 6000
    _same_kpis(out["after"], after)
    assert after["orders"] > kpis["orders"]
