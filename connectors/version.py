"""newsbeam's version, read from the installed distribution's metadata: pyproject.toml is its one source."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

# A checkout run without `pip install -e .` has no metadata; a local version label says so plainly
# instead of claiming a release.
UNINSTALLED_VERSION = "0+uninstalled"


def installed_version() -> str:
    """The version pip installed (``0.1.0``), or ``UNINSTALLED_VERSION`` when newsbeam is not installed."""
    try:
        return version("newsbeam")
    except PackageNotFoundError:
        return UNINSTALLED_VERSION


NEWSBEAM_VERSION = installed_version()
