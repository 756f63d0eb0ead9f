"""An .xlsx file's zip package, opened once for everything sipxl reads of it besides the cells.

The bounds (sipxl.io.bounds) look at the start of every XML part and the error-value scan (sipxl.io.errors)
at the whole of the sheets that are read; the bounds inflate the parts the scan will read whole once, and keep
them (`keep`), so no part is inflated twice. Opening each part through `zipfile` costs tens of microseconds of
Python per part, more than inflating it; here the file is mapped into memory once and a part's bytes are
inflated straight from the map with zlib, never past the size the zip declares for it. Parts that are not
plainly stored or deflated (encrypted, another method) are read through `zipfile`, which says what is wrong.
"""

from __future__ import annotations

import mmap
import struct
import zipfile
import zlib
from pathlib import Path

_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # zipfile's own layout of a local file header
_STORED, _DEFLATED = 0, 8
_CHUNK = 16384  # compressed bytes fed at a time when only the start of a part is wanted
KEEP_MIB = 16  # at most this much of a package's inflated parts is kept for reading again


class Package:
    """A zip package mapped into memory. Use as a context manager; raises what `zipfile.ZipFile` raises on a
    file that is not a zip (OSError, zipfile.BadZipFile, ...)."""

    def __init__(self, path: Path | str) -> None:
        self._file = open(path, "rb")  # noqa: SIM115 - closed by close()
        try:
            try:
                self._map: mmap.mmap | None = mmap.mmap(self._file.fileno(), 0, access=mmap.ACCESS_READ)
            except ValueError:  # an empty file cannot be mapped: zipfile says it is not a zip
                self._map = None
            self.zip = zipfile.ZipFile(self._file)  # the map only serves the raw reads (no seekable() in 3.11)
        except BaseException:
            self.close()
            raise
        self.infos = self.zip.infolist()
        self.names = {i.filename for i in self.infos}
        self._kept: dict[str, bytes] = {}
        self._kept_size = 0

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def keep(self, info: zipfile.ZipInfo, data: bytes) -> None:
        """Keep `whole(info)` for the next `read` of its name: only when that name reads this very part (a zip
        can hold one name twice) and while the kept parts stay under KEEP_MIB."""
        if self._kept_size + len(data) > KEEP_MIB << 20 or self.zip.NameToInfo.get(info.filename) is not info:
            return
        self._kept[info.filename] = data
        self._kept_size += len(data)
        return True

    def close(self) -> None:
        self._kept = {}
        zf = getattr(self, "zip", None)
        if zf is not None:
            zf.close()
        if getattr(self, "_map", None) is not None:
            try:
                self._map.close()
            except BufferError:  # a view of it is still held: the map goes with the last view
                pass
        self._file.close()

    def _data(self, info: zipfile.ZipInfo) -> memoryview | None:
        """The part's compressed bytes, or None where only zipfile can read it."""
        if self._map is None or info.flag_bits & 0x1 or info.compress_type not in (_STORED, _DEFLATED):
            return None
        start = info.header_offset
        header = self._map[start:start + _LOCAL_HEADER.size]
        if len(header) < _LOCAL_HEADER.size:
            return None
        fields = _LOCAL_HEADER.unpack(header)
        if fields[0] != b"PK\x03\x04":
            return None
        begin = start + _LOCAL_HEADER.size + fields[10] + fields[11]
        end = begin + info.compress_size
        if end > len(self._map):
            return None
        return memoryview(self._map)[begin:end]

    def head(self, info: zipfile.ZipInfo, size: int) -> bytes:
        """Up to `size` bytes from the start of the part (raises zlib.error or zipfile's errors on damage)."""
        data = self._data(info)
        if data is None:
            with self.zip.open(info) as part:
                return part.read(size)
        if info.compress_type == _STORED:
            return bytes(data[:min(size, info.file_size)])
        size = min(size, info.file_size)
        inflate, out, at = zlib.decompressobj(-15), b"", 0
        while len(out) < size and at < len(data) and not inflate.eof:  # stops once `size` bytes are out
            out += inflate.decompress(data[at:at + _CHUNK], size - len(out))
            at += _CHUNK
        return out

    def read(self, name: str) -> bytes:
        """A whole part, never more than the size the zip declares for it (raises KeyError when absent)."""
        kept = self._kept.get(name)
        if kept is not None:
            return kept
        return self.whole(self.zip.getinfo(name))

    def whole(self, info: zipfile.ZipInfo) -> bytes:
        """The whole of the part `info`, never more than the size the zip declares for it."""
        data = self._data(info)
        if data is None:
            return self.zip.read(info)
        if info.compress_type == _STORED:
            return bytes(data[:info.file_size])
        inflate = zlib.decompressobj(-15)
        return inflate.decompress(data, info.file_size)
