"""Check files in worker processes that are allowed to die, so that one file can cost only itself.

A file that crashes the reader (a native abort), exhausts its memory or never finishes must not take the other
files with it. Each worker is a process with a memory limit (Linux: RLIMIT_AS, set above what the worker
uses once its modules are loaded; elsewhere the parent watches its memory with psutil when installed) and each
file a time limit. Workers tell their parent, through a small block of shared memory, which file and stage they
are at (sipxl.io.stages). When a worker dies or is stopped, its file is set aside with a result from `on_died`
(size, stage and why), the rest of its batch is checked again, and a fresh worker takes over.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing as mp
import os
import sys
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from typing import Generic, TypeVar

from .io import stages
from .io.bounds import Limits, MiB

R = TypeVar("R")
FILE_BYTES, STAGE_BYTES = 4096, 256
POLL = 0.2  # seconds between looks at the workers' clocks and memory
GC_YOUNG = 100_000  # a worker's young-generation threshold (see _worker)
# What a worker loads before it sets its memory limit (and what a forking parent loads once for all workers).
WARM_MODULES = ("python_calamine", "sipxl.engine", "sipxl.domain.rules", "sipxl.domain.scores")


@dataclass(frozen=True)
class Died:
    """A file whose worker died or was stopped while checking it."""

    file: str
    stage: str
    why: str

    @property
    def size(self) -> str:
        try:
            n = os.path.getsize(self.file)
        except OSError:
            return "size unknown"
        return f"{n / MiB:,.1f} MiB" if n >= MiB else f"{n / 1024:,.0f} KiB" if n >= 1024 else f"{n} bytes"

    @property
    def detail(self) -> str:
        return f"{self.why} while {self.stage}" if self.stage else self.why


class _Board:
    """Shared memory in which a worker writes the file and stage it is at, and when the file began."""

    def __init__(self, ctx) -> None:
        self.file = ctx.RawArray(ctypes.c_char, FILE_BYTES)
        self.stage = ctx.RawArray(ctypes.c_char, STAGE_BYTES)
        self.since = ctx.RawValue(ctypes.c_double, 0.0)
        self.batch_stage = ctx.RawValue(ctypes.c_bool, False)

    def write(self, file: str | None, stage: str, begins: bool = True) -> None:
        if begins:
            self.file.value = b"" if file is None else file.encode("utf-8", "replace")[:FILE_BYTES - 1]
            self.batch_stage.value = file is None
            self.since.value = time.monotonic()
        self.stage.value = stage.encode("utf-8", "replace")[:STAGE_BYTES - 1]

    def read(self) -> tuple[str | None, str]:
        file = None if self.batch_stage.value else self.file.value.decode("utf-8", "replace") or None
        return file, self.stage.value.decode("utf-8", "replace")


def _vm_size() -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        return None
    return None


def _limit_memory(mib: int) -> bool:
    """Cap this process's address space at what it uses now plus `mib` (Linux). False where not possible."""
    try:
        import resource
    except ImportError:  # Windows
        return False
    now = _vm_size()
    if now is None or sys.platform != "linux":  # macOS does not enforce RLIMIT_AS
        return False
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = now + mib * MiB
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
        return True
    except (ValueError, OSError):
        return False


def _warm(modules: Sequence[str] = WARM_MODULES) -> None:
    import importlib

    for name in modules:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)


def _quiet() -> None:
    """A worker writes nothing on the terminal: a native crash's backtrace is not for the QIO's eyes (the
    parent reports the file instead)."""
    import faulthandler

    faulthandler.disable()  # a test runner's fault handler writes to its own copy of stderr
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)


def _worker(conn, board: _Board, task: Callable[[list[str]], list], memory_mib: int,
            warm: Sequence[str]) -> None:
    _quiet()
    _warm(warm)
    # What the worker inherited and imported lives as long as it does: out of the collector's sight, a full
    # collection walks only what checking makes (and the inherited pages are not written to by the walk).
    gc.freeze()
    # Checking a file makes tens of thousands of short-lived objects (cells, rows, issues) and almost no cycles: a
    # young-generation collection every 100,000 new objects rather than Python's 700 costs 6-9 % less time per
    # file, for a megabyte or two more memory at most (measured over 800 workbooks).
    gc.set_threshold(GC_YOUNG, *gc.get_threshold()[1:])
    _limit_memory(memory_mib)
    stages.listen(board.write)
    while True:
        try:
            batch = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if batch is None:
            return
        board.write(None, "starting the batch")
        try:
            results = task(batch)
        except MemoryError:
            os._exit(70)  # the parent sets the file aside: it needed more memory than allowed
        conn.send(results)


@dataclass
class _Slot:
    proc: mp.Process
    conn: object
    board: _Board
    batch: list[str] = field(default_factory=list)
    watch: object = None  # psutil.Process where the memory limit cannot be set in the worker


