"""ExtractionProcesses: pages in through the spool, results out in futures; a process that dies breaks the pool."""

from __future__ import annotations

import gc
import os
import signal
import time
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from connectors import extraction_processes
from connectors.extraction_processes import ExtractionProcesses
from tests.conftest import SAMPLES
from tests.waiting import wait_for
from transforms.extraction_fields import EVERY_FIELD, Wanted
from transforms.page_fields import extract_page_fields

AUTHORS_ONLY = Wanted(title=False, authors=True, date=False)


# what the processes run in these tests (module-level: a spawned process imports them by name)
def no_warm_up() -> None:
    """Skip trafilatura's warm-up: these tests' processes do not extract."""


def echo_or_fail(body: bytes, content_type: str | None, url: str | None) -> tuple[str, float]:
    """``body`` decoded; a body starting with a command sleeps or raises instead."""
    text = body.decode()
    if text.startswith("sleep "):
        time.sleep(float(text.split()[1]))
    if text == "raise value":
        raise ValueError("this page is hostile")
    if text == "raise unpicklable":
        raise UnpicklableError(lambda: None)
    return f"{text} ({content_type}, {url})", 0.0


def warm_up_leaving_a_shutdown_mark() -> None:
    """Register an exit handler that writes the file named in NEWSBEAM_TEST_SHUTDOWN_MARK."""
    import atexit

    mark = Path(os.environ["NEWSBEAM_TEST_SHUTDOWN_MARK"])
    atexit.register(lambda: mark.with_name(f"{mark.name}-{os.getpid()}").write_text("shut down"))


class UnpicklableError(Exception):
    """An exception whose argument cannot be pickled (a lambda)."""


def _spooled(pool: ExtractionProcesses) -> list[str]:
    return os.listdir(pool._spool)


def _alive(pids: list[int]) -> list[int]:
    alive = []
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.append(pid)
    return alive


@pytest.fixture
def echo_pool() -> Iterator[ExtractionProcesses]:
    pool = ExtractionProcesses(2, extract=echo_or_fail, warm_up=no_warm_up)
    yield pool
    pool.stop(kill=True)


def test_pages_come_back_as_trafilatura_extracts_them_and_nothing_is_left_behind() -> None:
    paths = sorted((SAMPLES / "en").glob("*.html"))
    assert len(paths) >= 6
    pool = ExtractionProcesses(2)
    pids = pool.pids
    spool = pool._spool
    # every other page asks only for its authors, as for a feed entry with a title and a date
    wanted = [None if number % 2 else AUTHORS_ONLY for number in range(len(paths))]
    try:
        futures = [
            pool.submit(
                path.read_bytes(), "text/html; charset=utf-8", f"http://127.0.0.1:9/{path.name}", asked
            )
            for path, asked in zip(paths, wanted, strict=True)
        ]
        results = [pool.result(future, 60) for future in futures]
        assert _spooled(pool) == []  # each process removes the page it read
    finally:
        pool.stop()
    for path, asked, (fields, seconds) in zip(paths, wanted, results, strict=True):
        expected = extract_page_fields(
            path.read_bytes(),
            "text/html; charset=utf-8",
            f"http://127.0.0.1:9/{path.name}",
            asked or EVERY_FIELD,
        )
        assert fields == expected
        assert seconds > 0
        # the page was asked for its title only when the caller wanted it
        assert (fields.title is None) if asked is AUTHORS_ONLY else fields.title
    assert len(pids) == 2 and _alive(pids) == []
    assert not Path(spool).exists()


def test_a_stopped_process_ends_at_once_without_the_interpreters_shutdown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSBEAM_TEST_SHUTDOWN_MARK", str(tmp_path / "mark"))
    pool = ExtractionProcesses(2, extract=echo_or_fail, warm_up=warm_up_leaving_a_shutdown_mark)
    processes = list(pool._processes)
    futures = [pool.submit(b"page", "text/plain", "http://a") for _ in range(4)]
    assert [pool.result(future, 30)[0] for future in futures] == ["page (text/plain, http://a)"] * 4
    pool.stop()
    assert [process.exitcode for process in processes] == [0, 0]  # a clean exit, not a kill
    assert list(tmp_path.iterdir()) == []  # no exit handler ran: the interpreter was not shut down


