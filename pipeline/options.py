"""``newsbeam run``'s options, as a Beam ``PipelineOptions`` subclass so they travel with the job."""

from __future__ import annotations

import argparse

from apache_beam.options.pipeline_options import PipelineOptions


class NewsbeamOptions(PipelineOptions):
    """newsbeam's own options; every other flag is a Beam option (``--runner``, ``--flink_master``...)."""

    @classmethod
    def _add_argparse_args(cls, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--feeds", dest="feeds", required=False, help="feeds file (YAML)")
        # not --bootstrap_servers: Beam's (unreleased) Kafka Streams runner options own that spelling
        parser.add_argument(
            "--bootstrap-servers",
            "--kafka-bootstrap-servers",
            dest="kafka_bootstrap_servers",
            default="127.0.0.1:9092",
            help="Kafka bootstrap servers, comma separated",
        )
        parser.add_argument("--topic-prefix", "--topic_prefix", dest="topic_prefix", default="news")
        parser.add_argument(
            "--once",
            dest="once",
            action="store_true",
            default=False,
            help="poll every feed once, process everything, flush and exit (bounded mode)",
        )
        parser.add_argument(
            "--duration",
            dest="duration",
            type=float,
            default=None,
            help="streaming mode: stop after this many seconds",
        )
        parser.add_argument(
            "--tick",
            dest="tick",
            type=float,
            default=None,
            help="streaming mode: seconds between scheduler wake-ups (default: min(5, shortest poll interval))",
        )
        parser.add_argument(
            "--base-url",
            "--base_url",
            dest="base_url",
            default=None,
            help="resolve relative feed URLs in the feeds file against this URL",
        )
        parser.add_argument(
            "--allow-private-networks",
            "--allow_private_networks",
            dest="allow_private_networks",
            action="store_true",
            default=False,
            help="allow fetching from loopback and private addresses (local servers, tests)",
        )
        parser.add_argument("--partitions", dest="partitions", type=int, default=3)
        parser.add_argument(
            "--replication-factor", "--replication_factor", dest="replication_factor", type=int, default=1
        )
        parser.add_argument("--retention-ms", "--retention_ms", dest="retention_ms", type=int, default=None)
        parser.add_argument(
            "--max-in-flight",
            "--max_in_flight",
            dest="max_in_flight",
            type=int,
            # 16 capped a 200 ms farm at 80 pages/s while extraction could take more (make bench); the
            # per-site cap of 4 concurrent requests is what keeps this polite, not this number
            default=32,
            help="page fetches in flight per worker (default 32; at most 4 per site at once)",
        )
        parser.add_argument(
            "--extraction-processes",
            "--extraction_processes",
            dest="extraction_processes",
            type=int,
            default=None,
            help="processes that extract pages for each Beam worker; 0 extracts on a thread of the worker "
            "itself (one core at most: extraction holds the GIL). Default: one per core for --once on the "
            "local FnApiRunner in one process (measured fastest: tests/bench/bench_pipeline.py), else 0 "
            "(Beam multi_processing workers, Prism, Flink and cluster runners spread work over their own "
            "workers already)",
        )
        parser.add_argument(
            "--fetch-budget",
            "--fetch_budget",
            dest="fetch_budget",
            type=float,
            default=30.0,
            help="wall-clock seconds for one feed or page fetch, redirects and slow drips included",
        )
        parser.add_argument(
            "--http-user-agent",
            "--http_user_agent",
            dest="http_user_agent",
            default=None,
            help="User-Agent of feed and page requests (Beam owns --user_agent)",
        )
        parser.add_argument(
            "--security-protocol",
            "--security_protocol",
            dest="security_protocol",
            default="PLAINTEXT",
            choices=["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"],
        )
        parser.add_argument("--sasl-mechanism", "--sasl_mechanism", dest="sasl_mechanism", default=None)
        parser.add_argument("--sasl-username", "--sasl_username", dest="sasl_username", default=None)
        parser.add_argument(
            "--sasl-password-file",
            "--sasl_password_file",
            dest="sasl_password_file",
            default=None,
            help="a file holding the SASL password, at this path on the launcher and on every worker "
            "(else NEWSBEAM_KAFKA_SASL_PASSWORD_FILE or NEWSBEAM_KAFKA_SASL_PASSWORD); never the password itself",
        )
        parser.add_argument(
            "--ssl-password-file",
            "--ssl_password_file",
            dest="ssl_password_file",
            default=None,
            help="a file holding the password of --ssl-keyfile (else NEWSBEAM_KAFKA_SSL_PASSWORD[_FILE])",
        )
        parser.add_argument("--ssl-cafile", "--ssl_cafile", dest="ssl_cafile", default=None)
        parser.add_argument("--ssl-certfile", "--ssl_certfile", dest="ssl_certfile", default=None)
        parser.add_argument("--ssl-keyfile", "--ssl_keyfile", dest="ssl_keyfile", default=None)
        parser.add_argument(
            "--kafka-compression",
            "--kafka_compression",
            dest="kafka_compression",
            default=None,
            choices=["none", "gzip", "lz4", "zstd"],
            help="compression of produced batches (default: zstd, chosen by tests/bench/bench_kafka.py)",
        )
        parser.add_argument(
            "--kafka-acks",
            "--kafka_acks",
            dest="kafka_acks",
            default=None,
            choices=["1", "all"],
            help="all (default, with idempotence) or 1 (leader only: faster, can lose acknowledged data)",
        )
        parser.add_argument(
            "--kafka-linger-ms",
            "--kafka_linger_ms",
            dest="kafka_linger_ms",
            type=int,
            default=None,
            help="how long the producer waits to fill a batch (default 250: a request per ~10 articles "
            "instead of one each; costs at most that much latency)",
        )
        parser.add_argument(
            "--kafka-outage-timeout",
            "--kafka_outage_timeout",
            dest="kafka_outage_timeout",
            type=float,
            default=None,
            help="seconds publishing waits for a broker that stopped acknowledging before the run stops "
            "(default 600)",
        )
        parser.add_argument(
            "--restart-read-timeout",
            "--restart_read_timeout",
            dest="restart_read_timeout",
            type=float,
            default=60.0,
            help="seconds the launcher may spend reading <prefix>.articles back at start, so that what "
            "earlier runs published is not published again (default 60)",
        )
        parser.add_argument(
            "--kafka-max-unacknowledged",
            "--kafka_max_unacknowledged",
            dest="kafka_max_unacknowledged",
            type=int,
            default=None,
            help="messages per worker waiting for the broker before publishing pauses (default 2000)",
        )
