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


def test_kpis_through_spark_connect(tmp_path: Path, demo, monkeypatch):
    try:
        import pyspark
    except ImportError:
        pytest.skip("pyspark is not installed (uv sync --extra spark)")
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        pytest.skip("Spark needs Java 17+, and no java was found on PATH or in JAVA_HOME")
    jars = Path(pyspark.__file__).parent / "jars"
    if not any(p.name.startswith("spark-connect_") for p in jars.glob("*.jar")):
        pytest.skip(f"this pyspark ({pyspark.__version__}) ships no Spark Connect server jar")
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

    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(port)],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for(port, server)
        env = {
            **os.environ,
            "ECOMDASH_HOME": str(tmp_path / "client-home"),
            "ECOMDASH_LAKE": str(tmp_path / "lake"),
            "ECOMDASH_ENGINE": "spark",
            "ECOMDASH_SPARK_REMOTE": f"sc://localhost:{port}",
        }
        env.pop("SPARK_CONNECT_AUTHENTICATE_TOKEN", None)
        client = subprocess.run(
            [sys.executable, "-c", CLIENT], env=env, capture_output=True, text=True, timeout=900
        )
    finally:
        server.stdin.close()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    line = [x for x in client.stdout.splitlines() if x.startswith("RESULT ")]
    assert client.returncode == 0 and line, client.stderr[-3000:]
    out = json.loads(line[0][len("RESULT ") :])
    # the client really was a Spark Connect (gRPC) session, not a local Spark
    assert out["session"].startswith("pyspark.sql.connect"), out["session"]
    assert out["rc"] == 0
    s = out["kpis"]
    d.pop("dataset_id", None), s.pop("dataset_id", None)
    assert d["orders"] > 1000
    assert set(s) == set(d)
    for k, v in d.items():
        if isinstance(v, float):
            assert round(s[k], 2) == round(v, 2), k
        else:
            assert s[k] == v, k
