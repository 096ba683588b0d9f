"""``newsbeam run``'s options become one frozen, validated ``PipelineConfig``; nothing else reads them."""

from __future__ import annotations

import dataclasses
import re

import pytest
from apache_beam.options.pipeline_options import PipelineOptions

from pipeline.config import ConfigError, PipelineConfig
from pipeline.options import RUN_FLAGS, config_from_options
from tests.conftest import SAMPLES

FEEDS = ["--feeds", str(SAMPLES / "feeds.yaml"), "--base-url", "http://127.0.0.1:9"]


def _config(*argv: str) -> PipelineConfig:
    return config_from_options(PipelineOptions([*FEEDS, *argv]))


def test_every_dashed_flag_answers_to_its_underscored_spelling_too() -> None:
    spellings = {spelling for flags in RUN_FLAGS.values() for each in flags for spelling in each.spellings}
    assert {"--topic-prefix", "--topic_prefix", "--heartbeat-interval", "--heartbeat_interval"} <= spellings
    # Beam's Kafka Streams runner options own --bootstrap_servers
    assert "--bootstrap-servers" in spellings and "--bootstrap_servers" not in spellings
    assert _config("--topic_prefix", "x").topics == _config("--topic-prefix", "x").topics


def test_the_config_carries_what_the_graph_needs() -> None:
    config = _config("--topic-prefix", "wire", "--heartbeat-interval", "2", "--max-in-flight", "8")
    assert re.fullmatch(r"wire-[0-9a-f]{8}", config.job)
    assert config.heartbeat_interval == 2.0 and config.max_in_flight == 8
    assert config.tick == 5.0  # min(5, the shortest poll interval of the sample feeds)
    assert config.topics.articles == "wire.articles"
    assert config.http.allow_private_networks  # the sample feeds file allows its loopback server
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.once = True  # type: ignore[misc]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--tick", "0"], "--tick must be positive"),
        (["--heartbeat-interval", "0"], "--heartbeat-interval must be positive"),
        (["--restart-read-timeout", "0"], "--restart-read-timeout must be a positive number of seconds"),
        (["--extraction-processes", "-1"], "--extraction-processes must be 0"),
        ([], None),
    ],
)
def test_a_bad_value_is_a_config_error_naming_its_flag(argv: list[str], message: str | None) -> None:
    if message is None:
        assert _config(*argv).tick > 0
        return
    with pytest.raises(ConfigError, match=re.escape(message)):
        _config(*argv)


def test_the_feeds_file_is_required() -> None:
    with pytest.raises(ConfigError, match="--feeds FILE is required"):
        config_from_options(PipelineOptions([]))
