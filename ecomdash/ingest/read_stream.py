"""A large ``.gz`` text file parsed while it is being inflated.

The plain route inflates the whole file on one core (ISA-L) and only then lets pyarrow parse
the text: at 10 M lines 1.7 s of inflating in series before the parse, and the 1.4 GB of text
held beside the parsed columns. Here pyarrow's CSV reader pulls the text block by block from
:class:`GzipText` (its read-ahead thread inflates the next block while the parser's threads
work on the previous ones), and the physical lines are counted block by block.

This is a fast path only for the common case, and it returns exactly what the plain route
returns or nothing: the encoding, delimiter and header are sniffed from the same first bytes
as before; anything else — a file smaller than the first bytes read, another format inside,
an encoding other than UTF-8, title lines, whitespace or basket-list layouts, a malformed or
blank line, a line break inside a quoted value, invalid UTF-8 further in, a truncated or
multi-member ``.gz``, a file over the size limits, any :class:`InputFileError` — gives
``None`` and the caller reads the file by the plain route (which then raises its own error,
in its own order).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from ecomdash.errors import InputFileError
from ecomdash.ingest.read_text import _SAMPLE_BYTES, _Fallback, _read_text
from ecomdash.ingest.table import MAX_RATIO, RATIO_FLOOR, UNCOMPRESSED_FACTOR, RawTable

try:  # the same inflater as the plain route
    from isal import isal_zlib as _inflate
except ImportError:  # pragma: no cover - isal is a dependency; zlib is the fallback
    import zlib as _inflate

#: decompressed bytes sniffed first; smaller files take the plain route (nothing to gain)
HEAD_BYTES = 4 * _SAMPLE_BYTES
#: compressed bytes handed to the inflater at a time
_PIECE = 1 << 18
_MAGICS = (b"\x1f\x8b", b"PK\x03\x04", b"PK\x05\x06", b"PAR1", b"\xd0\xcf\x11\xe0")


class GzipText:
    """A ``.gz`` file's inflated bytes: :meth:`head` (the first bytes) and :meth:`open` (a
    fresh pass for pyarrow, skipping ``skip`` leading bytes); after the pass, :meth:`lines`
    is its number of physical lines as the plain route counts them, or raises
    :class:`_Fallback` when the pass did not see a whole, single-member ``.gz`` within the
    size limits."""

    closed = False

    def __init__(self, data: bytes, max_bytes: int):
        self._data = memoryview(data)
        self._limit = max_bytes * UNCOMPRESSED_FACTOR
        self._head = b""
        self._reset(0)

    def _reset(self, skip: int) -> None:
        self._d = _inflate.decompressobj(wbits=31)
        self._pos = 0
        self._skip = skip
        self._out = 0  # bytes inflated (before the skip), as the plain route's size
        self._newlines = 0
        self._last = b""
        self._over = False

    def head(self, n: int = HEAD_BYTES) -> bytes:
        """The first ``n`` inflated bytes (fewer when the file is shorter or damaged)."""
        d = _inflate.decompressobj(wbits=31)
        parts: list[bytes] = []
        got, pos = 0, 0
        try:
            while got < n and pos < len(self._data) and not d.eof:
                part = d.decompress(self._data[pos : pos + _PIECE], n - got)
                parts.append(part)
                got += len(part)
                if d.unconsumed_tail:  # n bytes reached inside this piece
                    break
                pos += _PIECE
        except _inflate.error:
            return b""
        self._head = b"".join(parts)[:n]
        return self._head

    def open(self, skip: int = 0) -> pa.PythonFile:
        """A new pass over the inflated bytes from the start, without the first ``skip``."""
        self._reset(skip)
        return pa.PythonFile(self, mode="r")

    def readable(self) -> bool:
        return True

    def close(self) -> None:  # pyarrow closes the file; the next open() starts again
        pass

    def read(self, n: int = -1) -> bytes:
        parts: list[bytes] = []
        got = 0
        while (n is None or n < 0 or got < n) and not self._over and not self._d.eof:
            if self._pos >= len(self._data):
                break
            try:
                part = self._d.decompress(self._data[self._pos : self._pos + _PIECE])
            except _inflate.error:
                self._over = True  # damaged: the plain route says so
                break
            self._pos += _PIECE
            self._out += len(part)
            if self._out > self._limit:
                self._over = True
                break
            if self._skip:
                cut = min(self._skip, len(part))
                part, self._skip = part[cut:], self._skip - cut
            if part:
                parts.append(part)
                got += len(part)
        block = b"".join(parts)
        if block:
            view = np.frombuffer(block, dtype=np.uint8)
            self._newlines += int(np.count_nonzero(view == 10))
            self._last = block[-1:]
        return block

    def lines(self) -> int:
        """Physical lines of the pass (``_physical_lines`` of the whole text)."""
        if self._over or not self._d.eof:
            raise _Fallback
        tail = bytes(self._d.unused_data) + bytes(self._data[self._pos : self._pos + 2])
        if tail[:2] == b"\x1f\x8b":  # concatenated members: the plain route's fallback
            raise _Fallback
        if self._out > RATIO_FLOOR and self._out > MAX_RATIO * len(self._data):
            raise _Fallback
        if b"\n" not in self._head:  # the plain route would count "\r" (or "\n" further in)
            raise _Fallback
        return self._newlines + (0 if self._last == b"\n" else 1)


def read_gzip_text(data: bytes, inner_ext: str, max_bytes: int) -> RawTable | None:
    """The ``.gz`` file ``data`` read as delimited text while it is inflated, or None when
    the plain route must read it (see the module)."""
    if inner_ext in {".xlsx", ".xlsm", ".parquet"}:  # the plain route adds a note
        return None
    src = GzipText(data, max_bytes)
    head = src.head()
    if len(head) < HEAD_BYTES or head.startswith(_MAGICS) or head.isspace():
        return None
    try:
        return _read_text(head, notes=[], compression="gzip", max_bytes=max_bytes, stream=src)
    except (_Fallback, InputFileError):
        return None
