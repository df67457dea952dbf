"""A live Spark Connect round trip: ``ecomdash kpis`` through ``ECOMDASH_SPARK_REMOTE=sc://...``.

pyspark 4 ships the Spark Connect server (``jars/spark-connect_*.jar``) and starts it in-process
for ``SparkSession.builder.remote("local[1]")``. A child process (its own JVM, so the test
run's classic session is untouched) starts that server on a free port, then the ecomdash
command line talks to it as a client would talk to a cluster: ``ECOMDASH_ENGINE=spark``,
``ECOMDASH_SPARK_REMOTE=sc://localhost:PORT``. The demo merchant is saved through Connect
(Arrow up, Parquet on the lake), the KPIs are computed by Spark SQL over gRPC, and the answer
must equal the default (DuckDB) engine's on the same lines, to the cent.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

CHILD = textwrap.dedent(
    """
    import io, json, os, sys
    from contextlib import redirect_stdout
    from pyspark.sql import SparkSession

    port = int(sys.argv[1])
    server = (
        SparkSession.builder.remote("local[1]")
        .config("spark.connect.grpc.binding.port", str(port))
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    from ecomdash.cli import main
    from ecomdash.demo import generate
    from ecomdash.engine import open_store

    lines = generate().lines
    out = {}
    for engine in ("duckdb", "spark"):
        os.environ["ECOMDASH_ENGINE"] = engine
        os.environ["ECOMDASH_SPARK_REMOTE"] = f"sc://localhost:{port}"
        store = open_store()
        out[engine + "_session"] = type(getattr(store, "spark", None)).__module__
        ds = store.ensure_demo(lines).id
        store.close()
        buf = io.StringIO()
        with redirect_stdout(buf):
            rc = main(["kpis", "--dataset", ds, "--json"])
        out[engine] = {"rc": rc, "kpis": json.loads(buf.getvalue())}
    print("RESULT " + json.dumps(out))
    server.stop()
    """
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_kpis_through_spark_connect(tmp_path: Path):
    try:
        import pyspark
    except ImportError:
        pytest.skip("pyspark is not installed (uv sync --extra spark)")
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        pytest.skip("Spark needs Java 17+, and no java was found on PATH or in JAVA_HOME")
    jars = Path(pyspark.__file__).parent / "jars"
    if not any(p.name.startswith("spark-connect_") for p in jars.glob("*.jar")):
        pytest.skip(f"this pyspark ({pyspark.__version__}) ships no Spark Connect server jar")
    env = {
        **os.environ,
        "ECOMDASH_HOME": str(tmp_path / "home"),
        "ECOMDASH_LAKE": str(tmp_path / "lake"),
    }
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(_free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    line = [x for x in proc.stdout.splitlines() if x.startswith("RESULT ")]
    assert proc.returncode == 0 and line, proc.stderr[-3000:]
    out = json.loads(line[0][len("RESULT ") :])
    # the Spark store really talked to the server through Spark Connect (gRPC)
    assert out["spark_session"].startswith("pyspark.sql.connect"), out["spark_session"]
    d, s = out["duckdb"], out["spark"]
    assert d["rc"] == s["rc"] == 0
    d, s = d["kpis"], s["kpis"]
    d.pop("dataset_id", None), s.pop("dataset_id", None)
    assert d["orders"] > 1000
    assert set(s) == set(d)
    for k, v in d.items():
        if isinstance(v, float):
            assert round(s[k], 2) == round(v, 2), k
        else:
            assert s[k] == v, k
