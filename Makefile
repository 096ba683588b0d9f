# newsbeam: every target sets up what it needs, so `make run` and `make test` work on a fresh clone.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
NEWSBEAM_CACHE ?= $(HOME)/.cache/newsbeam
LEXICON := transforms/regulation/lexicon/compiled.json
AUTOMATA := transforms/regulation/lexicon/automata.pickle
export NEWSBEAM_CACHE
KAFKA_PORT ?= 9092
export KAFKA_PORT
BOOTSTRAP ?= 127.0.0.1:$(KAFKA_PORT)
BEAM_VERSION := 2.77.0
# The Flink path runs in a second virtualenv on the newest Beam whose Flink job server Maven serves here
# (deploy/flink/requirements.txt says why); everything else stays on BEAM_VERSION.
FLINK_VENV := .venv-flink
FLINK_BIN := $(FLINK_VENV)/bin
FLINK_BEAM_VERSION := $(shell sed -nE 's/^apache-beam==([0-9.]+).*/\1/p' deploy/flink/requirements.txt)
PRISM := $(NEWSBEAM_CACHE)/bin/prism
export NEWSBEAM_PRISM := $(PRISM)

.PHONY: help install jemalloc prism kafka-fetch kafka-up kafka-down run run-live test lint typecheck unit eval train-flagger bench clean browser promtool flink flink-venv test-flink flink-cluster-fetch test-cluster test-cluster-kafka test-cluster-flink

help:
	@echo "make run        set up, start local Kafka, run the pipeline on the bundled sample feeds, show flagged stories"
	@echo "make test       set up, start a test Kafka, run lint, type checks and the whole test suite (but Flink)"
	@echo "make test-flink the FlinkRunner integration test, in .venv-flink on Beam $(FLINK_BEAM_VERSION) (own Kafka)"
	@echo "make test-cluster  failover tests on clusters of separate processes: a 3-node Kafka losing brokers, a Flink session cluster losing a task manager"
	@echo "make run-live   run the streaming pipeline on deploy/feeds/default.yaml (real feeds, needs internet)"
	@echo "make eval       regulation-flagger gate on the real test split, its regression suite, extraction quality and article fields (needs the shared corpus: NEWSBEAM_CORPUS, default ../shared/corpus)"
	@echo "make train-flagger  retrain the flagger's model from the real labelled set (deterministic; needs the shared corpus)"
	@echo "make bench      benchmarks: print figures and write tests/bench/results/*.json"
	@echo "make kafka-up / kafka-down   the local single-node KRaft broker on KAFKA_PORT (default 9092);"
	@echo "               KAFKA_NODES=3 deploy/local/kafka start|status|kill N|start-node N|stop runs a cluster"

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

# Prism, Beam's local portable runner, is a Go program that Beam downloads at run time; offline that fails,
# so we build the same release from the Go module proxy once.
$(PRISM):
	mkdir -p $(dir $@)
	GOBIN=$(dir $@) go install github.com/apache/beam/sdks/v2/go/cmd/prism@v$(BEAM_VERSION)

install: $(BIN)/.installed $(PRISM) kafka-fetch jemalloc $(LEXICON) $(AUTOMATA)

