"""An .xlsx file's zip package, opened once for everything sipxl reads of it besides the cells.

The bounds (sipxl.io.bounds) look at the start of every XML part and the error-value scan (sipxl.io.errors)
at the whole of the sheets that are read. Opening each part through `zipfile` costs tens of microseconds of
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

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
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
        info = self.zip.getinfo(name)
        data = self._data(info)
        if data is None:
            return self.zip.read(info)
        if info.compress_type == _STORED:
            return bytes(data[:info.file_size])
        inflate = zlib.decompressobj(-15)
        return inflate.decompress(data, info.file_size)
