"""Where the shared corpus is: real material the team did not write, read in place and never copied here.

Every test, evaluation and benchmark finds it the same way: ``$NEWSBEAM_CORPUS`` when set (a relative value
is taken from the repository root, so every command agrees wherever it starts), else ``../shared/corpus``
beside the repository. A test that needs it and finds it absent skips with ``absent_reason``, which names
the folder it looked in and how to point it elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

ENVIRONMENT = "NEWSBEAM_CORPUS"
REPO = Path(__file__).resolve().parents[1]
DEFAULT = Path("..") / "shared" / "corpus"
# the Zyte article-extraction benchmark's pages (items/<id>.html) and gold bodies (ground-truth.json)
ZYTE_BENCHMARK = Path("pages") / "zyte-article-extraction-benchmark"


def corpus_root() -> Path:
    """The shared corpus folder (it may not exist)."""
    return (REPO / (os.environ.get(ENVIRONMENT) or DEFAULT)).resolve()


def corpus_path(*parts: str | Path) -> Path:
    """A path inside the shared corpus (it may not exist)."""
    return corpus_root().joinpath(*parts)


def corpus_available() -> bool:
    """Whether the shared corpus is here: its MANIFEST.md says what each folder holds."""
    return (corpus_root() / "MANIFEST.md").is_file()


def absent_reason(what: Path | None = None) -> str:
    """Why a test that needs ``what`` (default: the corpus itself) skips."""
    return (
        f"the shared corpus is absent: {what or corpus_root()} does not exist "
        f"(set {ENVIRONMENT}; default {DEFAULT.as_posix()} beside the repository)"
    )
