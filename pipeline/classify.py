"""``newsbeam classify``: the regulation flagger on JSON Lines, without Kafka or Beam.

Input, one object a line: ``{"id": ..., "title": ..., "text": ..., "language": optional hint, "url": optional}``.
Output, one line per non-blank input line, in input order: ``{"id": ..., "language": ..., "regulation": {...}}``
(``regulation`` is ``transforms.regulation.regulation_to_dict``). A line that is not a JSON object, or has
neither a title nor a text, is reported as data — ``{"id": <its id or null>, "line": N, "error": "..."}`` on
stdout and a message on stderr — and the other lines are still processed. Blank lines are skipped silently.
Exit status: 0 when every line was valid, 1 otherwise.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from transforms.language import detect_language
from transforms.regulation import flag_regulation, regulation_to_dict

__all__ = ["classify_record", "run_classify"]


class _InvalidLine(ValueError):
    """A line the classifier cannot use; the message goes to the output as the ``error``."""

    def __init__(self, message: str, record_id: Any = None) -> None:
        super().__init__(message)
        self.record_id = record_id


def _as_text(record: dict[str, Any], key: str) -> str:
    value = record.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _InvalidLine(f"field {key!r} must be a string", record.get("id"))
    return value


def _parse(line: str) -> tuple[Any, str, str, str | None]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise _InvalidLine(f"invalid JSON: {exc.msg} at column {exc.colno}") from exc
    if not isinstance(record, dict):
        raise _InvalidLine("expected a JSON object")
    record_id = record.get("id")
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


def run_classify(stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    """Classify every JSON line of ``stdin`` onto ``stdout``; returns the exit status (0 all valid, 1 otherwise)."""
    all_valid = True
    for number, line in enumerate(stdin, start=1):
        if not line.strip():
            continue
        try:
            record_id, title, text, hint = _parse(line)
        except _InvalidLine as exc:
            all_valid = False
            stdout.write(
                json.dumps({"id": exc.record_id, "line": number, "error": str(exc)}, ensure_ascii=False)
            )
            stdout.write("\n")
            stderr.write(f"newsbeam classify: line {number}: {exc}\n")
            continue
        stdout.write(json.dumps(classify_record(record_id, title, text, hint), ensure_ascii=False))
        stdout.write("\n")
    stdout.flush()
    return 0 if all_valid else 1
