"""``newsbeam classify``: the regulation flagger on JSON Lines, without Kafka or Beam.

Input, one object a line: ``{"id": ..., "title": ..., "text": ..., "language": optional hint, "url": optional}``.
Output, one line per non-blank input line, in input order: ``{"id": ..., "language": ..., "regulation": {...}}``
(``regulation`` is ``transforms.regulation.regulation_to_dict``). A line that cannot be used is reported as
data — ``{"id": <its id or null>, "line": N, "error": "..."}`` on stdout and a message on stderr — and the
other lines are still answered: a line that is not UTF-8, not JSON (``NaN`` and ``Infinity`` included, and
JSON nested deeper than the parser reads), not an object, holds a lone surrogate (a ``\\ud800`` escape:
not Unicode text), has neither a title nor a text, or is longer than ``MAX_LINE_BYTES``. Output is
always valid JSON, one object a line. Blank lines are skipped silently.
Exit status: 0 when every line was valid, 1 otherwise.
"""

from __future__ import annotations

import json
import sys
from typing import Any, BinaryIO, TextIO

import click

from transforms.language import detect_language
from transforms.regulation import flag_regulation, regulation_to_dict

__all__ = ["MAX_LINE_BYTES", "classify", "classify_record", "run_classify"]

MAX_LINE_BYTES = 1024 * 1024  # an article's line; the flagger reads only the first 12,000 characters anyway


class _InvalidLine(ValueError):
    """A line the classifier cannot use; the message goes to the output as the ``error``."""

    def __init__(self, message: str, record_id: Any = None) -> None:
        super().__init__(message)
        self.record_id = record_id


def _refuse_constant(name: str) -> None:
    raise _InvalidLine(f"invalid JSON: {name} is not a JSON number")


def _lone_surrogate(value: Any) -> bool:
    """Whether ``value`` holds a string with a lone surrogate (no UTF-8 form), however deep."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if not item.isascii() and any("\ud800" <= char <= "\udfff" for char in item):
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def _as_text(record: dict[str, Any], key: str) -> str:
    value = record.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _InvalidLine(f"field {key!r} must be a string", record.get("id"))
    return value


def _parse(line: bytes) -> tuple[Any, str, str, str | None]:
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _InvalidLine(f"not UTF-8 text: byte 0x{line[exc.start]:02x} at column {exc.start + 1}") from exc
    try:
        record = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise _InvalidLine(f"invalid JSON: {exc.msg} at column {exc.colno}") from exc
    except RecursionError as exc:  # json's parser recurses once per level of nesting
        raise _InvalidLine("invalid JSON: nested deeper than the JSON parser reads") from exc
    if not isinstance(record, dict):
        raise _InvalidLine("expected a JSON object")
    record_id = record.get("id")
    if _lone_surrogate(record_id):
        raise _InvalidLine(
            "the id holds a lone surrogate (a \\ud800-style escape), which is not Unicode text"
        )
    if _lone_surrogate(record):
        raise _InvalidLine(
            "the record holds a lone surrogate (a \\ud800-style escape), which is not Unicode text", record_id
        )
    title = _as_text(record, "title")
    text = _as_text(record, "text")
    if not title.strip() and not text.strip():
        raise _InvalidLine("record has neither title nor text", record_id)
    hint = record.get("language")
    return record_id, title, text, hint if isinstance(hint, str) else None


def classify_record(record_id: Any, title: str, text: str, hint: str | None) -> dict[str, Any]:
    """Detect the language (``hint`` is only a hint) and flag one article; returns the output object."""
    language = detect_language(f"{title}\n{text}", hint)
    verdict = flag_regulation(title, text, language)
    return {"id": record_id, "language": language, "regulation": regulation_to_dict(verdict)}


def _lines(stdin: BinaryIO, limit: int) -> Any:
    """``(number, line)`` for each line of ``stdin``; a line past ``limit`` bytes comes as None (its rest
    is read and dropped, never held)."""
    number = 0
    while line := stdin.readline(limit + 1):
        number += 1
        if len(line) > limit and not line.endswith(b"\n"):
            while (rest := stdin.readline(limit + 1)) and not rest.endswith(b"\n"):
                pass
            yield number, None
            continue
        yield number, line


def _answer(line: bytes) -> dict[str, Any]:
    record_id, title, text, hint = _parse(line)
    try:
        return classify_record(record_id, title, text, hint)
    except Exception as exc:  # a flagger bug on one text must not cost the other lines their answers
        raise _InvalidLine(f"classification failed: {type(exc).__name__}: {exc}", record_id) from exc


def _json_line(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False) + "\n"


def _error_line(number: int, record_id: Any, message: str) -> str:
    """The error object of line ``number``; without its id when the id cannot be written back."""
    try:
        return _json_line({"id": record_id, "line": number, "error": message})
    except (ValueError, RecursionError):
        return _json_line({"id": None, "line": number, "error": message})


def run_classify(
    stdin: BinaryIO, stdout: TextIO, stderr: TextIO, *, max_line_bytes: int = MAX_LINE_BYTES
) -> int:
    """Classify every JSON line of ``stdin`` (bytes) onto ``stdout``; returns the exit status (0 all valid,
    1 otherwise)."""
    all_valid = True
    for number, line in _lines(stdin, max_line_bytes):
        if line is not None and not line.strip():
            continue
        try:
            if line is None:
                raise _InvalidLine(f"line longer than the cap of {max_line_bytes} bytes; not read")
            stdout.write(_json_line(_answer(line)))
            continue
        except _InvalidLine as exc:
            record_id, message = exc.record_id, str(exc)
        except (ValueError, RecursionError) as exc:  # an answer whose id cannot be written back as JSON
            record_id, message = None, f"the id cannot be written back as JSON ({type(exc).__name__})"
        all_valid = False
        stdout.write(_error_line(number, record_id, message))
        stderr.write(f"newsbeam classify: line {number}: {message}\n")
    stdout.flush()
    return 0 if all_valid else 1


@click.command()
def classify() -> None:
    """Flag JSON Lines from stdin ({"id", "title", "text", "language"?}) to JSON Lines on stdout."""
    sys.exit(run_classify(sys.stdin.buffer, sys.stdout, sys.stderr))
