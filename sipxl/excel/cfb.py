"""Write a Compound File ([MS-CFB] version 3): the container of ``vbaProject.bin``.

ms-cfb 0.0.6 (the writer ms-ovba uses) truncates streams once the mini stream needs more than one MiniFAT
sector, which an add-in that embeds xlwings' VBA does; this writer lays the file out in one pass instead:

    header | large streams | mini stream | MiniFAT | directory | FAT

Streams shorter than 4096 bytes live in the mini stream (64-byte mini sectors), the rest in 512-byte sectors.
Each storage's children form a binary search tree in [MS-CFB]'s order (shorter name first, then upper-case code
points); every node is black, which readers accept. Tests read the result back with olefile and oletools.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

__all__ = ["write_compound_file"]

SECTOR, MINI, CUTOFF = 512, 64, 4096
FREE, END, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
ENTRY = struct.Struct("<64sHBBIII16sIQQIQ")


@dataclass
class _Node:
    name: str
    kind: int  # 1 storage, 2 stream, 5 root
    data: bytes = b""
    children: dict[str, _Node] = field(default_factory=dict)
    sid: int = 0
    start: int = END
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM


def _order(name: str) -> tuple[int, str]:
    return (len(name.encode("utf-16-le")), name.upper())


def _tree(nodes: list[_Node]) -> int:
    """Link `nodes` (sorted) as a balanced search tree by sibling ids; return the root's id."""
    if not nodes:
        return NOSTREAM
    mid = len(nodes) // 2
    root = nodes[mid]
    root.left, root.right = _tree(nodes[:mid]), _tree(nodes[mid + 1:])
    return root.sid


def _pad(data: bytes, size: int) -> bytes:
    return data + b"\x00" * (-len(data) % size)


def write_compound_file(streams: dict[str, bytes]) -> bytes:
    """The bytes of a compound file holding `streams` ({"VBA/dir": b"...", "PROJECT": b"..."})."""
    root = _Node("Root Entry", 5)
    for path, data in streams.items():
        *storages, name = path.split("/")
        parent = root
        for storage in storages:
            parent = parent.children.setdefault(storage, _Node(storage, 1))
        if len(name) > 31 or name in parent.children:
            raise ValueError(f"bad stream name {path!r}")
        parent.children[name] = _Node(name, 2, data)
    entries: list[_Node] = []

    def number(node: _Node) -> None:
        node.sid = len(entries)
        entries.append(node)
        for child in node.children.values():
            number(child)

    number(root)
    for node in entries:
        node.child = _tree(sorted(node.children.values(), key=lambda n: _order(n.name)))

    fat: list[int] = []
    body = bytearray()

    def chain(n_sectors: int) -> int:
        first = len(fat)
        fat.extend(range(first + 1, first + n_sectors))
        fat.append(END)
        return first

    # large streams
    for node in entries:
        if node.kind == 2 and len(node.data) >= CUTOFF:
            node.start = chain(-(-len(node.data) // SECTOR))
            body += _pad(node.data, SECTOR)
    # the mini stream (the root entry's stream) and its MiniFAT
    minifat: list[int] = []
    mini = bytearray()
    for node in entries:
        if node.kind == 2 and 0 < len(node.data) < CUTOFF:
            n = -(-len(node.data) // MINI)
            node.start = len(minifat)
            minifat.extend(range(node.start + 1, node.start + n))
            minifat.append(END)
            mini += _pad(node.data, MINI)
    if mini:
        root.start = chain(-(-len(mini) // SECTOR))
        body += _pad(bytes(mini), SECTOR)
    first_minifat, n_minifat = END, 0
    if minifat:
        table = _pad(struct.pack(f"<{len(minifat)}I", *minifat), SECTOR)
        table = table[:len(minifat) * 4] + b"\xff" * (len(table) - len(minifat) * 4)
        n_minifat = len(table) // SECTOR
        first_minifat = chain(n_minifat)
        body += table
    # the directory
    directory = bytearray()
    for node in entries:
        size = len(mini) if node.kind == 5 else len(node.data)
        start = node.start if (node.kind == 5 and mini) or (node.kind == 2 and node.data) else (
            END if node.kind != 1 else 0)
        name = node.name.encode("utf-16-le")
        directory += ENTRY.pack(name + b"\x00\x00", len(name) + 2, node.kind, 1, node.left, node.right, node.child,
                                b"\x00" * 16, 0, 0, 0, start, size)
    while len(directory) % SECTOR:
        directory += ENTRY.pack(b"", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM, b"\x00" * 16, 0, 0, 0, 0, 0)
    first_dir = chain(len(directory) // SECTOR)
    body += directory
    # the FAT, which also maps its own sectors
    n_fat = 1
    while n_fat * (SECTOR // 4) < len(fat) + n_fat:
        n_fat += 1
    if n_fat > 109:
        raise ValueError("compound file too large for a header-only DIFAT")
    fat_sectors = list(range(len(fat), len(fat) + n_fat))
    fat.extend([FATSECT] * n_fat)
    fat.extend([FREE] * (n_fat * (SECTOR // 4) - len(fat)))
    body += struct.pack(f"<{len(fat)}I", *fat)
    difat = fat_sectors + [FREE] * (109 - n_fat)
    header = struct.pack("<8s16sHHHHH6sIIIIIIIII", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\x00" * 16, 0x3E, 3,
                         0xFFFE, 9, 6, b"\x00" * 6, 0, n_fat, first_dir, 0, CUTOFF, first_minifat, n_minifat, END, 0)
    header += struct.pack("<109I", *difat)
    return header + bytes(body)
