"""Dead letters: how a bad element leaves a stage without stopping the others.

Every stage emits its failures on the ``DEAD_LETTER`` tagged output as ``DeadLetter`` records, which the
graph flattens into one collection and publishes to ``<prefix>.deadletter``. The input is rendered
JSON-safe here, once, so publishing a dead letter can never fail on its payload.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from transforms.records import DeadLetter

DEAD_LETTER = "dead_letter"  # the tagged output every stage uses for its failures
MAX_STRING = 16_384  # long inputs (HTML, feed bodies) are cut: the record says where to fetch them again


def utc_now() -> str:
    """The current time as UTC ISO 8601 with a ``Z``, the only timestamp format on our wire."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


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
        return (
            value if len(value) <= MAX_STRING else value[:MAX_STRING] + f"…[{len(value) - MAX_STRING} more]"
        )
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
    if isinstance(error, BaseException):
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