class Isolated(Generic[R]):
    """Run `task(batch) -> [result per file]` over batches of files on `jobs` worker processes."""

    def __init__(self, task: Callable[[list[str]], list[R]], on_died: Callable[[Died], R], jobs: int = 1,
                 limits: Limits | None = None, warm: Sequence[str] = WARM_MODULES) -> None:
        self.task, self.on_died, self.warm = task, on_died, tuple(warm)
        self.jobs = max(1, jobs)
        self.limits = limits or Limits.from_env()
        self.ctx = mp.get_context()
        self.watch_memory = sys.platform != "linux"

    def run(self, batches: Sequence[list[str]], advance: Callable[[int], None] = lambda n: None,
            meanwhile: Sequence[Callable[[], None]] = ()) -> dict[str, R]:
        """Every file's result. `meanwhile`: steps run in this process while the workers check (loading what the
        parent needs next), one at a time between looks at the workers, so that a worker with results to send
        back is not kept waiting; a step's failure is only a lost head start, and steps not reached before the
        last result are left (what they would load is loaded when it is used)."""
        pending = deque(list(b) for b in batches if b)
        steps = deque(meanwhile)
        results: dict[str, R] = {}
        if not pending:
            return results
        if self.ctx.get_start_method() == "fork":
            _warm(self.warm)  # loaded once here, shared by every forked worker
        slots: list[_Slot | None] = [None] * min(self.jobs, len(pending))
        try:
            while pending or any(s is not None and s.batch for s in slots):
                for i, s in enumerate(slots):
                    if pending and (s is None or not s.batch):
                        if s is None or not s.proc.is_alive():
                            s = slots[i] = self._start()
                        s.batch = pending.popleft()
                        s.board.write(None, "waiting for the worker to start")
                        s.conn.send(s.batch)
                if steps:
                    with contextlib.suppress(Exception):
                        steps.popleft()()
                busy = [s for s in slots if s is not None and s.batch]
                wait([s.conn for s in busy] + [s.proc.sentinel for s in busy], timeout=0 if steps else POLL)
                for i, s in enumerate(slots):
                    if s is None or not s.batch:
                        continue
                    done, why = self._look(s)
                    if done is not None:
                        results.update(zip(s.batch, done, strict=True))
                        advance(len(s.batch))
                        s.batch = []
                    elif why:
                        self._died(s, why, pending, results, advance)
                        slots[i] = None
        finally:
            for s in slots:
                if s is not None:
                    self._stop(s)
        return results

    # ------------------------------------------------------------------ workers

    def _start(self) -> _Slot:
        parent, child = self.ctx.Pipe()
        board = _Board(self.ctx)
        proc = self.ctx.Process(target=_worker, daemon=True,
                                args=(child, board, self.task, self.limits.memory_mib, self.warm))
        proc.start()
        child.close()
        watch = None
        if self.watch_memory:
            try:
                import psutil

                watch = psutil.Process(proc.pid)
            except Exception:  # noqa: BLE001 - psutil missing or the process gone: no memory watch
                watch = None
        return _Slot(proc, parent, board, watch=watch)

    def _stop(self, s: _Slot) -> None:
        with contextlib.suppress(OSError, ValueError):
            if s.proc.is_alive() and not s.batch:
                s.conn.send(None)
                s.proc.join(timeout=2)
        if s.proc.is_alive():
            s.proc.kill()
        s.proc.join(timeout=5)
        with contextlib.suppress(OSError):
            s.conn.close()

    def _look(self, s: _Slot) -> tuple[list | None, str]:
        """(the batch's results, "") when done; (None, why) when the worker died or must be stopped."""
        try:
            if s.conn.poll():
                return s.conn.recv(), ""
        except (EOFError, OSError):
            pass
        except Exception:  # noqa: BLE001 - a result that cannot be unpickled: the worker is not trusted
            return None, "its result could not be read back"
        if not s.proc.is_alive():
            with contextlib.suppress(EOFError, OSError):
                if s.conn.poll():
                    return s.conn.recv(), ""
            code = s.proc.exitcode
            if code == 70:
                return None, f"it needed more memory than the {self.limits.memory_mib:,} MiB allowed"
            return None, (f"the reader stopped unexpectedly (exit code {code}; it may have needed more memory "
                          f"than the {self.limits.memory_mib:,} MiB allowed)")
        file, _ = s.board.read()
        allowed = self.limits.seconds * (1 if file else max(1, len(s.batch)))
        if time.monotonic() - s.board.since.value > allowed:
            return None, f"it took longer than {self.limits.seconds:g} s"
        if s.watch is not None:
            try:
                if s.watch.memory_info().rss > self.limits.memory_mib * MiB:
                    return None, f"it needed more memory than the {self.limits.memory_mib:,} MiB allowed"
            except Exception:  # noqa: BLE001 - the process just ended: seen on the next look
                pass
        return None, ""

    def _died(self, s: _Slot, why: str, pending: deque, results: dict, advance: Callable[[int], None]) -> None:
        file, stage = s.board.read()
        if s.proc.is_alive():
            s.proc.kill()
        s.proc.join(timeout=5)
        with contextlib.suppress(OSError):
            s.conn.close()
        batch, s.batch = s.batch, []
        blamed = file if file in batch else batch[0] if len(batch) == 1 else None
        if blamed is None:  # died on the batch as a whole: each file again on its own, to find the one
            pending.extendleft([f] for f in reversed(batch))
            return
        results[blamed] = self.on_died(Died(blamed, stage, why))
        advance(1)
        rest = [f for f in batch if f != blamed]
        if rest:
            pending.appendleft(rest)
