"""The feeds file: YAML → the validated feeds and the HTTP identity a run polls them with.

``load_feeds`` reads the whole file before it reports anything, so ``ConfigError`` lists every problem,
each with its line; a file with problems starts nothing.
"""

from __future__ import annotations

import functools
import ipaddress
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import yaml

from connectors.errors import FetchError
from connectors.http import parse_destination
from pipeline.config import ConfigError
from transforms.records import Feed

DEFAULT_POLL_INTERVAL = 300.0
MIN_POLL_INTERVAL = 1.0


@dataclass(frozen=True, slots=True)
class FeedsFile:
    """What a feeds file holds."""

    feeds: tuple[Feed, ...]
    allow_private_networks: bool = False
    user_agent: str | None = None
    contact: str | None = None  # URL (or mailto:) for the User-Agent, so site owners can reach us
    allowed_networks: tuple[str, ...] = ()  # private networks (CIDR) allowed one by one


FEED_KEYS = frozenset({"name", "url", "language", "poll_interval", "tags", "respect_robots"})
TOP_LEVEL_KEYS = frozenset({"feeds", "allow_private_networks", "user_agent", "contact"})


def feed_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be polled as a feed (it does not parse, is not http(s), has no host or a port
    out of range), or None. The same check as every fetch's, so a file that loads never fails there."""
    try:
        parse_destination(url)
    except FetchError as error:
        return str(error)
    return None


def poll_interval_problem(interval: object) -> str | None:
    """Why ``interval`` is not a poll interval (a finite number of seconds, at least MIN_POLL_INTERVAL)."""
    if (
        isinstance(interval, bool)
        or not isinstance(interval, int | float)
        or not math.isfinite(interval)
        or interval < MIN_POLL_INTERVAL
    ):
        return f"poll_interval must be a number of seconds >= {MIN_POLL_INTERVAL:g}, not {interval!r}"
    return None


class _Mapping(dict[Any, Any]):
    """A YAML mapping that remembers the line it starts on and the line of each key."""

    line: int = 0

    def __init__(self) -> None:
        super().__init__()
        self.key_lines: dict[Any, int] = {}
        self.shadowed: dict[Any, list[Any]] = {}  # earlier values of a key given more than once


