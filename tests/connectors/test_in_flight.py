"""InFlight: caps per key and in all, budgets, completion and submission order, draining with a deadline,
each element's failure its own, and the timestamp and window every output needs."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import pytest
from apache_beam.transforms.window import GlobalWindow, IntervalWindow
from apache_beam.utils.timestamp import Timestamp
from apache_beam.utils.windowed_value import WindowedValue

from connectors.in_flight import Done, InFlight, Overdue

TS = Timestamp(1_700_000_000)
WINDOW = GlobalWindow()


class ByHand:
    """Work the test finishes itself: ``start`` records the element and returns a future left pending."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.futures: dict[str, Future[str]] = {}

    def __call__(self, element: str) -> Future[str]:
        future: Future[str] = Future()
        self.started.append(element)
        self.futures[element] = future  # a restart replaces the element's future
        return future

    def finish(self, *elements: str) -> None:
        for element in elements:
            self.futures[element].set_result(element.upper())

    def fail(self, element: str, error: BaseException) -> None:
        self.futures[element].set_exception(error)


def _submit(buffer: InFlight[str, str], *elements: str) -> None:
    for element in elements:
        buffer.submit(element, timestamp=TS, window=WINDOW, key=element[0])


def _elements(dones: Iterator[Done[str, str]]) -> list[str]:
    return [done.element for done in dones]


def test_a_key_at_its_cap_is_held_back_and_the_longest_backlog_gets_each_free_slot() -> None:
    work = ByHand()
    buffer = InFlight(work, max_in_flight=1, per_key=1)
    _submit(buffer, "a1", "a2", "b1", "b2", "b3")
    assert (work.started, buffer.in_flight, buffer.held) == (["a1"], 1, 4)
    for element in ("a1", "b1", "b2", "a2", "b3"):
        assert work.started[-1] == element
        work.finish(element)
        assert _elements(buffer.ready()) == [element]
    # b's backlog was longer until b2 went; then a and b had one each, and a was held back first
    assert work.started == ["a1", "b1", "b2", "a2", "b3"]
    assert len(buffer) == 0


def test_the_per_key_cap_lets_other_keys_through_up_to_the_overall_cap() -> None:
    work = ByHand()
    buffer = InFlight(work, max_in_flight=3, per_key=2)
    _submit(buffer, "a1", "a2", "a3", "b1", "c1")
    assert work.started == ["a1", "a2", "b1"]
    assert (buffer.in_flight, buffer.held) == (3, 2)
    work.finish("b1")
    assert _elements(buffer.ready()) == ["b1"]
    assert work.started[-1] == "c1"  # a is still at its cap: the slot goes to c, not to a's backlog


def test_without_order_elements_come_out_as_they_finish() -> None:
    work = ByHand()
    buffer = InFlight(work)
    _submit(buffer, "x", "y", "z")
    assert _elements(buffer.ready()) == []
    work.finish("z", "x")
    assert _elements(buffer.ready()) == ["z", "x"]
    work.finish("y")
    assert [done.result() for done in buffer.ready()] == ["Y"]


def test_in_submission_order_a_finished_element_waits_for_the_older_ones() -> None:
    work = ByHand()
    buffer = InFlight(work, ordered=True)
    _submit(buffer, "x", "y", "z")
    work.finish("z", "y")
    assert _elements(buffer.ready()) == []
    work.finish("x")
    assert _elements(buffer.ready()) == ["x", "y", "z"]


def test_a_failure_is_the_failing_elements_own() -> None:
    def start(element: str) -> Future[str]:
        if element == "refused":
            raise RuntimeError("the pool is shut")
        future: Future[str] = Future()
        if element == "broken":
            future.set_exception(ValueError("bad input"))
        else:
            future.set_result(element.upper())
        return future

    buffer = InFlight(start)
    _submit(buffer, "fine", "broken", "refused", "also-fine")
    dones = {done.element: done for done in buffer.drain()}
    assert dones["fine"].result() == "FINE" and dones["also-fine"].result() == "ALSO-FINE"
    assert isinstance(dones["broken"].error, ValueError)
    assert isinstance(dones["refused"].error, RuntimeError)
    with pytest.raises(ValueError, match="bad input"):
        dones["broken"].result()


