"""Print pyproject.toml's requirements (dependencies plus the extras named) without apache-beam.

    python3 deploy/flink/project_requirements.py [EXTRA ...] > requirements-project.txt

The Flink virtualenv installs these together with deploy/flink/requirements.txt in one pip resolve, then
the project itself with --no-deps: pip has no way to override pyproject.toml's apache-beam==2.77.0 pin, and
would refuse a second, different pin of the same package.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
OVERRIDDEN = "apache-beam"


def project_requirements(extras: list[str]) -> list[str]:
    """The requirement strings of the project and ``extras``, except the overridden Beam pin."""
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += project["optional-dependencies"][extra]
    name = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
    kept = []
    for requirement in requirements:
        match = name.match(requirement)
        if match and re.sub(r"[-_.]+", "-", match.group(1)).lower() == OVERRIDDEN:
            continue
        kept.append(requirement)
    return kept


if __name__ == "__main__":
    print("\n".join(project_requirements(sys.argv[1:])))