# the regulation lexicon's YAML compiled to JSON, which every process reads ~0.15 s faster at start-up, and
# the flagger's automata tables, which spare the process that flags most of their build (10 languages: 3 s -> 0.5 s)
# (transforms/regulation/lexicon, transforms/regulation/matcher.py: a missing or stale file is never read,
# only slower to do without)
$(LEXICON) $(AUTOMATA) &: $(BIN)/.installed $(wildcard transforms/regulation/lexicon/*.yaml) \
  $(addprefix transforms/regulation/,matcher.py taxonomy.py places.py entities.py lexicon/__init__.py)
	$(BIN)/python -m transforms.regulation.lexicon

# `newsbeam run` re-executes itself on jemalloc when it is installed (pipeline/allocator.py: extraction ~10%
# faster). Optional: without apt or root the pipeline runs on the system allocator and logs so.
jemalloc: $(BIN)/.installed
	@$(BIN)/python -c 'from pipeline.allocator import find_jemalloc as f; raise SystemExit(f() is None)' \
	  || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	       && { DEBIAN_FRONTEND=noninteractive apt-get install -y -q libjemalloc2 >/dev/null 2>&1 \
	            || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -q libjemalloc2 >/dev/null; }; }; } \
	  || echo "note: libjemalloc2 not installed: newsbeam runs on the system allocator (extraction ~10% slower)"

prism: $(PRISM)

# Beam's Flink job server for `--runner FlinkRunner`, fetched with Maven into the cache for the Flink venv's
# Beam release (the job server must match the SDK); tests/integration/test_flink.py fetches it the same way.
flink:
	@BEAM_VERSION=$(FLINK_BEAM_VERSION) deploy/local/flink-job-server fetch

# The project with apache-beam overridden: pip cannot override pyproject.toml's ==2.77.0 pin, so the other
# requirements and deploy/flink/requirements.txt are resolved together, then the project goes in --no-deps.
$(FLINK_BIN)/.installed: pyproject.toml deploy/flink/requirements.txt deploy/flink/project_requirements.py
	test -x $(FLINK_BIN)/python || $(PYTHON) -m venv $(FLINK_VENV)
	$(FLINK_BIN)/pip install -q --upgrade pip
	$(PYTHON) deploy/flink/project_requirements.py dev > $(FLINK_VENV)/requirements-project.txt
	$(FLINK_BIN)/pip install -q -r $(FLINK_VENV)/requirements-project.txt -r deploy/flink/requirements.txt
	$(FLINK_BIN)/pip install -q --no-deps -e .
	$(FLINK_BIN)/python -c 'import apache_beam, sys; v = apache_beam.__version__; sys.exit(v != "$(FLINK_BEAM_VERSION)" and f"apache-beam {v} installed, $(FLINK_BEAM_VERSION) wanted")'
	touch $@

flink-venv: $(FLINK_BIN)/.installed

kafka-fetch:
	@deploy/local/kafka fetch

# The monitor's browser test drives Debian's chromium (never a browser Playwright downloads).
browser:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }

# promtool checks deploy/monitoring: unpacked from Debian's prometheus package, because installing the
# package would also start a Prometheus server.
PROMTOOL := $(NEWSBEAM_CACHE)/bin/promtool
$(PROMTOOL):
	mkdir -p $(dir $@)
	tmp=$$(mktemp -d) && cd $$tmp && { apt-get download prometheus 2>/dev/null || { apt-get update -qq && apt-get download prometheus; }; } \
	  && dpkg-deb -x prometheus_*.deb x && install -m 755 x/usr/bin/promtool $@; status=$$?; rm -rf $$tmp; exit $$status

promtool: $(PROMTOOL)

kafka-up: kafka-fetch
	@deploy/local/kafka start

kafka-down:
	@deploy/local/kafka stop

run: install kafka-up
	$(BIN)/newsbeam demo --bootstrap-servers $(BOOTSTRAP)

run-live: install kafka-up
	$(BIN)/newsbeam run --feeds deploy/feeds/default.yaml --bootstrap-servers $(BOOTSTRAP)

lint: $(BIN)/.installed
	$(BIN)/ruff check pipeline connectors transforms tests
	$(BIN)/ruff format --check pipeline connectors transforms tests

# The whole project as configured in pyproject.toml, then transforms/ and connectors/ under --strict.
typecheck: $(BIN)/.installed
	$(BIN)/mypy
	$(BIN)/mypy --strict transforms connectors

# The test session starts its own broker on a free port through deploy/local/kafka (see tests/conftest.py),
# unless KAFKA_BOOTSTRAP_SERVERS points at one.
# The Flink tests run on another Beam release (make test-flink): deselected here, never skipped.
# The cluster tests (make test-cluster) start clusters of their own: deselected here too, never skipped.
test: install browser promtool lint typecheck
	$(BIN)/python -m pytest -m "not flink and not cluster" $(PYTEST_ARGS)

# Failover on clusters of separate processes on this machine: a three-node KRaft cluster that loses
# brokers (tests/cluster/test_kafka_failover.py, in .venv) and a Flink session cluster that loses a task
# manager (tests/cluster/test_flink_cluster.py, in .venv-flink); every test starts and stops its own cluster.
test-cluster: test-cluster-kafka test-cluster-flink

test-cluster-kafka: install
	$(BIN)/python -m pytest -m cluster tests/cluster/test_kafka_failover.py $(PYTEST_ARGS)

# Its session starts its own broker too; the test fails (never skips) when the job server cannot be had.
test-flink: flink-venv flink kafka-fetch
	$(FLINK_BIN)/python -m pytest -m flink tests/integration/test_flink.py $(PYTEST_ARGS)

# The Flink session cluster's jars (deploy/local/flink: the Flink release of the job server's runner).
flink-cluster-fetch:
	@deploy/local/flink fetch >/dev/null

# A session cluster of three JVMs and a worker pool on free ports, started and stopped by the test itself.
test-cluster-flink: flink-venv flink flink-cluster-fetch kafka-fetch
	$(FLINK_BIN)/python -m pytest -m cluster tests/cluster/test_flink_cluster.py $(PYTEST_ARGS)

unit: $(BIN)/.installed
	$(BIN)/python -m pytest -m "not integration" $(PYTEST_ARGS)

eval: $(BIN)/.installed
	$(BIN)/python tests/eval/evaluate_regulation.py
	$(BIN)/python tests/eval/evaluate_regulation.py --written
	$(BIN)/python tests/eval/evaluate_extraction.py
	$(BIN)/python tests/eval/check_article_fields.py

train-flagger: $(BIN)/.installed
	$(BIN)/python tests/eval/train_flagger.py

# starts and stops a broker of its own (free port, own state folder): the demo broker on 9092 is left alone
bench: install
	$(BIN)/python tests/bench/run_all.py

clean:
	rm -rf $(VENV) $(FLINK_VENV) .pytest_cache .mypy_cache .ruff_cache
