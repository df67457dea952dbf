"""Which engine runs the store's SQL: embedded DuckDB (the default) or Apache Spark.

Three settings, each an environment variable (the CLI's ``--engine`` / ``--spark-remote``
override the first two):

- ``ECOMDASH_ENGINE``: ``duckdb`` (default: one embedded file under ``ECOMDASH_HOME``, nothing
  to start) or ``spark``.
- ``ECOMDASH_SPARK_REMOTE``: with ``spark``, the cluster's Spark Connect endpoint
  (``sc://host:15002``) or a local master (``local[*]``, ``local[2]``; the default ``local[*]``).
- ``ECOMDASH_LAKE``: with ``spark``, the folder (or object-store URL the cluster can reach)
  holding the datasets as Parquet; default ``$ECOMDASH_HOME/lake``.

:func:`open_store` is the one factory the app and the CLI call; pages and commands get a
:class:`ecomdash.store.Store` (or its Spark twin) and never know which engine answers.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ecomdash.errors import ParameterError
from ecomdash.i18n import N_
from ecomdash.i18n.note import note
from ecomdash.store import DEFAULT_WORKSPACE, Store, connect, default_home

ENGINES = ("duckdb", "spark")
DEFAULT_REMOTE = "local[*]"


@dataclass(frozen=True)
class EngineSettings:
    """The engine settings in force (environment, then explicit overrides)."""

    engine: str = "duckdb"
    remote: str = DEFAULT_REMOTE
    lake: str = ""

    @property
    def is_spark(self) -> bool:
        return self.engine == "spark"


def settings(
    engine: str | None = None, remote: str | None = None, lake: str | None = None
) -> EngineSettings:
    """The settings from ``ECOMDASH_ENGINE``/``_SPARK_REMOTE``/``_LAKE``, overridden by the
    arguments that are not None. Raises ParameterError for an unknown engine or remote."""
    eng = (engine or os.environ.get("ECOMDASH_ENGINE") or "duckdb").strip().lower()
    if eng not in ENGINES:
        raise ParameterError(
            note(
                N_(
                    "The engine {engine} is not known. Set ECOMDASH_ENGINE (or --engine) to {known}."
                ),
                engine=repr(eng),
                known=" or ".join(ENGINES),
            )
        )
    rem = (remote or os.environ.get("ECOMDASH_SPARK_REMOTE") or DEFAULT_REMOTE).strip()
    if not (rem.startswith("sc://") or rem.startswith("local")):
        raise ParameterError(
            note(
                N_(
                    "The Spark remote {remote} is neither a Spark Connect URL nor a local master. "
                    "Set ECOMDASH_SPARK_REMOTE (or --spark-remote) to sc://host:15002 or local[*]."
                ),
                remote=repr(rem),
            )
        )
    lk = lake or os.environ.get("ECOMDASH_LAKE") or str(default_home() / "lake")
    return EngineSettings(engine=eng, remote=rem, lake=lk)


def on_spark(store: object | None = None) -> bool:
    """Whether Spark answers: the one way the code asks (tidy10).

    With a store, the store's own engine (a :class:`~ecomdash.spark.store.SparkStore` says
    ``spark``; a DuckDB :class:`~ecomdash.store.Store` has no ``engine``): a store opened
    with ``open_store(engine="spark")`` is Spark whatever ``ECOMDASH_ENGINE`` says, and its
    Spark-only steps (FP-Growth on its lake) need that store. Without one (a k-means fit,
    a page's budget, which store to open, which ALS), the settings in force: the engine
    ``open_store`` opens by default and whose session Spark's models use."""
    if store is not None:
        return getattr(store, "engine", "duckdb") == "spark"
    return settings().is_spark


def open_store(
    home: str | Path | None = None,
    *,
    workspace: str = DEFAULT_WORKSPACE,
    engine: str | None = None,
    remote: str | None = None,
    lake: str | None = None,
    con=None,
) -> Store:
    """The workspace's store on the configured engine.

    ``con``: an already open DuckDB connection to reuse (the app shares one per directory);
    ignored by the Spark engine, which reuses the process's active Spark session.
    """
    s = settings(engine, remote, lake)
    if not s.is_spark:
        return Store(con if con is not None else connect(home), workspace=workspace)
    from ecomdash.spark.session import get_session
    from ecomdash.spark.store import SparkStore

    return SparkStore(get_session(s.remote), s.lake, workspace=workspace)