@pytest.mark.timeout(30)  # without the budget, the wait below would never end
def test_work_over_its_budget_is_handed_out_as_overdue_and_its_late_result_is_ignored() -> None:
    work = ByHand()
    buffer = InFlight(work, budget=0.05)
    _submit(buffer, "slow", "quick")
    work.finish("quick")
    dones = list(buffer.drain())  # no deadline of its own: only the budget ends the wait for "slow"
    assert _elements(iter(dones)) == ["quick", "slow"]
    overdue = dones[1].error
    assert isinstance(overdue, Overdue) and overdue.after == 0.05
    assert str(overdue) == "no result within 0.05s"
    work.finish("slow")  # the abandoned work ends after all
    assert _elements(buffer.ready()) == [] and len(buffer) == 0


def test_ready_hands_out_what_has_overrun_its_budget_without_waiting() -> None:
    work = ByHand()
    buffer = InFlight(work, budget=0.01)
    _submit(buffer, "slow")
    time.sleep(0.02)  # past the budget (monotonic time): the element is due out on the next look
    (done,) = buffer.ready()
    assert isinstance(done.error, Overdue)


@pytest.mark.timeout(30)
def test_drain_waits_at_most_max_wait_then_gives_up_on_the_rest_in_submission_order() -> None:
    work = ByHand()
    buffer = InFlight(work, max_in_flight=2)
    _submit(buffer, "never", "soon", "held")
    assert work.started == ["never", "soon"]
    # finished while drain waits: the wait is woken by the future, not by its deadline
    threading.Timer(0.05, work.finish, args=("soon",)).start()
    dones = list(buffer.drain(max_wait=0.5))
    assert _elements(iter(dones)) == ["soon", "never", "held"]
    assert dones[0].result() == "SOON"
    for done in dones[1:]:
        assert isinstance(done.error, Overdue) and done.error.after == 0.5
    assert work.started == ["never", "soon", "held"]  # "held" started when "soon" left a slot
    assert len(buffer) == 0


def test_completed_keeps_what_is_still_out() -> None:
    work = ByHand()
    buffer = InFlight(work)
    _submit(buffer, "a", "b")
    work.finish("a")
    assert _elements(buffer.completed(0.01)) == ["a"]
    assert len(buffer) == 1  # "b" is still out: completed() gives up on nothing
    work.finish("b")
    assert _elements(buffer.completed(None)) == ["b"]


def test_ready_waits_while_more_than_max_held_wait_for_a_slot() -> None:
    release = threading.Event()

    def slow_upper(element: str) -> str:
        release.wait(10)
        return element.upper()

    with ThreadPoolExecutor(2) as pool:
        buffer = InFlight(lambda element: pool.submit(slow_upper, element), max_in_flight=2)
        _submit(buffer, *"abcdef")
        assert (buffer.in_flight, buffer.held) == (2, 4)
        threading.Timer(0.05, release.set).start()
        out = [done.result() for done in buffer.ready(max_held=1)]
        assert buffer.held <= 1
        assert len(out) >= 3 and len(out) + len(buffer) == 6
        out += [done.result() for done in buffer.drain()]
    assert sorted(out) == list("ABCDEF")


def test_outputs_keep_their_elements_timestamp_window_and_key() -> None:
    work = ByHand()
    buffer = InFlight(work)
    early, late = Timestamp(10), Timestamp(20)
    first, second = IntervalWindow(0, 15), IntervalWindow(15, 30)
    buffer.submit("one", timestamp=early, window=first, key="site-1")
    buffer.submit("two", timestamp=late, window=second)
    work.finish("two", "one")
    two, one = buffer.ready()
    assert one.windowed("out") == WindowedValue("out", early, (first,))
    assert two.windowed(("pair", 2)) == WindowedValue(("pair", 2), late, (second,))
    assert (one.key, two.key) == ("site-1", None)


