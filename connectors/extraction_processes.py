"""ExtractionProcesses: a pool of extraction processes fed without helper threads in the launcher.

Why not ``concurrent.futures.ProcessPoolExecutor``: it feeds its processes through a manager thread and a
queue-feeder thread that pickle each page into a pipe, on the launcher's GIL, beside Beam's bundle thread and
the fetch threads. This pool hands a page over with less of the launcher's CPU and no threads of its own.

How: a page's bytes go to a file in a spool folder on tmpfs (``/dev/shm`` when writable; the system's temp
folder for a page that does not fit), and only a small job (its id, the file's name, Content-Type, URL) goes
down one job pipe that every process reads from (so a free process takes the next page: no per-process
backlog to even out at the end of a run). Results come back on a result pipe per process, enlarged so a
process rarely waits for the launcher to read. The pipes are written and read by whoever calls ``submit`` and
``collect``: Beam's bundle thread, which polls without blocking between elements and waits when it needs a
result.

Failure: a process that exits (killed, out of memory, crashed in C code) breaks the pool, as it does the
executor's: every page in flight fails with ``BrokenProcessPool`` and the caller starts a new pool. Only
this module and ``transforms.page_fields`` are imported by the extraction processes (never Beam).
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import logging
import os
import pickle
import shutil
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any, NoReturn

log = logging.getLogger(__name__)

RESULT_PIPE_BYTES = 1 << 20  # Linux's default cap for an unprivileged process (/proc/sys/fs/pipe-max-size)
TMPFS = "/dev/shm"  # the page never touches a disk; a container's is often only 64 MB, hence the fallback

# what a page becomes in a process: (fields, seconds); the default is trafilatura's call. The optional fourth
# argument is what submit() was given as ``wanted`` (which metadata to look for), passed only when given.
Extract = Callable[..., Any]


def _default_extract() -> Extract:
    from transforms.page_fields import extract_page_fields_timed

    return extract_page_fields_timed


def _default_warm_up() -> Callable[[], None]:
    from transforms.page_fields import warm_up

    return warm_up


def _serve(
    jobs: Connection,
    jobs_lock: Any,
    results: Connection,
    extract: Extract | None,
    warm_up: Callable[[], None] | None,
) -> None:
    """An extraction process: take the next job, read and remove its page, extract, send the outcome."""
    extract = extract or _default_extract()
    (warm_up or _default_warm_up())()
    while True:
        try:
            with jobs_lock:  # one reader at a time: a message is read whole by one process
                message = jobs.recv_bytes()
        except EOFError:  # the launcher is gone
            _exit_now()
        if not message:
            _exit_now()  # the pool is shutting down
        job, path, content_type, url, wanted = pickle.loads(message)
        try:
            with open(path, "rb") as spooled:
                body = spooled.read()
            os.unlink(path)
            arguments = (body, content_type, url) if wanted is None else (body, content_type, url, wanted)
            outcome: tuple[bool, Any] = (True, extract(*arguments))
        except Exception as error:  # the page's failure, not the process's: the caller dead-letters it
            outcome = (False, error)
        try:
            payload = pickle.dumps((job, *outcome), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as error:  # an exception that does not pickle: its text still does
            payload = pickle.dumps((job, False, RuntimeError(f"{type(error).__name__}: {outcome[1]!r}")))
        results.send_bytes(payload)


def _exit_now() -> NoReturn:
    """End an extraction process without the interpreter's shutdown.

    Its work is done: results went down the pipe as they were made, and its pages' files are removed. The
    shutdown (tearing down lxml, trafilatura and every other module imported) is work nobody needs, and
    ``stop()`` waits for it.
    """
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(0)


def _spool_folder(root: str | None) -> str:
    return tempfile.mkdtemp(prefix="newsbeam-pages-", dir=root)


def _remove(folders: list[str]) -> None:
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


def _write(path: str, body: bytes) -> None:
    try:
        with open(path, "xb") as spooled:
            spooled.write(body)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise


class ExtractionProcesses:
    """``processes`` extraction processes, started now; ``submit`` a page, get a ``Future`` of its result.

    Futures complete only in ``collect`` (no helper thread does it): call ``collect()`` to take what is
    ready without blocking, ``result(future, timeout)`` to wait for one. One DoFn instance owns one pool;
    a lock keeps ``submit``, ``collect`` and ``stop`` safe should Beam call them from different threads.
    """

    def __init__(
        self,
        processes: int,
        *,
        extract: Extract | None = None,
        warm_up: Callable[[], None] | None = None,
    ) -> None:
        if processes < 1:
            raise ValueError(f"processes must be 1 or more, not {processes}")
        # "spawn": a fresh interpreter per process, never a fork of this one, whose other threads (Beam's gRPC
        # and data-plane threads, our fetch threads) may hold locks at the moment of a fork
        context = get_context("spawn")
        tmpfs = os.path.isdir(TMPFS) and os.access(TMPFS, os.W_OK)
        self._spool = _spool_folder(TMPFS if tmpfs else None)
        # the system's temp folder, made on first need, when tmpfs is full (a page of several MB in a container)
        self._overflow: str | None = None if tmpfs else self._spool
        # removed by stop(), or at the latest when this pool is collected or the interpreter exits: pages
        # left on tmpfs would hold memory until the machine restarts
        self._folders = [self._spool]
        self._remove_folders = weakref.finalize(self, _remove, self._folders)
        self._jobs_out, self._jobs_in = context.Pipe(duplex=False)  # (reader, writer)
        # kept: a process unpickles the lock after it starts, and it must still exist by then
        self._jobs_lock = context.Lock()
        self._processes: list[BaseProcess] = []
        # one result pipe per process, whose writing end only that process holds: if it dies in the middle
        # of a result, the reader gets EOFError instead of waiting forever for the rest of the message
        self._results: list[Connection] = []
        for number in range(processes):
            reader, writer = context.Pipe(duplex=False)
            with contextlib.suppress(OSError):  # a smaller pipe only means the process waits on collect()
                fcntl.fcntl(writer.fileno(), fcntl.F_SETPIPE_SZ, RESULT_PIPE_BYTES)
            process = context.Process(
                target=_serve,
                args=(self._jobs_out, self._jobs_lock, writer, extract, warm_up),
                name=f"newsbeam-extract-{number}",
                daemon=True,
            )
            process.start()
            writer.close()
            self._processes.append(process)
            self._results.append(reader)
        self._pending: dict[int, Future[Any]] = {}
        self._ids = itertools.count()
        self._broken: str | None = None
        self._closed = False
        self._lock = threading.Lock()

    @property
    def pids(self) -> list[int]:
        return [process.pid for process in self._processes if process.pid is not None]

    def submit(
        self, body: bytes, content_type: str | None, url: str | None, wanted: Any = None
    ) -> Future[Any]:
        """Hand ``body`` to the next free process; the future's result is what ``extract`` returned.

        ``wanted`` (picklable; e.g. ``transforms.page_metadata.Wanted``) goes to ``extract`` as its fourth
        argument when it is not None."""
        future: Future[Any] = Future()
        if self._broken is not None:
            future.set_exception(BrokenProcessPool(self._broken))
            return future
        job = next(self._ids)
        try:
            path = self._spool_page(str(job), body)
        except OSError as error:  # a full disk, a removed folder: this page fails, the others go on
            future.set_exception(OSError(f"could not hand the page to an extraction process: {error}"))
            return future
        with self._lock:
            self._pending[job] = future
            # a few hundred bytes, far below the pipe's size: never blocks
            self._jobs_in.send_bytes(pickle.dumps((job, path, content_type, url, wanted)))
        return future

    def _spool_page(self, name: str, body: bytes) -> str:
        """Write ``body`` to the spool folder (the overflow folder when tmpfs is full); its path."""
        path = os.path.join(self._spool, name)
        try:
            _write(path, body)
            return path
        except OSError:
            if self._overflow == self._spool:
                raise
        if self._overflow is None:
            self._overflow = _spool_folder(None)
            self._folders.append(self._overflow)
        path = os.path.join(self._overflow, name)
        _write(path, body)
        return path

    def collect(self, timeout: float | None = 0.0) -> None:
        """Complete the futures whose results have arrived, waiting up to ``timeout`` seconds (None: until
        one arrives or a process exits) when none has."""
        if not self._pending:
            return
        ready = wait([*self._results, *(process.sentinel for process in self._processes)], timeout)
        with self._lock:
            exited = [process for process in self._processes if process.sentinel in ready]
            for process, results in zip(self._processes, self._results, strict=True):
                try:
                    while results.poll():
                        self._complete(*pickle.loads(results.recv_bytes()))
                except (EOFError, OSError):  # it died, perhaps in the middle of a result
                    if process not in exited:
                        exited.append(process)
            if exited and self._broken is None:
                self._break(exited)

    def _complete(self, job: int, ok: bool, value: Any) -> None:
        future = self._pending.pop(job, None)
        if future is None:
            return
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)

    def result(self, future: Future[Any], timeout: float) -> Any:
        """``future``'s result, collecting until it is done; ``TimeoutError`` after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while not future.done():
            remaining = deadline - time.monotonic()
            self.collect(max(remaining, 0.0))  # at least once: the result may be waiting in the pipe
            if not future.done() and remaining <= 0:
                raise TimeoutError(f"no result within {timeout:g} s")
        return future.result()

    def stop(self, *, kill: bool = False) -> None:
        """Stop the processes: let them finish their jobs and exit, or (``kill``) terminate them at once.
        Futures still pending are cancelled; the spool folder is removed."""
        if self._closed:
            return
        self._closed = True
        if not kill and self._broken is None:
            with contextlib.suppress(OSError):
                for _ in self._processes:
                    self._jobs_in.send_bytes(b"")
            for process in self._processes:
                # results still on their way must not keep a process blocked on a full pipe
                while process.is_alive():
                    self._drain()
                    process.join(timeout=0.05)
        for process in self._processes:
            if process.is_alive():
                process.terminate()
        for process in self._processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
                process.join(timeout=10)
        with self._lock:
            for future in self._pending.values():
                future.cancel()
            self._pending.clear()
        for connection in (self._jobs_out, self._jobs_in, *self._results):
            connection.close()
        self._remove_folders()

    def _drain(self) -> None:
        for results in self._results:
            with contextlib.suppress(OSError, EOFError):
                while results.poll():
                    results.recv_bytes()

    def _break(self, exited: list[BaseProcess]) -> None:
        """A process exited: every page in flight fails, and so does every later ``submit``."""
        for process in exited:
            process.join(timeout=1)  # its sentinel can fire a moment before its exit code is there
        exits = ", ".join(f"{process.name} exit code {process.exitcode}" for process in exited)
        self._broken = f"an extraction process exited unexpectedly ({exits})"
        log.warning("%s; %d page(s) in flight", self._broken, len(self._pending))
        for future in self._pending.values():
            future.set_exception(BrokenProcessPool(self._broken))
        self._pending.clear()