class _LineLoader(yaml.SafeLoader):
    """PyYAML's safe loader, keeping each mapping's line numbers and reporting a key given twice in one
    mapping (PyYAML lets the last one win silently: a second ``feeds:`` would replace the first)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.repeated: list[tuple[int, str]] = []  # (line, problem)

    def construct_line_mapping(self, node: yaml.MappingNode) -> Iterator[_Mapping]:
        mapping = _Mapping()
        mapping.line = node.start_mark.line + 1
        yield mapping
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=False)
            line = key_node.start_mark.line + 1
            try:
                first = mapping.key_lines.get(key)
            except TypeError:  # an unhashable key (a list): PyYAML's own error, with its line
                raise yaml.constructor.ConstructorError(
                    None, None, "found an unhashable key", key_node.start_mark
                ) from None
            if first is not None:
                self.repeated.append(
                    (line, f"key {key!r} is given twice (first on line {first}); give it once")
                )
                mapping.shadowed.setdefault(key, []).append(mapping[key])
            mapping.key_lines[key] = line
            mapping[key] = self.construct_object(value_node, deep=False)


_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _LineLoader.construct_line_mapping
)


def _line_of(value: Any, key: Any = None, default: int = 0) -> int:
    if isinstance(value, _Mapping):
        return value.key_lines.get(key, value.line) if key is not None else value.line
    return default


def _feed(
    item: Any, index: int, line: int, base_url: str | None
) -> tuple[Feed | None, list[tuple[int, str]]]:
    """The feed of ``feeds[index]`` (None when it has problems), and every problem, each with its line."""
    where = f"feeds[{index}]"
    if not isinstance(item, dict):
        return None, [(line, f"{where} must be a mapping with name and url, not {type(item).__name__}")]
    at = functools.partial(_line_of, item, default=line)
    problems: list[tuple[int, str]] = []
    name, url = item.get("name"), item.get("url")
    if isinstance(name, str) and name.strip():
        where = f"{where} ({name.strip()})"
    else:
        problems.append((at("name"), f"{where}: name must be a non-empty string"))
    for key in sorted(set(item) - FEED_KEYS, key=str):
        problems.append((at(key), f"{where}: unknown key {key!r} (known: {', '.join(sorted(FEED_KEYS))})"))
    if not isinstance(url, str) or not url.strip():
        problems.append((at("url"), f"{where}: url must be a non-empty string"))
    else:
        url = url.strip()
        try:
            if base_url and not urlsplit(url).scheme:
                url = urljoin(base_url.rstrip("/") + "/", url.lstrip("/"))
        except ValueError:
            pass  # the check below says what is wrong with it
        if (problem := feed_url_problem(url)) is not None:
            problems.append((at("url"), f"{where}: url: {problem}"))
    interval = item.get("poll_interval", DEFAULT_POLL_INTERVAL)
    if (problem := poll_interval_problem(interval)) is not None:
        problems.append((at("poll_interval"), f"{where}: {problem}"))
    language = item.get("language")
    if language is not None and not isinstance(language, str):
        problems.append((at("language"), f"{where}: language must be a string such as 'pt' or 'pt-BR'"))
    tags = item.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        problems.append((at("tags"), f"{where}: tags must be a list of strings"))
    respect_robots = item.get("respect_robots", True)
    if not isinstance(respect_robots, bool):
        problems.append((at("respect_robots"), f"{where}: respect_robots must be true or false"))
    if problems:
        return None, problems
    return (
        Feed(
            name=str(name).strip(),
            url=str(url),
            language=language,
            poll_interval=float(interval),
            tags=tuple(tags),
            respect_robots=respect_robots,
        ),
        [],
    )


def _read_yaml(path: Path | str) -> tuple[Any, list[tuple[int, str]]]:
    """The document of a feeds file and the keys it repeats; ``ConfigError`` when it cannot be read."""
    source = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise ConfigError(f"cannot read feeds file {source}: {error.strerror or error}") from error
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ConfigError(
            f"{source}:{line}: the feeds file is not UTF-8 text (byte 0x{data[error.start]:02x} cannot be "
            "decoded); save it as UTF-8"
        ) from error
    loader = _LineLoader(text)
    try:
        document = loader.get_single_data()
    except yaml.YAMLError as error:
        raise ConfigError(f"{source} is not valid YAML: {error}") from error
    finally:
        loader.dispose()
    return document, loader.repeated


def load_feeds(path: Path | str, *, base_url: str | None = None) -> FeedsFile:
    """Read and validate a feeds file; relative feed URLs resolve against ``base_url`` (the demo's).

    Every problem is found before any is reported: ``ConfigError`` lists them all, each with its line.
    """
    source = str(path)
    document, problems = _read_yaml(path)
    if not isinstance(document, dict) or not isinstance(document.get("feeds"), list):
        raise ConfigError(f"{source} must have a top-level 'feeds:' list")
    at = functools.partial(_line_of, document, default=1)
    for key in sorted(set(document) - TOP_LEVEL_KEYS, key=str):
        problems.append(
            (at(key), f"unknown top-level key {key!r} (known: {', '.join(sorted(TOP_LEVEL_KEYS))})")
        )
    items = document["feeds"]
    if not items:
        problems.append((at("feeds"), "the feeds list is empty"))
    # a second ``feeds:`` hides the first (a problem of its own): its feeds are checked too, so that
    # every problem is listed; a file with problems is refused, so the hidden ones never run
    hidden = document.shadowed.get("feeds", []) if isinstance(document, _Mapping) else []
    every = [*(item for earlier in hidden if isinstance(earlier, list) for item in earlier), *items]
    feeds: list[Feed] = []
    first_line: dict[str, int] = {}
    for index, item in enumerate(every):
        line = _line_of(item, default=at("feeds"))
        feed, feed_problems = _feed(item, index, line, base_url)
        problems.extend(feed_problems)
        name = item.get("name") if isinstance(item, dict) else None
        if isinstance(name, str) and name.strip():
            if name.strip() in first_line:
                problems.append(
                    (
                        line,
                        f"feeds[{index}]: feed names must be unique; {name.strip()!r} is repeated "
                        f"(first on line {first_line[name.strip()]})",
                    )
                )
            first_line.setdefault(name.strip(), line)
        if feed is not None:
            feeds.append(feed)
    allow = document.get("allow_private_networks", False)
    networks: tuple[str, ...] = ()
    if isinstance(allow, list):  # only these private networks, e.g. ["127.0.0.0/8"]; the rest stay blocked
        try:
            networks = tuple(str(ipaddress.ip_network(str(n), strict=False)) for n in allow)
        except ValueError as error:
            problems.append((at("allow_private_networks"), f"allow_private_networks: {error}"))
        allow = False
    if not isinstance(allow, bool):
        problems.append(
            (
                at("allow_private_networks"),
                "allow_private_networks must be true, false or a list of CIDR networks",
            )
        )
    user_agent = document.get("user_agent")
    if user_agent is not None and not isinstance(user_agent, str):
        problems.append((at("user_agent"), "user_agent must be a string"))
    contact = document.get("contact")
    if contact is not None and (not isinstance(contact, str) or not contact.startswith(("http", "mailto:"))):
        problems.append((at("contact"), "contact must be an http(s) or mailto: URL"))
    if problems:
        listed = "\n".join(f"  {source}:{line}: {problem}" for line, problem in sorted(problems))
        raise ConfigError(f"{source} has {len(problems)} problem(s); nothing was started:\n{listed}")
    return FeedsFile(
        feeds=tuple(feeds),
        allow_private_networks=bool(allow),
        user_agent=user_agent,
        contact=contact,
        allowed_networks=networks,
    )
