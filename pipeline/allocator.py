"""jemalloc under every process of a ``newsbeam run``, when the library is installed.

trafilatura's work is lxml trees built and freed page after page, and glibc's malloc is slower at it than
jemalloc (``make bench`` prints the raw extraction loop under both). The allocator must be in place before
the process starts, so ``newsbeam run`` re-executes itself once with jemalloc in ``LD_PRELOAD``; the
extraction processes and Beam's worker processes inherit it.

``NEWSBEAM_MALLOC`` chooses: ``jemalloc`` (the default: used when found, else the system allocator with a
log line saying so), ``system`` (never re-execute), or the path of a malloc library to preload.
"""

from __future__ import annotations

import ctypes.util
import logging
import os
import sys
from collections.abc import Mapping
from pathlib import Path

log = logging.getLogger("newsbeam.allocator")

CHOICE = "NEWSBEAM_MALLOC"
# set on the re-executed process: never re-execute twice, even when the preload failed to load
REEXECUTED = "NEWSBEAM_MALLOC_PRELOADED"
JEMALLOC_NAMES = ("libjemalloc.so.2", "libjemalloc.so")


def find_jemalloc() -> str | None:
    """The jemalloc shared library the dynamic linker would load (Debian's libjemalloc2), or None."""
    for directory in ("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib"):
        for name in JEMALLOC_NAMES:
            if (Path(directory) / name).is_file():
                return str(Path(directory) / name)
    found = ctypes.util.find_library("jemalloc")  # ldconfig's cache: other distributions, /usr/local
    return found or None


def _choice(environ: Mapping[str, str]) -> str:
    return environ.get(CHOICE, "jemalloc").strip()


def preload_environment(environ: Mapping[str, str]) -> dict[str, str] | None:
    """The environment to re-execute with, or None when this process should stay as it is."""
    if environ.get(REEXECUTED) or not sys.platform.startswith("linux"):
        return None
    choice = _choice(environ)
    if choice == "system":
        return None
    library = find_jemalloc() if choice == "jemalloc" else choice
    if not library:
        return None
    if choice != "jemalloc" and not Path(library).is_file():
        raise ValueError(f"{CHOICE}={choice!r}: expected 'jemalloc', 'system' or the path of a library")
    preload = environ.get("LD_PRELOAD", "")
    return {
        **environ,
        "LD_PRELOAD": f"{library}:{preload}" if preload else library,
        REEXECUTED: library,
    }


def reexec_with_allocator() -> None:
    """Replace this process (same pid, same command line) by one running on jemalloc, when it should."""
    environment = preload_environment(os.environ)
    if environment is None or current_allocator() == "jemalloc":  # e.g. the image's LD_PRELOAD
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, sys.orig_argv, environment)


def current_allocator() -> str:
    """Which malloc this process runs on: "jemalloc", another preloaded library's path, or "system"."""
    try:
        maps = Path("/proc/self/maps").read_text()
    except OSError:
        return "system"
    if "libjemalloc" in maps:
        return "jemalloc"
    preloaded = os.environ.get(REEXECUTED)
    if preloaded and preloaded in maps:
        return preloaded
    return "system"


def log_allocator() -> None:
    """One line saying which allocator the run uses (and how to get jemalloc when it is missing)."""
    allocator = current_allocator()
    if allocator == "system" and _choice(os.environ) == "jemalloc":
        log.info(
            "memory allocator: system (libjemalloc2 not installed; with it extraction runs ~10%% faster: "
            "apt-get install libjemalloc2)"
        )
    else:
        log.info("memory allocator: %s", allocator)
