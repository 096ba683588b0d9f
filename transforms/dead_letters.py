"""Dead letters: how a bad element leaves a stage without stopping the others.

Every stage emits its failures on the ``DEAD_LETTER`` tagged output as ``DeadLetter`` records, which the
graph flattens into one collection and publishes to ``<prefix>.deadletter``. The input is rendered
JSON-safe here, once, so publishing a dead letter can never fail on its payload.

Besides the failures a stage expects (and names: ``http_status``, ``no_text``...), any exception raised
for one element becomes a dead letter with reason ``unexpected_error`` and the exception's class, and the
stage goes on (``transforms.failures``). Only a failure that hits every element is taken for a bug in
newsbeam rather than bad input (``LooksLikeABug``). This module imports no Beam: the command line and the
wire format use it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from typing import Any

from transforms.records import DeadLetter

DEAD_LETTER = "dead_letter"  # the tagged output every stage uses for its failures
MAX_STRING = 16_384  # long inputs (HTML, feed bodies) are cut: the record says where to fetch them again
UNEXPECTED = "unexpected_error"  # the reason of a failure no stage anticipated; the error class says which
BUG_AFTER = 10  # unexpected failures with no success before a stage takes them for a bug and stops the run


class RunStopped(RuntimeError):
    """A run stopped for a reason its message explains in full: the command line prints the message as it
    is, without a traceback."""


class LooksLikeABug(RunStopped):
    """Every element a stage was given failed the same unexpected way: newsbeam's fault, not the input's."""


class Crashed(Exception):
    """An unexpected exception carried to another step as its class name and message: an arbitrary
    exception may not survive the pickling between workers."""

    def __init__(self, error_class: str, message: str) -> None:
        super().__init__(error_class, message)
        self.error_class = error_class

    def __str__(self) -> str:
        return str(self.args[1])

    @classmethod
    def of(cls, error: BaseException) -> Crashed:
        """``error`` as a ``Crashed`` (its class name and message)."""
        return cls(type(error).__name__, str(error) or type(error).__name__)


def utc_now() -> str:
    """The current time as UTC ISO 8601 with a ``Z``, the only timestamp format on our wire."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def well_formed(text: str) -> str:
    """``text`` with each lone surrogate (a JSON ``\\ud800`` escape makes one; it has no UTF-8 form)
    replaced by U+FFFD; surrogate pairs become the character they encode."""
    if text.isascii():
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def jsonable(value: Any) -> Any:
    """Render ``value`` (records, tuples, bytes, anything) as JSON-safe data, cutting long strings."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    if isinstance(value, str):
        value = well_formed(value)
        return (
            value if len(value) <= MAX_STRING else value[:MAX_STRING] + f"…[{len(value) - MAX_STRING} more]"
        )
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)  # JSON has no NaN nor infinity
    if value is None or isinstance(value, bool | int | float):
        return value
    return repr(value)


def dead_letter(
    stage: str,
    reason: str,
    error: BaseException | str,
    *,
    feed: str | None = None,
    url: str | None = None,
    key: str | None = None,
    input: Any = None,
) -> DeadLetter:
    """Build the dead letter for an element that ``stage`` could not handle, and why."""
    if isinstance(error, Crashed):
        error_class, message = error.error_class, str(error)
    elif isinstance(error, BaseException):
        error_class, message = type(error).__name__, str(error) or type(error).__name__
    else:
        error_class, message = "Rejected", error
    return DeadLetter(
        stage=stage,
        reason=reason,
        error_class=error_class,
        message=message,
        feed=feed,
        url=url,
        key=key,
        input=jsonable(input),
        at=utc_now(),
    )