def test_results_arrive_only_through_collect_and_in_any_order(echo_pool: ExtractionProcesses) -> None:
    slow = echo_pool.submit(b"sleep 0.5", "text/plain", "http://a")
    quick = echo_pool.submit(b"quick", "text/plain", "http://b")
    time.sleep(0.2)
    assert not quick.done()  # no helper thread completes futures behind the caller's back
    assert echo_pool.result(quick, 10) == ("quick (text/plain, http://b)", 0.0)
    assert not slow.done()  # the other process is still on it
    assert echo_pool.result(slow, 10)[0].startswith("sleep 0.5")


def test_a_page_that_raises_fails_its_own_future_only(echo_pool: ExtractionProcesses) -> None:
    bad = echo_pool.submit(b"raise value", None, None)
    odd = echo_pool.submit(b"raise unpicklable", None, None)
    good = echo_pool.submit(b"fine", None, None)
    with pytest.raises(ValueError, match="this page is hostile"):
        echo_pool.result(bad, 10)
    with pytest.raises(RuntimeError, match="UnpicklableError"):
        echo_pool.result(odd, 10)
    assert echo_pool.result(good, 10)[0] == "fine (None, None)"


def test_waiting_past_the_timeout_raises_timeout_error(echo_pool: ExtractionProcesses) -> None:
    future = echo_pool.submit(b"sleep 5", None, None)
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        echo_pool.result(future, 0.3)
    assert time.monotonic() - started < 3
    assert not future.done()


def test_a_process_that_dies_breaks_the_pool_and_every_page_in_flight() -> None:
    pool = ExtractionProcesses(2, extract=echo_or_fail, warm_up=no_warm_up)
    pids = pool.pids
    spool = pool._spool
    try:
        first = pool.submit(b"sleep 30", None, None)
        second = pool.submit(b"sleep 30", None, None)
        wait_for(lambda: _spooled(pool) == [], 30, "both processes to take their page", interval=0.02)
        os.kill(pids[0], signal.SIGKILL)
        with pytest.raises(BrokenProcessPool, match=r"exited unexpectedly .*exit code -9"):
            pool.result(first, 10)
        assert isinstance(second.exception(timeout=0), BrokenProcessPool)  # the survivor's page too
        later = pool.submit(b"fine", None, None)
        with pytest.raises(BrokenProcessPool):
            later.result(timeout=0)
    finally:
        pool.stop(kill=True)
    assert _alive(pids) == []
    assert not Path(spool).exists()


def test_a_page_that_cannot_be_spooled_anywhere_fails_alone_with_a_clear_error(
    echo_pool: ExtractionProcesses, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = extraction_processes._write

    def disk_full(path: str, body: bytes) -> None:
        if body == b"too big":
            raise OSError(28, "No space left on device")
        real_write(path, body)

    monkeypatch.setattr(extraction_processes, "_write", disk_full)
    failed = echo_pool.submit(b"too big", None, None)
    with pytest.raises(OSError, match=r"could not hand the page to an extraction process.*No space left"):
        failed.result(timeout=0)
    assert echo_pool.result(echo_pool.submit(b"fine", None, None), 10)[0] == "fine (None, None)"


def test_at_least_one_process() -> None:
    with pytest.raises(ValueError, match="1 or more"):
        ExtractionProcesses(0)


def test_a_page_that_does_not_fit_in_tmpfs_goes_through_the_temp_folder(
    echo_pool: ExtractionProcesses, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full /dev/shm (a container's is often 64 MB) must not fail the page: it is spooled to disk instead."""
    if echo_pool._overflow == echo_pool._spool:
        pytest.skip("no writable /dev/shm here: every page already goes through the temp folder")
    real_write = extraction_processes._write

    def tmpfs_full(path: str, body: bytes) -> None:
        if path.startswith(echo_pool._spool):
            raise OSError(28, "No space left on device")
        real_write(path, body)

    monkeypatch.setattr(extraction_processes, "_write", tmpfs_full)
    future = echo_pool.submit(b"big page", None, None)
    assert echo_pool.result(future, 10)[0] == "big page (None, None)"
    overflow = echo_pool._overflow
    assert overflow is not None and overflow != echo_pool._spool
    echo_pool.stop(kill=True)
    assert not Path(overflow).exists()


def test_a_pool_dropped_without_stop_still_removes_its_spool_folder() -> None:
    pool = ExtractionProcesses(1, extract=echo_or_fail, warm_up=no_warm_up)
    spool = pool._spool
    assert pool.result(pool.submit(b"fine", None, None), 10)[0] == "fine (None, None)"
    for process in pool._processes:  # what stop() would do, minus the folder
        process.terminate()
        process.join(timeout=10)
    del pool
    gc.collect()
    assert not Path(spool).exists()
