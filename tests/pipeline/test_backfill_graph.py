"""The backfill graph wired to in-memory sinks: the sample pages archived in a WARC become the articles,
flags and dead letters of the live graph's stages, plus the readers' progress on the ops topic."""

from __future__ import annotations

import json
from pathlib import Path

import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.runners.portability.fn_api_runner import FnApiRunner
from apache_beam.testing.util import BeamAssertException, assert_that

from connectors.wire import KafkaRecord
from pipeline.backfill_graph import build_backfill_graph
from pipeline.config import ConfigError, PipelineConfig
from pipeline.options import config_from_options
from tests.archives import Capture, write_warc
from tests.conftest import SAMPLES
from tests.pipeline.test_graph import InMemoryTopics
from transforms.ids import article_id

SITE = "https://sample.example"


def sample_captures() -> tuple[list[Capture], dict[str, bool | None]]:
    """Every sample page as a capture, and what the sample says of each (flagged, or None: no text)."""
    expected = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))["articles"]
    captures, verdicts = [], {}
    for item in expected:
        path = SAMPLES / item["lang"] / f"{item['slug']}.html"
        if path.is_file():  # some sample stories have no page (their feed's text makes the article)
            url = f"{SITE}/{item['lang']}/{item['slug']}.html"
            captures.append(Capture(url, path.read_bytes(), date="2024-10-15T12:00:00Z"))
            verdicts[url] = item["regulation"]
    return captures, verdicts


def backfill_config(tmp_path: Path, *argv: str) -> PipelineConfig:
    captures, _ = sample_captures()
    # the same pages crawled twice: one article each, the later capture
    write_warc(tmp_path / "day1.warc.gz", captures)
    write_warc(
        tmp_path / "day2.warc.gz", [Capture(c.url, c.body, date="2024-10-16T06:00:00Z") for c in captures]
    )
    fixed = ["--warc", str(tmp_path / "*.warc.gz"), "--bootstrap-servers", "kafka.invalid:9092"]
    return config_from_options(PipelineOptions([*fixed, "--extraction-processes", "0", *argv]))


def test_the_sample_pages_archived_become_the_live_graphs_articles(tmp_path: Path) -> None:
    _, verdicts = sample_captures()
    config = backfill_config(tmp_path, "--topic-prefix", "filled", "--split-bytes", "20000")
    assert config.once and config.backfill is not None and len(config.backfill.files) == 2
    topics = InMemoryTopics()
    with beam.Pipeline(runner=FnApiRunner()) as pipeline:
        build_backfill_graph(pipeline, config, publish=topics)
        records = tuple(topics.sinks) | beam.Flatten()

        def check(all_records: list[KafkaRecord]) -> None:
            by_topic: dict[str, list[dict]] = {}
            for record in all_records:
                by_topic.setdefault(record.topic, []).append(json.loads(record.value))
            articles = {a["article_id"]: a for a in by_topic.get("filled.articles", [])}
            want = {article_id(url) for url, flagged in verdicts.items() if flagged is not None}
            problems = []
            if set(articles) != want or len(by_topic["filled.articles"]) != len(want):
                problems.append(f"articles {sorted(articles)} != {sorted(want)}")
            flagged = {a["article_id"] for a in by_topic.get("filled.regulation", [])}
            if flagged != {article_id(url) for url, verdict in verdicts.items() if verdict}:
                problems.append(f"flagged {flagged}")
            if any(
                a["text_source"] != "archive" or a["seen_at"] != "2024-10-16T06:00:00.000Z"
                for a in articles.values()
            ):
                problems.append("text_source or seen_at")
            dead = sorted((d["stage"], d["reason"], d["url"]) for d in by_topic.get("filled.deadletter", []))
            broken = f"{SITE}/en/broken-page.html"
            if dead != [("ExtractArticles", "no_text", broken)]:  # its later capture only
                problems.append(f"dead letters {dead}")
            progress = [o for o in by_topic.get("filled.ops", []) if o["event"] == "archive_progress"]
            if sum(p["pages"] for p in progress) != 2 * len(verdicts) or not all(
                p["job"] == config.job for p in progress
            ):
                problems.append(f"progress {progress}")
            if problems:
                raise BeamAssertException("; ".join(problems))

        assert_that(records, check)


def test_languages_keep_only_the_wanted_detected_languages(tmp_path: Path) -> None:
    config = backfill_config(
        tmp_path, "--topic-prefix", "es", "--languages", "es", "--domains", "sample.example"
    )
    topics = InMemoryTopics()
    with beam.Pipeline(runner=FnApiRunner()) as pipeline:
        build_backfill_graph(pipeline, config, publish=topics)
        languages = (
            tuple(topics.sinks)
            | beam.Flatten()
            | beam.Filter(lambda r: r.topic == "es.articles")
            | beam.Map(lambda r: json.loads(r.value)["language"])
        )

        def only_spanish(found: list[str]) -> None:
            if sorted(found) != ["es"] * 4:
                raise BeamAssertException(f"languages {found}")

        assert_that(languages, only_spanish)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--warc", "/nowhere/*.warc.gz"], "matches no file"),
        (["--warc", "{tmp}/x.warc.gz", "--since", "yesterday"], "not a date"),
        (
            ["--warc", "{tmp}/x.warc.gz", "--since", "2024-10-02", "--until", "2024-10-01"],
            "--since must be before",
        ),
    ],
)
def test_bad_backfill_options_say_what_is_wrong(tmp_path: Path, argv: list[str], message: str) -> None:
    write_warc(tmp_path / "x.warc.gz", [])
    with pytest.raises(ConfigError, match=message):
        config_from_options(PipelineOptions([a.replace("{tmp}", str(tmp_path)) for a in argv]))


def test_what_earlier_runs_published_is_neither_read_again_nor_published(tmp_path: Path) -> None:
    captures, _ = sample_captures()
    published_before = {article_id(captures[0].url): ("sample-en", "0123456789abcdef", 1)}
    config = backfill_config(tmp_path, "--topic-prefix", "again", "--domains", "sample.example")
    topics = InMemoryTopics()
    with beam.Pipeline(runner=FnApiRunner()) as pipeline:
        build_backfill_graph(pipeline, config, publish=topics, published=published_before)
        keys = (
            tuple(topics.sinks)
            | beam.Flatten()
            | beam.Filter(lambda r: r.topic in ("again.articles", "again.deadletter"))
            | beam.Map(lambda r: (r.key or b"").decode())
        )

        def without_the_published_one(found: list[str]) -> None:
            if article_id(captures[0].url) in found or len(found) != len(captures) - 1:
                raise BeamAssertException(f"keys {sorted(found)}")

        assert_that(keys, without_the_published_one)
