"""What a page's CSV downloads hold, read in an AppTest run.

``ui.common.download_table`` hands Streamlit a callable (the file is built when the button is
clicked); the page's run registers it with the runtime's media file manager (AppTest's own).
:func:`record_downloads` records each callable by its file name, and :meth:`Downloads.frame`
calls it as a click would and reads the file back as a script would (``skiprows=[0]``: the
merchant's header row above the raw column ids)."""

from __future__ import annotations

import io
import re

import pandas as pd
from streamlit.runtime.media_file_manager import MediaFileManager


class Downloads:
    def __init__(self) -> None:
        self.files: dict[str, object] = {}

    def _bytes(self, stem: str) -> bytes:
        name = re.compile(rf"{re.escape(stem)}-[0-9a-f]{{12}}\.csv")
        found = [n for n in self.files if name.fullmatch(str(n))]
        assert found, (stem, list(self.files))
        return self.files[found[-1]]()  # the latest run's file

    def frame(self, stem: str) -> pd.DataFrame:
        """The download ``stem-….csv`` of the latest run, every cell as its text ('' when
        empty), the raw column ids as its columns."""
        return pd.read_csv(
            io.BytesIO(self._bytes(stem)),
            skiprows=[0],
            dtype=str,
            keep_default_na=False,
            encoding="utf-8-sig",
        )

    def table(self, stem: str) -> pd.DataFrame:
        """The download ``stem-….csv`` of the latest run as a script reads it
        (``pd.read_csv(path, skiprows=[0])``): numbers as numbers, the raw column ids."""
        return pd.read_csv(io.BytesIO(self._bytes(stem)), skiprows=[0], encoding="utf-8-sig")

    def headers(self, stem: str) -> list[str]:
        """The merchant's header row of that download."""
        return list(pd.read_csv(io.BytesIO(self._bytes(stem)), nrows=0, encoding="utf-8-sig"))


def record_downloads(monkeypatch) -> Downloads:
    """Record every deferred download the page runs register from now on."""
    out = Downloads()
    original = MediaFileManager.add_deferred

    def add_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        out.files[file_name] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name=file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return out
