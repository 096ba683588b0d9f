"""Where every command meets the terminal and the process: logs to stderr, the stderr console, SIGTERM.

Logs go to stderr as JSON lines for log shippers, through rich on a terminal, or as plain lines otherwise.
rich writes the run's progress bar and the log lines through one console (``STDERR``), so the lines
scroll above the bar.
"""

from __future__ import annotations

import json
import logging
import signal
import sys
import time
from types import FrameType
from typing import Any

from rich.console import Console
from rich.logging import RichHandler

from transforms.dead_letters import RunStopped

LOG_FORMATS = ("text", "json")
NOISY_LOGGERS = ("apache_beam", "kafka", "urllib3", "trafilatura", "htmldate", "courlan")

STDERR = Console(stderr=True)


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and any ``extra={"fields": {...}}``."""

    def format(self, record: logging.LogRecord) -> str:
        document: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            document.update(fields)
        if record.exc_info:
            document["exception"] = self.formatException(record.exc_info)
        return json.dumps(document, ensure_ascii=False, default=str)


class _ExplainedStops(logging.Filter):
    """Keeps the traceback of a ``RunStopped`` out of the log (Beam logs the errors of its DoFns with
    theirs): its message says it all, and the command line prints it as the run's error."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], RunStopped):
            record.exc_info, record.exc_text = None, None
        return True


class _BeamImportNotices(logging.Filter):
    """Drops the warning Beam logs on the root logger whenever it is imported without Google's BigQuery
    client: newsbeam never uses BigQuery, so every run would otherwise begin with a warning that asks for
    nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name == "root" and "apache_beam" in record.pathname and "apitools" in record.msg)


class _ClientErrorsInOneLine(logging.Filter):
    """kafka-python logs a lost connection with its traceback (``log.exception``) and then reconnects or
    gives up on its own; the error's class and message are what an operator needs, on the record's line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.name.startswith("kafka.") and record.exc_info[1] is not None:
            error = record.exc_info[1]
            record.msg = f"{record.getMessage()}: {type(error).__name__}: {error}"
            record.args, record.exc_info, record.exc_text = None, None, None
        return True


def configure_logging(level: str, log_format: str = "text") -> None:
    """Logs to stderr: JSON lines for log shippers, rich on a terminal, plain lines otherwise."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"log format must be one of {LOG_FORMATS}, not {log_format!r}")
    handler: logging.Handler
    if log_format == "json":
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonLogFormatter())
    elif STDERR.is_terminal:
        handler = RichHandler(
            console=STDERR, show_path=False, rich_tracebacks=False, log_time_format="%H:%M:%S"
        )
        handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(_ExplainedStops())
    handler.addFilter(_BeamImportNotices())
    if getattr(logging, level.upper(), logging.INFO) > logging.DEBUG:
        handler.addFilter(_ClientErrorsInOneLine())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(getattr(logging, level.upper(), logging.INFO))
    # Beam and kafka-python are chatty at INFO; their warnings still show
    for noisy in NOISY_LOGGERS:
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))


def stop_on_sigterm() -> None:
    """Turn SIGTERM into ``KeyboardInterrupt``, so that atexit handlers (Prism's job server subprocess)
    still run when a supervisor stops the command."""

    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, handler)
