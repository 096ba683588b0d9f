"""The tests' one way to wait: poll a condition until a deadline, fail saying what never happened."""

from __future__ import annotations

import itertools

import pytest

from tests.waiting import wait_for


def test_returns_the_first_truthy_value() -> None:
    calls = itertools.count()
    assert wait_for(lambda: next(calls) >= 2 and "ready", 5, "the third call", interval=0.01) == "ready"


def test_fails_with_what_it_waited_for_and_the_last_value() -> None:
    with pytest.raises(pytest.fail.Exception, match=r"waiting for the answer; last: \[\]"):
        wait_for(lambda: [], 0.05, "the answer", interval=0.01)
