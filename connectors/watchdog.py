"""A wall-clock budget for a call that has none (trafilatura's Python API): run it on a helper thread.

Python cannot stop a thread, and a signal alarm only works on the main thread (Beam runs DoFns on
others), so a call that overruns is abandoned: the caller gets ``TimedOut`` at once and goes on, while
the helper thread runs the call to its end in the background (daemon, so it never holds up exit) and then
exits. At most ``max_abandoned`` overrunning calls may still be running; past that the next call first
waits for the oldest, within its own budget, so a run of pathological pages costs CPU time but never an
unbounded number of threads, and no call waits longer than its budget.

Helper threads are kept and reused, one call after another, until one overruns: a new thread per call
makes extraction slower on jemalloc, which gives each thread its own caches, cold on a new one.
"""

from __future__ import annotations

import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class TimedOut(TimeoutError):
    """The call did not finish within its budget; it was abandoned, not stopped."""


class _Call(Generic[T]):
    def __init__(self, function: Callable[[], T]) -> None:
        self._function = function
        self.result: T | None = None
        self.error: BaseException | None = None
        self.done = threading.Event()

    def __call__(self) -> None:
        try:
            self.result = self._function()
        except BaseException as error:  # handed to the caller, who re-raises it
            self.error = error
        finally:
            self.done.set()


class _Helper:
    """A helper thread that runs the calls put on its queue, one after another, until it gets ``None``."""

    def __init__(self, name: str) -> None:
        self.calls: queue.SimpleQueue[_Call[Any] | None] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while (call := self.calls.get()) is not None:
            call()


class Watchdog:
    """Runs calls under a wall-clock budget; one instance per DoFn instance (thread-safe: concurrent
    callers get a helper thread each)."""

    def __init__(self, *, name: str = "watchdog", max_abandoned: int = 2) -> None:
        self._name = name
        self._max_abandoned = max_abandoned
        self._abandoned: deque[threading.Thread] = deque()
        self._idle: list[_Helper] = []
        self._lock = threading.Lock()

    @property
    def abandoned(self) -> int:
        """How many overrunning calls are still running in the background."""
        with self._lock:
            self._abandoned = deque(t for t in self._abandoned if t.is_alive())
            return len(self._abandoned)

    def run(self, function: Callable[[], T], *, timeout: float) -> T:
        """``function()``'s result, or ``TimedOut`` after ``timeout`` seconds, the wait for room among the
        abandoned calls included (its errors re-raised)."""
        deadline = time.monotonic() + timeout
        while self.abandoned >= self._max_abandoned:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimedOut(
                    f"gave up after {timeout:g}s: {self._max_abandoned} abandoned calls are still running"
                )
            with self._lock:
                oldest = self._abandoned[0] if self._abandoned else None
            if oldest is not None:
                oldest.join(left)
        with self._lock:
            helper = self._idle.pop() if self._idle else None
        if helper is None:
            helper = _Helper(self._name)
        call: _Call[T] = _Call(function)
        helper.calls.put(call)
        if not call.done.wait(max(deadline - time.monotonic(), 0.0)):
            helper.calls.put(None)  # the helper exits once the overrunning call ends
            with self._lock:
                self._abandoned.append(helper.thread)
            raise TimedOut(f"gave up after {timeout:g}s (the call goes on in the background)")
        with self._lock:
            self._idle.append(helper)
        if call.error is not None:
            raise call.error
        return call.result  # type: ignore[return-value]  # set whenever no error was

    def close(self) -> None:
        """Let the idle helper threads exit (abandoned ones exit when their call ends)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for helper in idle:
            helper.calls.put(None)
