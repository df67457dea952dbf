"""The Spark engine: the store's catalogue and lines on a lake, its SQL run as Spark SQL, and
MLlib models where a distributed one exists. Needs the optional extra: ``uv sync --extra spark``."""
