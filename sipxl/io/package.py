"""An .xlsx file's zip package, opened once for everything sipxl reads of it besides the cells.

The bounds (sipxl.io.bounds) look at the start of every XML part and the error-value scan (sipxl.io.errors)
at the whole of the sheets that are read; the bounds inflate the parts the scan will read whole once, and keep
them (`keep`), so no part is inflated twice. Opening each part through `zipfile` costs tens of microseconds of
Python per part, more than inflating it; here the file is mapped into memory once and a part's bytes are
inflated straight from the map, never past the size the zip declares for it. The inflating is ISA-L's
(python-isal: the same deflate as zlib, 2.3 times as fast on sheet XML, the largest single cost of reading a
workbook after calamine's parsing), or zlib's where ISA-L has no build. Parts that are not
plainly stored or deflated (encrypted, another method) are read through `zipfile`, which says what is wrong.
"""

from __future__ import annotations

import functools
import mmap
import struct
import zipfile
import zlib
from pathlib import Path

_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # zipfile's own layout of a local file header
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")  # ... of a central directory entry
_END = struct.Struct("<4s4H2LH")  # ... of the end of the central directory
_STORED, _DEFLATED = 0, 8
_CHUNK = 16384  # compressed bytes fed at a time when only the start of a part is wanted
KEEP_MIB = 16  # at most this much of a package's inflated parts is kept for reading again


@functools.cache
def _inflating():
    """ISA-L's zlib module, else zlib (no build for the platform). Imported only once a part is inflated: the
    ribbon's buttons, which read no file, never load it (nor look for it where it cannot be, in Pyodide)."""
    try:
        from isal import isal_zlib
    except ImportError:
        return zlib
    return isal_zlib


def _inflate(data: bytes | memoryview, max_length: int, inflate=None):
    """(bytes inflated from raw deflate `data`, at most `max_length`; the inflater, to go on with). A damaged
    stream raises zlib.error, whichever inflates it, so every caller's handling of a damaged file holds."""
    lib = _inflating()
    try:
        inflate = inflate or lib.decompressobj(-15)
        return inflate.decompress(data, max_length), inflate
    except lib.error as e:
        raise zlib.error(str(e)) from e


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
        self._complete: set[str] = set()  # kept parts whose deflate stream ended exactly at the declared size

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def keep(self, info: zipfile.ZipInfo) -> bytes:
        """`whole(info)`, kept for the next `read` of its name: only when that name reads this very part (a zip
        can hold one name twice) and while the kept parts stay under KEEP_MIB."""
        data, complete = self._whole(info)
        if self._kept_size + len(data) > KEEP_MIB << 20 or self.zip.NameToInfo.get(info.filename) is not info:
            return data
        self._kept[info.filename] = data
        self._kept_size += len(data)
        if complete:
            self._complete.add(info.filename)
        return data

    def for_reader(self) -> bytes | None:
        """The package again, its kept parts stored rather than deflated, for calamine: each part is then
        inflated once (here) rather than twice. Every header, name and byte is the file's own but for the
        kept parts' method and sizes and where each part now starts, so the reader finds what it would in the
        file, damage included. None where that cannot be promised (a part only zipfile can read, a zip64 or
        otherwise unusual directory): calamine reads the file itself."""
        if not self._kept or self._map is None or "xl/workbook.bin" in self.names or "content.xml" in self.names:
            return None  # (an .xlsb's or an OpenDocument's part: calamine might read the bytes as one)
        whole = self._map
        at_dir = getattr(self.zip, "start_dir", None)
        if not isinstance(at_dir, int) or at_dir < 0:
            return None
        chunks: list[bytes | memoryview] = []
        central: list[bytes] = []
        at = 0
        pos = at_dir
        for info in self.infos:
            entry = whole[pos:pos + _CENTRAL.size]
            if len(entry) < _CENTRAL.size:
                return None
            f = list(_CENTRAL.unpack(entry))
            if f[0] != b"PK\x01\x02" or 0xFFFFFFFF in (f[10], f[11], f[18]) or f[15] == 0xFFFF:
                return None  # not a plain entry (zip64): the file itself
            size = _CENTRAL.size + f[12] + f[13] + f[14]
            rest = whole[pos + _CENTRAL.size:pos + size]
            pos += size
            local_at = info.header_offset
            local = whole[local_at:local_at + _LOCAL_HEADER.size]
            raw = self._data(info)
            if raw is None or len(local) < _LOCAL_HEADER.size or f[10] != info.compress_size \
                    or f[18] != local_at:
                return None
            lf = list(_LOCAL_HEADER.unpack(local))
            local_rest = whole[local_at + _LOCAL_HEADER.size:local_at + _LOCAL_HEADER.size + lf[10] + lf[11]]
            kept = self._kept.get(info.filename)
            if kept is not None and info.filename in self._complete and self.zip.NameToInfo.get(info.filename) is info:
                lf[3] &= ~0x8  # the sizes are in the header: no data descriptor follows
                lf[4], lf[7], lf[8], lf[9] = _STORED, info.CRC, len(kept), info.file_size
                f[5] &= ~0x8
                f[6], f[10] = _STORED, len(kept)
                data: bytes | memoryview = kept
                local = _LOCAL_HEADER.pack(*lf)
            else:
                data = raw
            f[18] = at
            chunks += [local, local_rest, data]
            central += [_CENTRAL.pack(*f), rest]
            at += len(local) + len(local_rest) + len(data)
        n = len(self.infos)
        end_at = whole.rfind(b"PK\x05\x06")
        end = whole[end_at:end_at + _END.size] if end_at >= 0 else b""
        if len(end) < _END.size or _END.unpack(end)[1:] != (0, 0, n, n, pos - at_dir, at_dir, len(whole) - end_at
                                                            - _END.size):
            return None  # the end record says other than what zipfile read: the reader judges the file itself
        directory = b"".join(central)
        return b"".join([*chunks, directory, _END.pack(b"PK\x05\x06", 0, 0, n, n, len(directory), at, 0)])

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
        inflate, out, at = None, b"", 0
        while len(out) < size and at < len(data) and not (inflate and inflate.eof):  # stops at `size` bytes out
            more, inflate = _inflate(data[at:at + _CHUNK], size - len(out), inflate)
            out += more
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
        return self._whole(info)[0]

    def _whole(self, info: zipfile.ZipInfo) -> tuple[bytes, bool]:
        """whole(info), and whether it is the part exactly: its stream ended there, at the declared size."""
        data = self._data(info)
        if data is None:
            return self.zip.read(info), False
        if info.compress_type == _STORED:
            out = bytes(data[:info.file_size])
            return out, len(out) == info.file_size == len(data)
        out, inflate = _inflate(data, info.file_size)
        return out, inflate.eof and not inflate.unused_data and len(out) == info.file_size
