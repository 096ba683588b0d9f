"""Per-element failures, whatever raised them: the element's dead letter, and the stage goes on.

Modelled on Beam's ``with_exception_handling`` (an element's outputs go out whole or not at all; its
failure leaves through the dead-letter output), written once here for the stages whose DoFns are
stateful or emit from ``finish_bundle``, where Beam's wrapper does not reach. Any exception raised for one
element becomes a dead letter with reason ``unexpected_error`` and the exception's class. Only a failure
that hits every element is taken for a bug in newsbeam rather than bad input: once ``BUG_AFTER`` elements
have failed unexpectedly and none has gone through, the stage raises ``LooksLikeABug`` and the run stops
with a message that says so.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import apache_beam as beam
from apache_beam.pvalue import PCollection, TaggedOutput

from transforms.dead_letters import BUG_AFTER, DEAD_LETTER, UNEXPECTED, Crashed, LooksLikeABug, dead_letter
from transforms.records import DeadLetter

log = logging.getLogger(__name__)


class ElementFailures:
    """One DoFn instance's per-element safety net: ``outputs()`` runs the work for one element and returns
    its outputs, or, when it raises, the dead letter that says why (``unexpected_error`` and the error's
    class) in their place; after ``bug_after`` such failures with no success, it raises ``LooksLikeABug``.

    Counts live in the DoFn instance, so "every element" means every element this worker has seen.
    """

    def __init__(self, stage: str, *, bug_after: int = BUG_AFTER) -> None:
        self.stage = stage
        self._bug_after = bug_after
        self.succeeded = 0
        self.failed = 0

    def outputs(
        self,
        work: Callable[[], Iterable[Any]],
        *,
        feed: str | None = None,
        url: str | None = None,
        key: str | None = None,
        input: Any = None,
    ) -> list[Any]:
        """``work()``'s outputs, all of them, or only the dead letter of its failure."""
        failed_before = self.failed
        try:
            produced = list(work())
        except LooksLikeABug:
            raise  # the work's own verdict on this stage, not a failure of this element
        except Exception as error:
            letter = self.dead_letter(error, feed=feed, url=url, key=key, input=input)
            return [TaggedOutput(DEAD_LETTER, letter)]
        if self.failed == failed_before:  # the work may have dead-lettered its element itself
            self.count_success()
        return produced

    def count_success(self) -> None:
        """An element went through (one that was not run through ``outputs``)."""
        self.succeeded += 1

    def dead_letter(
        self,
        error: Exception,
        *,
        feed: str | None = None,
        url: str | None = None,
        key: str | None = None,
        input: Any = None,
    ) -> DeadLetter:
        """Count ``error`` as an unexpected failure and build its dead letter (or stop: see the class)."""
        self.failed += 1
        log.error(
            "%s failed unexpectedly on %s: %s: %s",
            self.stage,
            url or feed or key,
            type(error).__name__,
            error,
        )
        if not self.succeeded and self.failed >= self._bug_after:
            error_class = error.error_class if isinstance(error, Crashed) else type(error).__name__
            raise LooksLikeABug(
                f"every one of the {self.failed} elements that reached {self.stage} failed, the last with "
                f"{error_class}: {error}. This looks like a bug in newsbeam, not bad input"
            ) from error
        return dead_letter(self.stage, UNEXPECTED, error, feed=feed, url=url, key=key, input=input)


class _GuardedFlatMapFn(beam.DoFn):
    def __init__(self, stage: str, function: Callable[..., Iterable[Any]], args: tuple[Any, ...]) -> None:
        self._function = function
        self._args = args
        self._failures = ElementFailures(stage)

    def process(self, element: Any) -> Iterator[Any]:
        yield from self._failures.outputs(
            lambda: self._function(element, *self._args),
            feed=getattr(element, "feed", None),
            url=getattr(element, "url", None),
            key=getattr(element, "article_id", None),
            input=element,
        )


class GuardedFlatMap(beam.PTransform[PCollection[Any], tuple[PCollection[Any], PCollection[DeadLetter]]]):
    """``beam.FlatMap(function, *args)`` whose failing elements become dead letters of ``stage``
    (``unexpected_error``) instead of failing the bundle; returns ``(outputs, dead_letters)``."""

    def __init__(self, stage: str, function: Callable[..., Iterable[Any]], *args: Any) -> None:
        super().__init__()
        self._stage = stage
        self._function = function
        self._args = args

    def expand(self, elements: PCollection[Any]) -> tuple[PCollection[Any], PCollection[DeadLetter]]:
        outputs = elements | "Apply" >> beam.ParDo(
            _GuardedFlatMapFn(self._stage, self._function, self._args)
        ).with_outputs(DEAD_LETTER, main="outputs")
        return outputs.outputs, outputs[DEAD_LETTER]
