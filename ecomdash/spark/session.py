"""The Spark session the Spark store runs on: Spark Connect (``sc://...``) or a local master."""

from __future__ import annotations

import os

from ecomdash.errors import StoreError
from ecomdash.i18n import N_
from ecomdash.i18n.note import note

#: Session settings the store's SQL relies on: timestamps are the store's naive wall-clock
#: times (UTC, as DuckDB's TIMESTAMP), and string literals are raw (as DuckDB's), so the
#: same SQL text means the same on both engines.
SQL_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.parser.escapedStringLiterals": "true",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    # ORDER BY ... LIMIT k above this is a sort, then the limit: the store asks for "every
    # row, ranked" as LIMIT 10**9 (top_product_lines), and Spark's top-k operator allocates
    # its buffer for k rows up front (a Java heap OutOfMemoryError at 10**9)
    "spark.sql.execution.topKSortFallbackThreshold": "100000",
}


def get_session(remote: str):
    """The process's active Spark session for ``remote``, created the first time.

    Spark keeps the session (``getOrCreate``); nothing is held here. A local master gets a
    small configuration (no UI, few shuffle partitions): the data a merchant's app reduces
    locally is small, and a cluster brings its own settings.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise StoreError(
            note(
                N_(
                    "The Spark engine needs pyspark, which is not installed. Install the extra "
                    "(uv sync --extra spark) or set ECOMDASH_ENGINE=duckdb."
                )
            )
        ) from exc
    try:
        if remote.startswith("sc://"):
            spark = SparkSession.builder.remote(remote).getOrCreate()
        else:
            active = SparkSession.getActiveSession()
            if active is not None:
                spark = active
            else:
                spark = (
                    SparkSession.builder.master(remote)
                    .appName("ecomdash")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", "4")
                    .config(
                        "spark.driver.memory", os.environ.get("ECOMDASH_SPARK_DRIVER_MEMORY", "4g")
                    )
                    # what the app collects (projected lines for the in-app models: 1.2 GB of
                    # Arrow at 10 M lines) is bounded by the driver's memory, not by Spark's
                    # 1 GB default cap on collected results
                    .config(
                        "spark.driver.maxResultSize",
                        os.environ.get("ECOMDASH_SPARK_MAX_RESULT", "0"),
                    )
                    # MLlib FP-Growth (de)serialises its trees recursively: at support 0.005
                    # on the UCI file the default 1 MB thread stack overflows
                    .config("spark.driver.extraJavaOptions", "-Xss16m")
                    .getOrCreate()
                )
                spark.sparkContext.setLogLevel("ERROR")
        for k, v in SQL_CONF.items():
            spark.conf.set(k, v)
    except Exception as exc:  # Java missing, endpoint unreachable, ...
        if isinstance(exc, StoreError):
            raise
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise StoreError(
            note(
                N_(
                    "Could not start or reach Spark at {remote} ({detail}). Check that Java 17+ is "
                    "installed for a local master, or that the Spark Connect endpoint is up, or set "
                    "ECOMDASH_ENGINE=duckdb."
                ),
                remote=remote,
                detail=first,
            )
        ) from exc
    return spark