def test_seconds_end_when_the_work_ends_not_when_it_is_handed_out() -> None:
    work = ByHand()
    buffer = InFlight(work)
    _submit(buffer, "a")
    work.finish("a")
    time.sleep(0.3)  # handed out long after it finished
    (done,) = buffer.ready()
    assert done.seconds < 0.3 and done.started <= time.monotonic()


def test_a_retried_element_comes_out_next_and_restart_spares_only_results() -> None:
    work = ByHand()
    buffer = InFlight(work, ordered=True)
    _submit(buffer, "a", "b", "c", "d")
    work.fail("a", BrokenPipeError("the worker died"))
    work.fail("b", BrokenPipeError("the worker died"))
    work.finish("c")  # "d" still running
    handed_out = buffer.ready()
    failed = next(handed_out)
    assert (failed.element, failed.attempt, type(failed.error)) == ("a", 1, BrokenPipeError)
    # as a DoFn does between two outputs: new workers, on which "b" (failed) and "d" (running) start
    # again while "c" keeps its result, and "a" once more
    buffer.restart_unfinished()
    buffer.retry(failed)
    assert work.started == ["a", "b", "c", "d", "b", "d", "a"]
    assert _elements(handed_out) == []  # "a" comes next, and it is not done yet
    work.finish("d", "b")
    assert _elements(buffer.ready()) == []
    work.finish("a")
    dones = list(buffer.ready())
    assert [(done.element, done.attempt, done.result()) for done in dones] == [
        ("a", 2, "A"),
        ("b", 1, "B"),
        ("c", 1, "C"),
        ("d", 1, "D"),
    ]


@pytest.mark.timeout(30)
def test_next_done_waits_for_the_oldest_element() -> None:
    work = ByHand()
    buffer = InFlight(work, ordered=True)
    _submit(buffer, "a", "b")
    work.finish("b")
    threading.Timer(0.05, work.finish, args=("a",)).start()
    assert buffer.next_done().element == "a"  # "b" finished first, but "a" is the one due out
    assert buffer.next_done().element == "b"
    with pytest.raises(LookupError):
        buffer.next_done()


class _Polled:
    """Work whose futures complete only when polled, like a process pool's results read from pipes."""

    def __init__(self) -> None:
        self.arrived: dict[str, Future[str]] = {}
        self.pending: dict[str, Future[str]] = {}
        self.waits: list[float | None] = []

    def start(self, element: str) -> Future[str]:
        future: Future[str] = Future()
        self.pending[element] = future
        return future

    def arrive(self, element: str) -> None:
        self.arrived[element] = self.pending.pop(element)

    def collect(self, timeout: float | None) -> None:
        self.waits.append(timeout)
        for element, future in self.arrived.items():
            future.set_result(element.upper())
        self.arrived.clear()


@pytest.mark.timeout(30)
def test_polled_futures_are_collected_and_waited_for_within_the_budget() -> None:
    polled = _Polled()
    buffer = InFlight(polled.start, ordered=True, budget=0.2, collect=polled.collect)
    _submit(buffer, "a", "b")
    polled.arrive("a")
    assert _elements(buffer.ready()) == ["a"]  # ready() collects what has arrived, without waiting
    assert polled.waits == [0.0]
    dones = list(buffer.drain())  # "b" never arrives: collect() is given what is left of its budget
    assert isinstance(dones[0].error, Overdue)
    assert any(wait is not None and 0 < wait <= 0.2 for wait in polled.waits[1:])


def test_caps_below_one_are_refused() -> None:
    with pytest.raises(ValueError, match="per_key must be 1 or more"):
        InFlight(ByHand(), per_key=0)
