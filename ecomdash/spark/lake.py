"""Where the Spark store keeps its files, and how its catalogue switches atomically.

Two kinds of lake, one interface (:class:`Lake` for the files, a catalogue with ``read()`` and
``update(action, change)``):

- **A folder** (a local or mounted path, or a ``file://`` URL): the catalogue is one file,
  ``<workspace>/catalog.json``, replaced under a file lock by writing a new file and moving it
  over the old one (``os.replace``, atomic on a POSIX file system): :class:`FolderCatalogue`.
- **An object store** (``s3://``, ``s3a://``, ``gs://``, ``abfs://`` ... any lake URL that is
  not a local path; or a folder with ``object_store=True``, which is how it is tested here):
  there is no atomic rename, so nothing is ever moved or overwritten. Every catalogue state is
  a new immutable object ``<workspace>/catalog/<number>.json`` (20 digits) and the highest
  number wins. A writer reads the highest, applies its change and creates the next number
  with an *exclusive* put (fsspec's ``pipe_file(..., mode="create")``: S3
  ``If-None-Match: *``, GCS ``ifGenerationMatch=0``; on a folder a hard link, which fails
  when the name exists); when another writer created that number
  first, the put fails, and the writer reads again and re-applies its change
  (:class:`PointerCatalogue`). A put is atomic, so a reader sees one whole state, old or new.

The dataset's lines are versioned folders either way (``<id>/v1``, ``<id>/v2``, ...): a write
goes to a new folder that no catalogue state lists until the switch, so a reader never sees a
half-written part, even where Spark's own commit of the part is not atomic (plain S3).
"""

from __future__ import annotations

import fcntl
import io
import json
import os
import random
import secrets
import threading
import time
from collections.abc import Callable

import pyarrow as pa
import pyarrow.parquet as pq

from ecomdash.errors import StoreError
from ecomdash.i18n import N_
from ecomdash.i18n.note import note

CATALOG_FILE = "catalog.json"
CATALOG_DIR = "catalog"
#: catalogue states kept behind the newest in an object-store lake (older ones are removed)
KEEP_STATES = 20
#: exclusive puts tried before a writer gives up (each loss means another writer succeeded)
MAX_TRIES = 50


def _is_url(path: str) -> bool:
    return "://" in path and not path.startswith("file://")


def _local(path: str) -> str:
    return path[len("file://") :] if path.startswith("file://") else path


def _uri(path: str) -> str:
    """A lake path as the URI Spark reads and writes (``file://`` + absolute path), so a
    cluster whose default file system is HDFS still reads the shared folder, not HDFS."""
    return "file://" + os.path.abspath(path)


#: the Hadoop scheme Spark reads an fsspec protocol with (``s3://`` is ``s3a://`` on Spark)
_SPARK_SCHEMES = {"s3": "s3a", "s3a": "s3a", "gs": "gs", "gcs": "gs", "abfs": "abfs"}


