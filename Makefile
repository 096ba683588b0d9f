# newsbeam: every target sets up what it needs, so `make run` and `make test` work on a fresh clone.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
NEWSBEAM_CACHE ?= $(HOME)/.cache/newsbeam
export NEWSBEAM_CACHE
KAFKA_PORT ?= 9092
export KAFKA_PORT
BOOTSTRAP ?= 127.0.0.1:$(KAFKA_PORT)
BEAM_VERSION := 2.77.0
PRISM := $(NEWSBEAM_CACHE)/bin/prism
export NEWSBEAM_PRISM := $(PRISM)

.PHONY: help install prism kafka-fetch kafka-up kafka-down run run-live test lint typecheck unit eval bench clean

help:
	@echo "make run        set up, start local Kafka, run the pipeline on the bundled sample feeds, show flagged stories"
	@echo "make test       set up, start a test Kafka, run lint, type checks and the whole test suite"
	@echo "make run-live   run the streaming pipeline on deploy/feeds/default.yaml (real feeds, needs internet)"
	@echo "make eval       regulation-flagger evaluation gate (and extraction quality when ../shared/corpus exists)"
	@echo "make bench      benchmarks: print figures and write tests/bench/results/*.json"
	@echo "make kafka-up / kafka-down   the local single-node KRaft broker on KAFKA_PORT (default 9092)"

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

install: $(BIN)/.installed $(PRISM) kafka-fetch

prism: $(PRISM)

kafka-fetch:
	@deploy/local/kafka fetch

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

typecheck: $(BIN)/.installed
	$(BIN)/mypy

# The test session starts its own broker on a free port through deploy/local/kafka (see tests/conftest.py),
# unless KAFKA_BOOTSTRAP_SERVERS points at one.
test: install lint typecheck
	$(BIN)/python -m pytest $(PYTEST_ARGS)

unit: $(BIN)/.installed
	$(BIN)/python -m pytest -m "not integration" $(PYTEST_ARGS)

eval: $(BIN)/.installed
	$(BIN)/python tests/eval/evaluate_regulation.py

bench: install kafka-up
	$(BIN)/python tests/bench/bench_flagger.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
