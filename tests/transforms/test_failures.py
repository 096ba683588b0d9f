"""Per-element failures: an element that raises becomes a dead letter and the rest go on; a failure that
hits every element stops the run as a bug."""

from __future__ import annotations

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from transforms.dead_letters import BUG_AFTER, Crashed, LooksLikeABug, dead_letter, jsonable, well_formed
from transforms.failures import ElementFailures, GuardedFlatMap


def _inverse(number: int) -> list[float]:
    return [1 / number]


def test_an_element_that_raises_is_a_dead_letter_and_the_others_go_on() -> None:
    with TestPipeline(runner="FnApiRunner") as pipeline:
        outputs, dead = pipeline | beam.Create([1, 0, 4]) | GuardedFlatMap("Invert", _inverse)
        assert_that(outputs, equal_to([1.0, 0.25]), label="outputs")
        assert_that(
            dead | beam.Map(lambda d: (d.stage, d.reason, d.error_class, d.input)),
            equal_to([("Invert", "unexpected_error", "ZeroDivisionError", 0)]),
            label="dead",
        )


def test_a_failure_that_hits_every_element_stops_the_run_as_a_bug() -> None:
    # Beam wraps the DoFn's error in its own; the message carries ours
    expected = pytest.raises(Exception, match="looks like a bug in newsbeam, not bad input")
    with expected, TestPipeline(runner="FnApiRunner") as pipeline:
        _ = pipeline | beam.Create([0] * (BUG_AFTER + 2)) | GuardedFlatMap("Invert", _inverse)


def test_one_success_keeps_the_stage_going_however_many_fail() -> None:
    failures = ElementFailures("Invert", bug_after=3)
    assert failures.outputs(lambda: _inverse(2)) == [0.5]
    for _ in range(10):
        [letter] = failures.outputs(lambda: _inverse(0))
        assert letter.value.reason == "unexpected_error"
    assert (failures.succeeded, failures.failed) == (1, 10)


def test_outputs_of_a_failed_element_are_all_withheld() -> None:
    def half_way() -> list[str]:
        produced = ["first"]
        raise ValueError(f"after {produced}")

    [letter] = ElementFailures("Half").outputs(half_way, feed="f", url="http://e.org/a", input={"n": 1})
    assert (letter.value.error_class, letter.value.feed, letter.value.input) == ("ValueError", "f", {"n": 1})


def test_bug_after_counts_only_failures_with_no_success() -> None:
    failures = ElementFailures("Stage", bug_after=2)
    failures.outputs(lambda: _inverse(0))
    with pytest.raises(LooksLikeABug, match=r"every one of the 2 elements that reached Stage failed"):
        failures.outputs(lambda: _inverse(0))


def test_a_crash_carried_across_workers_keeps_its_class() -> None:
    import pickle

    crash = pickle.loads(pickle.dumps(Crashed.of(KeyError("missing"))))
    letter = dead_letter("Stage", "unexpected_error", crash)
    assert (letter.error_class, letter.message) == ("KeyError", "'missing'")


def test_text_without_a_utf8_form_is_made_well_formed() -> None:
    assert well_formed("a\ud800b") == "a\ufffdb"
    assert well_formed("\U0001f600 ok") == "\U0001f600 ok"
    assert jsonable({"t": "x\udfffy", "n": float("nan")}) == {"t": "x\ufffdy", "n": "nan"}
