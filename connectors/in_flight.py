"""InFlight: the elements a DoFn has started work on and not yet handed on, with what their outputs need.

A DoFn submits each element with its timestamp and window (and a key, where work is capped per key), and
the buffer starts the element's work through the DoFn's ``start`` function, which returns a
``concurrent.futures.Future``: a thread pool's ``submit``, a process pool's, or a client's own future
bridged into one. What comes back is a ``Done`` per element: the element, its timestamp, window and key,
and its result or its failure, so the DoFn emits ``done.windowed(output)`` from ``process`` or
``finish_bundle`` alike.

- Caps: at most ``max_in_flight`` elements are started and not yet handed out, at most ``per_key`` of
  them with one key; the others are held back, each key's in arrival order. A free slot goes to the key
  with the most elements held that is below its cap (of equals, the key held back longest), so the keys'
  backlogs shrink together instead of a bundle ending on one key's elements started a few at a time.
- Order: elements are handed out as their work finishes, or (``ordered=True``) in the order they were
  submitted.
- Budget: an element whose work has not finished ``budget`` seconds after it started is handed out as
  failed with ``Overdue``; the work is abandoned, not stopped (Python cannot stop a thread).
- Failures: the exception an element's work raised (``start`` raising included), or ``Overdue``, is that
  element's failure: ``Done.error`` holds it and ``Done.result()`` raises it. Nothing else is affected.
- Waits: ``ready`` takes what has finished, waiting only while too many elements are held back;
  ``completed`` waits up to a timeout and keeps what is still out; ``next_done`` waits for one element;
  ``drain`` waits up to ``max_wait`` and gives up on the rest. No wait outlasts the earliest budget or the
  caller's limit.

Futures completed only when someone polls for them (``connectors.extraction_processes``) need ``collect``:
the buffer calls it with the time it is prepared to wait instead of sleeping. One buffer belongs to one
DoFn instance and is used from its bundle's thread; only the futures' callbacks run elsewhere.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable, Iterator
from concurrent.futures import CancelledError, Future
from dataclasses import dataclass
from typing import Generic, TypeVar, cast

from apache_beam.transforms.window import BoundedWindow
from apache_beam.utils.timestamp import Timestamp
from apache_beam.utils.windowed_value import WindowedValue

E = TypeVar("E")  # the element
R = TypeVar("R")  # what its work returns
V = TypeVar("V")  # an output built from it

Start = Callable[[E], "Future[R]"]


class Overdue(TimeoutError):
    """The element's work gave no result within the time allowed; it was abandoned, not stopped."""

    def __init__(self, after: float) -> None:
        super().__init__(f"no result within {after:g}s")
        self.after = after


@dataclass(frozen=True, slots=True)
class Done(Generic[E, R]):
    """An element handed out: what its outputs need, and the result or the failure of its work."""

    element: E
    timestamp: Timestamp
    window: BoundedWindow
    key: Hashable
    attempt: int  # 1, or more after ``InFlight.retry``
    started: float  # monotonic time its (last) work started
    seconds: float  # from the start to the end of its work (to the hand-out for an ``Overdue``)
    value: R | None
    error: BaseException | None

    def result(self) -> R:
        """The work's result, or its failure raised."""
        if self.error is not None:
            raise self.error
        return cast(R, self.value)

    def windowed(self, output: V) -> WindowedValue:
        """``output`` in this element's window, at its timestamp."""
        return WindowedValue(output, self.timestamp, (self.window,))


@dataclass(slots=True)
class _Run(Generic[R]):
    """One start of an element's work: a restart gets a new one, so a late callback of the old one
    cannot touch it."""

    future: Future[R]
    started: float
    finished: float | None = None


@dataclass(slots=True)
class _Entry(Generic[E, R]):
    element: E
    timestamp: Timestamp
    window: BoundedWindow
    key: Hashable
    number: int
    attempt: int = 1
    run: _Run[R] | None = None  # None while held back
    live: bool = True  # False once handed out