class Lake:
    """A workspace's files on the lake: paths, the URIs Spark gets, small files for the app.

    A local lake uses ``os`` (as before); an object-store lake uses the fsspec file system of
    its URL (s3fs, gcsfs, adlfs must be installed where the app runs).
    """

    def __init__(self, lake: str, workspace: str, *, object_store: bool | None = None):
        self.url = str(lake).rstrip("/")
        remote = _is_url(self.url)
        self.object_store = remote if object_store is None else bool(object_store or remote)
        self._fs = None
        if remote:
            try:
                from fsspec.core import url_to_fs

                self._fs, base = url_to_fs(self.url)
            except (ImportError, ValueError) as exc:
                raise StoreError(
                    note(
                        N_(
                            "The lake {lake} cannot be opened from the app ({detail}). Install "
                            "the fsspec driver for its scheme where the app runs (s3fs for s3://, "
                            "gcsfs for gs://, adlfs for abfs://), or set ECOMDASH_LAKE to a local "
                            "or mounted folder."
                        ),
                        lake=self.url,
                        detail=str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
                    )
                ) from exc
            scheme, rest = self.url.split("://", 1)
            self._base = base.rstrip("/")
            # Spark gets the URL as written (its host part, e.g. abfs's container@account,
            # kept), with the Hadoop scheme: s3:// is s3a:// on Spark
            self._spark_base = f"{_SPARK_SCHEMES.get(scheme.lower(), scheme)}://{rest}"
            self.root = f"{self._base}/{workspace}"
        else:
            self.root = os.path.join(_local(self.url), workspace)

    # -- paths ------------------------------------------------------------------------------
    def join(self, *parts: str) -> str:
        if self._fs is None:
            return os.path.join(self.root, *parts)
        return "/".join([self.root, *parts])

    def spark_uri(self, path: str) -> str:
        """The URI Spark reads and writes ``path`` with."""
        if self._fs is None:
            return _uri(path)
        if not path.startswith(self._base):
            raise StoreError(note(N_("Internal error: a lake path is outside the lake.")))
        return self._spark_base + path[len(self._base) :]

    # -- files ------------------------------------------------------------------------------
    def exists(self, path: str) -> bool:
        if self._fs is None:
            return os.path.exists(path)
        self._fs.invalidate_cache(path)
        return bool(self._fs.exists(path))

    def rmtree(self, path: str) -> None:
        """Remove a folder and everything in it; nothing if it is not there."""
        if self._fs is None:
            import shutil

            shutil.rmtree(path, ignore_errors=True)
            return
        try:
            self._fs.rm(path, recursive=True)
        except (FileNotFoundError, OSError):
            pass

    def remove(self, path: str) -> None:
        """Remove one file; nothing if it is not there."""
        try:
            if self._fs is None:
                os.remove(path)
            else:
                self._fs.rm_file(path)
        except FileNotFoundError:
            pass

    def makedirs(self, path: str) -> None:
        if self._fs is None:
            os.makedirs(path, exist_ok=True)
        else:
            self._fs.makedirs(path, exist_ok=True)  # a no-op on object stores

    def listdir(self, path: str) -> list[str]:
        """The names (not paths) in a folder; [] if it is not there."""
        if self._fs is None:
            try:
                return os.listdir(path)
            except FileNotFoundError:
                return []
        self._fs.invalidate_cache(path)
        try:
            return [p.rstrip("/").rsplit("/", 1)[-1] for p in self._fs.ls(path, detail=False)]
        except FileNotFoundError:
            return []

    def create(self, path: str, data: bytes) -> None:
        """Write a new file whole, atomically; ``FileExistsError`` if ``path`` exists (an
        exclusive put: never a rename, never an overwrite). On a folder the bytes go to a
        private file first, then a hard link gives them their name (``link`` fails if the name
        exists, and a reader never sees a half-written file); on an object store one PUT with
        fsspec's ``mode="create"`` (S3 ``If-None-Match: *``, GCS ``ifGenerationMatch=0``)."""
        if self._fs is not None:
            self._fs.pipe_file(path, data, mode="create")
            return
        folder, name = os.path.split(path)
        os.makedirs(folder, exist_ok=True)
        tmp = os.path.join(folder, f".{name}.{secrets.token_hex(6)}.tmp")
        try:
            with open(tmp, "xb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.link(tmp, path)
        finally:
            try:
                os.remove(tmp)
            except FileNotFoundError:
                pass

    def read_bytes(self, path: str) -> bytes:
        if self._fs is None:
            with open(path, "rb") as fh:
                return fh.read()
        return self._fs.cat_file(path)

    def write_parquet(self, path: str, table: pa.Table) -> None:
        if self._fs is None:
            pq.write_table(table, path)
            return
        buf = io.BytesIO()
        pq.write_table(table, buf)
        self.create(path, buf.getvalue())

    def read_parquet(self, path: str) -> pa.Table:
        if self._fs is None:
            return pq.read_table(path)
        return pq.read_table(io.BytesIO(self.read_bytes(path)))


def _unreadable(path: str, exc: BaseException) -> StoreError:
    return StoreError(
        note(
            N_(
                "The dataset catalogue {path} cannot be read ({detail}). Restore it from a "
                "backup or remove it to start the workspace afresh."
            ),
            path=path,
            detail=str(exc),
        )
    )


def _unwritable(action: str, exc: OSError) -> StoreError:
    return StoreError(
        note(
            N_(
                "Could not {action}: the catalogue could not be written ({detail}). "
                "Nothing was changed; free disk space or fix permissions and try again."
            ),
            action=note(action),
            detail=exc.strerror or str(exc),
        )
    )


class FolderCatalogue:
    """The catalogue of a folder lake: one JSON file replaced atomically (``os.replace``)."""

    def __init__(self, lake: Lake):
        self.lake = lake
        self._lock = threading.Lock()

    def read(self) -> dict[str, dict]:
        path = os.path.join(self.lake.root, CATALOG_FILE)
        try:
            with open(path, encoding="utf-8") as fh:
                return json.load(fh)["datasets"]
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, KeyError) as exc:
            raise _unreadable(path, exc) from exc

    def update(self, action: str, change: Callable[[dict[str, dict]], None]) -> None:
        """Read-modify-write of the catalogue under a file lock; written atomically (new file,
        then ``os.replace``) only when ``change`` succeeds."""
        root = self.lake.root
        try:
            os.makedirs(root, exist_ok=True)
            lock = open(os.path.join(root, ".catalog.lock"), "a")  # noqa: SIM115
        except OSError as exc:
            raise StoreError(
                note(
                    N_(
                        "Could not {action}: the lake folder {folder} cannot be written "
                        "({detail}). Nothing was changed. Set ECOMDASH_LAKE to a writable folder."
                    ),
                    action=note(action),
                    folder=root,
                    detail=exc.strerror,
                )
            ) from exc
        with self._lock, lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            cat = self.read()
            change(cat)
            tmp = os.path.join(root, f".{CATALOG_FILE}.{secrets.token_hex(4)}")
            try:
                with open(tmp, "w", encoding="utf-8") as fh:
                    json.dump({"datasets": cat}, fh, default=str)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, os.path.join(root, CATALOG_FILE))
            except OSError as exc:
                if os.path.exists(tmp):
                    os.remove(tmp)
                raise _unwritable(action, exc) from exc


