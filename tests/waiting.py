"""Waiting in tests: poll for the condition until a deadline, never sleep a fixed time and hope.

A fixed sleep is too short on a loaded machine and too long everywhere else; a condition polled with a
deadline returns as soon as it holds and, when it never does, fails saying what was awaited and what the
condition returned last.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import pytest

T = TypeVar("T")


def wait_for(condition: Callable[[], T], timeout: float, what: str, *, interval: float = 0.5) -> T:
    """Call ``condition`` until it returns something truthy and return that; after ``timeout`` seconds
    fail the test with ``what`` and the last value. An exception from ``condition`` ends the wait at once."""
    deadline = time.monotonic() + timeout
    while True:
        last = condition()
        if last:
            return last
        if time.monotonic() >= deadline:
            pytest.fail(f"timed out after {timeout:g} s waiting for {what}; last: {last!r}", pytrace=False)
        time.sleep(interval)