class InFlight(Generic[E, R]):
    """Elements submitted and not yet handed out; see the module's docstring for the contract.

    ``start(element)`` begins an element's work and returns its future. ``max_in_flight`` and
    ``per_key`` cap what runs at once (None: no cap); ``budget`` is the seconds each element's work may
    take from its start (None: no limit); ``ordered`` hands elements out in submission order; ``collect``
    (for futures completed only by polling) completes what has arrived, waiting up to the seconds given
    (None: until something arrives).
    """

    def __init__(
        self,
        start: Start[E, R],
        *,
        max_in_flight: int | None = None,
        per_key: int | None = None,
        budget: float | None = None,
        ordered: bool = False,
        collect: Callable[[float | None], None] | None = None,
    ) -> None:
        for name, cap in (("max_in_flight", max_in_flight), ("per_key", per_key)):
            if cap is not None and cap < 1:
                raise ValueError(f"{name} must be 1 or more (or None), not {cap}")
        self._start_work = start
        self._max_in_flight = max_in_flight
        self._per_key = per_key
        self._budget = budget
        self._ordered = ordered
        self._collect = collect
        self._running: OrderedDict[int, _Entry[E, R]] = OrderedDict()  # in submission order
        self._held: dict[Hashable, deque[_Entry[E, R]]] = {}  # keys in the order they were first held
        self._held_count = 0
        self._load: dict[Hashable, int] = {}  # elements running per key
        self._finished: deque[tuple[_Entry[E, R], _Run[R]]] = deque()  # filled by the futures' callbacks
        self._wake = threading.Event()
        self._numbers = 0

    def __len__(self) -> int:
        return len(self._running) + self._held_count

    @property
    def held(self) -> int:
        """Elements waiting for a free slot."""
        return self._held_count

    @property
    def in_flight(self) -> int:
        """Elements started and not yet handed out."""
        return len(self._running)

    # ---------------------------------------------------------------------------------- submitting

    def submit(
        self, element: E, *, timestamp: Timestamp, window: BoundedWindow, key: Hashable = None
    ) -> None:
        """Start ``element``'s work now, or as soon as its key and the buffer have room."""
        self._numbers += 1
        entry: _Entry[E, R] = _Entry(element, timestamp, window, key, self._numbers)
        if not self._held and self._has_room(key):
            self._run(entry)  # nothing waits before it
            return
        self._hold(entry)
        self._start_what_fits()

    def retry(self, done: Done[E, R]) -> None:
        """Submit a handed-out element again (``attempt`` + 1), keeping its timestamp, window and key.

        In submission order it starts at once and comes out next: it was the oldest when it was handed
        out, and the caller is waiting for it. Otherwise it is submitted like a new element."""
        self._numbers += 1
        entry: _Entry[E, R] = _Entry(
            done.element, done.timestamp, done.window, done.key, self._numbers, done.attempt + 1
        )
        if self._ordered:
            self._run(entry)
            self._running.move_to_end(entry.number, last=False)
            return
        self._hold(entry)
        self._start_what_fits()

    def restart_unfinished(self) -> None:
        """Start again the work of every element started and not finished with a result (still running,
        cancelled or failed), with a fresh budget: for when the workers were replaced."""
        for entry in self._running.values():
            run = entry.run
            assert run is not None
            future = run.future
            if future.done() and not future.cancelled() and future.exception() is None:
                continue
            entry.run = self._new_run(entry)

    # ---------------------------------------------------------------------------------- handing out

    def ready(self, *, max_held: int | None = None) -> Iterator[Done[E, R]]:
        """The elements finished (or over budget) now; with ``max_held``, also wait for more to finish
        while more than ``max_held`` elements are held back (each wait within the budgets)."""
        while True:
            yield from self._hand_out_finished()
            if max_held is None or self._held_count <= max_held or not self._running:
                return
            self._wait(until=None)

    def completed(self, timeout: float | None) -> Iterator[Done[E, R]]:
        """Each element as it finishes, for up to ``timeout`` seconds (None: until none is left); the
        elements still out then stay in the buffer."""
        until = None if timeout is None else time.monotonic() + timeout
        while True:
            yield from self._hand_out_finished()
            if not self._running or (until is not None and time.monotonic() >= until):
                return
            self._wait(until)

    def next_done(self) -> Done[E, R]:
        """The next element out (in submission order, the oldest), waiting for it as long as the budgets
        allow; ``LookupError`` when the buffer is empty."""
        for done in self.completed(None):
            return done
        raise LookupError("no element is in flight")

    def drain(self, max_wait: float | None = None) -> Iterator[Done[E, R]]:
        """Every element: each as it finishes, for up to ``max_wait`` seconds (None: as long as the
        budgets allow); then the ones still out, in submission order, as ``Overdue(max_wait)``."""
        yield from self.completed(max_wait)
        if not self:
            return
        left: list[_Entry[E, R]] = [*self._running.values()]
        left.extend(entry for held in self._held.values() for entry in held)
        left.sort(key=lambda entry: entry.number)
        self._running.clear()
        self._held.clear()
        self._held_count = 0
        self._load.clear()
        for entry in left:
            finished = entry.run is not None and entry.run.future.done()
            yield self._done(entry, None if finished else Overdue(max_wait or 0.0))

    # ---------------------------------------------------------------------------------- internals

    def _hold(self, entry: _Entry[E, R]) -> None:
        self._held.setdefault(entry.key, deque()).append(entry)
        self._held_count += 1

    def _has_room(self, key: Hashable) -> bool:
        return (self._max_in_flight is None or len(self._running) < self._max_in_flight) and (
            self._per_key is None or self._load.get(key, 0) < self._per_key
        )

    def _start_what_fits(self) -> None:
        """Fill free slots from the keys below their cap, longest backlog first."""
        while self._held and (self._max_in_flight is None or len(self._running) < self._max_in_flight):
            if self._per_key is None:
                open_keys = list(self._held)
            else:
                cap = self._per_key
                open_keys = [key for key in self._held if self._load.get(key, 0) < cap]
            if not open_keys:
                return
            key = max(open_keys, key=lambda name: len(self._held[name]))  # first of equals: held longest
            waiting = self._held[key]
            entry = waiting.popleft()
            if not waiting:
                del self._held[key]
            self._held_count -= 1
            self._run(entry)

    def _run(self, entry: _Entry[E, R]) -> None:
        entry.run = self._new_run(entry)
        self._running[entry.number] = entry
        self._load[entry.key] = self._load.get(entry.key, 0) + 1

    def _new_run(self, entry: _Entry[E, R]) -> _Run[R]:
        started = time.monotonic()
        try:
            future = self._start_work(entry.element)
        except Exception as error:  # the element's failure, like an exception of its work
            future = Future()
            future.set_exception(error)
        run = _Run(future, started)
        future.add_done_callback(lambda _: self._on_finished(entry, run))
        return run

    def _on_finished(self, entry: _Entry[E, R], run: _Run[R]) -> None:
        """On whichever thread completed the future: note the time, queue the element, wake the waiter."""
        run.finished = time.monotonic()
        if not self._ordered:  # in submission order only the oldest matters, and it is looked at directly
            self._finished.append((entry, run))
        self._wake.set()

    def _overdue(self, run: _Run[R], now: float) -> bool:
        return self._budget is not None and now - run.started >= self._budget

    def _hand_out_finished(self) -> Iterator[Done[E, R]]:
        if self._collect is not None:
            self._collect(0.0)
        if self._ordered:
            while self._running:
                entry = next(iter(self._running.values()))
                run = entry.run
                assert run is not None
                if run.future.done():
                    yield self._hand_out(entry, None)
                elif self._overdue(run, time.monotonic()):
                    yield self._hand_out(entry, Overdue(cast(float, self._budget)))
                else:
                    return
            return
        while self._finished:
            entry, run = self._finished.popleft()
            if entry.live and entry.run is run:
                yield self._hand_out(entry, None)
        if self._budget is not None:
            now = time.monotonic()
            late = [entry for entry in self._running.values() if self._overdue(cast(_Run[R], entry.run), now)]
            for entry in late:
                # handed out already by the caller's doing, or finished meanwhile: the queue has it
                if entry.live and entry.run is not None and not entry.run.future.done():
                    yield self._hand_out(entry, Overdue(self._budget))

    def _hand_out(self, entry: _Entry[E, R], overdue: Overdue | None) -> Done[E, R]:
        del self._running[entry.number]
        load = self._load[entry.key] - 1
        if load:
            self._load[entry.key] = load
        else:
            del self._load[entry.key]
        done = self._done(entry, overdue)
        self._start_what_fits()
        return done

    @staticmethod
    def _done(entry: _Entry[E, R], overdue: Overdue | None) -> Done[E, R]:
        entry.live = False
        now = time.monotonic()
        run = entry.run
        started = run.started if run is not None else now
        value: R | None = None
        error: BaseException | None = overdue
        if run is not None and overdue is None:
            try:
                value = run.future.result(timeout=0)
            except CancelledError as cancelled:
                error = cancelled
            except BaseException as failure:  # handed to the caller with the element
                error = failure
        finished = run.finished if run is not None and run.finished is not None else now
        return Done(
            element=entry.element,
            timestamp=entry.timestamp,
            window=entry.window,
            key=entry.key,
            attempt=entry.attempt,
            started=started,
            seconds=max(finished - started, 0.0),
            value=value,
            error=error,
        )

    def _wait(self, until: float | None) -> None:
        """Wait until an element may be handed out: its work finished, its budget ran out, or ``until``."""
        now = time.monotonic()
        limits = [] if until is None else [until]
        if self._budget is not None and self._running:
            if self._ordered:
                oldest = cast(_Run[R], next(iter(self._running.values())).run).started
            else:
                oldest = min(cast(_Run[R], entry.run).started for entry in self._running.values())
            limits.append(oldest + self._budget)
        timeout = max(min(limits) - now, 0.0) if limits else None
        self._wake.clear()
        if self._has_finished():
            return
        if self._collect is not None:
            self._collect(timeout)
        else:
            self._wake.wait(timeout)

    def _has_finished(self) -> bool:
        if self._ordered:
            head = next(iter(self._running.values()), None)
            return head is not None and head.run is not None and head.run.future.done()
        return bool(self._finished)
