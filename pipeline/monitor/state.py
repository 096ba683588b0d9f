"""What the monitor knows, built only from the messages on our topics (and consumer lag).

``MonitorState.apply`` takes every message of ``<prefix>.ops`` (feed polls, heartbeats), ``.articles``,
``.regulation`` and ``.deadletter`` in any order of topics, and the views (``feeds``, ``health``,
``series``...) answer the operators' three questions: is every feed being polled, is anything
failing, are consumers keeping up. No I/O here: the service and ``newsbeam status`` feed it.

A feed's status:

- ``ok`` (green): its last poll succeeded (or the feed was not modified);
- ``degraded`` (amber): its last poll recovered entries from a malformed feed;
- ``failing`` (amber): its last poll failed, not for long yet;
- ``broken`` (red): failing for ``broken_after`` seconds or for ``broken_polls`` polls in a row;
- ``overdue`` (grey): a streaming pipeline should have polled it ``overdue_after`` seconds ago;
- ``unknown``: no poll seen (yet).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from connectors.kafka_topics import TopicNames
from connectors.ops_events import GroupLag, OpsMessage

BROKEN_POLLS = 5  # PollFeeds logs a feed as broken (ERROR) from its 5th failure in a row
SERIES_MINUTES = 180
MIN_SERIES_MINUTES = 30
LATENCY_BUCKETS = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0, 21600.0, 86400.0, 604800.0)
GOOD_OUTCOMES = ("ok", "not_modified")


def followed_topics(topics: TopicNames) -> list[str]:
    """The topics whose messages a ``MonitorState`` takes (``MonitorState.apply``)."""
    return [topics.ops, topics.articles, topics.regulation, topics.deadletter]


def parse_time(value: Any) -> float | None:
    """Epoch seconds of a UTC ISO 8601 string from our wire, None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.timestamp()


def _distinct_evidence(evidence: list[dict[str, Any]], *, limit: int) -> list[dict[str, Any]]:
    # the same sentence can come back for several signals (title and lead often repeat): show it once
    kept: list[dict[str, Any]] = []
    seen: set[str] = set()
    for item in evidence:
        sentence = str(item.get("sentence") or "")
        if sentence in seen:
            continue
        seen.add(sentence)
        kept.append({"sentence": sentence, "signals": list(item.get("signals") or [])})
        if len(kept) == limit:
            break
    return kept


@dataclass(frozen=True, slots=True)
class HealthRules:
    """When the monitor calls the pipeline unhealthy."""

    heartbeat_max_age: float = 120.0  # seconds without a heartbeat
    broken_after: float = 900.0  # seconds a feed may keep failing
    broken_polls: int = BROKEN_POLLS  # failed polls in a row that make a feed broken at once
    overdue_after: float = 300.0  # seconds past a streaming feed's next poll


@dataclass
class FeedHealth:
    """Everything known about one feed."""

    name: str
    url: str = ""
    last_poll: float | None = None
    last_success: float | None = None
    next_poll: float | None = None
    outcome: str = ""
    http_status: int | None = None
    entries: int = 0
    duration: float = 0.0
    consecutive_failures: int = 0
    failing_since: float | None = None
    last_error: str | None = None
    polls: Counter[str] = field(default_factory=Counter)
    articles: int = 0
    new_article_times: deque[float] = field(default_factory=deque)


@dataclass
class Histogram:
    """Cumulative Prometheus-style buckets of observations (seconds)."""

    buckets: tuple[float, ...] = LATENCY_BUCKETS
    counts: list[int] = field(default_factory=lambda: [0] * (len(LATENCY_BUCKETS) + 1))
    total: float = 0.0
    count: int = 0

    def observe(self, value: float) -> None:
        """Add one observation."""
        for index, bound in enumerate(self.buckets):
            if value <= bound:
                self.counts[index] += 1
                break
        else:
            self.counts[-1] += 1
        self.total += value
        self.count += 1

    def cumulative(self) -> list[tuple[str, int]]:
        """``(le, count)`` pairs, ``+Inf`` last, as the exposition format wants them."""
        running, pairs = 0, []
        for bound, count in zip((*map(str, self.buckets), "+Inf"), self.counts, strict=True):
            running += count
            pairs.append((bound, running))
        return pairs


