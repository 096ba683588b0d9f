"""A wall-clock budget for a call that has none (trafilatura's Python API): run it on a helper thread.

Python cannot stop a thread, and a signal alarm only works on the main thread (Beam runs DoFns on
others), so a call that overruns is abandoned: the caller gets ``TimedOut`` at once and goes on, while
the helper thread runs the call to its end in the background (daemon, so it never holds up exit).
At most ``max_abandoned`` overrunning calls may still be running; past that the next call first waits
for the oldest, so a run of pathological pages costs CPU time but never an unbounded number of threads.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import Generic, TypeVar

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


class Watchdog:
    """Runs calls under a wall-clock budget; one instance per DoFn instance (thread-safe)."""

    def __init__(self, *, name: str = "watchdog", max_abandoned: int = 2) -> None:
        self._name = name
        self._max_abandoned = max_abandoned
        self._abandoned: deque[threading.Thread] = deque()
        self._lock = threading.Lock()

    @property
    def abandoned(self) -> int:
        """How many overrunning calls are still running in the background."""
        with self._lock:
            self._abandoned = deque(t for t in self._abandoned if t.is_alive())
            return len(self._abandoned)

    def run(self, function: Callable[[], T], *, timeout: float) -> T:
        """``function()``'s result, or ``TimedOut`` after ``timeout`` seconds (its errors re-raised)."""
        while self.abandoned >= self._max_abandoned:
            with self._lock:
                oldest = self._abandoned[0] if self._abandoned else None
            if oldest is not None:
                oldest.join()
        call: _Call[T] = _Call(function)
        thread = threading.Thread(target=call, name=self._name, daemon=True)
        thread.start()
        if not call.done.wait(timeout):
            with self._lock:
                self._abandoned.append(thread)
            raise TimedOut(f"gave up after {timeout:g}s (the call goes on in the background)")
        thread.join()
        if call.error is not None:
            raise call.error
        return call.result  # type: ignore[return-value]  # set whenever no error was