class PointerCatalogue:
    """The catalogue of an object-store lake: numbered immutable states, the highest wins,
    each created with an exclusive put (see the module doc)."""

    def __init__(self, lake: Lake):
        self.lake = lake
        self.folder = lake.join(CATALOG_DIR)
        self._lock = threading.Lock()

    def _numbers(self) -> list[int]:
        got = []
        for name in self.lake.listdir(self.folder):
            stem, dot, ext = name.partition(".")
            if dot and ext == "json" and stem.isdigit():
                got.append(int(stem))
        return sorted(got)

    def _path(self, number: int) -> str:
        return self.lake.join(CATALOG_DIR, f"{number:020d}.json")

    def latest(self) -> tuple[int, dict[str, dict]]:
        """The newest state's number (0 when there is none) and its datasets."""
        for _ in range(MAX_TRIES):
            numbers = self._numbers()
            if not numbers:
                return 0, {}
            path = self._path(numbers[-1])
            try:
                return numbers[-1], json.loads(self.lake.read_bytes(path))["datasets"]
            except FileNotFoundError:
                continue  # pruned by a writer since the listing: list again
            except (OSError, ValueError, KeyError) as exc:
                raise _unreadable(path, exc) from exc
        raise _unreadable(self.folder, OSError("the newest state kept disappearing"))

    def read(self) -> dict[str, dict]:
        return self.latest()[1]

    def update(self, action: str, change: Callable[[dict[str, dict]], None]) -> None:
        """Apply ``change`` to the newest state and create the next one; when another writer
        created that number first, read its state and apply ``change`` again."""
        with self._lock:
            for attempt in range(MAX_TRIES):
                number, cat = self.latest()
                change(cat)
                data = json.dumps({"datasets": cat}, default=str).encode()
                try:
                    self.lake.create(self._path(number + 1), data)
                except FileExistsError:
                    time.sleep(random.uniform(0.01, 0.05) * (1 + attempt))
                    continue
                except OSError as exc:
                    raise _unwritable(action, exc) from exc
                self._prune(number + 1)
                return
        raise StoreError(
            note(
                N_(
                    "Could not {action}: other writers kept changing the catalogue {path} "
                    "({tries} tries). Nothing was changed; try again."
                ),
                action=note(action),
                path=self.folder,
                tries=MAX_TRIES,
            )
        )

    def _prune(self, newest: int) -> None:
        """Remove states far behind the newest (a reader that listed one of them lists again)."""
        for n in self._numbers():
            if n <= newest - KEEP_STATES:
                try:
                    self.lake.remove(self._path(n))
                except OSError:
                    pass


def catalogue_for(lake: Lake) -> FolderCatalogue | PointerCatalogue:
    return PointerCatalogue(lake) if lake.object_store else FolderCatalogue(lake)