class MonitorState:
    """Thread-safe state of the pipeline as seen from its topics."""

    def __init__(
        self, prefix: str, *, rules: HealthRules | None = None, clock: Callable[[], float] = time.time
    ):
        self.prefix = prefix
        self.rules = rules or HealthRules()
        self.clock = clock
        self._lock = threading.Lock()
        self._feeds: dict[str, FeedHealth] = {}
        self._heartbeat: dict[str, Any] | None = None
        self._heartbeat_seen: float | None = None
        self._jobs: set[str] = set()
        self._series: dict[int, Counter[str]] = {}
        self._flagged: deque[dict[str, Any]] = deque(maxlen=25)
        self._dead_reasons: Counter[tuple[str, str]] = Counter()
        self._dead_latest: deque[dict[str, Any]] = deque(maxlen=25)
        self._articles_by_feed: Counter[str] = Counter()
        self._flagged_by_feed: Counter[str] = Counter()
        self._last_article: float | None = None
        self._latency: dict[str, Histogram] = {"seen": Histogram(), "published": Histogram()}
        self._consumed: Counter[str] = Counter()
        self._undecodable: Counter[str] = Counter()
        self._lag: list[GroupLag] = []
        self._lag_error: str | None = None
        self._lag_checked: float | None = None
        self._backfills: dict[str, dict[str, Any]] = {}  # job → what its archive readers reported

    # -- input ---------------------------------------------------------------------------------------

    def apply(self, message: OpsMessage) -> None:
        """Take one message of any of our topics into account."""
        kind = message.topic[len(self.prefix) + 1 :] if message.topic.startswith(self.prefix + ".") else ""
        with self._lock:
            self._consumed[kind or message.topic] += 1
            value = message.value
            if value is None:
                self._undecodable[kind or message.topic] += 1
                return
            if kind == "ops" and value.get("event") == "feed_poll":
                self._apply_poll(value, message.timestamp)
            elif kind == "ops" and value.get("event") == "heartbeat":
                self._apply_heartbeat(value, message.timestamp)
            elif kind == "ops" and value.get("event") == "archive_progress":
                self._apply_archive_progress(value, message.timestamp)
            elif kind == "articles":
                self._apply_article(value, message.timestamp)
            elif kind == "regulation":
                self._apply_flagged(value, message.timestamp)
            elif kind == "deadletter":
                self._apply_dead_letter(value, message.timestamp)

    def apply_all(self, messages: Iterable[OpsMessage]) -> int:
        """Apply many messages; returns how many."""
        count = 0
        for message in messages:
            self.apply(message)
            count += 1
        return count

    def set_lag(self, lags: list[GroupLag], *, error: str | None = None) -> None:
        """The latest consumer-lag reading (or why there is none)."""
        with self._lock:
            if error is None:
                self._lag = list(lags)
            self._lag_error = error
            self._lag_checked = self.clock()

    def _bucket(self, at: float) -> Counter[str]:
        minute = int(at // 60) * 60
        bucket = self._series.get(minute)
        if bucket is None:
            bucket = self._series[minute] = Counter()
            oldest = minute - SERIES_MINUTES * 60
            for stale in [m for m in self._series if m < oldest]:
                del self._series[stale]
        return bucket

    def _feed(self, name: str) -> FeedHealth:
        feed = self._feeds.get(name)
        if feed is None:
            feed = self._feeds[name] = FeedHealth(name=name)
        return feed

    def _apply_poll(self, value: dict[str, Any], received: float) -> None:
        name = str(value.get("feed") or "?")
        at = parse_time(value.get("at")) or received
        feed = self._feed(name)
        if feed.last_poll is not None and at < feed.last_poll:
            feed.polls[str(value.get("outcome"))] += 1  # a late, older poll: count it, keep the newer state
            return
        outcome = str(value.get("outcome") or "")
        reported = int(value.get("consecutive_failures") or 0)
        feed.url = str(value.get("url") or feed.url)
        feed.last_poll = at
        feed.next_poll = parse_time(value.get("next_poll"))
        feed.outcome = outcome
        feed.http_status = value.get("status")
        feed.entries = int(value.get("entries") or 0)
        feed.duration = float(value.get("duration") or 0.0)
        feed.polls[outcome] += 1
        self._bucket(at)["polls"] += 1
        if reported > 0:
            # the pipeline's count restarts with each --once run; our own streak spans runs
            feed.consecutive_failures = max(reported, feed.consecutive_failures + 1)
            if feed.failing_since is None:
                feed.failing_since = at
            feed.last_error = value.get("error") or outcome
            self._bucket(at)["poll_failures"] += 1
        else:
            feed.consecutive_failures = 0
            feed.failing_since = None
            feed.last_success = at
            if outcome not in GOOD_OUTCOMES:
                feed.last_error = value.get("error") or outcome

    def _apply_heartbeat(self, value: dict[str, Any], received: float) -> None:
        at = parse_time(value.get("at")) or received
        if self._heartbeat_seen is not None and at < self._heartbeat_seen:
            return
        self._heartbeat = dict(value)
        self._heartbeat_seen = at
        self._jobs.add(str(value.get("job")))

    def _apply_archive_progress(self, value: dict[str, Any], received: float) -> None:
        at = parse_time(value.get("at")) or received
        job = str(value.get("job") or "?")
        backfill = self._backfills.get(job)
        if backfill is None:
            backfill = self._backfills[job] = {
                "job": job, "first_report": at, "last_report": at, "files": set(), "parts_done": 0,
                "bytes_read": 0, "records": 0, "pages": 0, "skipped": 0, "dead": 0,
            }  # fmt: skip
        backfill["first_report"] = min(backfill["first_report"], at)
        backfill["last_report"] = max(backfill["last_report"], at)
        backfill["files"].add(str(value.get("file")))
        backfill["parts_done"] += 1 if value.get("part_done") else 0
        for name in ("bytes_read", "records", "pages", "skipped", "dead"):
            backfill[name] += int(value.get(name) or 0)

    def backfills(self) -> list[dict[str, Any]]:
        """What each backfill's readers reported (``archive_progress`` on the ops topic), latest first:
        files seen, parts read to their end, bytes, records and records/s between its first and last report."""
        with self._lock:
            rows = []
            for backfill in self._backfills.values():
                span = backfill["last_report"] - backfill["first_report"]
                rows.append(
                    {
                        **{k: v for k, v in backfill.items() if k != "files"},
                        "files": len(backfill["files"]),
                        "records_per_second": backfill["records"] / span if span > 0 else None,
                    }
                )
        return sorted(rows, key=lambda row: row["last_report"], reverse=True)

    def _apply_article(self, value: dict[str, Any], received: float) -> None:
        name = str(value.get("feed") or "?")
        feed = self._feed(name)
        feed.articles += 1
        self._articles_by_feed[name] += 1
        if int(value.get("version") or 1) == 1:
            feed.new_article_times.append(received)
        self._last_article = max(self._last_article or 0.0, received)
        self._bucket(received)["articles"] += 1
        seen = parse_time(value.get("seen_at"))
        if seen is not None:
            self._latency["seen"].observe(max(0.0, received - seen))
        published = parse_time(value.get("published"))
        if published is not None:
            self._latency["published"].observe(max(0.0, received - published))

    def _apply_flagged(self, value: dict[str, Any], received: float) -> None:
        self._bucket(received)["flagged"] += 1
        self._flagged_by_feed[str(value.get("feed") or "?")] += 1
        regulation = value.get("regulation") or {}
        self._flagged.appendleft(
            {
                "at": received,
                "title": value.get("title") or value.get("url"),
                "url": value.get("url"),
                "feed": value.get("feed"),
                "language": value.get("language"),
                "score": regulation.get("score"),
                "categories": regulation.get("categories") or [],
                "jurisdictions": regulation.get("jurisdictions") or [],
                "evidence": _distinct_evidence(regulation.get("evidence") or [], limit=3),
            }
        )

    def _apply_dead_letter(self, value: dict[str, Any], received: float) -> None:
        stage, reason = str(value.get("stage") or "?"), str(value.get("reason") or "?")
        self._dead_reasons[(stage, reason)] += 1
        self._bucket(received)["dead_letters"] += 1
        self._dead_latest.appendleft(
            {
                "at": received,
                "stage": stage,
                "reason": reason,
                "feed": value.get("feed"),
                "url": value.get("url"),
                "message": str(value.get("message") or "")[:300],
            }
        )

    # -- views ---------------------------------------------------------------------------------------

    def _streaming(self) -> bool:
        hb = self._heartbeat
        return hb is not None and hb.get("mode") == "streaming" and not hb.get("final")

    def _status(self, feed: FeedHealth, now: float) -> str:
        if feed.last_poll is None:
            return "unknown"
        if feed.consecutive_failures > 0:
            failing_for = now - (feed.failing_since or now)
            if feed.consecutive_failures >= self.rules.broken_polls or failing_for >= self.rules.broken_after:
                return "broken"
            return "failing"
        if (
            self._streaming()
            and feed.next_poll is not None
            and now > feed.next_poll + self.rules.overdue_after
        ):
            return "overdue"
        if feed.outcome not in GOOD_OUTCOMES:
            return "degraded"
        return "ok"

    def feeds(self) -> list[dict[str, Any]]:
        """One row per feed, worst first, then by name."""
        now = self.clock()
        order = {"broken": 0, "failing": 1, "overdue": 2, "degraded": 3, "unknown": 4, "ok": 5}
        rows: list[dict[str, Any]] = []
        with self._lock:
            for feed in self._feeds.values():
                while feed.new_article_times and feed.new_article_times[0] < now - 3600:
                    feed.new_article_times.popleft()
                if feed.last_poll is None and feed.articles == 0:
                    continue
                status = self._status(feed, now)
                rows.append(
                    {
                        "feed": feed.name,
                        "url": feed.url,
                        "status": status,
                        "outcome": feed.outcome,
                        "http_status": feed.http_status,
                        "last_poll": feed.last_poll,
                        "last_success": feed.last_success,
                        "next_poll": feed.next_poll,
                        "entries": feed.entries,
                        "duration": feed.duration,
                        "new_articles_last_hour": len(feed.new_article_times),
                        "articles": feed.articles,
                        "flagged": self._flagged_by_feed.get(feed.name, 0),
                        "consecutive_failures": feed.consecutive_failures,
                        "failing_since": feed.failing_since,
                        "last_error": feed.last_error,
                        "polls": dict(feed.polls),
                    }
                )
        rows.sort(key=lambda row: (order[row["status"]], row["feed"]))
        return rows

    def heartbeat(self) -> dict[str, Any] | None:
        """The latest heartbeat with its age in seconds, or None."""
        with self._lock:
            if self._heartbeat is None or self._heartbeat_seen is None:
                return None
            return {
                **self._heartbeat,
                "age": max(0.0, self.clock() - self._heartbeat_seen),
                "jobs": len(self._jobs),
            }

    def health(self) -> dict[str, Any]:
        """``{"healthy": bool, "checks": [...], "problems": [...]}``: why the pipeline is (un)healthy."""
        rules = self.rules
        checks: list[dict[str, Any]] = []
        beat = self.heartbeat()
        if beat is None:
            checks.append(
                {
                    "check": "heartbeat",
                    "ok": False,
                    "detail": f"no pipeline heartbeat seen on {self.prefix}.ops",
                }
            )
        else:
            fresh = beat["age"] <= rules.heartbeat_max_age
            finished = " (final: the run finished)" if beat.get("final") else ""
            checks.append(
                {
                    "check": "heartbeat",
                    "ok": fresh,
                    "detail": f"last heartbeat of {beat.get('job')} ({beat.get('mode')}) {beat['age']:.0f} s ago"
                    f"{finished}, max {rules.heartbeat_max_age:.0f} s",
                }
            )
        feeds = self.feeds()
        if not feeds:
            checks.append({"check": "feeds", "ok": True, "detail": "no feed polls seen yet"})
        for row in feeds:
            if row["status"] != "broken":
                continue
            since = row["failing_since"]
            failing_for = f"{self.clock() - since:.0f} s" if since is not None else "?"
            checks.append(
                {
                    "check": f"feed:{row['feed']}",
                    "ok": False,
                    "detail": f"feed {row['feed']} broken: {row['consecutive_failures']} failed poll(s) in a row "
                    f"for {failing_for} (limits {rules.broken_polls} polls / {rules.broken_after:.0f} s); "
                    f"last error: {row['last_error']}",
                }
            )
        if feeds and all(row["status"] != "broken" for row in feeds):
            failing = [row["feed"] for row in feeds if row["status"] == "failing"]
            detail = f"{len(feeds)} feed(s), none broken"
            if failing:
                detail += f"; failing but not broken yet: {', '.join(failing)}"
            checks.append({"check": "feeds", "ok": True, "detail": detail})
        problems = [check["detail"] for check in checks if not check["ok"]]
        return {"healthy": not problems, "checks": checks, "problems": problems}

    def series(self) -> dict[str, Any]:
        """Per-minute counts of the last ``SERIES_MINUTES`` minutes, oldest first, gaps filled with 0."""
        now = self.clock()
        with self._lock:
            last = int(now // 60) * 60
            first = min([*self._series, last]) if self._series else last
            # at least the last half hour, so a young history still reads as a timeline
            first = max(min(first, last - (MIN_SERIES_MINUTES - 1) * 60), last - (SERIES_MINUTES - 1) * 60)
            minutes = list(range(first, last + 60, 60))
            names = ("articles", "flagged", "dead_letters", "polls", "poll_failures")
            return {
                "minutes": minutes,
                **{name: [self._series.get(m, Counter()).get(name, 0) for m in minutes] for name in names},
            }

    def flagged(self) -> list[dict[str, Any]]:
        """The latest flagged stories with their evidence, newest first."""
        with self._lock:
            return list(self._flagged)

    def dead_letters(self) -> dict[str, Any]:
        """Dead-letter counts by stage and reason, and the latest ones."""
        with self._lock:
            reasons = [
                {"stage": stage, "reason": reason, "count": count}
                for (stage, reason), count in self._dead_reasons.most_common()
            ]
            return {"reasons": reasons, "latest": list(self._dead_latest)}

    def lag(self) -> dict[str, Any]:
        """The latest consumer-lag reading."""
        with self._lock:
            return {
                "checked": self._lag_checked,
                "error": self._lag_error,
                "groups": [
                    {"group": g.group, "topic": g.topic, "lag": g.lag, "committed": g.committed, "end": g.end}
                    for g in self._lag
                ],
            }

    def totals(self) -> dict[str, Any]:
        """Counters for the metrics endpoint."""
        with self._lock:
            return {
                "articles_by_feed": dict(self._articles_by_feed),
                "flagged_by_feed": dict(self._flagged_by_feed),
                "dead_letters": dict(self._dead_reasons),
                "last_article": self._last_article,
                "consumed": dict(self._consumed),
                "undecodable": dict(self._undecodable),
                "latency": {
                    since: (hist.cumulative(), hist.total, hist.count)
                    for since, hist in self._latency.items()
                },
            }
